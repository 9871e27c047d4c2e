// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the server tells us, and keeping the kernel's caches in line.
 *
 * The pool hands server events to fs_on_pool_event on its event thread:
 *   - a lease or oplock break (MS-SMB2 3.2.5.19): what the lost caching
 *     covered is given up first - locks kept locally go to the server
 *     when write caching goes, deferred handles are closed when handle
 *     caching goes, the kernel's pages and attributes are dropped when
 *     read caching goes - and then the break is acknowledged;
 *   - a directory change a watch reported: the cache updates its tables
 *     and calls fs_on_dir_change for each change, which has the kernel
 *     forget the names and attributes concerned.
 * Dropping a name from the kernel's cache takes the directory's lock in
 * the kernel, which a FUSE request in that directory may hold while it
 * waits for the server - which may wait for a break acknowledgement.
 * So those invalidations are queued for the service thread, never made
 * on the event thread, and never on a FUSE worker (libfuse documents
 * that deadlock).  The service thread also closes deferred handles
 * whose time is up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smbfs.h"

#define SERVICE_IDLE_MS 1000

/* One invalidation for the kernel. */
struct fs_inval {
	fuse_ino_t ino;	 /* the directory (entry) or the inode */
	char *name;	 /* an entry's name, or NULL: the inode itself */
	off_t off;	 /* inode: -1 attributes only, 0 pages too */
	struct fs_inval *next;
};

struct fs_service {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	struct fs_inval *head, *tail;
	bool stop;
	bool kicked;
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- the service thread --- */

static void service_queue(struct smbfs *fs, fuse_ino_t ino, const char *name,
			  off_t off)
{
	struct fs_service *sv = fs->service;
	struct fs_inval *iv;

	if (!sv || !ino)
		return;
	iv = calloc(1, sizeof(*iv));
	if (!iv || (name && !(iv->name = strdup(name)))) {
		free(iv);
		smb_log(SMB_LOG_WARN, "out of memory: a kernel cache entry "
				      "may stay stale until it expires");
		return;
	}
	iv->ino = ino;
	iv->off = off;
	pthread_mutex_lock(&sv->lock);
	if (sv->tail)
		sv->tail->next = iv;
	else
		sv->head = iv;
	sv->tail = iv;
	pthread_cond_signal(&sv->cond);
	pthread_mutex_unlock(&sv->lock);
}

void fs_service_kick(struct smbfs *fs)
{
	struct fs_service *sv = fs->service;

	if (!sv)
		return;
	pthread_mutex_lock(&sv->lock);
	sv->kicked = true;
	pthread_cond_signal(&sv->cond);
	pthread_mutex_unlock(&sv->lock);
}

static void inval_apply(struct smbfs *fs, struct fs_inval *iv)
{
	if (!fs->se)
		return;
	/* -ENOENT: the kernel has nothing cached for it, which is fine. */
	if (iv->name)
		fuse_lowlevel_notify_inval_entry(fs->se, iv->ino, iv->name,
						 strlen(iv->name));
	else
		fuse_lowlevel_notify_inval_inode(fs->se, iv->ino, iv->off, 0);
	atomic_fetch_add(&fs->invalidations, 1);
}

/* Waits for work; returns the queued invalidations, or NULL. */
static struct fs_inval *service_wait(struct fs_service *sv, int64_t wait_ns)
{
	struct fs_inval *list;
	struct timespec ts;
	int64_t until = mono_ns() + wait_ns;

	pthread_mutex_lock(&sv->lock);
	while (!sv->head && !sv->stop && !sv->kicked && mono_ns() < until) {
		ts.tv_sec = until / 1000000000;
		ts.tv_nsec = until % 1000000000;
		pthread_cond_timedwait(&sv->cond, &sv->lock, &ts);
	}
	list = sv->head;
	sv->head = sv->tail = NULL;
	sv->kicked = false;
	pthread_mutex_unlock(&sv->lock);
	return list;
}

static void *service_main(void *arg)
{
	struct smbfs *fs = arg;
	struct fs_service *sv = fs->service;
	struct fs_inval *iv;
	int64_t next;

	for (;;) {
		next = fs_close_due(fs);
		if (!next || next > (int64_t)SERVICE_IDLE_MS * 1000000)
			next = (int64_t)SERVICE_IDLE_MS * 1000000;
		iv = service_wait(sv, next);
		while (iv) {
			struct fs_inval *n = iv->next;

			inval_apply(fs, iv);
			free(iv->name);
			free(iv);
			iv = n;
		}
		pthread_mutex_lock(&sv->lock);
		if (sv->stop && !sv->head) {
			pthread_mutex_unlock(&sv->lock);
			return NULL;
		}
		pthread_mutex_unlock(&sv->lock);
	}
}

int fs_service_start(struct smbfs *fs)
{
	struct fs_service *sv = calloc(1, sizeof(*sv));
	pthread_condattr_t attr;
	int rc;

	if (!sv)
		return -ENOMEM;
	if (pthread_mutex_init(&sv->lock, NULL)) {
		free(sv);
		return -ENOMEM;
	}
	rc = pthread_condattr_init(&attr);
	if (!rc) {
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (!rc)
			rc = pthread_cond_init(&sv->cond, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (rc) {
		pthread_mutex_destroy(&sv->lock);
		free(sv);
		return -ENOMEM;
	}
	fs->service = sv;
	rc = pthread_create(&sv->thread, NULL, service_main, fs);
	if (rc) {
		fs->service = NULL;
		pthread_cond_destroy(&sv->cond);
		pthread_mutex_destroy(&sv->lock);
		free(sv);
		return -rc;
	}
	return 0;
}

void fs_service_stop(struct smbfs *fs)
{
	struct fs_service *sv = fs->service;

	if (!sv)
		return;
	pthread_mutex_lock(&sv->lock);
	sv->stop = true;
	pthread_cond_signal(&sv->cond);
	pthread_mutex_unlock(&sv->lock);
	pthread_join(sv->thread, NULL);
	fs->service = NULL;
	pthread_cond_destroy(&sv->cond);
	pthread_mutex_destroy(&sv->lock);
	free(sv);
}

/* --- breaks --- */

/*
 * Gives up what the lease no longer allows (MS-SMB2 3.2.5.19.2), in the
 * order the server needs: written data and locks first, then handles,
 * then cached pages.  No acknowledgement here.
 */
static void lease_lost(struct smbfs *fs, struct smbfs_inode *in,
		       uint32_t new_state)
{
	uint32_t old;
	fuse_ino_t ino;

	pthread_mutex_lock(&fs->lock);
	old = in->lease_state;
	in->lease_state = new_state;
	if (!(new_state & SMB2_LEASE_READ_CACHING))
		in->pages_valid = false;
	ino = in->ino;
	pthread_mutex_unlock(&fs->lock);
	if ((old & SMB2_LEASE_WRITE_CACHING) &&
	    !(new_state & SMB2_LEASE_WRITE_CACHING))
		fs_locks_lease_break(fs, in);
	if (!(new_state & SMB2_LEASE_HANDLE_CACHING))
		fs_close_deferred(fs, in);
	/* Pages only: no directory lock, so no deadlock with a waiter. */
	if ((old & SMB2_LEASE_READ_CACHING) &&
	    !(new_state & SMB2_LEASE_READ_CACHING) && fs->se)
		fuse_lowlevel_notify_inval_inode(fs->se, ino, 0, 0);
}

static void on_lease_break(struct smbfs *fs, const struct pool_event *ev)
{
	struct smbfs_inode *in = inode_by_lease_key(fs, ev->u.lease.key);
	int rc;

	if (in) {
		lease_lost(fs, in, ev->u.lease.new_state);
		inode_open_put(fs, in);
	}
	if (!ev->u.lease.ack_required || !ev->tree)
		return;
	rc = pool_lease_break_ack(ev->tree, ev->u.lease.key,
				  ev->u.lease.new_state);
	/* ENOENT: our last close gave the lease back first. */
	if (rc < 0 && rc != -ENOENT)
		smb_log(SMB_LOG_WARN, "lease break acknowledgement failed: %s",
			strerror(-rc));
}

/* What an oplock level allows, in lease terms (MS-SMB2 3.2.5.19.1). */
uint32_t fs_oplock_caching(uint8_t level)
{
	switch (level) {
	case SMB2_OPLOCK_LEVEL_BATCH:
		return SMB2_LEASE_READ_CACHING | SMB2_LEASE_WRITE_CACHING |
		       SMB2_LEASE_HANDLE_CACHING;
	case SMB2_OPLOCK_LEVEL_EXCLUSIVE:
		return SMB2_LEASE_READ_CACHING | SMB2_LEASE_WRITE_CACHING;
	case SMB2_OPLOCK_LEVEL_II:
		return SMB2_LEASE_READ_CACHING;
	default:
		return 0;
	}
}

static void on_oplock_break(struct smbfs *fs, const struct pool_event *ev)
{
	struct smbfs_inode *in = inode_by_file(fs, ev->u.oplock.file);
	int rc;

	if (in) {
		lease_lost(fs, in, fs_oplock_caching(ev->u.oplock.level));
		inode_open_put(fs, in);
	}
	rc = pool_oplock_break_ack(ev->u.oplock.file, ev->u.oplock.level);
	if (rc < 0 && rc != -ENOENT)
		smb_log(SMB_LOG_WARN, "oplock break acknowledgement failed: %s",
			strerror(-rc));
}

/*
 * The connection is gone, and the leases with it: nothing cached may be
 * trusted until the server is back (a soft mount's calls must fail, not
 * be answered from memory).  Deferred handles are dropped.
 */
static void on_disconnected(struct smbfs *fs)
{
	struct smbfs_inode *in;
	fuse_ino_t *leased = NULL, *grown;
	size_t n = 0, i;

	cache_disconnected(fs->cache);
	pthread_mutex_lock(&fs->lock);
	for (in = fs->open_inodes; in; in = in->open_next) {
		if (in->lease_state & SMB2_LEASE_READ_CACHING) {
			grown = realloc(leased, (n + 1) * sizeof(*leased));
			if (grown) {
				leased = grown;
				leased[n++] = in->ino;
			}
		}
		in->lease_state = 0;
		in->pages_valid = false;
	}
	pthread_mutex_unlock(&fs->lock);
	fs_close_all_deferred(fs);
	for (i = 0; i < n; i++)
		service_queue(fs, leased[i], NULL, 0);
	free(leased);
}

/*
 * After a reconnect the reopened handles hold what the server granted
 * anew: an inode that lost read caching may hold stale pages.
 */
static void on_reconnected(struct smbfs *fs)
{
	struct smbfs_inode *in;
	fuse_ino_t *stale = NULL, *grown;
	size_t n = 0, i;

	pthread_mutex_lock(&fs->lock);
	for (in = fs->open_inodes; in; in = in->open_next) {
		struct smbfs_handle *h;
		uint32_t state = 0;

		for (h = in->handles; h; h = h->inode_next)
			if (h->file)
				state |= pool_file_lease_state(h->file);
		if ((in->lease_state & SMB2_LEASE_READ_CACHING) &&
		    !(state & SMB2_LEASE_READ_CACHING)) {
			in->pages_valid = false;
			grown = realloc(stale, (n + 1) * sizeof(*stale));
			if (grown) {
				stale = grown;
				stale[n++] = in->ino;
			}
		}
		in->lease_state = state;
	}
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < n; i++)
		service_queue(fs, stale[i], NULL, 0);
	free(stale);
}

void fs_on_pool_event(void *arg, const struct pool_event *ev)
{
	struct smbfs *fs = arg;

	switch (ev->type) {
	case POOL_EVENT_LEASE_BREAK:
		on_lease_break(fs, ev);
		break;
	case POOL_EVENT_OPLOCK_BREAK:
		on_oplock_break(fs, ev);
		break;
	case POOL_EVENT_NOTIFY:
		cache_handle_notify(fs->cache, ev);
		break;
	case POOL_EVENT_DISCONNECTED:
		on_disconnected(fs);
		break;
	case POOL_EVENT_RECONNECTED:
		on_reconnected(fs);
		break;
	default: /* lost files: the pool has logged them */
		break;
	}
}

/* --- directory changes --- */

/* Everything the kernel knows below dir_ino may be stale. */
static void forget_children(struct smbfs *fs, fuse_ino_t dir_ino)
{
	char **names = NULL;
	size_t n = 0, i;

	inode_children(fs, dir_ino, &names, &n);
	for (i = 0; i < n; i++) {
		service_queue(fs, dir_ino, names[i], 0);
		free(names[i]);
	}
	free(names);
}

/* Another client rewrote the file: drop what we cached, unless leased. */
static void forget_modified(struct smbfs *fs, fuse_ino_t ino)
{
	if (ino && inode_pages_stale(fs, ino))
		service_queue(fs, ino, NULL, 0);
}

void fs_on_dir_change(void *arg, const char *dir, const char *name,
		      uint32_t action)
{
	struct smbfs *fs = arg;
	fuse_ino_t dir_ino, child_ino;
	char *linux_name = NULL;

	inode_ino_of_path(fs, dir, name, &dir_ino, &child_ino, &linux_name);
	if (!dir_ino)
		goto out; /* nothing of it in the kernel */
	if (!name) {
		forget_children(fs, dir_ino);
		service_queue(fs, dir_ino, NULL, -1);
		goto out;
	}
	if (action == FILE_ACTION_MODIFIED) {
		forget_modified(fs, child_ino);
		goto out;
	}
	/* Added, removed or renamed: the name and the directory's times. */
	if (linux_name)
		service_queue(fs, dir_ino, linux_name, 0);
	service_queue(fs, dir_ino, NULL, -1);
out:
	free(linux_name);
}
