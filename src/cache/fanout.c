// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Calls on many paths at once (fanout.h).
 *
 * A batch is one fanout_run: its paths are handed out one at a time, in
 * order, to whichever thread asks next, the caller's own included.
 * Batches wait in a queue, oldest first, so two listings read at once
 * share the workers instead of one waiting for the other.  The workers
 * are joinable threads in fixed slots: one idle for FANOUT_IDLE_S ends
 * and leaves its slot to be joined (and reused) by the next start or by
 * fanout_free, so nothing runs once fanout_free returns.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fanout.h"
#include "smbfs/log.h"
#include "smbfs/pool.h"

#define FANOUT_IDLE_S 10

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_ENDED };

struct fanout_batch {
	const char *const *paths;
	struct smb_stat *sts;
	int *rcs;
	const atomic_int *intr; /* the caller's interrupt flag */
	size_t n, next;		/* next: the first path not handed out yet */
	size_t left;		/* calls not finished yet */
	pthread_cond_t done;
	struct fanout_batch *link;
};

struct fanout_slot {
	struct fanout *f;
	pthread_t tid;
	enum slot_state state;
	/*
	 * tid was started and not joined: written by the starting thread
	 * only (under f->lock), so fanout_free may read it without racing
	 * the worker's own state changes.
	 */
	bool joinable;
};

struct fanout {
	pthread_mutex_t lock;
	pthread_cond_t work;	    /* a batch was queued, or stop */
	struct fanout_batch *queue; /* batches with paths not handed out */
	struct fanout_slot *slots;
	unsigned int max, running, idle;
	bool stop;
	fanout_fn fn;
	void *arg;
};

/* Hands out b's next path (lock held); the batch leaves the queue with
 * its last one. */
static size_t batch_take(struct fanout *f, struct fanout_batch *b)
{
	struct fanout_batch **pp;
	size_t i = b->next++;

	if (b->next == b->n) {
		for (pp = &f->queue; *pp && *pp != b; pp = &(*pp)->link)
			;
		if (*pp)
			*pp = b->link;
	}
	return i;
}

/* Makes call i of b, lock held on entry and on return. */
static void batch_call(struct fanout *f, struct fanout_batch *b, size_t i)
{
	const atomic_int *own = pool_thread_get_interrupt();
	int rc;

	pthread_mutex_unlock(&f->lock);
	/*
	 * A call made for the caller ends when the caller's request is
	 * interrupted (-EINTR), as the caller's own would: it waits for
	 * every call of its batch, the flag outlives them.
	 */
	pool_thread_set_interrupt(b->intr);
	/* Interrupted already: the rest need not go out at all. */
	if (b->intr && atomic_load(b->intr))
		rc = -EINTR;
	else
		rc = f->fn(f->arg, b->paths[i], &b->sts[i]);
	pool_thread_set_interrupt(own);
	pthread_mutex_lock(&f->lock);
	b->rcs[i] = rc;
	if (--b->left == 0)
		pthread_cond_signal(&b->done);
}

/* Waits for work; false when the worker should end (lock held). */
static bool worker_wait(struct fanout *f)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += FANOUT_IDLE_S;
	f->idle++;
	while (!f->queue && !f->stop && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&f->work, &f->lock, &until);
	f->idle--;
	return f->queue != NULL;
}

static void *worker(void *p)
{
	struct fanout_slot *s = p;
	struct fanout *f = s->f;
	struct fanout_batch *b;

	pthread_mutex_lock(&f->lock);
	while (worker_wait(f)) {
		b = f->queue;
		batch_call(f, b, batch_take(f, b));
	}
	s->state = SLOT_ENDED;
	f->running--;
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

/*
 * Starts workers until wanted are idle or new, or max are running (lock
 * held).  Joining an ended worker needs no lock: it has let go of
 * f->lock for good.
 */
static void workers_start(struct fanout *f, size_t wanted)
{
	size_t have = f->idle;
	unsigned int i;
	int rc;

	for (i = 0; i < f->max && have < wanted && f->running < f->max; i++) {
		struct fanout_slot *s = &f->slots[i];

		if (s->state == SLOT_RUNNING)
			continue;
		if (s->state == SLOT_ENDED) {
			pthread_join(s->tid, NULL);
			s->joinable = false;
		}
		s->state = SLOT_FREE;
		rc = pthread_create(&s->tid, NULL, worker, s);
		if (rc) {
			smb_log(SMB_LOG_DEBUG, "cannot start a worker: %s",
				strerror(rc));
			return;
		}
		s->state = SLOT_RUNNING;
		s->joinable = true;
		f->running++;
		have++;
	}
}

struct fanout *fanout_new(unsigned int max_workers, fanout_fn fn, void *arg)
{
	struct fanout *f = calloc(1, sizeof(*f));
	unsigned int i;

	if (!f)
		return NULL;
	f->slots = calloc(max_workers ? max_workers : 1, sizeof(*f->slots));
	if (!f->slots || pthread_mutex_init(&f->lock, NULL)) {
		free(f->slots);
		free(f);
		return NULL;
	}
	if (pthread_cond_init(&f->work, NULL)) {
		pthread_mutex_destroy(&f->lock);
		free(f->slots);
		free(f);
		return NULL;
	}
	for (i = 0; i < max_workers; i++)
		f->slots[i].f = f;
	f->max = max_workers;
	f->fn = fn;
	f->arg = arg;
	return f;
}

void fanout_free(struct fanout *f)
{
	unsigned int i;

	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->work);
	pthread_mutex_unlock(&f->lock);
	for (i = 0; i < f->max; i++)
		if (f->slots[i].joinable)
			pthread_join(f->slots[i].tid, NULL);
	pthread_cond_destroy(&f->work);
	pthread_mutex_destroy(&f->lock);
	free(f->slots);
	free(f);
}

void fanout_run(struct fanout *f, const char *const *paths, size_t n,
		struct smb_stat *sts, int *rcs)
{
	struct fanout_batch b = {
		.paths = paths,
		.sts = sts,
		.rcs = rcs,
		.n = n,
		.left = n,
		.intr = pool_thread_get_interrupt(),
	};
	struct fanout_batch **pp;

	if (!n)
		return;
	if (pthread_cond_init(&b.done, NULL)) {
		/* No way to wait for workers: the calls one by one. */
		for (b.next = 0; b.next < n; b.next++)
			rcs[b.next] =
				f->fn(f->arg, paths[b.next], &sts[b.next]);
		return;
	}
	pthread_mutex_lock(&f->lock);
	for (pp = &f->queue; *pp; pp = &(*pp)->link)
		;
	*pp = &b;
	/* The calling thread is one of the n callers. */
	workers_start(f, n - 1);
	pthread_cond_broadcast(&f->work);
	while (b.next < b.n)
		batch_call(f, &b, batch_take(f, &b));
	while (b.left)
		pthread_cond_wait(&b.done, &f->lock);
	pthread_mutex_unlock(&f->lock);
	pthread_cond_destroy(&b.done);
}
