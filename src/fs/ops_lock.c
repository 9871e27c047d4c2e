// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE: POSIX byte-range locks (getlk, setlk) and flock, on SMB2 LOCK
 * (MS-SMB2 2.2.26, 3.3.5.14; the server's rules are MS-FSA 2.1.5.7/8).
 *
 * Deviations from POSIX, all from SMB's model of locks:
 * - SMB locks belong to a handle, POSIX locks to a process.  A lock is
 *   taken through the descriptor fcntl() was called on, so two
 *   descriptors a process opened separately hold separate SMB handles
 *   whose locks conflict with each other.  Processes sharing one
 *   descriptor (after fork) are told apart here, by the kernel's lock
 *   owner, against this handle's list of granted locks.
 * - SMB locks are mandatory: while one is held, READ and WRITE through
 *   other handles in its range fail (EAGAIN), also from this mount.
 * - SMB neither merges nor splits ranges: only an unlock of exactly a
 *   lock's range releases it.  The list of granted locks lets an unlock
 *   or a new lock over a larger range release each lock inside it; a
 *   partial overlap is emulated by re-locking the parts of the old lock
 *   outside the new range.  For exclusive locks that step is not atomic
 *   (the old lock must go first): another client may win the parts in
 *   between, and the loss is logged.
 * - Changing a lock's type: a downgrade stacks the shared lock on the
 *   exclusive one before releasing it (atomic); an upgrade must release
 *   the shared lock first and takes it back when the exclusive one is
 *   refused.
 * - Waiting locks (F_SETLKW, flock without LOCK_NB) poll the server
 *   rather than send a blocking LOCK, so that a signal interrupts the wait
 *   (EINTR).  There is no deadlock detection (no EDEADLK).
 * - F_GETLK cannot learn who holds a conflicting lock: l_pid is 0 and the
 *   range is the part of the tested range found in conflict.
 * - flock takes one byte at offset 2^63 - 1 rather than the whole file,
 *   so that, the lock being mandatory, it does not stop other handles'
 *   I/O (e.g. `flock f sh -c 'echo x >> f'`).  Whole-file locks of other
 *   clients (cifs.ko flock, Windows LockFile) still cover that byte.  A
 *   POSIX lock to end of file on the same handle conflicts with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "smbfs.h"

#define FLOCK_OFFSET	   ((uint64_t)INT64_MAX)
#define FLOCK_LENGTH	   1
#define LOCK_POLL_FIRST_MS 2
#define LOCK_POLL_MAX_MS   256

/* A granted POSIX lock; off + len never exceeds UINT64_MAX. */
struct fs_lock {
	struct fs_lock *next;
	uint64_t owner; /* the kernel's lock owner */
	uint64_t off, len;
	bool exclusive;
};

struct fs_lock_state {
	pthread_mutex_t mutex; /* held across the LOCK round trips */
	struct fs_lock *locks; /* one owner's locks never overlap */
	int flock; /* 0, LOCK_SH or LOCK_EX held through the handle */
};

struct fs_lock_state *fs_lock_state_new(void)
{
	struct fs_lock_state *ls = calloc(1, sizeof(*ls));

	if (ls && pthread_mutex_init(&ls->mutex, NULL)) {
		free(ls);
		ls = NULL;
	}
	return ls;
}

static void lock_list_free(struct fs_lock *l)
{
	while (l) {
		struct fs_lock *next = l->next;

		free(l);
		l = next;
	}
}

/* After the handle's close, which releases everything on the server. */
void fs_lock_state_free(struct fs_lock_state *ls)
{
	if (!ls)
		return;
	lock_list_free(ls->locks);
	pthread_mutex_destroy(&ls->mutex);
	free(ls);
}

/* --- ranges --- */

static bool ranges_overlap(uint64_t a_off, uint64_t a_len, uint64_t b_off,
			   uint64_t b_len)
{
	return a_off < b_off + b_len && b_off < a_off + a_len;
}

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

/*
 * Fills fl with a lock for F_GETLK.  The kernel takes ends up to
 * OFFSET_MAX only: a lock reaching past it is reported "to end of file".
 */
static void lock_report(struct flock *fl, short type, uint64_t off,
			uint64_t len)
{
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)off;
	fl->l_len = off + len - 1 >= (uint64_t)INT64_MAX ? 0 : (off_t)len;
	fl->l_pid = 0;
}

/* The parts of l outside [off, off + len): none, one or two. */
static int lock_pieces_outside(const struct fs_lock *l, uint64_t off,
			       uint64_t len, struct fs_lock piece[2])
{
	int n = 0;

	if (l->off < off) {
		piece[n] = *l;
		piece[n].len = off - l->off;
		n++;
	}
	if (l->off + l->len > off + len) {
		piece[n] = *l;
		piece[n].off = off + len;
		piece[n].len = l->off + l->len - (off + len);
		n++;
	}
	return n;
}

/* Another owner's lock on this handle that the wanted lock conflicts with. */
static const struct fs_lock *lock_find_conflict(const struct fs_lock *l,
						uint64_t owner, uint64_t off,
						uint64_t len, bool exclusive)
{
	for (; l; l = l->next) {
		if (l->owner != owner && (exclusive || l->exclusive) &&
		    ranges_overlap(l->off, l->len, off, len))
			return l;
	}
	return NULL;
}

static bool lock_held_exactly(const struct fs_lock *l, uint64_t owner,
			      uint64_t off, uint64_t len, bool exclusive)
{
	for (; l; l = l->next) {
		if (l->owner == owner && l->off == off && l->len == len &&
		    l->exclusive == exclusive)
			return true;
	}
	return false;
}

/*
 * The next stretch of [*pos, end) that owner holds no lock on: returns
 * false when there is none, else moves *pos to its start and sets *len.
 */
static bool lock_next_gap(const struct fs_lock *list, uint64_t owner,
			  uint64_t *pos, uint64_t end, uint64_t *len)
{
	const struct fs_lock *l;
	uint64_t gap_end = end;
	bool moved = true;

	while (moved && *pos < end) {
		moved = false;
		for (l = list; l; l = l->next) {
			if (l->owner == owner && l->off <= *pos &&
			    *pos < l->off + l->len) {
				*pos = l->off + l->len;
				moved = true;
			}
		}
	}
	if (*pos >= end)
		return false;
	for (l = list; l; l = l->next) {
		if (l->owner == owner && l->off > *pos && l->off < gap_end)
			gap_end = l->off;
	}
	*len = gap_end - *pos;
	return true;
}

/* Moves owner's locks overlapping the range out of the list. */
static struct fs_lock *lock_take_overlapping(struct fs_lock_state *ls,
					     uint64_t owner, uint64_t off,
					     uint64_t len)
{
	struct fs_lock **pp = &ls->locks, *taken = NULL, *l;

	while ((l = *pp)) {
		if (l->owner == owner &&
		    ranges_overlap(l->off, l->len, off, len)) {
			*pp = l->next;
			l->next = taken;
			taken = l;
		} else {
			pp = &l->next;
		}
	}
	return taken;
}

static void lock_put_back(struct fs_lock_state *ls, struct fs_lock *list)
{
	while (list) {
		struct fs_lock *next = list->next;

		list->next = ls->locks;
		ls->locks = list;
		list = next;
	}
}

/* --- the server --- */

/* Never blocks at the server: waiting is done by polling (see above). */
static int lock_server(struct smbfs_handle *h, uint64_t off, uint64_t len,
		       bool exclusive)
{
	uint32_t flags = SMB2_LOCKFLAG_FAIL_IMMEDIATELY |
			 (exclusive ? SMB2_LOCKFLAG_EXCLUSIVE_LOCK
				    : SMB2_LOCKFLAG_SHARED_LOCK);

	/* LOCK_NOT_GRANTED and FILE_LOCK_CONFLICT both arrive as EAGAIN. */
	return pool_file_lock(h->file, off, len, flags);
}

/*
 * An unlock that fails leaves nothing to do: RANGE_NOT_LOCKED (ENOLCK)
 * means the lock is gone already, and a POSIX unlock always succeeds.
 */
static void unlock_server(struct smbfs_handle *h, uint64_t off, uint64_t len)
{
	int rc = pool_file_lock(h->file, off, len, SMB2_LOCKFLAG_UNLOCK);

	if (rc < 0 && rc != -ENOLCK)
		smb_log(SMB_LOG_WARN, "unlock of %llu+%llu failed: %s",
			  (unsigned long long)off, (unsigned long long)len,
			  strerror(-rc));
}

static void lock_unlock_list(struct smbfs_handle *h, const struct fs_lock *l)
{
	for (; l; l = l->next)
		unlock_server(h, l->off, l->len);
}

/* Locks a copy of want on the server and lists it; logs a failure. */
static void lock_again(struct smbfs_handle *h, struct fs_lock_state *ls,
		       const struct fs_lock *want)
{
	struct fs_lock *l = malloc(sizeof(*l));
	int rc = l ? lock_server(h, want->off, want->len, want->exclusive)
		   : -ENOMEM;

	if (rc < 0) {
		smb_log(SMB_LOG_WARN, "lost lock %llu+%llu: %s",
			  (unsigned long long)want->off,
			  (unsigned long long)want->len, strerror(-rc));
		free(l);
		return;
	}
	*l = *want;
	l->next = ls->locks;
	ls->locks = l;
}

/*
 * The old locks give way to [off, off + len): each is released (unless
 * released already) and its parts outside the range are locked again.
 * Shared parts are re-locked before the release, which keeps them held
 * throughout; an exclusive part would conflict with its own old lock.
 */
static void lock_trim(struct smbfs_handle *h, struct fs_lock_state *ls,
		      struct fs_lock *old, uint64_t off, uint64_t len,
		      bool released)
{
	while (old) {
		struct fs_lock *l = old, piece[2];
		int i, n = lock_pieces_outside(l, off, len, piece);
		bool first = !released && !l->exclusive;

		old = l->next;
		for (i = 0; first && i < n; i++)
			lock_again(h, ls, &piece[i]);
		if (!released)
			unlock_server(h, l->off, l->len);
		for (i = 0; !first && i < n; i++)
			lock_again(h, ls, &piece[i]);
		free(l);
	}
}

/* After a refused upgrade: takes the released locks back. */
static void lock_restore(struct smbfs_handle *h, struct fs_lock_state *ls,
			 struct fs_lock *old)
{
	struct fs_lock *l;

	for (l = old; l; l = l->next)
		lock_again(h, ls, l);
	lock_list_free(old);
}

static bool lock_list_has_exclusive(const struct fs_lock *l)
{
	for (; l; l = l->next) {
		if (l->exclusive)
			return true;
	}
	return false;
}

/* F_RDLCK / F_WRLCK for owner; called with ls->mutex held. */
static int lock_set(struct smbfs_handle *h, struct fs_lock_state *ls,
		    uint64_t owner, uint64_t off, uint64_t len, bool exclusive)
{
	struct fs_lock *nl, *old;
	bool released = false;
	int rc;

	if (lock_find_conflict(ls->locks, owner, off, len, exclusive))
		return -EAGAIN;
	if (lock_held_exactly(ls->locks, owner, off, len, exclusive))
		return 0;
	nl = malloc(sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	old = lock_take_overlapping(ls, owner, off, len);
	/*
	 * An exclusive lock conflicts with the handle's own overlapping
	 * locks (MS-FSA 2.1.5.7), so those must go first; a shared one
	 * can stack on them and replace them without a gap.
	 */
	rc = exclusive && old ? -EAGAIN : lock_server(h, off, len, exclusive);
	if (rc == -EAGAIN && old &&
	    (exclusive || lock_list_has_exclusive(old))) {
		/* An upgrade, or our own lock in the way. */
		lock_unlock_list(h, old);
		released = true;
		rc = lock_server(h, off, len, exclusive);
		if (rc < 0) {
			lock_restore(h, ls, old);
			free(nl);
			return rc;
		}
	}
	if (rc < 0) {
		lock_put_back(ls, old);
		free(nl);
		return rc;
	}
	lock_trim(h, ls, old, off, len, released);
	*nl = (struct fs_lock){ .owner = owner,
				.off = off,
				.len = len,
				.exclusive = exclusive,
				.next = ls->locks };
	ls->locks = nl;
	return 0;
}

static void lock_clear(struct smbfs_handle *h, struct fs_lock_state *ls,
		       uint64_t owner, uint64_t off, uint64_t len)
{
	lock_trim(h, ls, lock_take_overlapping(ls, owner, off, len), off, len,
		  false);
}

void fs_locks_release_owner(struct smbfs_handle *h, uint64_t owner)
{
	struct fs_lock_state *ls = fs_handle_lock_state(h);

	pthread_mutex_lock(&ls->mutex);
	lock_clear(h, ls, owner, 0, UINT64_MAX);
	pthread_mutex_unlock(&ls->mutex);
}

/*
 * Sleeps before the next attempt at a contended lock, backing off up to
 * LOCK_POLL_MAX_MS.  -EINTR once the caller was interrupted.
 */
static int lock_wait(fuse_req_t req, unsigned int *delay_ms)
{
	struct timespec ts = {
		.tv_sec = *delay_ms / 1000,
		.tv_nsec = (long)(*delay_ms % 1000) * 1000000L,
	};

	if (fuse_req_interrupted(req))
		return -EINTR;
	nanosleep(&ts, NULL);
	if (*delay_ms < LOCK_POLL_MAX_MS)
		*delay_ms *= 2;
	return fuse_req_interrupted(req) ? -EINTR : 0;
}

/* The lock state of a regular file's handle, or NULL (replied). */
static struct fs_lock_state *lock_state_or_reply(fuse_req_t req, fuse_ino_t ino,
						 struct fuse_file_info *fi)
{
	struct smbfs_inode *in;

	fs_begin(req);
	in = fs_inode_or_reply(req, ino);
	if (!in)
		return NULL;
	/* The kernel keeps directory locks local; be sure of the handle. */
	if (in->is_dir || !fi || !fi->fh) {
		fuse_reply_err(req, ENOLCK);
		return NULL;
	}
	return fs_handle_lock_state((struct smbfs_handle *)(uintptr_t)fi->fh);
}

/* --- POSIX locks --- */

/* F_UNLCK when the range could be locked, else the type in the way. */
static int lock_probe(struct smbfs_handle *h, uint64_t off, uint64_t len,
		      bool exclusive, short *type)
{
	int rc = lock_server(h, off, len, exclusive);

	*type = F_UNLCK;
	if (!rc) {
		unlock_server(h, off, len);
		return 0;
	}
	if (rc != -EAGAIN)
		return rc;
	*type = F_WRLCK;
	/* A shared probe that succeeds shows that only readers hold it. */
	if (exclusive && lock_server(h, off, len, false) == 0) {
		unlock_server(h, off, len);
		*type = F_RDLCK;
	}
	return 0;
}

/*
 * F_GETLK: other owners sharing the handle are checked locally; the
 * server is probed with a lock taken and released at once, only where
 * owner holds nothing (its own locks would conflict with the probe).
 */
static int lock_test(struct smbfs_handle *h, struct fs_lock_state *ls,
		     uint64_t owner, struct flock *fl)
{
	const struct fs_lock *c;
	uint64_t pos, len, end, gap;
	bool exclusive = fl->l_type == F_WRLCK;
	short type;
	int rc = lock_range(fl, &pos, &len);

	if (rc < 0)
		return rc;
	c = lock_find_conflict(ls->locks, owner, pos, len, exclusive);
	if (c) {
		lock_report(fl, c->exclusive ? F_WRLCK : F_RDLCK, c->off,
			    c->len);
		return 0;
	}
	/* Beyond OFFSET_MAX a conflict could not be reported. */
	end = pos + len;
	while (lock_next_gap(ls->locks, owner, &pos, end, &gap) &&
	       pos <= (uint64_t)INT64_MAX) {
		rc = lock_probe(h, pos, gap, exclusive, &type);
		if (rc < 0)
			return rc;
		if (type != F_UNLCK) {
			lock_report(fl, type, pos, gap);
			return 0;
		}
		pos += gap;
	}
	fl->l_type = F_UNLCK;
	return 0;
}

void smbfs_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock)
{
	struct fs_lock_state *ls = lock_state_or_reply(req, ino, fi);
	int rc;

	if (!ls)
		return;
	if (lock->l_type != F_RDLCK && lock->l_type != F_WRLCK) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	pthread_mutex_lock(&ls->mutex);
	rc = lock_test((struct smbfs_handle *)(uintptr_t)fi->fh, ls,
		       fi->lock_owner, lock);
	pthread_mutex_unlock(&ls->mutex);
	if (rc < 0)
		fs_reply_err(req, rc);
	else
		fuse_reply_lock(req, lock);
}

void smbfs_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock, int sleep)
{
	struct fs_lock_state *ls = lock_state_or_reply(req, ino, fi);
	struct smbfs_handle *h;
	unsigned int delay = LOCK_POLL_FIRST_MS;
	uint64_t off, len;
	int rc;

	if (!ls)
		return;
	h = (struct smbfs_handle *)(uintptr_t)fi->fh;
	rc = lock_range(lock, &off, &len);
	if (!rc && lock->l_type != F_RDLCK && lock->l_type != F_WRLCK &&
	    lock->l_type != F_UNLCK)
		rc = -EINVAL;
	while (!rc) {
		pthread_mutex_lock(&ls->mutex);
		if (lock->l_type == F_UNLCK)
			lock_clear(h, ls, fi->lock_owner, off, len);
		else
			rc = lock_set(h, ls, fi->lock_owner, off, len,
				      lock->l_type == F_WRLCK);
		pthread_mutex_unlock(&ls->mutex);
		if (rc != -EAGAIN || !sleep)
			break;
		rc = lock_wait(req, &delay);
		if (rc)
			break;
	}
	fs_reply_err(req, rc);
}

/* --- flock --- */

/* Called with ls->mutex held; want is LOCK_SH, LOCK_EX or LOCK_UN. */
static int flock_apply(struct smbfs_handle *h, struct fs_lock_state *ls,
		       int want)
{
	int rc;

	if (want == ls->flock)
		return 0;
	if (want == LOCK_SH && ls->flock == LOCK_EX) {
		/* Stack the shared lock first: the downgrade is atomic. */
		rc = lock_server(h, FLOCK_OFFSET, FLOCK_LENGTH, false);
		if (!rc) {
			unlock_server(h, FLOCK_OFFSET, FLOCK_LENGTH);
			ls->flock = LOCK_SH;
			return 0;
		}
	}
	/* flock(2): a conversion first removes the old lock. */
	if (ls->flock) {
		unlock_server(h, FLOCK_OFFSET, FLOCK_LENGTH);
		ls->flock = 0;
	}
	if (want == LOCK_UN)
		return 0;
	rc = lock_server(h, FLOCK_OFFSET, FLOCK_LENGTH, want == LOCK_EX);
	if (!rc)
		ls->flock = want;
	return rc;
}

void smbfs_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    int op)
{
	struct fs_lock_state *ls = lock_state_or_reply(req, ino, fi);
	unsigned int delay = LOCK_POLL_FIRST_MS;
	int want = op & ~LOCK_NB;
	int rc = 0;

	if (!ls)
		return;
	if (want != LOCK_SH && want != LOCK_EX && want != LOCK_UN)
		rc = -EINVAL;
	while (!rc) {
		pthread_mutex_lock(&ls->mutex);
		rc = flock_apply((struct smbfs_handle *)(uintptr_t)fi->fh, ls,
				 want);
		pthread_mutex_unlock(&ls->mutex);
		if (rc != -EAGAIN || (op & LOCK_NB))
			break;
		rc = lock_wait(req, &delay);
		if (rc)
			break;
	}
	fs_reply_err(req, rc);
}

int fs_locks_lease_break(struct smbfs *fs, struct smbfs_inode *in)
{
	/* Every lock is on the server already: nothing is kept locally. */
	(void)fs;
	(void)in;
	return 0;
}
