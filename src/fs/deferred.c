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
 * Deferred handles stay in the inode's handle list, marked deferred;
 * whoever clears the mark under fs->lock owns the handle from then on.
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
	h->deferred = defer;
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
		h->deferred = false;
		h->flags = flags;
		h->append = flags & O_APPEND;
	}
	pthread_mutex_unlock(&fs->lock);
	if (h)
		atomic_fetch_add(&fs->deferred_reused, 1);
	return h;
}

/* Takes the handles of in that match (fs->lock held); chained by next. */
struct taken {
	struct smbfs_handle *h;
	struct taken *next;
};

static void take_deferred(struct smbfs_inode *in, int64_t due_before,
			  int64_t *next_due, struct taken **list)
{
	struct smbfs_handle *h;
	struct taken *t;

	for (h = in->handles; h; h = h->inode_next) {
		if (!h->deferred)
			continue;
		if (due_before && h->deferred_until > due_before) {
			if (!*next_due || h->deferred_until < *next_due)
				*next_due = h->deferred_until;
			continue;
		}
		t = malloc(sizeof(*t));
		if (!t)
			continue; /* closed at the next round */
		h->deferred = false;
		t->h = h;
		t->next = *list;
		*list = t;
	}
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
	int64_t next = 0;

	pthread_mutex_lock(&fs->lock);
	take_deferred(in, 0, &next, &list);
	pthread_mutex_unlock(&fs->lock);
	close_taken(fs, list);
}

/* The earliest time a deferred handle of the mount is due, or 0 (fs->lock). */
static int64_t deferred_earliest(struct smbfs *fs)
{
	struct smbfs_inode *in;
	struct smbfs_handle *h;
	int64_t first = 0;

	for (in = fs->open_inodes; in; in = in->open_next)
		for (h = in->handles; h; h = h->inode_next)
			if (h->deferred &&
			    (!first || h->deferred_until < first))
				first = h->deferred_until;
	return first;
}

/*
 * Once one is due at now (0: close all), takes it and every other due
 * before now + slack; returns when the next is due, or 0.
 */
static int64_t close_deferred_before(struct smbfs *fs, int64_t now,
				     int64_t slack)
{
	struct taken *list = NULL;
	struct smbfs_inode *in;
	int64_t next = 0;

	pthread_mutex_lock(&fs->lock);
	next = now ? deferred_earliest(fs) : 0;
	if (!next || next <= now) {
		next = 0;
		for (in = fs->open_inodes; in; in = in->open_next)
			take_deferred(in, now ? now + slack : 0, &next, &list);
	}
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

	return next ? next - now : 0;
}
