// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Open files: opening, closing, the calls on a handle, and reopening
 * after a repair.
 *
 * A pool_file remembers what its open asked for (path, access, sharing,
 * lease key, durable create GUID) so that after a reconnect it can be
 * opened again:
 *   1. a durable handle is reconnected (DH2C on 3.x, DHnC on 2.x;
 *      MS-SMB2 3.2.4.4): the server vouches that nothing else happened
 *      to the open, locks included;
 *   2. otherwise the path is opened afresh and accepted only if it is
 *      the same file (file id) and nobody changed it since the last
 *      answer we had from the server (its change time is not later than
 *      that moment); then the byte-range locks are taken again.
 * A file that fails either is lost: every later call on it is -EIO (or,
 * when the reopen was refused access, that refusal) and nothing is ever
 * written to whatever now has its name.
 *
 * Reads and writes go through read-ahead (readahead.c) and write-behind
 * (writeback.c); the other calls on a handle first wait for the queued
 * writes of every handle of the file where they depend on the data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "pool_internal.h"
#include "smbfs/crypto.h"

/* Change times up to this much after the last answer are our own. */
#define REOPEN_CTIME_SLACK (10000000ull) /* 1 s in FILETIME units */

static struct smb_pool *file_pool(const struct pool_file *f)
{
	return pool_of_file(f);
}

/* Every READ and WRITE of f is over by now (close waited for them). */
void pool_file_free(struct pool_file *f)
{
	struct wb_chunk *c;
	struct ra_piece *p;

	while (f->locks) {
		struct pool_lock *l = f->locks;

		f->locks = l->next;
		free(l);
	}
	while ((p = f->ra.pieces)) {
		f->ra.pieces = p->next;
		pool_ra_piece_free(p);
	}
	while ((c = f->wb.head)) {
		f->wb.head = c->next;
		free(c->data);
		free(c);
	}
	pthread_cond_destroy(&f->io_cond);
	pthread_mutex_destroy(&f->io_lock);
	free(f->path);
	free(f);
}

void pool_file_get(struct pool_file *f)
{
	f->refs++;
}

void pool_file_put(struct smb_pool *p, struct pool_file *f)
{
	bool last;

	pthread_mutex_lock(&p->lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (last)
		pool_file_free(f);
}

/* Copies what a reopen needs to ask for again. */
static int file_remember(struct pool_file *f, const struct smb_open_args *a)
{
	f->path = strdup(a->path ? a->path : "");
	if (!f->path)
		return -ENOMEM;
	f->desired_access = a->desired_access;
	f->file_attributes = a->file_attributes;
	f->share_access = a->share_access;
	f->create_options = a->create_options;
	f->oplock_level = a->oplock_level;
	if (a->oplock_level == SMB2_OPLOCK_LEVEL_LEASE && a->lease_key) {
		f->has_lease_key = true;
		memcpy(f->lease_key, a->lease_key, 16);
		f->lease_state = a->lease_state;
	}
	f->want_durable = !f->tree->srv->pool->cfg.nodurable;
	return smb_random_bytes(f->create_guid, sizeof(f->create_guid));
}

/* The args of the original open, for disposition (pool->lock not held). */
static void file_open_args(const struct pool_file *f, const char *path,
			   uint32_t disposition, struct smb_open_args *a)
{
	memset(a, 0, sizeof(*a));
	a->path = path;
	a->desired_access = f->desired_access;
	a->file_attributes = f->file_attributes;
	a->share_access = f->share_access;
	a->disposition = disposition;
	a->create_options = f->create_options;
	a->oplock_level = f->oplock_level;
	if (f->has_lease_key) {
		a->lease_key = f->lease_key;
		a->lease_state = f->lease_state;
		a->lease_epoch = f->lease_epoch;
	}
	a->durable = f->want_durable;
	a->create_guid = f->create_guid;
}

/*
 * Makes f a member of its server file's node: the node of another open
 * file with the same file id, or spare (pool->lock held).
 */
static void file_join_node(struct pool_file *f, struct pool_node **spare)
{
	struct pool_node **bucket, *n = NULL;

	if (f->node)
		return;
	bucket = &f->tree->nodes[f->file_id % POOL_NODE_BUCKETS];
	for (n = *bucket; f->file_id && n; n = n->next)
		if (n->file_id == f->file_id)
			break;
	if (!n) {
		n = *spare;
		*spare = NULL;
		n->file_id = f->file_id;
		n->prev = NULL;
		n->next = *bucket;
		if (n->next)
			n->next->prev = n;
		*bucket = n;
	}
	f->node = n;
	f->node_next = n->members;
	n->members = f;
}

/* f closes: it leaves its node, freed with its last member. */
static void file_leave_node(struct pool_file *f)
{
	struct pool_node *n = f->node;
	struct pool_file **pp;

	if (!n)
		return;
	for (pp = &n->members; *pp != f; pp = &(*pp)->node_next)
		;
	*pp = f->node_next;
	f->node = NULL;
	if (n->members)
		return;
	if (n->prev)
		n->prev->next = n->next;
	else
		f->tree->nodes[n->file_id % POOL_NODE_BUCKETS] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	free(n);
}

/* A fresh open succeeded on generation gen (pool->lock held). */
static void file_attach(struct pool_file *f, uint64_t gen,
			const struct smb_open_result *res,
			struct pool_node **spare)
{
	struct pool_counters *n = &file_pool(f)->count;

	if (res->lease_state)
		atomic_fetch_add(&n->leases_granted, 1);
	else if (res->oplock_level == SMB2_OPLOCK_LEVEL_BATCH ||
		 res->oplock_level == SMB2_OPLOCK_LEVEL_EXCLUSIVE ||
		 res->oplock_level == SMB2_OPLOCK_LEVEL_II)
		atomic_fetch_add(&n->oplocks_granted, 1);
	if (res->st.file_id)
		f->file_id = res->st.file_id;
	file_join_node(f, spare);
	pool_file_reopened(f, res, gen);
}

static void file_link(struct pool_tree *t, struct pool_file *f)
{
	f->prev = NULL;
	f->next = t->files;
	if (t->files)
		t->files->prev = f;
	t->files = f;
}

static void file_unlink(struct pool_tree *t, struct pool_file *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		t->files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	f->next = f->prev = NULL;
}

/*
 * Opens until a handle is made on the generation that is still current:
 * a repair that slips in between the answer and its recording would
 * leave a handle nobody reopens.  A FILE_CREATE resent after it was lost
 * in flight may find the file it created itself: then it is opened.
 */
static int file_open_loop(struct pool_file *f, struct smb_open_args *oa,
			  struct smb_open_result *res)
{
	struct smb_pool *p = file_pool(f);
	struct pool_node *spare = calloc(1, sizeof(*spare));
	struct pool_attempt a;
	uint64_t gen = 0;
	int rc;

	if (!spare)
		return -ENOMEM;

	for (;;) {
		pool_attempt_init(&a, f->tree, NULL);
		while (pool_attempt_next(&a, &rc)) {
			gen = a.gen;
			rc = smb_file_open(a.tree, oa, res);
			rc = pool_attempt_done(&a, rc);
			if (rc == -EEXIST && a.resent_after_loss &&
			    oa->disposition == FILE_CREATE) {
				oa->disposition = FILE_OPEN;
				a.finished = false;
			}
		}
		if (rc < 0) {
			free(spare);
			return rc;
		}
		pthread_mutex_lock(&p->lock);
		if (f->tree->gen == gen && f->tree->tree) {
			file_attach(f, gen, res, &spare);
			pthread_mutex_unlock(&p->lock);
			free(spare);
			return 0;
		}
		pthread_mutex_unlock(&p->lock);
		/* That handle died with its generation; open again. */
		oa->disposition = FILE_OPEN;
	}
}

/* A new pool_file for tree t, not yet listed (NULL: out of memory). */
static struct pool_file *file_new(struct pool_tree *t, unsigned int flags)
{
	struct pool_file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	if (pthread_mutex_init(&f->io_lock, NULL)) {
		free(f);
		return NULL;
	}
	if (pool_cond_init(&f->io_cond)) {
		pthread_mutex_destroy(&f->io_lock);
		free(f);
		return NULL;
	}
	f->tree = t;
	f->refs = 1;
	f->uncached = flags & POOL_FILE_UNCACHED;
	ra_window_init(&f->ra.w);
	return f;
}

int pool_file_open(struct pool_tree *t, const struct smb_open_args *a,
		   unsigned int flags, void *owner, pool_path_fn path_fn,
		   struct pool_file **out, struct smb_open_result *res)
{
	struct smb_pool *p = t->srv->pool;
	struct smb_open_args oa;
	struct pool_file *f;
	int rc;

	*out = NULL;
	f = file_new(t, flags);
	if (!f)
		return -ENOMEM;
	f->owner = owner;
	f->path_fn = path_fn;
	rc = file_remember(f, a);
	if (rc < 0) {
		pool_file_free(f);
		return rc;
	}
	file_open_args(f, f->path, a->disposition, &oa);
	/* Only for this call: a reopen never creates. */
	oa.sd = a->sd;
	/* Listed first: a repair then knows it (it has no handle yet). */
	pthread_mutex_lock(&p->lock);
	file_link(t, f);
	pthread_mutex_unlock(&p->lock);
	rc = file_open_loop(f, &oa, res);
	if (rc < 0) {
		pthread_mutex_lock(&p->lock);
		file_unlink(t, f);
		pthread_mutex_unlock(&p->lock);
		pool_file_put(p, f);
		return rc;
	}
	*out = f;
	return 0;
}

/*
 * The first half of a close: the queued writes go first, on this handle
 * (a closing handle of a generation that is gone counts as closed,
 * attempt.c, which would drop them; interrupted, they still must
 * finish).  Returns their error; *current says whether the server still
 * knows the handle (one of a generation that is gone is closed already
 * as far as it is concerned: a durable one expires there).
 */
static int file_close_begin(struct pool_file *f, bool *current)
{
	struct smb_pool *p = file_pool(f);
	int wrc;

	do
		wrc = pool_wb_drain(f, 0, UINT64_MAX, true);
	while (wrc == -EINTR);
	pool_ra_wait_idle(f);
	pthread_mutex_lock(&p->lock);
	f->closing = true;
	*current = !f->lost && f->gen == f->tree->gen && f->tree->srv->up;
	pthread_mutex_unlock(&p->lock);
	return wrc;
}

/* A CLOSE that failed because the connection did is a close all the same. */
static int file_close_result(int rc)
{
	return rc == -EIO || rc == -ESHUTDOWN || rc == -EINTR ? 0 : rc;
}

static void file_close_end(struct pool_file *f)
{
	struct smb_pool *p = file_pool(f);

	pthread_mutex_lock(&p->lock);
	file_unlink(f->tree, f);
	file_leave_node(f);
	pthread_mutex_unlock(&p->lock);
	pool_file_put(p, f);
}

/* The CLOSE of f alone, on a handle the server still knows. */
static int file_close_alone(struct pool_file *f, struct smb_stat *st,
			    bool *st_valid)
{
	struct pool_attempt a;
	int rc = 0;

	pool_attempt_init(&a, f->tree, f);
	/* Never wait long for a close. */
	a.resends = file_pool(f)->cfg.retrans;
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_close(a.tree, a.fid, st));
	if (st_valid)
		*st_valid = rc == 0 && st;
	return file_close_result(rc);
}

int pool_file_close(struct pool_file *f, struct smb_stat *st, bool *st_valid)
{
	bool current;
	int rc = 0, wrc;

	if (st_valid)
		*st_valid = false;
	wrc = file_close_begin(f, &current);
	if (current)
		rc = file_close_alone(f, st, st_valid);
	file_close_end(f);
	return wrc < 0 ? wrc : rc;
}

/*
 * The CLOSEs of the files in f[] marked in send, all on one tree, in one
 * compound: sent once (a close never waits long).  The call goes as
 * first's: while the tree cannot take it, first is closed already, as
 * are those of another generation than the call's.
 */
static void files_close_compound(struct pool_file **f, int n, int first,
				 const bool *send, struct smb_stat *st,
				 bool *st_valid, int *rcs)
{
	struct smb_pool *p = file_pool(f[first]);
	struct smb2_fileid fids[SMB_CLOSE_MANY_MAX];
	struct smb_stat sts[SMB_CLOSE_MANY_MAX];
	int idx[SMB_CLOSE_MANY_MAX], out[SMB_CLOSE_MANY_MAX];
	struct pool_attempt a;
	int i, k = 0, rc;

	pool_attempt_init(&a, f[first]->tree, f[first]);
	a.resends = p->cfg.retrans;
	if (!pool_attempt_next(&a, &rc))
		return;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < n; i++) {
		if (!send[i] || f[i]->gen != a.gen)
			continue;
		fids[k] = f[i]->fid;
		idx[k++] = i;
	}
	pthread_mutex_unlock(&p->lock);
	rc = k ? smb_file_close_many(a.tree, fids, k, sts, out) : 0;
	pool_attempt_done(&a, rc);
	for (i = 0; i < k; i++) {
		st_valid[idx[i]] = !rc && !out[i];
		if (st_valid[idx[i]])
			st[idx[i]] = sts[i];
		else
			rcs[idx[i]] = file_close_result(rc ? rc : out[i]);
	}
}

void pool_file_close_many(struct pool_file **f, int n, struct smb_stat *st,
			  bool *st_valid, int *rcs)
{
	bool send[SMB_CLOSE_MANY_MAX];
	int i, first = -1, wrc[SMB_CLOSE_MANY_MAX];

	for (i = 0; i < n; i++) {
		st_valid[i] = false;
		rcs[i] = 0;
		wrc[i] = file_close_begin(f[i], &send[i]);
		if (!send[i])
			continue;
		if (first < 0)
			first = i;
		/* One compound goes to one tree; the others close alone. */
		if (f[i]->tree != f[first]->tree) {
			send[i] = false;
			rcs[i] = file_close_alone(f[i], &st[i], &st_valid[i]);
		}
	}
	if (first >= 0)
		files_close_compound(f, n, first, send, st, st_valid, rcs);
	for (i = 0; i < n; i++) {
		if (wrc[i] < 0)
			rcs[i] = wrc[i];
		file_close_end(f[i]);
	}
}

void *pool_file_owner(struct pool_file *f)
{
	return f->owner;
}

bool pool_file_lost(struct pool_file *f)
{
	struct smb_pool *p = file_pool(f);
	bool lost;

	pthread_mutex_lock(&p->lock);
	lost = f->lost;
	pthread_mutex_unlock(&p->lock);
	return lost;
}

uint32_t pool_file_lease_state(struct pool_file *f)
{
	struct smb_pool *p = file_pool(f);
	uint32_t state;

	pthread_mutex_lock(&p->lock);
	state = f->has_lease_key ? f->lease_state : 0;
	pthread_mutex_unlock(&p->lock);
	return state;
}

/* --- calls on a handle --- */

/* One READ or WRITE at a fixed offset: it can be sent again without harm. */
static ssize_t file_io_direct(struct pool_file *f, bool write, void *buf,
			      size_t len, uint64_t off)
{
	struct smb_pool *p = file_pool(f);
	struct pool_attempt a;
	ssize_t n = 0;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc)) {
		n = write ? smb_file_write(a.tree, a.fid, buf, len, off)
			  : smb_file_read(a.tree, a.fid, buf, len, off);
		rc = pool_attempt_done(&a, n < 0 ? (int)n : 0);
	}
	if (rc < 0)
		return rc;
	atomic_fetch_add(write ? &p->count.bytes_written : &p->count.bytes_read,
			 (uint64_t)n);
	return n;
}

ssize_t pool_file_read_direct(struct pool_file *f, void *buf, size_t len,
			      uint64_t off)
{
	return file_io_direct(f, false, buf, len, off);
}

/*
 * What the server lets this client cache of the file, in lease terms: a
 * lease's state, or what an oplock allows (MS-SMB2 3.2.5.19).  Without
 * read caching other clients may change the file at any moment, without
 * write caching they may read it.
 */
static uint32_t file_caching(struct pool_file *f)
{
	struct smb_pool *p = file_pool(f);
	uint32_t c = 0;

	pthread_mutex_lock(&p->lock);
	switch (f->oplock_granted) {
	case SMB2_OPLOCK_LEVEL_LEASE:
		c = f->lease_state;
		break;
	case SMB2_OPLOCK_LEVEL_BATCH:
	case SMB2_OPLOCK_LEVEL_EXCLUSIVE:
		c = SMB2_LEASE_WRITE_CACHING;
		/* fall through */
	case SMB2_OPLOCK_LEVEL_II:
		c |= SMB2_LEASE_READ_CACHING;
		break;
	}
	pthread_mutex_unlock(&p->lock);
	return c;
}

/*
 * Reads of an uncached file, without read-ahead, or that the server
 * does not let us cache, go straight out.
 */
static bool file_reads_ahead(struct pool_file *f)
{
	return !f->uncached && file_pool(f)->readahead &&
	       (file_caching(f) & SMB2_LEASE_READ_CACHING);
}

/* A give function that copies into a buffer (arg). */
static int give_to_buffer(void *arg, const struct iovec *iov, int n)
{
	uint8_t *dst = arg;
	int i;

	for (i = 0; i < n; i++) {
		memcpy(dst, iov[i].iov_base, iov[i].iov_len);
		dst += iov[i].iov_len;
	}
	return 0;
}

ssize_t pool_file_read(struct pool_file *f, void *buf, size_t len, uint64_t off)
{
	int rc = pool_node_drain(f, off, len, NULL);

	if (rc < 0)
		return rc;
	if (!file_reads_ahead(f))
		return pool_file_read_direct(f, buf, len, off);
	return pool_ra_read_give(f, len, off, give_to_buffer, buf);
}

ssize_t pool_file_read_give(struct pool_file *f, size_t len, uint64_t off,
			    pool_give_fn give, void *arg)
{
	struct iovec iov;
	uint8_t *buf;
	ssize_t n;
	int rc = pool_node_drain(f, off, len, NULL);

	if (rc < 0)
		return rc;
	if (file_reads_ahead(f))
		return pool_ra_read_give(f, len, off, give, arg);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	n = pool_file_read_direct(f, buf, len, off);
	if (n >= 0) {
		iov = (struct iovec){ buf, (size_t)n };
		rc = give(arg, &iov, n ? 1 : 0);
	}
	free(buf);
	return n < 0 ? n : rc < 0 ? rc : n;
}

static ssize_t file_write_direct(struct pool_file *f, const void *buf,
				 size_t len, uint64_t off)
{
	return file_io_direct(f, true, (void *)buf, len, off);
}

/* An uncached write: the data gathered, then written now. */
static ssize_t file_write_now(struct pool_file *f, pool_fill_fn fill, void *arg,
			      size_t len, uint64_t off)
{
	uint8_t *buf = malloc(len ? len : 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	n = fill(arg, buf, len);
	if (!n)
		n = file_write_direct(f, buf, len, off);
	free(buf);
	return n;
}

/* A file known to be lost refuses writes at once (0 otherwise). */
static int file_lost_error(struct pool_file *f)
{
	struct smb_pool *p = file_pool(f);
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = f->lost ? f->lost_err : 0;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

ssize_t pool_file_write_from(struct pool_file *f, pool_fill_fn fill, void *arg,
			     size_t len, uint64_t off)
{
	/* Another handle's write of the same bytes lands first. */
	int rc = pool_node_drain(f, off, len, f);
	ssize_t n;

	if (!rc)
		rc = file_lost_error(f);
	if (rc < 0)
		return rc;
	pool_node_wrote(f, off, len);
	if (f->uncached)
		return file_write_now(f, fill, arg, len, off);
	n = pool_wb_write(f, fill, arg, len, off);
	/*
	 * Without write caching the data must be on the server when the
	 * write returns; it still goes as large WRITEs, several at once.
	 */
	if (n > 0 && !(file_caching(f) & SMB2_LEASE_WRITE_CACHING)) {
		rc = pool_wb_drain(f, off, (uint64_t)n, true);
		if (rc < 0)
			return rc;
	}
	return n;
}

/* The filler of a plain buffer: arg points to the next byte. */
static int fill_from_buffer(void *arg, void *dst, size_t len)
{
	const uint8_t **p = arg;

	memcpy(dst, *p, len);
	*p += len;
	return 0;
}

ssize_t pool_file_write(struct pool_file *f, const void *buf, size_t len,
			uint64_t off)
{
	const uint8_t *p = buf;

	return pool_file_write_from(f, fill_from_buffer, &p, len, off);
}

/*
 * Where an append goes: the size the pool knows while the file holds a
 * write-caching lease (and the room taken, for the next append), else
 * the server's end of file once every handle's writes are there.
 */
static int file_append_offset(struct pool_file *f, size_t len, uint64_t *off)
{
	struct smb_pool *p = file_pool(f);
	struct smb_stat st;
	bool known;
	int rc;

	pthread_mutex_lock(&p->lock);
	known = f->node->size_known && f->has_lease_key &&
		(f->lease_state & SMB2_LEASE_WRITE_CACHING);
	if (known) {
		*off = f->node->size;
		f->node->size += len;
	}
	pthread_mutex_unlock(&p->lock);
	if (known)
		return 0;
	rc = pool_file_stat(f, &st);
	*off = st.end_of_file;
	return rc;
}

ssize_t pool_file_append(struct pool_file *f, pool_fill_fn fill, void *arg,
			 size_t len, uint64_t *off)
{
	int rc = file_append_offset(f, len, off);

	return rc < 0 ? rc : pool_file_write_from(f, fill, arg, len, *off);
}

int pool_file_wait_writes(struct pool_file *f)
{
	return pool_wb_drain(f, 0, UINT64_MAX, true);
}

/* Every handle's queued writes on the server, for a call that needs them. */
static int file_sync_node(struct pool_file *f)
{
	return pool_node_drain(f, 0, UINT64_MAX, NULL);
}

int pool_file_flush(struct pool_file *f)
{
	struct pool_attempt a;
	int rc = file_sync_node(f);

	if (!rc)
		rc = pool_file_wait_writes(f);
	/* MS-SMB2 3.3.5.11: FLUSH needs write access. */
	if (rc < 0 ||
	    !(f->desired_access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return rc;
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_flush(a.tree, a.fid));
	return rc;
}

void pool_file_drop_access(struct pool_file *f, uint32_t mask)
{
	struct smb_pool *p = f->tree->srv->pool;

	pthread_mutex_lock(&p->lock);
	f->desired_access &= ~mask;
	pthread_mutex_unlock(&p->lock);
}

int pool_file_get_sd(struct pool_file *f, struct smb_sd *sd)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_get_sd(a.tree, a.fid, sd));
	return rc;
}

int pool_file_set_sd(struct pool_file *f, uint32_t secinfo,
		     const struct smb_sd *sd)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_set_sd(a.tree, a.fid,
							   secinfo, sd));
	return rc;
}

int pool_file_stat(struct pool_file *f, struct smb_stat *st)
{
	struct smb_pool *p = file_pool(f);
	struct pool_attempt a;
	int rc = file_sync_node(f);

	if (rc < 0)
		return rc;
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_stat(a.tree, a.fid, st));
	if (rc == 0) {
		pthread_mutex_lock(&p->lock);
		f->node->size = st->end_of_file;
		f->node->size_known = true;
		pthread_mutex_unlock(&p->lock);
	}
	return rc;
}

/*
 * A small file's last piece often still waits in write-behind when its
 * times are set (tar, cp -p): it goes in the setattr's compound.
 */
#define SETATTR_WRITE_MAX (256u << 10)

int pool_file_setattr(struct pool_file *f, const struct smb_setattr *sa,
		      struct smb_stat *st)
{
	struct smb_pool *p = file_pool(f);
	struct wb_chunk *c = NULL;
	struct pool_attempt a;
	ssize_t written = 0;
	int rc = pool_node_drain(f, 0, UINT64_MAX, f);

	if (!rc && !sa->set_size)
		c = pool_wb_take_small(f, SETATTR_WRITE_MAX);
	if (!rc && !c)
		rc = pool_wb_drain(f, 0, UINT64_MAX, false);
	if (rc < 0)
		return rc;
	pool_node_wrote(f, 0, 0);
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(
			&a, smb_file_write_setattr(a.tree, a.fid,
						   c ? c->data : NULL,
						   c ? (uint32_t)c->len : 0,
						   c ? c->off : 0, sa, st,
						   &written));
	/*
	 * Written (in part: write-behind sends the rest), failed (the
	 * file's write error), or never sent (write-behind sends it).
	 */
	if (c)
		pool_wb_taken_done(f, c, written);
	if (rc == 0 && sa->set_size) {
		pthread_mutex_lock(&p->lock);
		f->node->size = sa->size;
		f->node->size_known = true;
		pthread_mutex_unlock(&p->lock);
	}
	return rc;
}

int pool_file_ioctl(struct pool_file *f, uint32_t ctl_code, const void *in,
		    uint32_t in_len, uint32_t max_out, uint8_t **out,
		    uint32_t *out_len)
{
	struct pool_attempt a;
	int rc = file_sync_node(f);

	if (rc < 0)
		return rc;
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_ioctl(a.tree, a.fid, ctl_code,
						     in, in_len, max_out, out,
						     out_len));
	return rc;
}

/* Records a granted lock, or forgets an unlocked one (pool->lock held). */
static void file_note_lock(struct pool_file *f, uint64_t off, uint64_t len,
			   uint32_t flags)
{
	struct pool_lock **pp, *l;

	if (flags & SMB2_LOCKFLAG_UNLOCK) {
		/* MS-FSA 2.1.5.8: an unlock names one lock's exact range. */
		for (pp = &f->locks; (l = *pp); pp = &l->next) {
			if (l->off == off && l->len == len) {
				*pp = l->next;
				free(l);
				return;
			}
		}
		return;
	}
	l = malloc(sizeof(*l));
	if (!l) {
		smb_log(SMB_LOG_WARN,
			"out of memory: a lock will not be taken again after a reconnect");
		return;
	}
	l->off = off;
	l->len = len;
	l->exclusive = flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
	l->next = f->locks;
	f->locks = l;
}

int pool_file_lock(struct pool_file *f, uint64_t off, uint64_t len,
		   uint32_t flags)
{
	struct smb_pool *p = file_pool(f);
	struct pool_attempt a;
	/* Whoever takes the lock next must find what was written under it. */
	int rc = file_sync_node(f);

	if (rc < 0)
		return rc;
	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_lock(a.tree, a.fid, off,
							 len, flags));
	/* An unlock of a lock that went with its connection is done. */
	if ((flags & SMB2_LOCKFLAG_UNLOCK) && rc == -ENOLCK &&
	    a.resent_after_loss)
		rc = 0;
	if (rc == 0) {
		pthread_mutex_lock(&p->lock);
		file_note_lock(f, off, len, flags);
		pthread_mutex_unlock(&p->lock);
	}
	return rc;
}

/*
 * Both handles must be current at once: the attempt covers the source,
 * and the target's fid is read under the same generation.
 */
ssize_t pool_file_copy_chunk(struct pool_file *src, uint64_t src_off,
			     struct pool_file *dst, uint64_t dst_off,
			     uint64_t len)
{
	struct smb_pool *p = file_pool(src);
	struct smb2_fileid dfid;
	struct pool_attempt a;
	ssize_t n = 0;
	bool ok;
	int rc = file_sync_node(src);

	if (!rc)
		rc = file_sync_node(dst);
	if (rc < 0)
		return rc;
	pool_attempt_init(&a, src->tree, src);
	while (pool_attempt_next(&a, &rc)) {
		pthread_mutex_lock(&p->lock);
		ok = !dst->lost && dst->gen == dst->tree->gen;
		dfid = dst->fid;
		pthread_mutex_unlock(&p->lock);
		n = ok ? smb_file_copy_chunk(a.tree, a.fid, src_off, dfid,
					     dst_off, len)
		       : -EOPNOTSUPP; /* the caller copies by hand */
		rc = pool_attempt_done(&a, n < 0 ? (int)n : 0);
	}
	if (rc < 0)
		return rc;
	pool_node_wrote(dst, dst_off, (uint64_t)n);
	return n;
}

/* --- reopening after a repair (monitor thread) --- */

static char *file_current_path(struct pool_file *f)
{
	if (f->path_fn)
		return f->path_fn(f->owner);
	return strdup(f->path);
}

/* MS-SMB2 3.2.4.4: the durable handle, reclaimed as it was. */
static int file_reconnect_durable(struct pool_file *f, struct smb_tree *tree,
				  const char *path, struct smb_open_result *res)
{
	struct smb_open_args oa;

	file_open_args(f, path, FILE_OPEN, &oa);
	oa.reconnect = true;
	oa.reconnect_fid = f->fid;
	return smb_file_open(tree, &oa, res);
}

/*
 * A plain open is our file only if it has the same id and nobody changed
 * it after the last answer the old connection brought (loss_time, on
 * the server's clock); our own writes that were in flight then may have
 * landed a moment later, hence the slack.
 */
static int file_check_same(const struct pool_file *f,
			   const struct smb_open_result *res,
			   uint64_t loss_time)
{
	if (f->file_id && res->st.file_id && f->file_id != res->st.file_id)
		return -ESTALE;
	if (loss_time && res->st.change_time > loss_time + REOPEN_CTIME_SLACK)
		return -ESTALE;
	return 0;
}

/* Takes the remembered byte-range locks again, never waiting. */
static int file_relock(struct pool_file *f, struct smb_tree *tree,
		       struct smb2_fileid fid)
{
	struct pool_lock *l;
	int rc;

	for (l = f->locks; l; l = l->next) {
		rc = smb_file_lock(tree, fid, l->off, l->len,
				   SMB2_LOCKFLAG_FAIL_IMMEDIATELY |
					   (l->exclusive
						    ? SMB2_LOCKFLAG_EXCLUSIVE_LOCK
						    : SMB2_LOCKFLAG_SHARED_LOCK));
		if (rc < 0) {
			smb_log(SMB_LOG_WARN,
				"%s: lock %llu+%llu could not be taken again: %s",
				f->path, (unsigned long long)l->off,
				(unsigned long long)l->len, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int file_reopen_plain(struct pool_file *f, struct smb_tree *tree,
			     const char *path, uint64_t loss_time,
			     struct smb_open_result *res)
{
	struct smb_open_args oa;
	int rc;

	file_open_args(f, path, FILE_OPEN, &oa);
	/* A new open gets a new identity for replays (MS-SMB2 3.2.4.3.5). */
	rc = smb_random_bytes(f->create_guid, sizeof(f->create_guid));
	if (!rc)
		rc = smb_file_open(tree, &oa, res);
	if (rc < 0)
		return rc;
	rc = f->no_check ? 0 : file_check_same(f, res, loss_time);
	if (rc == 0)
		rc = file_relock(f, tree, res->fid);
	if (rc < 0)
		smb_file_close(tree, res->fid, NULL);
	return rc;
}

int pool_file_reopen(struct pool_file *f, struct smb_tree *tree,
		     uint64_t loss_time, struct smb_open_result *res)
{
	struct smb_pool *p = file_pool(f);
	bool durable;
	char *path;
	int rc = -ENOENT;

	path = file_current_path(f);
	if (!path)
		return -ENOENT;
	pthread_mutex_lock(&p->lock);
	durable = f->durable;
	pthread_mutex_unlock(&p->lock);
	if (durable) {
		rc = file_reconnect_durable(f, tree, path, res);
		if (rc == 0)
			smb_log(SMB_LOG_INFO, "\\%s: durable handle reconnected",
				path);
		else
			smb_log(SMB_LOG_INFO,
				"\\%s: durable handle not reconnected (%s), reopening",
				path, strerror(-rc));
	}
	if (rc < 0) {
		rc = file_reopen_plain(f, tree, path, loss_time, res);
		if (rc == 0)
			smb_log(SMB_LOG_INFO, "\\%s: reopened", path);
		else if (rc == -ESTALE)
			smb_log(SMB_LOG_WARN,
				"\\%s: changed on the server while disconnected; its open descriptors now fail with EIO",
				path);
		else
			smb_log(SMB_LOG_WARN,
				"\\%s: cannot be reopened (%s); its open descriptors now fail with \"%s\"",
				path, strerror(-rc),
				strerror(-pool_lost_errno(rc)));
	}
	free(path);
	return rc;
}

void pool_file_reopened(struct pool_file *f, const struct smb_open_result *res,
			uint64_t gen)
{
	struct pool_node *n = f->node;

	f->fid = res->fid;
	f->gen = gen;
	f->durable = res->durable;
	/* What was read ahead may predate the outage. */
	atomic_fetch_add(&f->ra_epoch, 1);
	/* Writes still queued may reach past what the server has. */
	if (!n->size_known || res->st.end_of_file > n->size)
		n->size = res->st.end_of_file;
	n->size_known = true;
	f->oplock_granted = res->oplock_level;
	if (f->has_lease_key) {
		f->lease_state = res->lease_state;
		f->lease_epoch = res->lease_epoch;
	}
	atomic_store(&f->wb_may_hold,
		     f->has_lease_key && !f->uncached &&
			     (res->lease_state & SMB2_LEASE_WRITE_CACHING));
}
