// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Deferred close (like cifs.ko's closetimeo): while the server lets us
 * cache the handle (a lease with handle caching, or a batch oplock), the
 * last close of a file keeps its SMB handle open for closetimeo, and an
 * open of the same file with the same access in that time takes it over:
 * no CREATE, no CLOSE, and the lease - with the cached pages and
 * attributes it protects - stays.  A break of handle caching, an unlink
 * or rename that needs the name free, or the timeout closes it.
 *
 * Deferred handles stay in the inode's handle list, marked deferred,
 * and are on the mount's list of them in the order they are due;
 * whoever clears the mark (handle_undefer) under fs->lock owns the
 * handle from then on.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

#include "smbfs.h"

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Marks h deferred and lists it in the order of its time (fs->lock). */
static void handle_defer(struct smbfs *fs, struct smbfs_handle *h)
{
	h->deferred = true;
	smb_timed_insert(&fs->deferred, &h->dl, h->deferred_until);
}

/* Takes h off the deferred list: the caller owns it (fs->lock). */
static void handle_undefer(struct smbfs *fs, struct smbfs_handle *h)
{
	smb_timed_remove(&fs->deferred, &h->dl);
	h->deferred = false;
}

bool fs_defer_close(struct smbfs *fs, struct smbfs_handle *h)
{
	struct smbfs_inode *in = h->inode;
	int64_t now;
	bool defer;

	if (!fs->cfg.closetimeo_ms || !h->file || pool_file_lost(h->file))
		return false;
	now = mono_ns();
	pthread_mutex_lock(&fs->lock);
	defer = (in->lease_state & SMB2_LEASE_HANDLE_CACHING) && !in->unlinked;
	if (!h->deferred_until)
		h->deferred_until =
			now + (int64_t)fs->cfg.closetimeo_ms * 1000000;
	defer = defer && now < h->deferred_until;
	if (defer)
		handle_defer(fs, h);
	pthread_mutex_unlock(&fs->lock);
	if (!defer)
		return false;
	/* What was written under the lease is what later lookups see. */
	fs_note_attr(fs, in);
	fs_service_kick(fs);
	return true;
}

struct smbfs_handle *fs_reuse_deferred(struct smbfs *fs,
				       struct smbfs_inode *in, int flags)
{
	struct smbfs_handle *h;

	/* O_TRUNC needs the overwriting CREATE. */
	if (flags & O_TRUNC)
		return NULL;
	pthread_mutex_lock(&fs->lock);
	for (h = in->handles; h; h = h->inode_next) {
		if (h->deferred && !h->closing &&
		    (h->flags & O_ACCMODE) == (flags & O_ACCMODE))
			break;
	}
	if (h) {
		handle_undefer(fs, h);
		h->flags = flags;
		h->append = flags & O_APPEND;
	}
	pthread_mutex_unlock(&fs->lock);
	if (h)
		atomic_fetch_add(&fs->deferred_reused, 1);
	return h;
}

/* Handles taken off the deferred list, chained by next. */
struct taken {
	struct smbfs_handle *h;
	struct taken *next;
};

/* Takes h (fs->lock held); false when out of memory (left deferred). */
static bool take_one(struct smbfs *fs, struct smbfs_handle *h,
		     struct taken **list)
{
	struct taken *t = malloc(sizeof(*t));

	if (!t)
		return false; /* closed at the next round */
	handle_undefer(fs, h);
	t->h = h;
	t->next = *list;
	*list = t;
	return true;
}

/* Their CLOSEs go by compounds of up to POOL_CLOSE_MANY_MAX. */
static void close_taken(struct smbfs *fs, struct taken *list)
{
	struct smbfs_handle *batch[POOL_CLOSE_MANY_MAX];
	int n;

	while (list) {
		for (n = 0; list && n < POOL_CLOSE_MANY_MAX; n++) {
			struct taken *next = list->next;

			batch[n] = list->h;
			free(list);
			list = next;
		}
		fs_file_close_many(fs, batch, n);
	}
}

void fs_close_deferred(struct smbfs *fs, struct smbfs_inode *in)
{
	struct taken *list = NULL;
	struct smbfs_handle *h;

	pthread_mutex_lock(&fs->lock);
	for (h = in->handles; h; h = h->inode_next)
		if (h->deferred)
			take_one(fs, h, &list);
	pthread_mutex_unlock(&fs->lock);
	close_taken(fs, list);
}

/*
 * Once the first is due at now (0: close all), takes it and every other
 * due before now + slack; returns when the next is due, or 0.
 */
static int64_t close_deferred_before(struct smbfs *fs, int64_t now,
				     int64_t slack)
{
	struct taken *list = NULL;
	struct smb_timed *t;
	int64_t next;

	pthread_mutex_lock(&fs->lock);
	next = smb_timed_next(&fs->deferred);
	if (next && (!now || next <= now)) {
		while ((t = fs->deferred.head) &&
		       (!now || t->at <= now + slack))
			if (!take_one(fs, smb_timed_entry(t, struct smbfs_handle,
							  dl),
				      &list))
				break;
	}
	next = smb_timed_next(&fs->deferred);
	pthread_mutex_unlock(&fs->lock);
	close_taken(fs, list);
	return next;
}

void fs_close_all_deferred(struct smbfs *fs)
{
	close_deferred_before(fs, 0, 0);
}

/*
 * Those due within the next quarter of closetimeo go with the one due
 * now: a burst of files (an untar) then costs one CLOSE compound per
 * few dozen files instead of a round trip each.  A deferred close ends
 * early at most by that much; closetimeo is a limit, not a promise.
 */
int64_t fs_close_due(struct smbfs *fs)
{
	int64_t now = mono_ns();
	int64_t slack = (int64_t)fs->cfg.closetimeo_ms * 1000000 / 4;
	int64_t next = close_deferred_before(fs, now, slack);

	if (!next)
		return 0;
	/* A take that ran out of memory: again in a moment. */
	return next > now ? next - now : 1000000;
}
