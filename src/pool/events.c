// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Server events, off the reader threads: the readers (and the monitor
 * thread) queue them here, and one event thread hands them to the file
 * system one at a time.  A reader never blocks on the file system, and
 * the file system never runs on a reader, so it may make calls (such as
 * the acknowledgement of a break, MS-SMB2 3.2.5.19) from its handler.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool_internal.h"

static void event_enqueue(struct smb_pool *p, struct pool_event_item *it)
{
	pthread_mutex_lock(&p->ev_lock);
	if (p->ev_tail)
		p->ev_tail->next = it;
	else
		p->ev_head = it;
	p->ev_tail = it;
	pthread_cond_broadcast(&p->ev_cond);
	pthread_mutex_unlock(&p->ev_lock);
}

void pool_event_post(struct smb_pool *p, const struct pool_event *ev,
		     struct pool_file *file)
{
	struct pool_event_item *it = calloc(1, sizeof(*it));

	if (!it) {
		smb_log(SMB_LOG_ERR, "out of memory: a server event is lost");
		return;
	}
	it->ev = *ev;
	/* pool->lock is held by every caller that passes a file. */
	if (file)
		pool_file_get(file);
	it->file = file;
	event_enqueue(p, it);
}

/* Takes r and the caller's reference to w. */
void pool_event_post_notify(struct smb_pool *p, struct pool_watch *w,
			    struct smb_notify_result *r)
{
	struct pool_event_item *it = calloc(1, sizeof(*it));

	if (!it || !r) {
		smb_log(SMB_LOG_ERR, "out of memory: a change notification is lost");
		free(it);
		smb_notify_result_free(r);
		/* Lock order: the put may take pool->lock; callers hold none. */
		pool_watch_put(w);
		return;
	}
	it->ev.type = POOL_EVENT_NOTIFY;
	it->ev.tree = w->tree;
	it->ev.u.notify.watch = w;
	it->ev.u.notify.owner = w->owner;
	it->ev.u.notify.result = r;
	it->watch = w;
	it->notify = r;
	event_enqueue(p, it);
}

void smb_pool_set_event_handler(struct smb_pool *p, pool_event_fn fn,
				void *arg)
{
	pthread_mutex_lock(&p->ev_lock);
	p->ev_fn = fn;
	p->ev_arg = arg;
	/* The old handler may be running: its owner is about to go. */
	while (p->ev_in_handler)
		pthread_cond_wait(&p->ev_cond, &p->ev_lock);
	pthread_mutex_unlock(&p->ev_lock);
}

/* --- breaks --- */

/* The open file whose handle is fid on this channel (pool->lock held). */
static struct pool_file *file_by_fid(struct pool_server *srv,
				     const struct smb2_fileid *fid)
{
	struct pool_tree *t;
	struct pool_file *f;

	for (t = srv->trees; t; t = t->next)
		for (f = t->files; f; f = f->next)
			if (f->gen == t->gen && !f->lost &&
			    !memcmp(&f->fid, fid, sizeof(*fid)))
				return f;
	return NULL;
}

/* Records a lease's new state in every file that shares the key. */
static struct pool_tree *lease_note(struct pool_server *srv,
				    const struct smb_break *b)
{
	struct pool_tree *t, *found = NULL;
	struct pool_file *f;

	for (t = srv->trees; t; t = t->next) {
		for (f = t->files; f; f = f->next) {
			if (!f->has_lease_key ||
			    memcmp(f->lease_key, b->lease_key, 16))
				continue;
			f->lease_state = b->new_state;
			f->lease_epoch = b->epoch;
			atomic_store(&f->wb_may_hold,
				     b->new_state & SMB2_LEASE_WRITE_CACHING);
			found = t;
			/* Others may change the file now (size, data). */
			if (!(b->new_state & SMB2_LEASE_WRITE_CACHING) &&
			    f->node)
				f->node->size_known = false;
			if (!(b->new_state & SMB2_LEASE_READ_CACHING))
				atomic_fetch_add(&f->ra_epoch, 1);
		}
	}
	return found;
}

void pool_on_break(void *arg, const uint8_t *msg, size_t len)
{
	struct pool_chan *ch = arg;
	struct pool_server *srv = ch->srv;
	struct smb_pool *p = srv->pool;
	struct pool_event ev;
	struct pool_file *f = NULL;
	struct smb_break b;

	if (smb_break_parse(msg, len, &b) < 0) {
		smb_log(SMB_LOG_WARN, "%s: malformed break notification dropped",
			srv->host);
		return;
	}
	memset(&ev, 0, sizeof(ev));
	atomic_fetch_add(b.is_lease ? &p->count.leases_broken
				    : &p->count.oplocks_broken,
			 1);
	pthread_mutex_lock(&p->lock);
	if (b.is_lease) {
		ev.type = POOL_EVENT_LEASE_BREAK;
		ev.tree = lease_note(srv, &b);
		if (!ev.tree)
			ev.tree = srv->trees;
		memcpy(ev.u.lease.key, b.lease_key, 16);
		ev.u.lease.current_state = b.current_state;
		ev.u.lease.new_state = b.new_state;
		ev.u.lease.epoch = b.epoch;
		ev.u.lease.ack_required = b.ack_required;
	} else {
		f = file_by_fid(srv, &b.fid);
		if (!f) {
			pthread_mutex_unlock(&p->lock);
			smb_log(SMB_LOG_DEBUG,
				"%s: oplock break for a handle no longer open",
				srv->host);
			return;
		}
		ev.type = POOL_EVENT_OPLOCK_BREAK;
		/* Level II or none: others may change the file now. */
		if (f->node)
			f->node->size_known = false;
		if (b.oplock_level == SMB2_OPLOCK_LEVEL_NONE)
			atomic_fetch_add(&f->ra_epoch, 1);
		ev.tree = f->tree;
		ev.u.oplock.file = f;
		ev.u.oplock.level = b.oplock_level;
	}
	pool_event_post(p, &ev, f);
	pthread_mutex_unlock(&p->lock);
}

int pool_lease_break_ack(struct pool_tree *t, const uint8_t key[16],
			 uint32_t state)
{
	struct pool_attempt a;
	int rc;

	if (!(state & SMB2_LEASE_WRITE_CACHING))
		pool_lease_write_back(t, key);
	pool_attempt_init(&a, t, NULL);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a,
				       smb_lease_break_ack(a.tree, key, state));
	return rc;
}

int pool_oplock_break_ack(struct pool_file *f, uint8_t level)
{
	struct smb_pool *p = f->tree->srv->pool;
	struct pool_attempt a;
	uint8_t held;
	bool closed;
	int rc;

	pthread_mutex_lock(&p->lock);
	held = f->oplock_granted;
	f->oplock_granted = level;
	closed = f->closing;
	pthread_mutex_unlock(&p->lock);
	/*
	 * MS-SMB2 3.2.5.19.1: a level II oplock goes without an answer,
	 * and closing the handle (the break handler may have closed a
	 * deferred one) answers any: the server would call the
	 * acknowledgement's handle closed.
	 */
	if (held == SMB2_OPLOCK_LEVEL_II || closed)
		return 0;
	pool_file_write_back(f);

	pool_attempt_init(&a, f->tree, f);
	while (pool_attempt_next(&a, &rc))
		rc = pool_attempt_done(&a, smb_oplock_break_ack(a.tree, a.fid,
								level));
	return rc;
}

/* What the pool does with a break nobody else takes: acknowledge it. */
static void event_default(const struct pool_event *ev)
{
	int rc = 0;

	if (ev->type == POOL_EVENT_LEASE_BREAK && ev->u.lease.ack_required &&
	    ev->tree)
		rc = pool_lease_break_ack(ev->tree, ev->u.lease.key,
					  ev->u.lease.new_state);
	else if (ev->type == POOL_EVENT_OPLOCK_BREAK)
		rc = pool_oplock_break_ack(ev->u.oplock.file,
					   ev->u.oplock.level);
	/* A lease our last close already gave back needs no answer. */
	if (rc < 0)
		smb_log(rc == -ENOENT ? SMB_LOG_DEBUG : SMB_LOG_WARN,
			"break acknowledgement failed: %s", strerror(-rc));
}

/* --- the event thread --- */

/*
 * A watch whose answer came within WATCH_BATCH_NS of its last arming is
 * armed again only WATCH_BATCH_NS after that: the server keeps the
 * changes made meanwhile for the open (MS-FSA 2.1.5.10) and returns them
 * together, so a burst of changes (ours, mostly: an untar) costs one
 * CHANGE_NOTIFY per batch instead of one per change.  The first change
 * after a quiet spell is still reported at once.  The batch stays short:
 * while a watch waits, a complete listing of its directory still answers
 * lookups, and another client's new name is not seen.
 */
#define WATCH_BATCH_NS (50 * (int64_t)1000000)

/* Event thread: the event's watch reference moves to the arm list. */
static void watch_rearm(struct smb_pool *p, struct pool_watch *w)
{
	int64_t now = pool_now_ns();
	bool later = w->armed_ns && now - w->armed_ns < WATCH_BATCH_NS;

	if (!later) {
		w->armed_ns = now;
		pool_watch_arm(w);
		pool_watch_put(w);
		return;
	}
	pthread_mutex_lock(&p->ev_lock);
	/*
	 * Two events for one watch (an answer and a repair's overflow) may
	 * both end here: the list holds a watch once, with one reference.
	 */
	if (w->on_arm_list) {
		pthread_mutex_unlock(&p->ev_lock);
		pool_watch_put(w);
		return;
	}
	w->on_arm_list = true;
	w->armed_ns += WATCH_BATCH_NS;
	smb_timed_insert(&p->arm_list, &w->arm, w->armed_ns);
	pthread_mutex_unlock(&p->ev_lock);
}

/*
 * Takes the watches due by now (all: INT64_MAX) off the arm list
 * (ev_lock held), chained by arm_next; *next_ns as io_held_take_due.
 */
static struct pool_watch *arm_list_take_due(struct smb_pool *p, int64_t now,
					    int64_t *next_ns)
{
	struct pool_watch *w, *due = NULL;
	struct smb_timed *t;

	while ((t = smb_timed_pop_due(&p->arm_list, now))) {
		w = smb_timed_entry(t, struct pool_watch, arm);
		w->on_arm_list = false;
		w->arm_next = due;
		due = w;
	}
	*next_ns = smb_timed_next(&p->arm_list);
	return due;
}

static void arm_due(struct pool_watch *due)
{
	struct pool_watch *w;

	while ((w = due)) {
		due = w->arm_next;
		pool_watch_arm(w);
		pool_watch_put(w);
	}
}

/*
 * The next event, or NULL when it is time to arm watches again (*due)
 * or to stop (*stop).
 */
static struct pool_event_item *event_take(struct smb_pool *p,
					  struct pool_watch **due, bool *stop)
{
	struct pool_event_item *it = NULL;
	struct timespec ts;
	int64_t next;

	pthread_mutex_lock(&p->ev_lock);
	for (;;) {
		*due = arm_list_take_due(p, pool_now_ns(), &next);
		if (*due || p->ev_head || p->ev_stop)
			break;
		if (!next) {
			pthread_cond_wait(&p->ev_cond, &p->ev_lock);
			continue;
		}
		pool_poll_deadline(&ts, next);
		pthread_cond_timedwait(&p->ev_cond, &p->ev_lock, &ts);
	}
	it = p->ev_head;
	if (it) {
		p->ev_head = it->next;
		if (!p->ev_head)
			p->ev_tail = NULL;
	}
	*stop = !it && !*due && p->ev_stop;
	pthread_mutex_unlock(&p->ev_lock);
	return it;
}

static void *events_main(void *arg)
{
	struct smb_pool *p = arg;
	struct pool_event_item *it;
	struct pool_watch *due;
	pool_event_fn fn;
	void *fn_arg;
	bool stop = false;

	while (!stop) {
		it = event_take(p, &due, &stop);
		arm_due(due);
		if (!it)
			continue;
		pthread_mutex_lock(&p->ev_lock);
		fn = p->ev_fn;
		fn_arg = p->ev_arg;
		p->ev_in_handler = true;
		pthread_mutex_unlock(&p->ev_lock);
		if (it->ev.type == POOL_EVENT_NOTIFY)
			atomic_fetch_add(&p->count.notify_events, 1);
		if (fn)
			fn(fn_arg, &it->ev);
		else
			event_default(&it->ev);
		pthread_mutex_lock(&p->ev_lock);
		p->ev_in_handler = false;
		pthread_cond_broadcast(&p->ev_cond);
		pthread_mutex_unlock(&p->ev_lock);
		if (it->file)
			pool_file_put(p, it->file);
		/* Handled: watch for the next change. */
		if (it->watch)
			watch_rearm(p, it->watch);
		smb_notify_result_free(it->notify);
		free(it);
	}
	return NULL;
}

int pool_events_start(struct smb_pool *p)
{
	int rc = pthread_create(&p->ev_thread, NULL, events_main, p);

	if (rc)
		return -rc;
	p->ev_started = true;
	return 0;
}

/* Events still queued are dropped: the pool is going away. */
void pool_events_stop(struct smb_pool *p)
{
	struct pool_event_item *it;
	struct pool_watch *w, *due;
	int64_t next;

	if (p->ev_started) {
		pthread_mutex_lock(&p->ev_lock);
		p->ev_stop = true;
		pthread_cond_broadcast(&p->ev_cond);
		pthread_mutex_unlock(&p->ev_lock);
		/* It finishes what is queued: the pool is shut down, so the
		 * handler's calls fail at once. */
		pthread_join(p->ev_thread, NULL);
		p->ev_started = false;
	}
	while ((it = p->ev_head)) {
		p->ev_head = it->next;
		smb_notify_result_free(it->notify);
		free(it);
	}
	p->ev_tail = NULL;
	for (w = arm_list_take_due(p, INT64_MAX, &next); w; w = due) {
		due = w->arm_next;
		pool_watch_put(w);
	}
}
