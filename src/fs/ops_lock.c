// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE: POSIX byte-range locks (getlk, setlk) and flock, on SMB2 LOCK
 * (MS-SMB2 2.2.26, 3.3.5.14; the server's rules are MS-FSA 2.1.5.8/9).
 *
 * How locks are kept:
 * - Per inode: one table (src/fs/lock_table.c) of every local owner's
 *   locks.  POSIX locks belong to the kernel's lock owner (a process's
 *   file table; the open file description for OFD locks), flock locks
 *   to the open file description (the FUSE handle).  One owner's locks
 *   never overlap: they are merged and split as the kernel does, an
 *   unlock through any descriptor releases them, and close(2) of any
 *   descriptor of the file (FUSE flush, with the closer's lock owner)
 *   releases all of the owner's POSIX locks on it.
 * - Conflicts between local owners are settled here, as on a local file
 *   system (MS-SMB2 2.2.26 leaves locks between a client's own opens to
 *   the client): F_SETLK fails with EAGAIN, F_SETLKW and blocking flock
 *   wait until the holder lets go or a signal interrupts them, F_GETLK
 *   names the local holder's pid.
 * - The server sees the union of the owners' locks (per byte the
 *   strongest type) as non-overlapping locks on ONE handle of the file,
 *   the lock handle.  So two handles of this connection never hold
 *   overlapping locks there: Samba 4.17 with "posix locking = yes" (its
 *   default) counts the locks of all handles of one smbd process, that
 *   is one client connection, as one owner's (posix_lock_list() in
 *   source3/locking/posix.c compares the process only), while its kernel
 *   (OFD) locks belong to each handle's descriptor; after overlapping
 *   shared locks of two handles, if the handle that locked first
 *   unlocks first, its kernel lock stays behind and refuses every later
 *   exclusive lock on the range, from any client, until it closes
 *   (tests/integration/itest_posix_locking.c).
 * - Changes reach the server as the plan lock_plan_make() draws: shared
 *   locks are stacked on what the handle holds before that is released,
 *   so shared-over-shared and downgrades never leave the range free.
 * - Under a write lease (SMB2_LEASE_WRITE_CACHING in in->lease_state)
 *   nobody else can have the file open, so locks are decided locally
 *   and not sent, as cifs.ko does (cifs_lock_add_if).  When the lease is
 *   broken, fs_locks_lease_break() sends the current locks before the
 *   break is acknowledged.
 *
 * Deviations from POSIX, all from SMB's model of locks:
 * - SMB locks are mandatory and belong to the handle that took them.
 *   Other handles' READ and WRITE inside a range the lock handle holds
 *   exclusively are refused (EAGAIN), also those of other descriptors
 *   of this mount, and WRITE inside a range held shared is refused for
 *   every handle (MS-FSA 2.1.4.10).  Samba skips the check on a handle
 *   whose lease covers it ("strict locking = auto"); smbfs asks for a
 *   lease on every open.  sqlite never reads or writes its lock bytes.
 * - SMB cannot change a lock in place: an unlock names exactly one
 *   lock's range (MS-FSA 2.1.5.9), and an exclusive lock conflicts with
 *   the handle's own locks.  An upgrade releases the shared lock before
 *   taking the exclusive one (and takes it back if refused); shrinking
 *   or splitting an exclusive lock releases it before locking the rest
 *   again.  In those windows another client may win the range: a
 *   refused upgrade fails with EAGAIN, a range lost is logged.
 * - When the lock handle is released while locks are held and other
 *   handles of the file stay open, the locks move: released on the old
 *   handle first, then taken on another, never held through two handles
 *   at once.  Another client may win a range in between (logged).
 * - Waiting locks poll the server for other clients' conflicts rather
 *   than send a blocking LOCK, so that a signal interrupts the wait
 *   (EINTR).  There is no deadlock detection (no EDEADLK).
 * - F_GETLK reports another client's lock with l_pid 0 and the part of
 *   the tested range found in conflict.  Where this mount holds a shared
 *   lock, other clients' shared locks cannot be seen (a probe would
 *   conflict with our own lock).
 * - flock takes one byte at offset 2^63 - 1 rather than the whole file,
 *   so that, the lock being mandatory, it does not stop other handles'
 *   I/O (e.g. `flock f sh -c 'echo x >> f'`).  Whole-file locks of other
 *   clients (cifs.ko flock, Windows LockFile) and their POSIX locks to
 *   end of file still cover that byte.  Locally, flock and POSIX locks
 *   do not conflict, as on Linux.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "lock_table.h"
#include "smbfs.h"

#define FLOCK_OFFSET	   ((uint64_t)INT64_MAX)
#define FLOCK_LENGTH	   1
#define LOCK_POLL_FIRST_MS 2
#define LOCK_POLL_MAX_MS   256

/* Per handle, allocated with it by ops_file.c. */
struct fs_lock_state {
	/* Released: it takes no locks any more.  Under fs->lock. */
	bool released;
};

/* Per inode (in->locks), from its first lock request while in use. */
struct fs_inode_locks {
	pthread_mutex_t mutex;	/* held across the LOCK round trips */
	pthread_cond_t changed; /* a lock went or weakened */
	unsigned int refs;	/* users, under fs->lock */
	struct lock_table table;
	struct lock_ranges held;     /* what `handle` holds on the server */
	struct smbfs_handle *handle; /* NULL while held is empty */
};

/* What a request works on, with ilk->mutex held. */
struct lock_ctx {
	struct smbfs *fs;
	struct smbfs_inode *in;
	struct fs_inode_locks *ilk;
	struct smbfs_handle *h; /* the request's handle, or NULL */
};

struct fs_lock_state *fs_lock_state_new(void)
{
	return calloc(1, sizeof(struct fs_lock_state));
}

void fs_lock_state_free(struct fs_lock_state *ls)
{
	free(ls);
}

/* --- the inode's lock state --- */

static struct fs_inode_locks *inode_locks_new(void)
{
	struct fs_inode_locks *ilk = calloc(1, sizeof(*ilk));
	pthread_condattr_t attr;
	int rc;

	if (!ilk)
		return NULL;
	if (pthread_condattr_init(&attr)) {
		free(ilk);
		return NULL;
	}
	/* Waits are timed: the clock must not jump. */
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(&ilk->changed, &attr);
	pthread_condattr_destroy(&attr);
	if (!rc && pthread_mutex_init(&ilk->mutex, NULL)) {
		pthread_cond_destroy(&ilk->changed);
		rc = -1;
	}
	if (rc) {
		free(ilk);
		return NULL;
	}
	return ilk;
}

static void inode_locks_free(struct fs_inode_locks *ilk)
{
	if (!ilk)
		return;
	lock_table_free(&ilk->table);
	lock_ranges_free(&ilk->held);
	pthread_cond_destroy(&ilk->changed);
	pthread_mutex_destroy(&ilk->mutex);
	free(ilk);
}

/* A reference to in->locks, which becomes fresh when there is none. */
static struct fs_inode_locks *inode_locks_ref(struct smbfs *fs,
					      struct smbfs_inode *in,
					      struct fs_inode_locks *fresh)
{
	struct fs_inode_locks *ilk;

	pthread_mutex_lock(&fs->lock);
	if (!in->locks) {
		in->locks = fresh;
		fresh = NULL;
	}
	ilk = in->locks;
	if (ilk)
		ilk->refs++;
	pthread_mutex_unlock(&fs->lock);
	inode_locks_free(fresh);
	return ilk;
}

/*
 * Takes in's lock state (made when create) and its mutex.  0, -ENOMEM,
 * or -ENOENT without create when the file has no locks.
 */
static int lock_ctx_open(struct lock_ctx *c, struct smbfs *fs,
			 struct smbfs_inode *in, struct smbfs_handle *h,
			 bool create)
{
	*c = (struct lock_ctx){ .fs = fs, .in = in, .h = h };
	c->ilk = inode_locks_ref(fs, in, NULL);
	if (!c->ilk && create)
		c->ilk = inode_locks_ref(fs, in, inode_locks_new());
	if (!c->ilk)
		return create ? -ENOMEM : -ENOENT;
	pthread_mutex_lock(&c->ilk->mutex);
	return 0;
}

/* The state goes with its last user once nothing is locked. */
static void lock_ctx_close(struct lock_ctx *c)
{
	struct fs_inode_locks *ilk = c->ilk, *unused = NULL;

	pthread_mutex_unlock(&ilk->mutex);
	pthread_mutex_lock(&c->fs->lock);
	if (--ilk->refs == 0 && !ilk->table.n && !ilk->held.n) {
		c->in->locks = NULL;
		unused = ilk;
	}
	pthread_mutex_unlock(&c->fs->lock);
	inode_locks_free(unused);
}

static uint32_t inode_lease(struct smbfs *fs, struct smbfs_inode *in)
{
	uint32_t state;

	pthread_mutex_lock(&fs->lock);
	state = in->lease_state;
	pthread_mutex_unlock(&fs->lock);
	return state;
}

/*
 * MS-SMB2 3.2.1.5: a write-caching lease gives this client exclusive
 * access to the file, and it may cache byte-range locks; they go to the
 * server when the lease is broken (3.2.5.19.2).
 */
static bool locks_stay_local(uint32_t lease_state)
{
	return lease_state & SMB2_LEASE_WRITE_CACHING;
}

/* --- the server --- */

/* Never blocks at the server: waiting is done by polling (see above). */
static int server_lock(struct smbfs_handle *h, const struct lock_range *r)
{
	uint32_t flags =
		SMB2_LOCKFLAG_FAIL_IMMEDIATELY |
		(r->type == LOCK_TYPE_EXCLUSIVE ? SMB2_LOCKFLAG_EXCLUSIVE_LOCK
						: SMB2_LOCKFLAG_SHARED_LOCK);

	/* LOCK_NOT_GRANTED and FILE_LOCK_CONFLICT both arrive as EAGAIN. */
	return pool_file_lock(h->file, r->off, r->len, flags);
}

/*
 * An unlock that fails leaves nothing to do: RANGE_NOT_LOCKED (ENOLCK)
 * means the lock is gone already, and a POSIX unlock always succeeds.
 */
static void server_unlock(struct smbfs_handle *h, const struct lock_range *r)
{
	int rc = pool_file_lock(h->file, r->off, r->len, SMB2_LOCKFLAG_UNLOCK);

	if (rc < 0 && rc != -ENOLCK)
		smb_log(SMB_LOG_WARN, "unlock of %llu+%llu failed: %s",
			(unsigned long long)r->off, (unsigned long long)r->len,
			strerror(-rc));
}

static void log_lost(const struct lock_range *r, int rc, unsigned int *lost)
{
	smb_log(SMB_LOG_WARN,
		"byte-range lock %llu+%llu lost: the server no longer grants "
		"it (%s); another client may have taken the range",
		(unsigned long long)r->off, (unsigned long long)r->len,
		strerror(-rc));
	(*lost)++;
}

/* Under fs->lock. */
static bool handle_usable(struct smbfs_handle *h)
{
	return !h->closing && !fs_handle_lock_state(h)->released;
}

/*
 * Its CLOSE drops the locks the lock handle holds: wait for that before
 * anything is locked through another handle, then start afresh.  Only
 * a close that did not go through fs_locks_handle_release gets here.
 */
static void lock_handle_closed(struct lock_ctx *c)
{
	smb_log(SMB_LOG_WARN,
		"inode %llu: the handle holding its locks was closed; taking "
		"them again through another",
		(unsigned long long)c->in->ino);
	inode_wait_closes(c->fs, c->in);
	c->ilk->held.n = 0;
	c->ilk->handle = NULL;
}

/*
 * Lends the handle the inode's server locks go through: the one that
 * holds them, else the request's own or any other open one.  NULL when
 * the file has no usable handle.
 */
static struct smbfs_handle *lock_handle_lend(struct lock_ctx *c)
{
	struct smbfs *fs = c->fs;
	struct smbfs_handle *h, *o;

	pthread_mutex_lock(&fs->lock);
	h = c->ilk->handle;
	if (h && h->closing) {
		pthread_mutex_unlock(&fs->lock);
		lock_handle_closed(c);
		pthread_mutex_lock(&fs->lock);
		h = NULL;
	}
	if (!h && c->h && handle_usable(c->h))
		h = c->h;
	for (o = c->in->handles; !h && o; o = o->inode_next) {
		if (handle_usable(o))
			h = o;
	}
	if (h)
		h->lent++;
	pthread_mutex_unlock(&fs->lock);
	return h;
}

/* --- bringing the server to the union --- */

/*
 * Takes the n adds through h, ok[i] telling which were.  A refused
 * requested one stops: its error is returned.  A refused retake is
 * logged as lost.
 */
static int plan_take(struct smbfs_handle *h, const struct lock_add *a, size_t n,
		     bool *ok, unsigned int *lost)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int rc = server_lock(h, &a[i].range);

		ok[i] = !rc;
		if (rc && a[i].requested)
			return rc;
		if (rc)
			log_lost(&a[i].range, rc, lost);
	}
	return 0;
}

static void plan_untake(struct smbfs_handle *h, const struct lock_add *a,
			size_t n, const bool *ok)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ok[i])
			server_unlock(h, &a[i].range);
	}
}

/* Takes the released locks of one type back after a refusal. */
static void plan_restore(struct smbfs_handle *h, const struct lock_ranges *rs,
			 enum lock_type type, bool *back, unsigned int *lost)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		int rc;

		if (rs->r[i].type != type)
			continue;
		rc = server_lock(h, &rs->r[i]);
		back[i] = !rc;
		if (rc)
			log_lost(&rs->r[i], rc, lost);
	}
}

static void held_add_taken(struct lock_ranges *now, const struct lock_add *a,
			   size_t n, const bool *ok)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ok[i])
			lock_ranges_add(now, &a[i].range);
	}
}

/*
 * A refused exclusive lock after the release: everything goes back,
 * the shared locks first so that what was stacked on them can go.
 */
static void plan_undo_last(struct smbfs_handle *h, const struct lock_plan *p,
			   bool *ok, struct lock_ranges *now,
			   unsigned int *lost)
{
	bool *ok_first = ok, *ok_last = ok + p->n_first;
	bool *back = ok_last + p->n_last;
	size_t i;

	plan_untake(h, p->last, p->n_last, ok_last);
	plan_restore(h, &p->remove, LOCK_TYPE_SHARED, back, lost);
	plan_untake(h, p->first, p->n_first, ok_first);
	plan_restore(h, &p->remove, LOCK_TYPE_EXCLUSIVE, back, lost);
	for (i = 0; i < p->remove.n; i++) {
		if (back[i])
			lock_ranges_add(now, &p->remove.r[i]);
	}
}

/*
 * Carries out p through h and records what h holds afterwards.  On a
 * refusal of a requested lock the server goes back to what it held.
 */
static int plan_run(struct fs_inode_locks *ilk, struct smbfs_handle *h,
		    const struct lock_plan *p, unsigned int *lost)
{
	size_t n = p->n_first + p->n_last + p->remove.n, i;
	bool *ok = calloc(n + 1, sizeof(*ok));
	struct lock_ranges now = { 0 };
	int rc = -ENOMEM;

	if (!ok || lock_ranges_reserve(&now, n + p->keep.n))
		goto out;
	rc = plan_take(h, p->first, p->n_first, ok, lost);
	if (rc) {
		/* Only requested locks were taken: nothing was stacked. */
		plan_untake(h, p->first, p->n_first, ok);
		goto out;
	}
	for (i = 0; i < p->remove.n; i++)
		server_unlock(h, &p->remove.r[i]);
	for (i = 0; i < p->keep.n; i++)
		lock_ranges_add(&now, &p->keep.r[i]);
	rc = plan_take(h, p->last, p->n_last, ok + p->n_first, lost);
	if (rc) {
		plan_undo_last(h, p, ok, &now, lost);
	} else {
		held_add_taken(&now, p->first, p->n_first, ok);
		held_add_taken(&now, p->last, p->n_last, ok + p->n_first);
	}
	lock_ranges_sort(&now);
	lock_ranges_free(&ilk->held);
	ilk->held = now;
	now = (struct lock_ranges){ 0 };
	ilk->handle = ilk->held.n ? h : NULL;
out:
	lock_ranges_free(&now);
	free(ok);
	return rc;
}

/*
 * Brings the server's locks to the union of the table.  before is the
 * union before the change being made (NULL: it asks for nothing new, so
 * every refusal is a loss, logged and counted in *lost).  A refusal of
 * what the change asked for returns its error, with the server back
 * where it was.
 */
static int locks_sync(struct lock_ctx *c, const struct lock_ranges *before,
		      unsigned int *lost)
{
	struct lock_ranges target;
	struct lock_plan plan;
	struct smbfs_handle *h;
	int rc = lock_table_union(&c->ilk->table, &target);

	if (rc)
		return rc;
	h = lock_handle_lend(c);
	if (h && !lock_ranges_equal(&target, &c->ilk->held)) {
		rc = lock_plan_make(&c->ilk->held, before ? before : &target,
				    &target, &plan);
		if (!rc)
			rc = plan_run(c->ilk, h, &plan, lost);
		lock_plan_free(&plan);
	}
	if (h)
		inode_handle_return(c->fs, h);
	lock_ranges_free(&target);
	return rc;
}

/*
 * A lock the server granted is how programs (sqlite) hand a file over
 * between clients: what another client wrote before its unlock must be
 * read now.  Its WRITE broke our read caching, but Samba sends that
 * break without waiting for us, so it may still be on its way: drop the
 * pages and the attributes now and stop trusting read caching until the
 * break comes, as cifs.ko does for a lock without write caching
 * (cifs_lock).  Attributes are then asked through the open handle.
 */
static void lock_taken_forget_pages(struct lock_ctx *c)
{
	struct smbfs *fs = c->fs;
	fuse_ino_t ino;

	pthread_mutex_lock(&fs->lock);
	c->in->lease_state &= ~SMB2_LEASE_READ_CACHING;
	c->in->pages_valid = false;
	ino = c->in->ino;
	pthread_mutex_unlock(&fs->lock);
	if (fs->se)
		fuse_lowlevel_notify_inval_inode(fs->se, ino, 0, 0);
}

/*
 * Applies want (an F_SETLK; type NONE unlocks) to the table: -EAGAIN
 * when another local owner holds a conflicting lock; else the server
 * follows unless lease_state lets this client decide alone.  When the
 * server refuses, table and server stay as they were.
 */
static int locks_change(struct lock_ctx *c, const struct lock_entry *want,
			uint32_t lease_state)
{
	struct fs_inode_locks *ilk = c->ilk;
	struct lock_ranges before = { 0 };
	struct lock_table saved;
	unsigned int lost = 0;
	int rc;

	if (want->range.type != LOCK_TYPE_NONE &&
	    lock_table_conflict(&ilk->table, want))
		return -EAGAIN;
	rc = lock_table_copy(&saved, &ilk->table);
	if (rc)
		return rc;
	rc = lock_table_union(&saved, &before);
	if (!rc)
		rc = lock_table_set(&ilk->table, want);
	if (!rc && !locks_stay_local(lease_state))
		rc = locks_sync(c, &before, &lost);
	if (!rc && !locks_stay_local(lease_state) &&
	    want->range.type != LOCK_TYPE_NONE)
		lock_taken_forget_pages(c);
	if (rc) {
		lock_table_free(&ilk->table);
		ilk->table = saved;
	} else {
		lock_table_free(&saved);
		pthread_cond_broadcast(&ilk->changed);
	}
	lock_ranges_free(&before);
	return rc;
}

/* After locks left the table: the server follows (never refused). */
static void locks_released(struct lock_ctx *c)
{
	unsigned int lost = 0;
	int rc = 0;

	if (!locks_stay_local(inode_lease(c->fs, c->in)))
		rc = locks_sync(c, NULL, &lost);
	if (rc)
		smb_log(SMB_LOG_WARN, "inode %llu: releasing locks: %s",
			(unsigned long long)c->in->ino, strerror(-rc));
	pthread_cond_broadcast(&c->ilk->changed);
}

void fs_locks_release_owner(struct smbfs_handle *h, uint64_t owner)
{
	struct lock_ctx c;

	if (lock_ctx_open(&c, h->fs, h->inode, h, false))
		return; /* nothing was ever locked */
	lock_table_drop_owner(&c.ilk->table, owner, LOCK_KIND_POSIX);
	locks_released(&c);
	lock_ctx_close(&c);
}

/* Under fs->lock: another handle of the file can still take locks. */
static bool inode_other_handle(struct smbfs_inode *in, struct smbfs_handle *h)
{
	struct smbfs_handle *o;

	for (o = in->handles; o; o = o->inode_next) {
		if (o != h && handle_usable(o))
			return true;
	}
	return false;
}

void fs_locks_handle_release(struct smbfs_handle *h)
{
	struct smbfs *fs = h->fs;
	struct lock_ctx c;
	bool others;
	size_t i;

	pthread_mutex_lock(&fs->lock);
	fs_handle_lock_state(h)->released = true;
	others = inode_other_handle(h->inode, h);
	pthread_mutex_unlock(&fs->lock);
	if (lock_ctx_open(&c, fs, h->inode, NULL, false))
		return;
	lock_table_drop_via(&c.ilk->table, h);
	/* No descriptor of the file is left open, so no lock either. */
	if (!others)
		lock_table_clear(&c.ilk->table);
	if (c.ilk->handle == h) {
		/* Unlock here first: never two handles holding a range. */
		for (i = 0; i < c.ilk->held.n; i++)
			server_unlock(h, &c.ilk->held.r[i]);
		c.ilk->held.n = 0;
		c.ilk->handle = NULL;
	}
	locks_released(&c);
	lock_ctx_close(&c);
}

int fs_locks_lease_break(struct smbfs *fs, struct smbfs_inode *in)
{
	struct lock_ctx c;
	unsigned int lost = 0;
	int rc;

	if (lock_ctx_open(&c, fs, in, NULL, false))
		return 0;
	rc = locks_sync(&c, NULL, &lost);
	lock_ctx_close(&c);
	if (rc)
		smb_log(SMB_LOG_WARN,
			"inode %llu: sending locks at a lease break: %s",
			(unsigned long long)in->ino, strerror(-rc));
	return rc ? rc : lost ? -EAGAIN : 0;
}

/* --- requests --- */

/*
 * struct flock (absolute, as libfuse passes it) -> SMB offset/length.
 * l_len 0 reaches the largest offset SMB can express.
 */
static int lock_range(const struct flock *fl, uint64_t *off, uint64_t *len)
{
	int64_t start = fl->l_start, n = fl->l_len;

	if (fl->l_whence != SEEK_SET || start < 0)
		return -EINVAL;
	if (n < 0) {
		if (start + n < 0)
			return -EINVAL;
		start += n;
		n = -n;
	}
	*off = (uint64_t)start;
	*len = n ? (uint64_t)n : UINT64_MAX - (uint64_t)start;
	return 0;
}

/* The request's POSIX lock as a table entry. */
static int lock_entry_posix(const struct flock *fl, uint64_t owner,
			    const void *via, struct lock_entry *e)
{
	*e = (struct lock_entry){ .owner = owner,
				  .kind = LOCK_KIND_POSIX,
				  .via = via,
				  .pid = fl->l_pid };
	switch (fl->l_type) {
	case F_RDLCK:
		e->range.type = LOCK_TYPE_SHARED;
		break;
	case F_WRLCK:
		e->range.type = LOCK_TYPE_EXCLUSIVE;
		break;
	case F_UNLCK:
		e->range.type = LOCK_TYPE_NONE;
		break;
	default:
		return -EINVAL;
	}
	return lock_range(fl, &e->range.off, &e->range.len);
}

/*
 * Fills fl with a lock for F_GETLK.  The kernel takes ends up to
 * OFFSET_MAX only: a lock reaching past it is reported "to end of file".
 */
static void lock_report(struct flock *fl, enum lock_type type, uint64_t off,
			uint64_t len, pid_t pid)
{
	fl->l_type = type == LOCK_TYPE_EXCLUSIVE ? F_WRLCK : F_RDLCK;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)off;
	fl->l_len = off + len - 1 >= (uint64_t)INT64_MAX ? 0 : (off_t)len;
	fl->l_pid = pid;
}

/*
 * Starts a request on a regular file's handle: its inode's lock state,
 * locked.  False (replied) on failure.
 */
static bool lock_request_begin(fuse_req_t req, fuse_ino_t ino,
			       struct fuse_file_info *fi, struct lock_ctx *c)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	int rc;

	if (!in)
		return false;
	/* The kernel keeps directory locks local; be sure of the handle. */
	if (in->is_dir || !fi || !fi->fh) {
		fuse_reply_err(req, ENOLCK);
		return false;
	}
	rc = lock_ctx_open(c, fs, in, fs_handle_from_fi(fi),
			   true);
	if (rc)
		fs_reply_err(req, rc);
	return !rc;
}

/*
 * Sleeps before the next attempt at a contended lock: until a local
 * owner lets go, or a poll of the server is due (backing off up to
 * LOCK_POLL_MAX_MS).  -EINTR once the caller was interrupted.
 */
static int lock_wait(fuse_req_t req, struct lock_ctx *c, unsigned int *delay_ms)
{
	struct timespec ts;

	if (fuse_req_interrupted(req))
		return -EINTR;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += *delay_ms / 1000;
	ts.tv_nsec += (long)(*delay_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&c->ilk->changed, &c->ilk->mutex, &ts);
	if (*delay_ms < LOCK_POLL_MAX_MS)
		*delay_ms *= 2;
	return fuse_req_interrupted(req) ? -EINTR : 0;
}

/* --- POSIX locks --- */

/* F_UNLCK when the range could be locked, else the type in the way. */
static int lock_probe(struct smbfs_handle *h, const struct lock_range *r,
		      short *type)
{
	struct lock_range shared = *r;
	int rc = server_lock(h, r);

	*type = F_UNLCK;
	if (!rc) {
		server_unlock(h, r);
		return 0;
	}
	if (rc != -EAGAIN)
		return rc;
	*type = F_WRLCK;
	/* A shared probe that succeeds shows that only readers hold it. */
	shared.type = LOCK_TYPE_SHARED;
	if (r->type == LOCK_TYPE_EXCLUSIVE && server_lock(h, &shared) == 0) {
		server_unlock(h, &shared);
		*type = F_RDLCK;
	}
	return 0;
}

/*
 * Other clients' locks in the parts of want's range this mount holds
 * nothing on (a probe elsewhere would meet our own locks).
 */
static int lock_test_server(struct lock_ctx *c, const struct lock_entry *want,
			    struct flock *fl)
{
	struct lock_range probe = want->range;
	uint64_t end = want->range.off + want->range.len;
	struct lock_ranges ours;
	struct smbfs_handle *h;
	short type = F_UNLCK;
	int rc = lock_table_union(&c->ilk->table, &ours);

	if (rc)
		return rc;
	h = lock_handle_lend(c);
	/* Beyond OFFSET_MAX a conflict could not be reported. */
	while (h && type == F_UNLCK && !rc &&
	       lock_ranges_next_gap(&ours, &probe.off, end, &probe.len) &&
	       probe.off <= (uint64_t)INT64_MAX) {
		rc = lock_probe(h, &probe, &type);
		if (!rc && type != F_UNLCK)
			lock_report(fl,
				    type == F_WRLCK ? LOCK_TYPE_EXCLUSIVE
						    : LOCK_TYPE_SHARED,
				    probe.off, probe.len, 0);
		probe.off += probe.len;
	}
	if (h)
		inode_handle_return(c->fs, h);
	lock_ranges_free(&ours);
	return rc;
}

/* F_GETLK: local owners first, then (without a write lease) the server. */
static int lock_test(struct lock_ctx *c, const struct lock_entry *want,
		     uint32_t lease_state, struct flock *fl)
{
	const struct lock_entry *e = lock_table_conflict(&c->ilk->table, want);

	if (e) {
		lock_report(fl, e->range.type, e->range.off, e->range.len,
			    e->pid);
		return 0;
	}
	fl->l_type = F_UNLCK;
	if (locks_stay_local(lease_state))
		return 0;
	return lock_test_server(c, want, fl);
}

void smbfs_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock)
{
	struct lock_entry want;
	struct lock_ctx c;
	int rc;

	if (!lock_request_begin(req, ino, fi, &c))
		return;
	rc = lock_entry_posix(lock, fi->lock_owner, c.h, &want);
	if (!rc && want.range.type == LOCK_TYPE_NONE)
		rc = -EINVAL;
	if (!rc)
		rc = lock_test(&c, &want, inode_lease(c.fs, c.in), lock);
	lock_ctx_close(&c);
	if (rc < 0)
		fs_reply_err(req, rc);
	else
		fuse_reply_lock(req, lock);
}

void smbfs_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock, int sleep)
{
	unsigned int delay = LOCK_POLL_FIRST_MS;
	struct lock_entry want;
	struct lock_ctx c;
	int rc;

	if (!lock_request_begin(req, ino, fi, &c))
		return;
	rc = lock_entry_posix(lock, fi->lock_owner, c.h, &want);
	while (!rc) {
		rc = locks_change(&c, &want, inode_lease(c.fs, c.in));
		if (rc != -EAGAIN || !sleep)
			break;
		rc = lock_wait(req, &c, &delay);
	}
	lock_ctx_close(&c);
	fs_reply_err(req, rc);
}

/* --- flock --- */

/*
 * flock(2) converts a lock by removing the old one first: an upgrade
 * that is refused leaves none.  A downgrade is never refused, and the
 * server's shared lock is stacked before the exclusive one goes.
 */
static int flock_change(struct lock_ctx *c, const struct lock_entry *want,
			uint32_t lease_state)
{
	enum lock_type held = lock_table_owner_type(&c->ilk->table, want->owner,
						    LOCK_KIND_FLOCK);
	struct lock_entry unlock = *want;
	int rc;

	if (held == want->range.type)
		return 0;
	if (held != LOCK_TYPE_NONE && want->range.type > held) {
		unlock.range.type = LOCK_TYPE_NONE;
		rc = locks_change(c, &unlock, lease_state);
		if (rc)
			return rc;
	}
	return locks_change(c, want, lease_state);
}

void smbfs_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    int op)
{
	unsigned int delay = LOCK_POLL_FIRST_MS;
	struct lock_entry want;
	struct lock_ctx c;
	int rc = 0;

	if (!lock_request_begin(req, ino, fi, &c))
		return;
	want = (struct lock_entry){
		.owner = (uintptr_t)c.h,
		.kind = LOCK_KIND_FLOCK,
		.via = c.h,
		.range = { .off = FLOCK_OFFSET, .len = FLOCK_LENGTH },
	};
	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		want.range.type = LOCK_TYPE_SHARED;
		break;
	case LOCK_EX:
		want.range.type = LOCK_TYPE_EXCLUSIVE;
		break;
	case LOCK_UN:
		break;
	default:
		rc = -EINVAL;
		break;
	}
	while (!rc) {
		rc = flock_change(&c, &want, inode_lease(c.fs, c.in));
		if (rc != -EAGAIN || (op & LOCK_NB))
			break;
		rc = lock_wait(req, &c, &delay);
	}
	lock_ctx_close(&c);
	fs_reply_err(req, rc);
}
