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
 * A file that fails either is lost: every later call on it is -EIO and
 * nothing is ever written to whatever now has its name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool_internal.h"
#include "smbfs/crypto.h"

/* Change times up to this much after the last answer are our own. */
#define REOPEN_CTIME_SLACK (10000000ull) /* 1 s in FILETIME units */

static struct smb_pool *file_pool(const struct pool_file *f)
{
	return f->tree->srv->pool;
}

static void file_free(struct pool_file *f)
{
	while (f->locks) {
		struct pool_lock *l = f->locks;

		f->locks = l->next;
		free(l);
	}
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
		file_free(f);
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

/* A fresh open succeeded on generation gen (pool->lock held). */
static void file_attach(struct pool_file *f, uint64_t gen,
			const struct smb_open_result *res)
{
	struct pool_counters *n = &file_pool(f)->count;

	if (res->lease_state)
		atomic_fetch_add(&n->leases_granted, 1);
	else if (res->oplock_level == SMB2_OPLOCK_LEVEL_BATCH ||
		 res->oplock_level == SMB2_OPLOCK_LEVEL_EXCLUSIVE ||
		 res->oplock_level == SMB2_OPLOCK_LEVEL_II)
		atomic_fetch_add(&n->oplocks_granted, 1);
	pool_file_reopened(f, res, gen);
	if (res->st.file_id)
		f->file_id = res->st.file_id;
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
	struct pool_attempt a;
	uint64_t gen = 0;
	int rc;

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
		if (rc < 0)
			return rc;
		pthread_mutex_lock(&p->lock);
		if (f->tree->gen == gen && f->tree->tree) {
			file_attach(f, gen, res);
			pthread_mutex_unlock(&p->lock);
			return 0;
		}
		pthread_mutex_unlock(&p->lock);
		/* That handle died with its generation; open again. */
		oa->disposition = FILE_OPEN;
	}
}

int pool_file_open(struct pool_tree *t, const struct smb_open_args *a,
		   void *owner, pool_path_fn path_fn, struct pool_file **out,
		   struct smb_open_result *res)
{
	struct smb_pool *p = t->srv->pool;
	struct smb_open_args oa;
	struct pool_file *f;
	int rc;

	*out = NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->tree = t;
	f->owner = owner;
	f->path_fn = path_fn;
	f->refs = 1;
	rc = file_remember(f, a);
	if (rc < 0) {
		file_free(f);
		return rc;
	}
	file_open_args(f, f->path, a->disposition, &oa);
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

int pool_file_close(struct pool_file *f, struct smb_stat *st)
{
	struct smb_pool *p = file_pool(f);
	struct pool_attempt a;
	bool current;
	int rc = 0;

	pthread_mutex_lock(&p->lock);
	f->closing = true;
	current = !f->lost && f->gen == f->tree->gen && f->tree->srv->up;
	pthread_mutex_unlock(&p->lock);
	/*
	 * A handle of a generation that is gone is closed already as far
	 * as the server is concerned (a durable one expires there).
	 */
	if (current) {
		pool_attempt_init(&a, f->tree, f);
		a.resends = p->cfg.retrans; /* never wait long for a close */
		while (pool_attempt_next(&a, &rc))
			rc = pool_attempt_done(&a,
					       smb_file_close(a.tree, a.fid, st));
		if (rc == -EIO || rc == -ESHUTDOWN || rc == -EINTR)
			rc = 0;
	}
	pthread_mutex_lock(&p->lock);
	file_unlink(f->tree, f);
	pthread_mutex_unlock(&p->lock);
	pool_file_put(p, f);
	return rc;
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

ssize_t pool_file_read(struct pool_file *f, void *buf, size_t len,
		       uint64_t off)
{
	struct pool_attempt a;
	ssize_t n = 0;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc)) {
		n = smb_file_read(a.tree, a.fid, buf, len, off);
		rc = pool_attempt_done(&a, n < 0 ? (int)n : 0);
	}
	if (rc < 0)
		return rc;
	atomic_fetch_add(&file_pool(f)->count.bytes_read, (uint64_t)n);
	return n;
}

/* A write at a fixed offset can be sent again without harm. */
ssize_t pool_file_write(struct pool_file *f, const void *buf, size_t len,
			uint64_t off)
{
	struct pool_attempt a;
	ssize_t n = 0;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc)) {
		n = smb_file_write(a.tree, a.fid, buf, len, off);
		rc = pool_attempt_done(&a, n < 0 ? (int)n : 0);
	}
	if (rc < 0)
		return rc;
	atomic_fetch_add(&file_pool(f)->count.bytes_written, (uint64_t)n);
	return n;
}

int pool_file_flush(struct pool_file *f)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_flush(a.tree, a.fid));
	return rc;
}

int pool_file_stat(struct pool_file *f, struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_file_stat(a.tree, a.fid, st));
	return rc;
}

int pool_file_setattr(struct pool_file *f, const struct smb_setattr *sa,
		      struct smb_stat *st)
{
	struct pool_attempt a;
	int rc;

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_file_setattr(a.tree, a.fid, sa, st));
	return rc;
}

int pool_file_ioctl(struct pool_file *f, uint32_t ctl_code, const void *in,
		    uint32_t in_len, uint32_t max_out, uint8_t **out,
		    uint32_t *out_len)
{
	struct pool_attempt a;
	int rc;

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
	int rc;

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
	int rc;

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
	return rc < 0 ? rc : n;
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
				"\\%s: cannot be reopened (%s); its open descriptors now fail with EIO",
				path, strerror(-rc));
	}
	free(path);
	return rc;
}

void pool_file_reopened(struct pool_file *f, const struct smb_open_result *res,
			uint64_t gen)
{
	f->fid = res->fid;
	f->gen = gen;
	f->durable = res->durable;
	f->oplock_granted = res->oplock_level;
	if (f->has_lease_key) {
		f->lease_state = res->lease_state;
		f->lease_epoch = res->lease_epoch;
	}
}
