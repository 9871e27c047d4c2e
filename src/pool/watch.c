// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directory watches: a directory kept open with a CHANGE_NOTIFY
 * outstanding on it.  The answer arrives on a reader thread, which only
 * queues it; the event thread hands it to the file system and then arms
 * the watch again.  Changes that happen in between are not lost: the
 * server keeps them for the open until the next request (MS-FSA 2.1.5.10).
 * A repair reopens the directory like any open file (without the
 * same-file check, which a directory's changing contents would fail) and
 * posts an overflow, after which the watch is armed on the new handle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool_internal.h"

/* Room for the FILE_NOTIFY_INFORMATION records of one answer. */
#define WATCH_BUFFER (64u << 10)

void pool_watch_get(struct pool_watch *w)
{
	w->refs++;
}

void pool_watch_put(struct pool_watch *w)
{
	struct smb_pool *p = w->pool;
	bool last;

	pthread_mutex_lock(&p->lock);
	last = --w->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (last)
		free(w);
}

/* Reader thread (or the thread closing a connection): queue, never block. */
static void watch_done(void *arg, struct smb_notify_result *r)
{
	struct pool_watch *w = arg;
	struct smb_pool *p = w->pool;
	bool stopped;

	pthread_mutex_lock(&p->lock);
	w->armed = false;
	stopped = w->stopped;
	pthread_mutex_unlock(&p->lock);
	/*
	 * A failed request (connection lost, handle closed) says nothing
	 * about the directory; after a repair an overflow is posted anyway.
	 */
	if (stopped || (r && r->err)) {
		smb_notify_result_free(r);
		pool_watch_put(w);
		return;
	}
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (r)
			r->overflow = true;
	}
	/* The request's reference moves to the event. */
	pool_event_post_notify(p, w, r);
}

void pool_watch_arm(struct pool_watch *w)
{
	struct smb_pool *p = w->pool;
	struct smb2_fileid fid;
	struct smb_tree *tree;
	struct pool_chan *ch;
	struct pool_file *f;
	struct pool_tree *t;
	int rc;

	pthread_mutex_lock(&p->lock);
	/* A stopped watch's directory is closed and gone. */
	if (w->stopped) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	f = w->dir;
	t = f->tree;
	/* Not now: a repair arms it again through an overflow event. */
	if (w->armed || f->lost || !t->srv->up || !t->tree || t->broken ||
	    f->gen != t->gen) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	ch = t->srv->chan;
	pool_chan_get(ch);
	tree = t->tree;
	fid = f->fid;
	w->armed = true;
	pool_watch_get(w);
	pthread_mutex_unlock(&p->lock);
	rc = smb_dir_notify_async(tree, fid, w->filter, false, WATCH_BUFFER,
				  watch_done, w);
	if (rc == -ENOMEM) {
		/* Nothing was sent, so watch_done never runs. */
		pthread_mutex_lock(&p->lock);
		w->armed = false;
		pthread_mutex_unlock(&p->lock);
		pool_watch_put(w);
	}
	pool_chan_put(p, ch);
}

int pool_watch_start(struct pool_tree *t, const char *path, uint32_t filter,
		     void *owner, struct pool_watch **out)
{
	struct smb_open_args a = {
		.path = path,
		.desired_access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES |
				  SYNCHRONIZE,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.disposition = FILE_OPEN,
		.create_options = FILE_DIRECTORY_FILE,
	};
	struct smb_pool *p = t->srv->pool;
	struct smb_open_result res;
	struct pool_watch *w = calloc(1, sizeof(*w));
	int rc;

	*out = NULL;
	if (!w)
		return -ENOMEM;
	rc = pool_file_open(t, &a, POOL_FILE_UNCACHED, NULL, NULL, &w->dir,
			    &res);
	if (rc < 0) {
		free(w);
		return rc;
	}
	w->pool = p;
	w->tree = t;
	w->owner = owner;
	w->filter = filter;
	w->refs = 1;
	pthread_mutex_lock(&p->lock);
	w->dir->no_check = true;
	w->next = p->watches;
	if (p->watches)
		p->watches->prev = w;
	p->watches = w;
	pthread_mutex_unlock(&p->lock);
	pool_watch_arm(w);
	*out = w;
	return 0;
}

void pool_watch_stop(struct pool_watch *w)
{
	struct smb_pool *p = w->pool;

	pthread_mutex_lock(&p->lock);
	w->stopped = true;
	if (w->prev)
		w->prev->next = w->next;
	else
		p->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&p->lock);
	/* MS-SMB2 3.3.4.4: the close completes the pending request. */
	pool_file_close(w->dir, NULL, NULL);
	pool_watch_put(w);
}

void pool_watches_repaired(struct smb_pool *p)
{
	struct pool_watch *w, **v;
	size_t n = 0, i;

	pthread_mutex_lock(&p->lock);
	for (w = p->watches; w; w = w->next)
		n++;
	v = calloc(n ? n : 1, sizeof(*v));
	for (n = 0, w = p->watches; v && w; w = w->next) {
		if (w->stopped)
			continue;
		pool_watch_get(w);
		v[n++] = w;
	}
	pthread_mutex_unlock(&p->lock);
	if (!v) {
		smb_log(SMB_LOG_ERR,
			"out of memory: watched directories stay silent after a reconnect");
		return;
	}
	for (i = 0; i < n; i++) {
		struct smb_notify_result *r = calloc(1, sizeof(*r));

		if (r)
			r->overflow = true;
		pool_event_post_notify(p, v[i], r);
	}
	free(v);
}
