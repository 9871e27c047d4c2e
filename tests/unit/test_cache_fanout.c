// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cache's fan-out of calls (src/cache/fanout.c): every call of a
 * batch is made once with its result in its slot, as many run at once
 * as there are workers (plus the caller), batches from several threads
 * share the workers, and the calls carry the caller's interrupt flag
 * (none is made once it is raised).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/cache/fanout.h"
#include "cunit_main.h"
#include "smbfs/pool.h"

#define N_PATHS 300

struct probe {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int in, peak, wait_for; /* calls running, most at once */
	bool released; /* wait_for were running at once, or one gave up */
	atomic_uint calls;
	const atomic_int *want_intr; /* the flag every call must carry */
	atomic_uint bad_intr;
};

static struct probe probe_new(unsigned int wait_for)
{
	struct probe p = { .wait_for = wait_for };

	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	return p;
}

static void probe_destroy(struct probe *p)
{
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
}

/*
 * Waits until wait_for calls are running at once (at most 5 s, and only
 * once: a failure cannot hang the test), then answers from the path.
 */
static int probe_fn(void *arg, const char *path, struct smb_stat *st)
{
	struct probe *p = arg;
	struct timespec until;
	int rc = 0;

	atomic_fetch_add(&p->calls, 1);
	if (pool_thread_get_interrupt() != p->want_intr)
		atomic_fetch_add(&p->bad_intr, 1);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&p->lock);
	if (++p->in > p->peak)
		p->peak = p->in;
	if (p->in >= p->wait_for) {
		p->released = true;
		pthread_cond_broadcast(&p->cond);
	}
	while (!p->released && rc == 0)
		rc = pthread_cond_timedwait(&p->cond, &p->lock, &until);
	p->released = true;
	p->in--;
	pthread_mutex_unlock(&p->lock);
	memset(st, 0, sizeof(*st));
	st->file_id = strtoull(path + 1, NULL, 10);
	return st->file_id % 7 == 3 ? -ENOENT : 0;
}

struct batch {
	const char *paths[N_PATHS];
	char names[N_PATHS][16];
	struct smb_stat sts[N_PATHS];
	int rcs[N_PATHS];
};

static struct batch *batch_new(void)
{
	struct batch *b = calloc(1, sizeof(*b));
	int i;

	for (i = 0; b && i < N_PATHS; i++) {
		snprintf(b->names[i], sizeof(b->names[i]), "p%d", i);
		b->paths[i] = b->names[i];
		b->rcs[i] = 1;
	}
	return b;
}

static void batch_check(const struct batch *b)
{
	int i;

	for (i = 0; i < N_PATHS; i++) {
		CU_ASSERT_EQUAL(b->rcs[i], i % 7 == 3 ? -ENOENT : 0);
		CU_ASSERT_EQUAL(b->sts[i].file_id, (uint64_t)i);
	}
}

static void test_all_calls_at_once(void)
{
	struct probe p = probe_new(8 + 1); /* the workers and the caller */
	struct fanout *f = fanout_new(8, probe_fn, &p);
	struct batch *b = batch_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	fanout_run(f, b->paths, N_PATHS, b->sts, b->rcs);
	batch_check(b);
	CU_ASSERT_EQUAL(atomic_load(&p.calls), N_PATHS);
	CU_ASSERT_EQUAL(p.peak, 8 + 1);
	/* Again, with the workers of the first batch idle. */
	atomic_store(&p.calls, 0);
	memset(b->sts, 0, sizeof(b->sts));
	fanout_run(f, b->paths, N_PATHS, b->sts, b->rcs);
	batch_check(b);
	CU_ASSERT_EQUAL(atomic_load(&p.calls), N_PATHS);
	fanout_run(f, b->paths, 0, b->sts, b->rcs);
	fanout_free(f);
	probe_destroy(&p);
	free(b);
}

struct runner {
	struct fanout *f;
	struct batch *b;
};

static void *run_batch(void *arg)
{
	struct runner *r = arg;

	fanout_run(r->f, r->b->paths, N_PATHS, r->b->sts, r->b->rcs);
	return NULL;
}

static void test_batches_share_workers(void)
{
	struct probe p = probe_new(4 + 2); /* the workers and two callers */
	struct fanout *f = fanout_new(4, probe_fn, &p);
	struct runner r[2];
	pthread_t t[2];
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	for (i = 0; i < 2; i++) {
		r[i].f = f;
		r[i].b = batch_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(r[i].b);
		CU_ASSERT_EQUAL_FATAL(
			pthread_create(&t[i], NULL, run_batch, &r[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		batch_check(r[i].b);
		free(r[i].b);
	}
	CU_ASSERT_EQUAL(atomic_load(&p.calls), 2 * N_PATHS);
	fanout_free(f);
	probe_destroy(&p);
}

static void test_caller_interrupt_flag(void)
{
	static atomic_int flag;
	struct probe p = probe_new(1);
	struct fanout *f = fanout_new(4, probe_fn, &p);
	struct batch *b = batch_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	p.want_intr = &flag;
	pool_thread_set_interrupt(&flag);
	fanout_run(f, b->paths, N_PATHS, b->sts, b->rcs);
	CU_ASSERT_EQUAL(atomic_load(&p.bad_intr), 0);
	/* The caller's own flag is left as it was. */
	CU_ASSERT_PTR_EQUAL(pool_thread_get_interrupt(), &flag);
	batch_check(b);
	/* Raised: no call is made, each one says -EINTR. */
	atomic_store(&flag, 1);
	atomic_store(&p.calls, 0);
	fanout_run(f, b->paths, N_PATHS, b->sts, b->rcs);
	CU_ASSERT_EQUAL(atomic_load(&p.calls), 0);
	CU_ASSERT_EQUAL(b->rcs[0], -EINTR);
	CU_ASSERT_EQUAL(b->rcs[N_PATHS - 1], -EINTR);
	pool_thread_set_interrupt(NULL);
	fanout_free(f);
	probe_destroy(&p);
	free(b);
}

static CU_TestInfo fanout_tests[] = {
	{"every call once, workers and caller at once", test_all_calls_at_once},
	{"batches of two threads share the workers",
	 test_batches_share_workers},
	{"calls carry the caller's interrupt flag", test_caller_interrupt_flag},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"cache fan-out", NULL, NULL, NULL, NULL, fanout_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
