// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte-range locks: the owners' table, its union and the plans that
 * bring one SMB handle's locks to it (src/fs/lock_table.c), then the
 * filesystem's lock requests (src/fs/ops_lock.c) against a model of the
 * server's lock rules (MS-FSA 2.1.5.8/9): locks per handle, a shared lock
 * may stack on the same handle's exclusive one, an exclusive lock
 * conflicts with every overlapping lock, an unlock names one lock's exact
 * range and takes the exclusive one first.
 *
 * ops_lock.c is included so its static functions can be called with a
 * lease state of the test's choosing; pool_file_lock goes to the model,
 * which tells handles apart by their struct pool_file pointer, and
 * fs_handle_lock_state to the test's two handles.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "cunit_main.h"
#include "../../src/fs/lock_table.h"
#include "../../src/fs/smbfs.h"

static int model_lock(struct pool_file *f, uint64_t off, uint64_t len,
		      uint32_t flags);
static struct fs_lock_state *test_handle_lock_state(struct smbfs_handle *h);
#define pool_file_lock	     model_lock
#define fs_handle_lock_state test_handle_lock_state
#include "../../src/fs/ops_lock.c"
#undef pool_file_lock
#undef fs_handle_lock_state

/* sqlite's lock bytes (os_unix.c). */
#define PENDING_BYTE  0x40000000ull
#define RESERVED_BYTE (PENDING_BYTE + 1)
#define SHARED_FIRST  (PENDING_BYTE + 2)
#define SHARED_SIZE   510ull

#define SH LOCK_TYPE_SHARED
#define EX LOCK_TYPE_EXCLUSIVE
#define UN LOCK_TYPE_NONE

/* --- the server model --- */

#define MODEL_MAX 64
#define CALLS_MAX 512
/* This mount's two handles, and one of another client. */
#define HA	1
#define HB	2
#define FOREIGN 99

struct model_lock {
	uintptr_t handle;
	uint64_t off, len;
	bool exclusive;
};

struct model_call {
	uintptr_t handle;
	uint64_t off, len;
	uint32_t flags;
};

static struct {
	struct model_lock locks[MODEL_MAX];
	int count;
	struct model_call calls[CALLS_MAX];
	int ncalls;
	/* Times two handles of this mount held overlapping locks. */
	int overlaps;
} model;

static bool model_overlap(const struct model_lock *m, uint64_t off,
			  uint64_t len)
{
	return m->off < off + len && off < m->off + m->len;
}

static int model_unlock(uintptr_t handle, uint64_t off, uint64_t len)
{
	int i, found = -1;

	for (i = 0; i < model.count; i++) {
		const struct model_lock *m = &model.locks[i];

		if (m->handle == handle && m->off == off && m->len == len &&
		    (found < 0 || m->exclusive))
			found = i;
	}
	if (found < 0)
		return -ENOLCK;
	model.locks[found] = model.locks[--model.count];
	return 0;
}

static void model_count_overlaps(void)
{
	int i, j;

	for (i = 0; i < model.count; i++) {
		for (j = i + 1; j < model.count; j++) {
			const struct model_lock *a = &model.locks[i];
			const struct model_lock *b = &model.locks[j];

			if (a->handle != b->handle && a->handle != FOREIGN &&
			    b->handle != FOREIGN &&
			    model_overlap(a, b->off, b->len))
				model.overlaps++;
		}
	}
}

static int model_lock(struct pool_file *f, uint64_t off, uint64_t len,
		      uint32_t flags)
{
	uintptr_t handle = (uintptr_t)f;
	bool exclusive = flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
	int i;

	if (model.ncalls < CALLS_MAX)
		model.calls[model.ncalls++] =
			(struct model_call){ handle, off, len, flags };
	if (flags & SMB2_LOCKFLAG_UNLOCK)
		return model_unlock(handle, off, len);
	for (i = 0; i < model.count; i++) {
		const struct model_lock *m = &model.locks[i];

		if (model_overlap(m, off, len) &&
		    (exclusive || (m->exclusive && m->handle != handle)))
			return -EAGAIN;
	}
	if (model.count == MODEL_MAX)
		return -ENOMEM;
	model.locks[model.count++] =
		(struct model_lock){ handle, off, len, exclusive };
	model_count_overlaps();
	return 0;
}

static bool model_has(uintptr_t handle, uint64_t off, uint64_t len,
		      bool exclusive)
{
	int i;

	for (i = 0; i < model.count; i++) {
		if (model.locks[i].handle == handle &&
		    model.locks[i].off == off && model.locks[i].len == len &&
		    model.locks[i].exclusive == exclusive)
			return true;
	}
	return false;
}

static int foreign_lock(uint64_t off, uint64_t len, bool exclusive)
{
	return model_lock((struct pool_file *)FOREIGN, off, len,
			  exclusive ? SMB2_LOCKFLAG_EXCLUSIVE_LOCK
				    : SMB2_LOCKFLAG_SHARED_LOCK);
}

static int foreign_unlock(uint64_t off, uint64_t len)
{
	return model_lock((struct pool_file *)FOREIGN, off, len,
			  SMB2_LOCKFLAG_UNLOCK);
}

/* Index of the first call matching handle, range and flags, or -1. */
static int model_call_index(uintptr_t handle, uint64_t off, uint64_t len,
			    uint32_t flags)
{
	int i;

	for (i = 0; i < model.ncalls; i++) {
		const struct model_call *c = &model.calls[i];

		if (c->handle == handle && c->off == off && c->len == len &&
		    (c->flags & ~SMB2_LOCKFLAG_FAIL_IMMEDIATELY) == flags)
			return i;
	}
	return -1;
}

/* No call of this mount went through another handle than `handle`. */
static bool model_only_handle(uintptr_t handle)
{
	int i;

	for (i = 0; i < model.ncalls; i++) {
		if (model.calls[i].handle != handle &&
		    model.calls[i].handle != FOREIGN)
			return false;
	}
	return true;
}

/* --- one file of the mount, open through two handles --- */

static struct {
	struct smbfs fs;
	struct smbfs_inode in;
	struct smbfs_handle ha, hb;
	struct fs_lock_state *la, *lb;
} fx;

static struct fs_lock_state *test_handle_lock_state(struct smbfs_handle *h)
{
	return h == &fx.ha ? fx.la : fx.lb;
}

static void fixture_init(void)
{
	memset(&model, 0, sizeof(model));
	memset(&fx, 0, sizeof(fx));
	CU_ASSERT_EQUAL_FATAL(pthread_mutex_init(&fx.fs.lock, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_cond_init(&fx.fs.closed, NULL), 0);
	fx.in.ino = 5;
	fx.la = fs_lock_state_new();
	fx.lb = fs_lock_state_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.la);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fx.lb);
	fx.ha = (struct smbfs_handle){ .fs = &fx.fs,
				       .inode = &fx.in,
				       .file = (struct pool_file *)HA,
				       .inode_next = &fx.hb };
	fx.hb = (struct smbfs_handle){ .fs = &fx.fs,
				       .inode = &fx.in,
				       .file = (struct pool_file *)HB };
	fx.in.handles = &fx.ha;
}

/* Both descriptions end: nothing may stay locked or allocated. */
static void fixture_free(void)
{
	fs_locks_handle_release(&fx.ha);
	fs_locks_handle_release(&fx.hb);
	CU_ASSERT_PTR_NULL(fx.in.locks);
	CU_ASSERT_EQUAL(model.count, 0);
	CU_ASSERT_EQUAL(model.overlaps, 0);
	fs_lock_state_free(fx.la);
	fs_lock_state_free(fx.lb);
	pthread_cond_destroy(&fx.fs.closed);
	pthread_mutex_destroy(&fx.fs.lock);
}

static int change(struct smbfs_handle *h, const struct lock_entry *want,
		  uint32_t lease)
{
	struct lock_ctx c;
	int rc;

	CU_ASSERT_EQUAL_FATAL(lock_ctx_open(&c, &fx.fs, &fx.in, h, true), 0);
	rc = want->kind == LOCK_KIND_FLOCK ? flock_change(&c, want, lease)
					   : locks_change(&c, want, lease);
	lock_ctx_close(&c);
	return rc;
}

/* F_SETLK by owner through h, with the lease state given. */
static int setlk_lease(struct smbfs_handle *h, uint64_t owner, uint64_t off,
		       uint64_t len, enum lock_type type, uint32_t lease)
{
	const struct lock_entry want = {
		.owner = owner,
		.kind = LOCK_KIND_POSIX,
		.via = h,
		.pid = (pid_t)(1000 + owner),
		.range = { .off = off, .len = len, .type = type },
	};

	return change(h, &want, lease);
}

static int setlk(struct smbfs_handle *h, uint64_t owner, uint64_t off,
		 uint64_t len, enum lock_type type)
{
	return setlk_lease(h, owner, off, len, type, 0);
}

static int flock_to(struct smbfs_handle *h, enum lock_type type)
{
	const struct lock_entry want = {
		.owner = (uintptr_t)h,
		.kind = LOCK_KIND_FLOCK,
		.via = h,
		.range = { .off = FLOCK_OFFSET,
			   .len = FLOCK_LENGTH,
			   .type = type },
	};

	return change(h, &want, 0);
}

/* F_GETLK by owner through h. */
static struct flock getlk(struct smbfs_handle *h, uint64_t owner, uint64_t off,
			  uint64_t len, short type)
{
	struct flock fl = { .l_type = type,
			    .l_whence = SEEK_SET,
			    .l_start = (off_t)off,
			    .l_len = (off_t)len };
	struct lock_entry want;
	struct lock_ctx c;

	CU_ASSERT_EQUAL_FATAL(lock_ctx_open(&c, &fx.fs, &fx.in, h, true), 0);
	CU_ASSERT_EQUAL(lock_entry_posix(&fl, owner, h, &want), 0);
	CU_ASSERT_EQUAL(lock_test(&c, &want, 0, &fl), 0);
	lock_ctx_close(&c);
	return fl;
}

/* --- the table --- */

static struct lock_entry entry(uint64_t owner, uint64_t off, uint64_t len,
			       enum lock_type type)
{
	return (struct lock_entry){
		.owner = owner,
		.kind = LOCK_KIND_POSIX,
		.range = { .off = off, .len = len, .type = type },
	};
}

static bool table_has(const struct lock_table *t, uint64_t owner, uint64_t off,
		      uint64_t len, enum lock_type type)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->e[i].owner == owner && t->e[i].range.off == off &&
		    t->e[i].range.len == len && t->e[i].range.type == type)
			return true;
	}
	return false;
}

static void table_set(struct lock_table *t, uint64_t owner, uint64_t off,
		      uint64_t len, enum lock_type type)
{
	const struct lock_entry e = entry(owner, off, len, type);

	CU_ASSERT_EQUAL(lock_table_set(t, &e), 0);
}

static void test_table_merges_and_splits(void)
{
	struct lock_table t = { 0 };

	table_set(&t, 1, 0, 10, EX);
	table_set(&t, 1, 10, 10, EX); /* touching, same type: one lock */
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT(table_has(&t, 1, 0, 20, EX));
	table_set(&t, 2, 0, 100, SH); /* another owner's stay apart */
	table_set(&t, 1, 5, 10, SH);  /* splits the exclusive lock */
	CU_ASSERT_EQUAL(t.n, 4);
	CU_ASSERT(table_has(&t, 1, 0, 5, EX));
	CU_ASSERT(table_has(&t, 1, 5, 10, SH));
	CU_ASSERT(table_has(&t, 1, 15, 5, EX));
	table_set(&t, 1, 15, 10, SH); /* merges with the shared one */
	CU_ASSERT(table_has(&t, 1, 5, 20, SH));
	CU_ASSERT(table_has(&t, 1, 0, 5, EX));
	table_set(&t, 1, 2, 20, UN); /* an unlock across both */
	CU_ASSERT(table_has(&t, 1, 0, 2, EX));
	CU_ASSERT(table_has(&t, 1, 22, 3, SH));
	CU_ASSERT_EQUAL(lock_table_owner_type(&t, 1, LOCK_KIND_POSIX), EX);
	table_set(&t, 1, 0, UINT64_MAX, UN);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT(table_has(&t, 2, 0, 100, SH));
	lock_table_free(&t);
}

static void test_table_conflicts(void)
{
	struct lock_table t = { 0 };
	struct lock_entry want = entry(2, 5, 1, SH);

	table_set(&t, 1, 0, 10, SH);
	CU_ASSERT_PTR_NULL(lock_table_conflict(&t, &want));
	want.range.type = EX;
	CU_ASSERT_PTR_NOT_NULL(lock_table_conflict(&t, &want));
	want.owner = 1; /* one's own locks never conflict */
	CU_ASSERT_PTR_NULL(lock_table_conflict(&t, &want));
	want.owner = 2;
	want.kind = LOCK_KIND_FLOCK; /* nor do flock and POSIX locks */
	CU_ASSERT_PTR_NULL(lock_table_conflict(&t, &want));
	want = entry(2, 10, 5, EX); /* adjacent */
	CU_ASSERT_PTR_NULL(lock_table_conflict(&t, &want));
	lock_table_drop_owner(&t, 1, LOCK_KIND_POSIX);
	CU_ASSERT_EQUAL(t.n, 0);
	lock_table_free(&t);
}

static void test_table_drop_via(void)
{
	struct lock_table t = { 0 };
	struct lock_entry a = entry(1, 0, 10, EX), b = entry(2, 20, 10, SH);

	a.via = &fx.ha;
	b.via = &fx.hb;
	CU_ASSERT_EQUAL(lock_table_set(&t, &a), 0);
	CU_ASSERT_EQUAL(lock_table_set(&t, &b), 0);
	lock_table_drop_via(&t, &fx.ha);
	CU_ASSERT_EQUAL(t.n, 1);
	CU_ASSERT(table_has(&t, 2, 20, 10, SH));
	lock_table_free(&t);
}

static void test_union(void)
{
	struct lock_table t = { 0 };
	struct lock_ranges u;

	table_set(&t, 1, 0, 10, SH);
	table_set(&t, 2, 5, 10, EX);
	table_set(&t, 3, 15, 5, EX); /* touches 2's: one exclusive run */
	table_set(&t, 3, 40, 10, SH);
	CU_ASSERT_EQUAL_FATAL(lock_table_union(&t, &u), 0);
	CU_ASSERT_EQUAL_FATAL(u.n, 3);
	CU_ASSERT(u.r[0].off == 0 && u.r[0].len == 5 && u.r[0].type == SH);
	CU_ASSERT(u.r[1].off == 5 && u.r[1].len == 15 && u.r[1].type == EX);
	CU_ASSERT(u.r[2].off == 40 && u.r[2].len == 10 && u.r[2].type == SH);
	lock_ranges_free(&u);
	lock_table_free(&t);
}

static void test_gaps(void)
{
	const struct lock_range r[2] = { { 10, 10, SH }, { 50, 10, EX } };
	const struct lock_ranges rs = { (struct lock_range *)r, 2, 2 };
	uint64_t pos = 0, len = 0;

	CU_ASSERT(lock_ranges_next_gap(&rs, &pos, 100, &len));
	CU_ASSERT(pos == 0 && len == 10);
	pos = 10;
	CU_ASSERT(lock_ranges_next_gap(&rs, &pos, 100, &len));
	CU_ASSERT(pos == 20 && len == 30);
	pos = 55;
	CU_ASSERT(lock_ranges_next_gap(&rs, &pos, 100, &len));
	CU_ASSERT(pos == 60 && len == 40);
	pos = 50;
	CU_ASSERT_FALSE(lock_ranges_next_gap(&rs, &pos, 60, &len));
}

/* --- plans --- */

struct ranges_buf {
	struct lock_range r[4];
	struct lock_ranges rs;
};

static const struct lock_ranges *ranges(struct ranges_buf *b, size_t n,
					const struct lock_range *r)
{
	memcpy(b->r, r, n * sizeof(*r));
	b->rs = (struct lock_ranges){ b->r, n, n };
	return &b->rs;
}

static bool range_is(const struct lock_range *r, uint64_t off, uint64_t len,
		     enum lock_type type)
{
	return r->off == off && r->len == len && r->type == type;
}

/* A downgrade stacks the shared lock first: no gap. */
static void test_plan_downgrade(void)
{
	const struct lock_range ex = { 0, 10, EX }, sh = { 0, 10, SH };
	struct ranges_buf held, target;
	struct lock_plan p;

	CU_ASSERT_EQUAL_FATAL(lock_plan_make(ranges(&held, 1, &ex), &held.rs,
					     ranges(&target, 1, &sh), &p),
			      0);
	CU_ASSERT_EQUAL_FATAL(p.n_first, 1);
	CU_ASSERT(range_is(&p.first[0].range, 0, 10, SH));
	CU_ASSERT_FALSE(p.first[0].requested);
	CU_ASSERT_EQUAL_FATAL(p.remove.n, 1);
	CU_ASSERT(range_is(&p.remove.r[0], 0, 10, EX));
	CU_ASSERT_EQUAL(p.n_last, 0);
	lock_plan_free(&p);
}

/* An upgrade releases first, and its refusal fails the request. */
static void test_plan_upgrade(void)
{
	const struct lock_range ex = { 0, 10, EX }, sh = { 0, 10, SH };
	struct ranges_buf held, target;
	struct lock_plan p;

	CU_ASSERT_EQUAL_FATAL(lock_plan_make(ranges(&held, 1, &sh), &held.rs,
					     ranges(&target, 1, &ex), &p),
			      0);
	CU_ASSERT_EQUAL(p.n_first, 0);
	CU_ASSERT_EQUAL(p.remove.n, 1);
	CU_ASSERT_EQUAL_FATAL(p.n_last, 1);
	CU_ASSERT(range_is(&p.last[0].range, 0, 10, EX));
	CU_ASSERT(p.last[0].requested);
	lock_plan_free(&p);
}

/* Splitting an exclusive lock: released, then the rest taken again. */
static void test_plan_split(void)
{
	const struct lock_range ex = { 0, 100, EX };
	const struct lock_range two[2] = { { 0, 40, EX }, { 60, 40, EX } };
	struct ranges_buf held, target;
	struct lock_plan p;

	CU_ASSERT_EQUAL_FATAL(lock_plan_make(ranges(&held, 1, &ex), &held.rs,
					     ranges(&target, 2, two), &p),
			      0);
	CU_ASSERT_EQUAL(p.n_first, 0);
	CU_ASSERT_EQUAL(p.remove.n, 1);
	CU_ASSERT_EQUAL_FATAL(p.n_last, 2);
	CU_ASSERT_FALSE(p.last[0].requested || p.last[1].requested);
	lock_plan_free(&p);
}

/*
 * sqlite back to SHARED: the PENDING and RESERVED locks next to the
 * shared range stay as they are while the range is downgraded.
 */
static void test_plan_keeps_neighbours(void)
{
	const struct lock_range before[3] = {
		{ PENDING_BYTE, 1, EX },
		{ RESERVED_BYTE, 1, EX },
		{ SHARED_FIRST, SHARED_SIZE, EX },
	};
	const struct lock_range after[2] = {
		{ PENDING_BYTE, 2, EX },
		{ SHARED_FIRST, SHARED_SIZE, SH },
	};
	struct ranges_buf held, target;
	struct lock_plan p;

	CU_ASSERT_EQUAL_FATAL(lock_plan_make(ranges(&held, 3, before), &held.rs,
					     ranges(&target, 2, after), &p),
			      0);
	CU_ASSERT_EQUAL(p.keep.n, 2);
	CU_ASSERT_EQUAL_FATAL(p.n_first, 1);
	CU_ASSERT(range_is(&p.first[0].range, SHARED_FIRST, SHARED_SIZE, SH));
	CU_ASSERT_EQUAL_FATAL(p.remove.n, 1);
	CU_ASSERT(range_is(&p.remove.r[0], SHARED_FIRST, SHARED_SIZE, EX));
	lock_plan_free(&p);
}

/* What the change asks for is tried before anything is stacked. */
static void test_plan_requested_first(void)
{
	const struct lock_range ex = { 0, 10, EX }, sh = { 0, 20, SH };
	struct ranges_buf held, target;
	struct lock_plan p;

	CU_ASSERT_EQUAL_FATAL(lock_plan_make(ranges(&held, 1, &ex), &held.rs,
					     ranges(&target, 1, &sh), &p),
			      0);
	CU_ASSERT_EQUAL_FATAL(p.n_first, 2);
	CU_ASSERT(range_is(&p.first[0].range, 10, 10, SH));
	CU_ASSERT(p.first[0].requested);
	CU_ASSERT(range_is(&p.first[1].range, 0, 10, SH));
	CU_ASSERT_FALSE(p.first[1].requested);
	lock_plan_free(&p);
}

/* --- requests against the server model --- */

/*
 * The sequence that Samba's "posix locking = yes" mishandles when two
 * handles of one connection lock (two sqlite3 processes on one mount):
 * A SHARED, B SHARED, A unlocks, B unlocks, B EXCLUSIVE.  Here both
 * owners' locks go through one handle and never overlap on two.
 */
static void test_sqlite_two_owners(void)
{
	int i;

	fixture_init();
	for (i = 0; i < 2; i++) {
		struct smbfs_handle *h = i ? &fx.hb : &fx.ha;

		CU_ASSERT_EQUAL(setlk(h, i + 1, PENDING_BYTE, 1, SH), 0);
		CU_ASSERT_EQUAL(setlk(h, i + 1, SHARED_FIRST, SHARED_SIZE, SH),
				0);
		CU_ASSERT_EQUAL(setlk(h, i + 1, PENDING_BYTE, 1, UN), 0);
	}
	CU_ASSERT_EQUAL(model.count, 1);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 0, UINT64_MAX, UN), 0);
	CU_ASSERT(model_has(HA, SHARED_FIRST, SHARED_SIZE, false));
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, RESERVED_BYTE, 1, EX), 0);
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, PENDING_BYTE, 1, EX), 0);
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, SHARED_FIRST, SHARED_SIZE, EX), 0);
	CU_ASSERT(model_has(HA, SHARED_FIRST, SHARED_SIZE, true));
	CU_ASSERT_EQUAL(foreign_lock(PENDING_BYTE, 1, false), -EAGAIN);
	/* A local reader is refused here, not by the server. */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, PENDING_BYTE, 1, SH), -EAGAIN);
	/* Back to SHARED: downgrade, then one unlock of both bytes. */
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, SHARED_FIRST, SHARED_SIZE, SH), 0);
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, PENDING_BYTE, 2, UN), 0);
	CU_ASSERT_EQUAL(model.count, 1);
	CU_ASSERT(model_has(HA, SHARED_FIRST, SHARED_SIZE, false));
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, 0, UINT64_MAX, UN), 0);
	CU_ASSERT_EQUAL(model.count, 0);
	CU_ASSERT(model_only_handle(HA));
	CU_ASSERT_EQUAL(foreign_lock(SHARED_FIRST, SHARED_SIZE, true), 0);
	CU_ASSERT_EQUAL(foreign_unlock(SHARED_FIRST, SHARED_SIZE), 0);
	fixture_free();
}

/* POSIX locks belong to the owner and the file, not the descriptor. */
static void test_owner_not_descriptor(void)
{
	fixture_init();
	CU_ASSERT_EQUAL(setlk(&fx.ha, 7, 0, 10, EX), 0);
	CU_ASSERT_EQUAL(setlk(&fx.hb, 7, 5, 10, EX), 0); /* no conflict */
	CU_ASSERT(model_has(HA, 0, 10, true) || model_has(HA, 0, 15, true));
	CU_ASSERT_EQUAL(setlk(&fx.hb, 7, 0, 100, UN), 0);
	CU_ASSERT_EQUAL(model.count, 0);
	/* close(2) of either descriptor releases. */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 7, 0, 10, SH), 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 8, 0, 10, EX), -EAGAIN);
	fs_locks_release_owner(&fx.hb, 7);
	CU_ASSERT_EQUAL(model.count, 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 8, 0, 10, EX), 0);
	fixture_free();
}

/* Local owners are settled locally: nothing reaches the server. */
static void test_local_conflict(void)
{
	int calls;

	fixture_init();
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 0, 10, EX), 0);
	calls = model.ncalls;
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, 5, 1, SH), -EAGAIN);
	CU_ASSERT_EQUAL(model.ncalls, calls);
	/* Shared locks of two owners: the server holds one. */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 0, 10, SH), 0);
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, 0, 10, SH), 0);
	CU_ASSERT_EQUAL(model.count, 1);
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, 0, 10, EX), -EAGAIN);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 0, 10, UN), 0);
	CU_ASSERT(model_has(HA, 0, 10, false)); /* 2 still reads */
	CU_ASSERT_EQUAL(setlk(&fx.hb, 2, 0, 10, EX), 0);
	CU_ASSERT(model_has(HA, 0, 10, true));
	CU_ASSERT_EQUAL(model.count, 1);
	fixture_free();
}

/* Another client reads: the upgrade fails and the shared lock stays. */
static void test_refused_upgrade(void)
{
	fixture_init();
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 100, 10, SH), 0);
	CU_ASSERT_EQUAL(foreign_lock(100, 10, false), 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 100, 10, EX), -EAGAIN);
	CU_ASSERT(model_has(HA, 100, 10, false));
	CU_ASSERT(table_has(&fx.in.locks->table, 1, 100, 10, SH));
	/* A refused request leaves nothing new behind either. */
	CU_ASSERT_EQUAL(foreign_lock(200, 10, true), 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 150, 100, SH), -EAGAIN);
	CU_ASSERT_EQUAL(model.count, 3);
	CU_ASSERT_EQUAL(foreign_unlock(200, 10), 0);
	CU_ASSERT_EQUAL(foreign_unlock(100, 10), 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 100, 10, EX), 0);
	CU_ASSERT(model_has(HA, 100, 10, true));
	CU_ASSERT_EQUAL(model.count, 1);
	fixture_free();
}

/* A downgrade stacks the shared lock before the exclusive one goes. */
static void test_downgrade_order(void)
{
	int stacked, released;

	fixture_init();
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 0, 10, EX), 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 0, 10, SH), 0);
	stacked = model_call_index(HA, 0, 10, SMB2_LOCKFLAG_SHARED_LOCK);
	released = model_call_index(HA, 0, 10, SMB2_LOCKFLAG_UNLOCK);
	CU_ASSERT(stacked >= 0 && released > stacked);
	CU_ASSERT(model_has(HA, 0, 10, false));
	CU_ASSERT_EQUAL(model.count, 1);
	/* Part of an exclusive lock unlocked: the rest is held again. */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 20, 30, EX), 0);
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 30, 10, UN), 0);
	CU_ASSERT(model_has(HA, 20, 10, true));
	CU_ASSERT(model_has(HA, 40, 10, true));
	fixture_free();
}

/*
 * The handle holding the file's locks is released while another stays
 * open: its locks move, released on the old handle before being taken
 * on the new one.
 */
static void test_release_moves_locks(void)
{
	int freed, taken;

	fixture_init();
	CU_ASSERT_EQUAL(setlk(&fx.hb, 1, 100, 10, SH), 0); /* through hb */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 2, 0, 10, EX), 0);
	CU_ASSERT(model_has(HB, 0, 10, true));
	fs_locks_handle_release(&fx.hb);
	freed = model_call_index(HB, 0, 10, SMB2_LOCKFLAG_UNLOCK);
	taken = model_call_index(HA, 0, 10, SMB2_LOCKFLAG_EXCLUSIVE_LOCK);
	CU_ASSERT(freed >= 0 && taken > freed);
	CU_ASSERT_EQUAL(model.count, 1); /* hb's own (1's) lock went */
	CU_ASSERT(model_has(HA, 0, 10, true));
	/* Nothing is locked through the released handle any more. */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 2, 50, 10, SH), 0);
	CU_ASSERT(model_has(HA, 50, 10, false));
	fixture_free();
}

/* Under a write lease locks are decided here; the break sends them. */
static void test_lease_keeps_locks_local(void)
{
	const uint32_t rwh = SMB2_LEASE_READ_CACHING |
			     SMB2_LEASE_HANDLE_CACHING |
			     SMB2_LEASE_WRITE_CACHING;

	fixture_init();
	CU_ASSERT_EQUAL(setlk_lease(&fx.ha, 1, 0, 10, EX, rwh), 0);
	CU_ASSERT_EQUAL(setlk_lease(&fx.hb, 2, 20, 10, SH, rwh), 0);
	CU_ASSERT_EQUAL(setlk_lease(&fx.hb, 2, 5, 1, SH, rwh), -EAGAIN);
	CU_ASSERT_EQUAL(model.ncalls, 0);
	/* A read lease alone does not keep them. */
	CU_ASSERT_EQUAL(
		setlk_lease(&fx.hb, 2, 40, 10, SH, SMB2_LEASE_READ_CACHING), 0);
	CU_ASSERT_EQUAL(model.count, 3);
	CU_ASSERT_EQUAL(setlk_lease(&fx.hb, 2, 40, 10, UN, rwh), 0);
	CU_ASSERT_EQUAL(model.count, 3); /* still held on the server */
	CU_ASSERT_EQUAL(fs_locks_lease_break(&fx.fs, &fx.in), 0);
	CU_ASSERT_EQUAL(model.count, 2);
	CU_ASSERT(model_has(HB, 0, 10, true));
	CU_ASSERT(model_has(HB, 20, 10, false));
	CU_ASSERT_EQUAL(model.overlaps, 0);
	fixture_free();
}

/* A lock the server cannot take at the break is reported. */
static void test_lease_break_conflict(void)
{
	fixture_init();
	CU_ASSERT_EQUAL(
		setlk_lease(&fx.ha, 1, 0, 10, EX, SMB2_LEASE_WRITE_CACHING), 0);
	CU_ASSERT_EQUAL(foreign_lock(0, 1, false), 0);
	CU_ASSERT_EQUAL(fs_locks_lease_break(&fx.fs, &fx.in), -EAGAIN);
	CU_ASSERT_EQUAL(foreign_unlock(0, 1), 0);
	CU_ASSERT_EQUAL(model.count, 0);
	/* The next change tries again. */
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 100, 1, SH), 0);
	CU_ASSERT(model_has(HA, 0, 10, true));
	fixture_free();
}

static void test_getlk(void)
{
	struct flock fl;

	fixture_init();
	CU_ASSERT_EQUAL(setlk(&fx.ha, 1, 10, 10, EX), 0);
	fl = getlk(&fx.hb, 2, 0, 100, F_RDLCK);
	CU_ASSERT_EQUAL(fl.l_type, F_WRLCK);
	CU_ASSERT(fl.l_start == 10 && fl.l_len == 10 && fl.l_pid == 1001);
	fl = getlk(&fx.hb, 1, 0, 100, F_WRLCK); /* its own lock */
	CU_ASSERT_EQUAL(fl.l_type, F_UNLCK);
	/* Another client's lock, found by probing where we hold none. */
	CU_ASSERT_EQUAL(foreign_lock(50, 5, false), 0);
	fl = getlk(&fx.hb, 1, 0, 100, F_WRLCK);
	CU_ASSERT_EQUAL(fl.l_type, F_RDLCK);
	CU_ASSERT(fl.l_start == 20 && fl.l_len == 80 && fl.l_pid == 0);
	fl = getlk(&fx.hb, 1, 0, 100, F_RDLCK);
	CU_ASSERT_EQUAL(fl.l_type, F_UNLCK);
	CU_ASSERT_EQUAL(foreign_unlock(50, 5), 0);
	fixture_free();
}

static void test_flock(void)
{
	fixture_init();
	CU_ASSERT_EQUAL(flock_to(&fx.ha, EX), 0);
	CU_ASSERT(model_has(HA, FLOCK_OFFSET, FLOCK_LENGTH, true));
	CU_ASSERT_EQUAL(flock_to(&fx.hb, SH), -EAGAIN);
	/* The data range stays free for other handles' I/O and locks. */
	CU_ASSERT_EQUAL(setlk(&fx.hb, 9, 0, 4096, EX), 0);
	CU_ASSERT_EQUAL(flock_to(&fx.ha, SH), 0); /* downgrade */
	CU_ASSERT(model_has(HA, FLOCK_OFFSET, FLOCK_LENGTH, false));
	CU_ASSERT_EQUAL(flock_to(&fx.hb, SH), 0);
	CU_ASSERT_EQUAL(flock_to(&fx.ha, EX), -EAGAIN);
	/* flock(2): the conversion dropped the old lock. */
	CU_ASSERT_EQUAL(lock_table_owner_type(&fx.in.locks->table,
					      (uintptr_t)&fx.ha,
					      LOCK_KIND_FLOCK),
			UN);
	CU_ASSERT_EQUAL(flock_to(&fx.hb, UN), 0);
	CU_ASSERT_EQUAL(flock_to(&fx.ha, EX), 0);
	/* Releasing the description releases its flock. */
	fs_locks_handle_release(&fx.ha);
	CU_ASSERT_FALSE(model_has(HA, FLOCK_OFFSET, FLOCK_LENGTH, true));
	CU_ASSERT_EQUAL(flock_to(&fx.hb, EX), 0);
	fixture_free();
}

/* --- flock(2) ranges and F_GETLK answers --- */

static void test_lock_range(void)
{
	struct flock fl = { .l_whence = SEEK_SET, .l_start = 10, .l_len = 5 };
	uint64_t off, len;

	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), 0);
	CU_ASSERT(off == 10 && len == 5);
	fl.l_len = 0; /* to the end of the file and beyond */
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), 0);
	CU_ASSERT(off == 10 && len == UINT64_MAX - 10);
	fl.l_len = -5; /* the 5 bytes before l_start */
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), 0);
	CU_ASSERT(off == 5 && len == 5);
	fl.l_len = -11;
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), -EINVAL);
	fl = (struct flock){ .l_whence = SEEK_CUR, .l_start = 0, .l_len = 1 };
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), -EINVAL);
	fl = (struct flock){ .l_whence = SEEK_SET, .l_start = -1, .l_len = 1 };
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), -EINVAL);
}

static void test_lock_report(void)
{
	struct flock fl;

	lock_report(&fl, SH, 100, 20, 42);
	CU_ASSERT(fl.l_type == F_RDLCK && fl.l_whence == SEEK_SET &&
		  fl.l_start == 100 && fl.l_len == 20 && fl.l_pid == 42);
	/* Ends past OFFSET_MAX read "to end of file". */
	lock_report(&fl, EX, 100, UINT64_MAX - 100, 0);
	CU_ASSERT(fl.l_type == F_WRLCK && fl.l_len == 0);
	lock_report(&fl, EX, (uint64_t)INT64_MAX, 1, 0);
	CU_ASSERT_EQUAL(fl.l_len, 0);
	lock_report(&fl, EX, 0, (uint64_t)INT64_MAX, 0);
	CU_ASSERT_EQUAL(fl.l_len, INT64_MAX);
}

static CU_TestInfo table_tests[] = {
	{ "merge and split like the kernel", test_table_merges_and_splits },
	{ "conflicts between owners and kinds", test_table_conflicts },
	{ "locks of a released description", test_table_drop_via },
	{ "union of the owners' locks", test_union },
	{ "gaps in the union", test_gaps },
	{ "plan: downgrade stacks first", test_plan_downgrade },
	{ "plan: upgrade releases first", test_plan_upgrade },
	{ "plan: split of an exclusive lock", test_plan_split },
	{ "plan: neighbours stay", test_plan_keeps_neighbours },
	{ "plan: requested locks first", test_plan_requested_first },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo request_tests[] = {
	{ "two sqlite owners through one handle", test_sqlite_two_owners },
	{ "locks belong to the owner, not the descriptor",
	  test_owner_not_descriptor },
	{ "local conflicts stay local", test_local_conflict },
	{ "refused upgrade keeps the shared lock", test_refused_upgrade },
	{ "downgrade without a gap, unlock splits", test_downgrade_order },
	{ "release of the lock handle moves its locks",
	  test_release_moves_locks },
	{ "write lease keeps locks local", test_lease_keeps_locks_local },
	{ "lock refused at a lease break", test_lease_break_conflict },
	{ "F_GETLK", test_getlk },
	{ "flock", test_flock },
	{ "flock to SMB range", test_lock_range },
	{ "F_GETLK report", test_lock_report },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "lock_table", NULL, NULL, NULL, NULL, table_tests },
	{ "fs_locks", NULL, NULL, NULL, NULL, request_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
