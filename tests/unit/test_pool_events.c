// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool's event thread (src/pool/events.c) with no server: change
 * notifications for one watch, posted faster than the re-arm batching
 * interval and more than once per batch (an answer and a reconnect's
 * overflow both queued), are each handed to the handler, the thread
 * stays responsive, and every reference the events took is given back.
 * The watch is stopped, so arming it again sends nothing.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "cunit_main.h"
#include "../../src/pool/pool_internal.h"

static atomic_int handled;

static void count_event(void *arg, const struct pool_event *ev)
{
	(void)arg;
	if (ev->type == POOL_EVENT_NOTIFY)
		atomic_fetch_add(&handled, 1);
}

static struct smb_pool *pool_for_events(void)
{
	struct smb_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pool_cond_init(&p->cond);
	pthread_mutex_init(&p->ev_lock, NULL);
	pool_cond_init(&p->ev_cond);
	return p;
}

static void pool_for_events_free(struct smb_pool *p)
{
	pthread_cond_destroy(&p->ev_cond);
	pthread_mutex_destroy(&p->ev_lock);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static struct pool_watch *stopped_watch(struct smb_pool *p)
{
	struct pool_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->pool = p;
	w->stopped = true;
	w->refs = 1; /* the test's own */
	return w;
}

static void post_overflow(struct smb_pool *p, struct pool_watch *w)
{
	struct smb_notify_result *r = calloc(1, sizeof(*r));

	r->overflow = true;
	pthread_mutex_lock(&p->lock);
	pool_watch_get(w); /* the event's, as a request or a repair takes */
	pthread_mutex_unlock(&p->lock);
	pool_event_post_notify(p, w, r);
}

static unsigned int watch_refs(struct smb_pool *p, struct pool_watch *w)
{
	unsigned int n;

	pthread_mutex_lock(&p->lock);
	n = w->refs;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Waits up to 5 s for the handler count to reach want. */
static bool handled_reaches(int want)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		if (atomic_load(&handled) >= want)
			return true;
		nanosleep(&ms, NULL);
	}
	return false;
}

static void test_burst_for_one_watch(void)
{
	struct timespec settle = { 0, 300 * 1000000 };
	struct smb_pool *p = pool_for_events();
	struct pool_watch *w, *other;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	w = stopped_watch(p);
	other = stopped_watch(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	atomic_store(&handled, 0);
	smb_pool_set_event_handler(p, count_event, NULL);
	CU_ASSERT_EQUAL_FATAL(pool_events_start(p), 0);
	/* Within one batching interval: the second and later are held. */
	for (i = 0; i < 5; i++)
		post_overflow(p, w);
	CU_ASSERT_TRUE(handled_reaches(5));
	/* Past the interval the held watch is armed (and let go). */
	nanosleep(&settle, NULL);
	post_overflow(p, other);
	CU_ASSERT_TRUE(handled_reaches(6));
	nanosleep(&settle, NULL);
	CU_ASSERT_EQUAL(watch_refs(p, w), 1);
	CU_ASSERT_EQUAL(watch_refs(p, other), 1);
	pthread_mutex_lock(&p->ev_lock);
	CU_ASSERT_PTR_NULL(p->arm_list.head);
	pthread_mutex_unlock(&p->ev_lock);
	pool_events_stop(p);
	free(w);
	free(other);
	pool_for_events_free(p);
}

/*
 * The pool's timed waits (a writer waiting for room, a reader for a
 * READ, pool_io_stop) take their deadline from CLOCK_MONOTONIC: on a
 * condition variable of the default clock that deadline lies decades in
 * the past, and every wait returned at once - the waiters spun.
 */
static void test_timed_wait_waits(void)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond;
	struct timespec ts;
	int64_t t0, waited;
	int rc;

	CU_ASSERT_EQUAL_FATAL(pool_cond_init(&cond), 0);
	pthread_mutex_lock(&lock);
	t0 = pool_now_ns();
	pool_poll_deadline(&ts, 0);
	rc = pthread_cond_timedwait(&cond, &lock, &ts);
	waited = pool_now_ns() - t0;
	pthread_mutex_unlock(&lock);
	CU_ASSERT_EQUAL(rc, ETIMEDOUT);
	CU_ASSERT(waited >= (int64_t)POOL_POLL_MS * 1000000 / 2);
	CU_ASSERT(waited < (int64_t)POOL_POLL_MS * 1000000 * 20);
	pthread_cond_destroy(&cond);
}

/*
 * A timed list (the I/O thread's held files, the event thread's watches
 * to arm) gives its items back in the order they are due, whatever the
 * order they came in, and none before its time.
 */
static void test_timed_list_order(void)
{
	struct smb_timed_list l = { 0 };
	struct smb_timed t[5];
	static const int64_t at[5] = { 30, 10, 50, 20, 50 };
	static const int want[5] = { 1, 3, 0, 2, 4 };
	int i;

	for (i = 0; i < 5; i++)
		smb_timed_insert(&l, &t[i], at[i]);
	CU_ASSERT_EQUAL(smb_timed_next(&l), 10);
	CU_ASSERT_PTR_NULL(smb_timed_pop_due(&l, 9));
	CU_ASSERT_PTR_EQUAL(smb_timed_pop_due(&l, 25), &t[1]);
	CU_ASSERT_PTR_EQUAL(smb_timed_pop_due(&l, 25), &t[3]);
	CU_ASSERT_PTR_NULL(smb_timed_pop_due(&l, 25));
	CU_ASSERT_EQUAL(smb_timed_next(&l), 30);
	for (i = 2; i < 5; i++)
		CU_ASSERT_PTR_EQUAL(smb_timed_pop_due(&l, INT64_MAX),
				    &t[want[i]]);
	CU_ASSERT_PTR_NULL(smb_timed_pop_due(&l, INT64_MAX));
	CU_ASSERT_PTR_NULL(l.head);
	CU_ASSERT_PTR_NULL(l.tail);
	CU_ASSERT_EQUAL(smb_timed_next(&l), 0);
}

static CU_TestInfo event_tests[] = {
	{ "a timed list gives its items back in order", test_timed_list_order },
	{ "a burst of notifications for one watch", test_burst_for_one_watch },
	{ "a timed wait on a pool condition variable waits",
	  test_timed_wait_waits },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "event thread", NULL, NULL, NULL, NULL, event_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
