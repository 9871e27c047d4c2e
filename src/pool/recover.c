// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool's monitor thread: notices a dead server and repairs it.
 *
 * Failures reach it three ways: the connection's reader thread reports a
 * reset or a request that went unanswered (pool_on_disconnect); a call
 * gets a status that asks for a repair (pool_request_repair from
 * attempt.c); or an ECHO, sent when nothing came from the server for
 * echo_interval, goes unanswered.  Repairs, like cifs.ko's reconnect:
 *   tree     TREE_CONNECT again on the same session, reopen its files;
 *   session  a new connection and log-on, every tree, every file;
 *   conn     the same, tried again with backoff (at once, then 100 ms
 *            doubling to 5 s) until it works or the pool shuts down.
 * Calls wait meanwhile (attempt.c); the repaired state is published in
 * one step, so no call ever sees half of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_internal.h"

#define ERRLEN 256

/* --- requests for repair --- */

static const char *repair_reason(enum pool_repair what)
{
	switch (what) {
	case POOL_REPAIR_TREE:
		return "the server disconnected the share";
	case POOL_REPAIR_SESSION:
		return "the server ended the session";
	default:
		return "the connection was lost";
	}
}

/* Marks srv down for the first failure of an outage (pool->lock held). */
static void server_mark_down(struct pool_server *srv, struct pool_chan *ch,
			     enum pool_repair what)
{
	struct smb_pool *p = srv->pool;
	struct smb_conn *c = smb_session_conn(ch->session);
	struct pool_event ev = {.type = POOL_EVENT_DISCONNECTED};

	if (srv->down_since_ns)
		return;
	srv->down_since_ns = pool_now_ns();
	/* What the server had done by its last answer is all we know. */
	srv->loss_time = pool_chan_server_time(ch) -
			 (uint64_t)smb_conn_idle_ms(c) * 10000;
	if (!p->shutdown)
		smb_log(SMB_LOG_INFO, "%s: %s; reconnecting", srv->host,
			repair_reason(what));
	ev.u.err = what == POOL_REPAIR_CONN ? -ECONNRESET : -ENOTCONN;
	ev.tree = srv->trees;
	pool_event_post(p, &ev, NULL);
}

void pool_request_repair(struct pool_server *srv, struct pool_chan *ch,
			 struct pool_tree *t, enum pool_repair what)
{
	struct smb_pool *p = srv->pool;

	/* A report about a channel already replaced is old news. */
	if (what == POOL_REPAIR_NONE || ch != srv->chan)
		return;
	if (what == POOL_REPAIR_TREE && t) {
		if (t->broken)
			return;
		t->broken = true;
		if (!srv->down_since_ns)
			srv->loss_time = pool_chan_server_time(ch);
		smb_log(SMB_LOG_INFO, "%s: %s '%s'; connecting it again",
			srv->host, repair_reason(what), t->share);
	} else {
		ch->dead = true;
		srv->up = false;
		server_mark_down(srv, ch, what);
	}
	if (what > srv->repair)
		srv->repair = what;
	pthread_cond_broadcast(&p->cond);
}

void pool_on_disconnect(void *arg, int err)
{
	struct pool_chan *ch = arg;
	struct pool_server *srv = ch->srv;
	struct smb_pool *p = srv->pool;

	(void)err; /* the connection logged why */
	pthread_mutex_lock(&p->lock);
	pool_request_repair(srv, ch, NULL, POOL_REPAIR_CONN);
	pthread_mutex_unlock(&p->lock);
}

/* --- reopening files --- */

/* A file to reopen, and how it went. */
struct reopen_item {
	struct pool_file *f;
	int rc;
	struct smb_open_result res;
	bool close_new; /* closed by its owner meanwhile */
};

/*
 * The files of t that had a handle (pool->lock held), referenced: a
 * file still being opened has none yet and opens itself again.
 */
static struct reopen_item *tree_files_snapshot(struct pool_tree *t,
					       size_t *n)
{
	struct reopen_item *v;
	struct pool_file *f;
	size_t cnt = 0;

	for (f = t->files; f; f = f->next)
		cnt++;
	*n = 0;
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v)
		return NULL;
	for (f = t->files; f; f = f->next) {
		if (f->closing || f->lost || !f->gen)
			continue;
		pool_file_get(f);
		v[(*n)++].f = f;
	}
	return v;
}

static void reopen_all(struct smb_tree *tree, struct reopen_item *v, size_t n,
		       uint64_t loss_time)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i].rc = pool_file_reopen(v[i].f, tree, loss_time, &v[i].res);
}

/*
 * Makes the reopened files current at gen, or lost (pool->lock held).
 * A file its owner closed meanwhile has its new handle closed after
 * the lock is dropped (close_new, by reopen_finish).
 */
static void reopen_publish(struct smb_pool *p, struct reopen_item *v,
			   size_t n, uint64_t gen)
{
	struct pool_event ev = {.type = POOL_EVENT_FILE_LOST};
	size_t i;

	for (i = 0; i < n; i++) {
		struct pool_file *f = v[i].f;

		if (v[i].rc == 0 && !f->closing) {
			pool_file_reopened(f, &v[i].res, gen);
			continue;
		}
		v[i].close_new = v[i].rc == 0;
		if (v[i].rc < 0) {
			f->lost = true;
			atomic_fetch_add(&p->count.files_lost, 1);
			ev.tree = f->tree;
			ev.u.file.file = f;
			pool_event_post(p, &ev, f);
		}
	}
}

/* Closes handles reopened for files closed meanwhile; drops refs. */
static void reopen_finish(struct smb_pool *p, struct smb_tree *tree,
			  struct reopen_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].close_new)
			smb_file_close(tree, v[i].res.fid, NULL);
		pool_file_put(p, v[i].f);
	}
	free(v);
}

/* --- repairs --- */

/* Keeps an old tree connect until its channel goes (pool->lock held). */
static void chan_retire_tree(struct pool_chan *ch, struct smb_tree *tree)
{
	struct smb_tree **v;

	if (!tree)
		return;
	v = realloc(ch->old_trees, (ch->n_old_trees + 1) * sizeof(*v));
	if (!v) {
		/* Nobody can be using it: calls on it hold ch, not tree. */
		smb_log(SMB_LOG_WARN, "out of memory retiring a tree connect");
		return;
	}
	v[ch->n_old_trees++] = tree;
	ch->old_trees = v;
}

/* TREE_CONNECT again for one broken tree on the live channel. */
static int repair_tree(struct pool_server *srv, struct pool_tree *t)
{
	struct smb_pool *p = srv->pool;
	struct smb_tree *tree = NULL;
	struct reopen_item *v;
	struct pool_chan *ch;
	char err[ERRLEN] = "";
	size_t n = 0;
	uint64_t gen;
	int rc;

	pthread_mutex_lock(&p->lock);
	ch = srv->chan;
	pool_chan_get(ch);
	pthread_mutex_unlock(&p->lock);
	rc = smb_tree_connect(ch->session, t->share, &tree, err, sizeof(err));
	if (rc < 0) {
		smb_log(SMB_LOG_INFO, "%s: connecting '%s' again failed: %s",
			srv->host, t->share, err[0] ? err : strerror(-rc));
		pool_chan_put(p, ch);
		return rc;
	}
	pthread_mutex_lock(&p->lock);
	v = tree_files_snapshot(t, &n);
	pthread_mutex_unlock(&p->lock);
	if (v)
		reopen_all(tree, v, n, srv->loss_time);
	pthread_mutex_lock(&p->lock);
	gen = ++srv->gen;
	chan_retire_tree(ch, t->tree);
	t->tree = tree;
	t->gen = gen;
	t->broken = false;
	smb_tree_get_info(tree, &t->info);
	if (v)
		reopen_publish(p, v, n, gen);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (v)
		reopen_finish(p, tree, v, n);
	pool_chan_put(p, ch);
	pool_watches_repaired(p);
	smb_log(SMB_LOG_INFO, "%s: share '%s' connected again", srv->host,
		t->share);
	return 0;
}

/* New trees and reopened files for a new channel, not yet published. */
struct server_rebuild {
	struct pool_tree *t;
	struct smb_tree *tree;
	struct reopen_item *files;
	size_t n_files;
};

static int rebuild_trees(struct pool_server *srv, struct pool_chan *ch,
			 struct server_rebuild *rb, size_t n)
{
	struct smb_pool *p = srv->pool;
	char err[ERRLEN] = "";
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = smb_tree_connect(ch->session, rb[i].t->share, &rb[i].tree,
				      err, sizeof(err));
		if (rc < 0) {
			smb_log(SMB_LOG_INFO, "%s: share '%s': %s", srv->host,
				rb[i].t->share, err[0] ? err : strerror(-rc));
			return rc;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&p->lock);
		rb[i].files = tree_files_snapshot(rb[i].t, &rb[i].n_files);
		pthread_mutex_unlock(&p->lock);
		if (!rb[i].files)
			return -ENOMEM;
		reopen_all(rb[i].tree, rb[i].files, rb[i].n_files,
			   srv->loss_time);
	}
	return 0;
}

/*
 * Undoes an unpublished rebuild.  The files keep their old handles (and
 * generation), to be reopened by the next attempt.
 */
static void rebuild_drop(struct smb_pool *p, struct server_rebuild *rb,
			 size_t n)
{
	struct reopen_item *v;
	size_t i, j;

	for (i = 0; i < n; i++) {
		v = rb[i].files;
		for (j = 0; v && j < rb[i].n_files; j++) {
			/* Its handle on the channel being given up. */
			if (v[j].rc == 0)
				smb_file_close(rb[i].tree, v[j].res.fid, NULL);
			pool_file_put(p, v[j].f);
		}
		free(v);
		if (rb[i].tree)
			smb_tree_free(rb[i].tree);
	}
	free(rb);
}

/* Makes the new channel current in one step (takes pool->lock). */
static void rebuild_publish(struct pool_server *srv, struct pool_chan *ch,
			    struct server_rebuild *rb, size_t n)
{
	struct smb_pool *p = srv->pool;
	struct pool_chan *old;
	uint64_t gen;
	size_t i;

	pthread_mutex_lock(&p->lock);
	old = srv->chan;
	gen = ++srv->gen;
	srv->chan = ch;
	for (i = 0; i < n; i++) {
		if (old)
			chan_retire_tree(old, rb[i].t->tree);
		else if (rb[i].t->tree)
			smb_tree_free(rb[i].t->tree);
		rb[i].t->tree = rb[i].tree;
		rb[i].t->gen = gen;
		rb[i].t->broken = false;
		smb_tree_get_info(rb[i].tree, &rb[i].t->info);
		smb_session_get_info(ch->session, &rb[i].t->sinfo);
		reopen_publish(p, rb[i].files, rb[i].n_files, gen);
	}
	srv->up = true;
	srv->repair = POOL_REPAIR_NONE;
	srv->down_since_ns = 0;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < n; i++)
		reopen_finish(p, rb[i].tree, rb[i].files, rb[i].n_files);
	free(rb);
	/* The server's reference to the old channel. */
	pool_chan_put(p, old);
	pool_watches_repaired(p);
}

/* One reconnect attempt: log on, trees, files; 0 when published. */
static int reconnect_once(struct pool_server *srv, char *err, size_t errlen)
{
	struct smb_pool *p = srv->pool;
	struct server_rebuild *rb;
	struct pool_chan *ch;
	struct pool_tree *t;
	size_t n = 0, i = 0;
	int rc;

	rc = pool_chan_open(srv, &ch, err, errlen);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&p->lock);
	for (t = srv->trees; t; t = t->next)
		n++;
	rb = calloc(n ? n : 1, sizeof(*rb));
	for (t = srv->trees; rb && t; t = t->next)
		rb[i++].t = t;
	pthread_mutex_unlock(&p->lock);
	if (!rb) {
		pool_chan_put(p, ch);
		return -ENOMEM;
	}
	rc = rebuild_trees(srv, ch, rb, n);
	if (rc < 0) {
		snprintf(err, errlen, "%s", strerror(-rc));
		rebuild_drop(p, rb, n);
		pool_chan_put(p, ch);
		return rc;
	}
	rebuild_publish(srv, ch, rb, n);
	return 0;
}

/* Sleeps ms unless the pool shuts down first; false on shutdown. */
static bool monitor_sleep(struct smb_pool *p, int64_t ms)
{
	int64_t until = pool_now_ns() + ms * 1000000;
	struct timespec ts;

	pthread_mutex_lock(&p->lock);
	while (!p->shutdown && pool_now_ns() < until) {
		pool_poll_deadline(&ts, until);
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return !p->shutdown;
}

static bool pool_stopping(struct smb_pool *p)
{
	bool stop;

	pthread_mutex_lock(&p->lock);
	stop = p->shutdown;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

static void reconnect(struct pool_server *srv)
{
	struct smb_pool *p = srv->pool;
	struct pool_event ev = {.type = POOL_EVENT_RECONNECTED};
	int64_t delay = 0, started = pool_now_ns();
	char err[ERRLEN];
	unsigned int attempt;
	int rc;

	for (attempt = 1;; attempt++) {
		if (delay && !monitor_sleep(p, delay))
			return;
		if (pool_stopping(p))
			return;
		err[0] = '\0';
		rc = reconnect_once(srv, err, sizeof(err));
		if (rc == 0)
			break;
		delay = delay ? delay * 2 : POOL_BACKOFF_FIRST_MS;
		if (delay > POOL_BACKOFF_MAX_MS)
			delay = POOL_BACKOFF_MAX_MS;
		if (!pool_stopping(p))
			smb_log(SMB_LOG_INFO,
				"%s: reconnect attempt %u failed: %s; next in %lld ms",
				srv->host, attempt, err[0] ? err : strerror(-rc),
				(long long)delay);
	}
	atomic_fetch_add(&p->count.reconnects, 1);
	smb_log(SMB_LOG_INFO, "%s: reconnected after %.1f s (attempt %u)",
		srv->host, (double)(pool_now_ns() - started) / 1e9, attempt);
	ev.tree = srv->trees;
	pool_event_post(p, &ev, NULL);
}

static void server_repair(struct pool_server *srv, enum pool_repair what)
{
	struct smb_pool *p = srv->pool;
	struct pool_tree *t;

	if (what == POOL_REPAIR_TREE) {
		for (;;) {
			pthread_mutex_lock(&p->lock);
			for (t = srv->trees; t && !t->broken; t = t->next)
				;
			if (srv->repair == POOL_REPAIR_TREE)
				srv->repair = POOL_REPAIR_NONE;
			pthread_mutex_unlock(&p->lock);
			if (!t)
				return;
			if (repair_tree(srv, t) < 0)
				break;
		}
		/* The tree would not come back: start from the connection. */
		pthread_mutex_lock(&p->lock);
		pool_request_repair(srv, srv->chan, NULL, POOL_REPAIR_CONN);
		pthread_mutex_unlock(&p->lock);
		return;
	}
	reconnect(srv);
}

/* Sends an ECHO when the connection was idle for echo_interval. */
static void server_echo(struct pool_server *srv)
{
	struct smb_pool *p = srv->pool;
	struct pool_chan *ch;
	int rc;

	pthread_mutex_lock(&p->lock);
	ch = srv->up ? srv->chan : NULL;
	if (ch)
		pool_chan_get(ch);
	pthread_mutex_unlock(&p->lock);
	if (!ch)
		return;
	if (smb_conn_idle_ms(smb_session_conn(ch->session)) >=
	    (int64_t)p->cfg.echo_interval_s * 1000) {
		rc = smb_session_echo(ch->session);
		if (rc < 0) {
			smb_log(SMB_LOG_INFO, "%s: no answer to ECHO: %s",
				srv->host, strerror(-rc));
			pthread_mutex_lock(&p->lock);
			pool_request_repair(srv, ch, NULL, POOL_REPAIR_CONN);
			pthread_mutex_unlock(&p->lock);
		}
	}
	pool_chan_put(p, ch);
}

/* The next repair anyone asked for (pool->lock held). */
static struct pool_server *monitor_next(struct smb_pool *p,
					enum pool_repair *what)
{
	struct pool_server *srv;

	for (srv = p->servers; srv; srv = srv->next) {
		if (srv->repair != POOL_REPAIR_NONE) {
			*what = srv->repair;
			return srv;
		}
	}
	return NULL;
}

static void *monitor_main(void *arg)
{
	struct smb_pool *p = arg;
	struct pool_server *srv;
	enum pool_repair what;
	struct timespec ts;

	/* Shutting down interrupts whatever this thread waits for. */
	pool_thread_set_interrupt(&p->stop);
	pthread_mutex_lock(&p->lock);
	while (!p->shutdown) {
		srv = monitor_next(p, &what);
		if (srv) {
			pthread_mutex_unlock(&p->lock);
			server_repair(srv, what);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		for (srv = p->servers; srv; srv = srv->next)
			server_echo(srv);
		pthread_mutex_lock(&p->lock);
		if (p->shutdown || monitor_next(p, &what))
			continue;
		/* Woken by repair requests; echoes need 1 s resolution. */
		pool_poll_deadline(&ts, 0);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pool_monitor_start(struct smb_pool *p)
{
	int rc = pthread_create(&p->monitor, NULL, monitor_main, p);

	if (rc)
		return -rc;
	p->monitor_started = true;
	return 0;
}

void pool_monitor_stop(struct smb_pool *p)
{
	if (!p->monitor_started)
		return;
	atomic_store(&p->stop, 1);
	pthread_mutex_lock(&p->lock);
	p->shutdown = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->monitor, NULL);
	p->monitor_started = false;
}
