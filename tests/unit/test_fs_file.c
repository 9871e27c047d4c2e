// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File operations and byte-range locks: open(2) flag mapping, fallocate
 * modes, read batching, SEEK_DATA/SEEK_HOLE over allocated ranges, and the
 * lock bookkeeping that emulates POSIX locks on SMB2 LOCK, run against a
 * model of the server's lock rules (MS-FSA 2.1.5.7/8).
 *
 * The two source files are included so their static helpers can be
 * tested; pool_file_lock is redirected to the model, which tells
 * handles apart by their struct pool_file pointer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

#include "cunit_main.h"
#include "../../src/fs/smbfs.h"

static int model_lock(struct pool_file *f, uint64_t off, uint64_t len,
		      uint32_t flags);
#define pool_file_lock model_lock
#include "../../src/fs/ops_file.c"
#include "../../src/fs/ops_lock.c"
#undef pool_file_lock

/* --- the server model: locks per handle, exact-range unlocks --- */

#define MODEL_MAX 64

struct model_lock {
	uint64_t handle, off, len;
	bool exclusive;
};

static struct model_lock model[MODEL_MAX];
static int model_count;

static bool model_overlap(const struct model_lock *m, uint64_t off,
			  uint64_t len)
{
	return m->off < off + len && off < m->off + m->len;
}

static int model_unlock(uint64_t handle, uint64_t off, uint64_t len)
{
	int i, found = -1;

	/* Exclusive locks go first when both kinds match (as Samba does). */
	for (i = 0; i < model_count; i++) {
		const struct model_lock *m = &model[i];

		if (m->handle == handle && m->off == off && m->len == len &&
		    (found < 0 || m->exclusive))
			found = i;
	}
	if (found < 0)
		return -ENOLCK;
	model[found] = model[--model_count];
	return 0;
}

static int model_lock(struct pool_file *f, uint64_t off, uint64_t len,
		      uint32_t flags)
{
	uint64_t handle = (uint64_t)(uintptr_t)f;
	bool exclusive = flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
	int i;

	if (flags & SMB2_LOCKFLAG_UNLOCK)
		return model_unlock(handle, off, len);
	for (i = 0; i < model_count; i++) {
		const struct model_lock *m = &model[i];

		/* A shared lock may stack on the same handle's exclusive. */
		if (model_overlap(m, off, len) &&
		    (exclusive || (m->exclusive && m->handle != handle)))
			return -EAGAIN;
	}
	if (model_count == MODEL_MAX)
		return -ENOMEM;
	model[model_count++] =
		(struct model_lock){ handle, off, len, exclusive };
	return 0;
}

static bool model_has(uint64_t handle, uint64_t off, uint64_t len,
		      bool exclusive)
{
	int i;

	for (i = 0; i < model_count; i++) {
		if (model[i].handle == handle && model[i].off == off &&
		    model[i].len == len && model[i].exclusive == exclusive)
			return true;
	}
	return false;
}

static int list_count(const struct fs_lock_state *ls)
{
	const struct fs_lock *l;
	int n = 0;

	for (l = ls->locks; l; l = l->next)
		n++;
	return n;
}

/* Two handles (two descriptors opened separately) on one file. */
struct lock_fixture {
	struct smbfs_file fa, fb; /* as ops_file.c allocates them */
	struct smbfs_handle *a, *b;
	struct fs_lock_state *la, *lb;
};

static void fixture_init(struct lock_fixture *x)
{
	memset(x, 0, sizeof(*x));
	model_count = 0;
	x->a = &x->fa.h;
	x->b = &x->fb.h;
	/* Never dereferenced: the model only compares them. */
	x->a->file = (struct pool_file *)(uintptr_t)1;
	x->b->file = (struct pool_file *)(uintptr_t)2;
	x->la = x->fa.locks = fs_lock_state_new();
	x->lb = x->fb.locks = fs_lock_state_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->la);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x->lb);
	CU_ASSERT_PTR_EQUAL(fs_handle_lock_state(x->a), x->la);
}

static void fixture_free(struct lock_fixture *x)
{
	fs_lock_state_free(x->la);
	fs_lock_state_free(x->lb);
}

/* sqlite's lock bytes (os_unix.c). */
#define PENDING_BYTE  0x40000000ull
#define RESERVED_BYTE (PENDING_BYTE + 1)
#define SHARED_FIRST  (PENDING_BYTE + 2)
#define SHARED_SIZE   510ull

/* --- open flags --- */

static void test_access_for_flags(void)
{
	uint32_t rd = file_access_for_flags(O_RDONLY);
	uint32_t wr = file_access_for_flags(O_WRONLY);
	uint32_t rw = file_access_for_flags(O_RDWR);

	CU_ASSERT_EQUAL(rd, FILE_READ_DATA | FILE_READ_ATTRIBUTES |
				    FILE_READ_EA | SYNCHRONIZE);
	CU_ASSERT_EQUAL(wr, FILE_WRITE_DATA | FILE_APPEND_DATA |
				    FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA |
				    FILE_READ_ATTRIBUTES | SYNCHRONIZE);
	CU_ASSERT_EQUAL(rw, rd | wr);
	CU_ASSERT(file_access_for_flags(O_RDONLY | O_TRUNC) & FILE_WRITE_DATA);
	CU_ASSERT_FALSE(file_access_for_flags(O_RDONLY | O_APPEND) &
			FILE_WRITE_DATA);
}

static void test_disposition_and_attributes(void)
{
	CU_ASSERT_EQUAL(file_open_disposition(O_RDWR), FILE_OPEN);
	CU_ASSERT_EQUAL(file_open_disposition(O_WRONLY | O_TRUNC),
			FILE_OVERWRITE);
	CU_ASSERT_FALSE(file_flags_modify(O_RDONLY));
	CU_ASSERT(file_flags_modify(O_RDONLY | O_TRUNC));
	CU_ASSERT(file_flags_modify(O_WRONLY));
	CU_ASSERT_EQUAL(file_create_attributes(0644), 0);
	CU_ASSERT_EQUAL(file_create_attributes(0200), 0);
	CU_ASSERT_EQUAL(file_create_attributes(0444), FILE_ATTRIBUTE_READONLY);
	CU_ASSERT_EQUAL(file_create_attributes(0077), FILE_ATTRIBUTE_READONLY);
}

static void test_falloc_modes(void)
{
	CU_ASSERT_EQUAL(falloc_classify(0), FALLOC_ALLOCATE);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_KEEP_SIZE), FALLOC_KEEP_SIZE);
	CU_ASSERT_EQUAL(
		falloc_classify(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE),
		FALLOC_PUNCH);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_PUNCH_HOLE),
			FALLOC_UNSUPPORTED);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_ZERO_RANGE),
			FALLOC_UNSUPPORTED);
	CU_ASSERT_EQUAL(falloc_classify(FALLOC_FL_COLLAPSE_RANGE),
			FALLOC_UNSUPPORTED);
}

/* --- read batches --- */

/* --- SEEK_DATA / SEEK_HOLE --- */

static void test_seek_ranges(void)
{
	const struct smb_alloc_range r[2] = { { 0, 4096 }, { 8192, 4096 } };
	const struct smb_alloc_range adj[2] = { { 0, 4096 }, { 4096, 4096 } };
	uint64_t pos;

	pos = 0;
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_DATA, &pos), 1);
	CU_ASSERT_EQUAL(pos, 0);
	pos = 5000;
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_DATA, &pos), 1);
	CU_ASSERT_EQUAL(pos, 8192);
	pos = 12288; /* past every range: no data */
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_DATA, &pos), 0);
	pos = 100;
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_HOLE, &pos), 1);
	CU_ASSERT_EQUAL(pos, 4096);
	pos = 5000; /* already in a hole */
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_HOLE, &pos), 1);
	CU_ASSERT_EQUAL(pos, 5000);
	pos = 8192; /* the last range: the hole starts at its end */
	CU_ASSERT_EQUAL(seek_scan_ranges(r, 2, SEEK_HOLE, &pos), 0);
	CU_ASSERT_EQUAL(pos, 12288);
	pos = 0; /* adjacent ranges are one stretch of data */
	CU_ASSERT_EQUAL(seek_scan_ranges(adj, 2, SEEK_HOLE, &pos), 0);
	CU_ASSERT_EQUAL(pos, 8192);
	pos = 7;
	CU_ASSERT_EQUAL(seek_scan_ranges(NULL, 0, SEEK_DATA, &pos), 0);
}

/* --- lock ranges --- */

static void test_lock_range(void)
{
	struct flock fl = { .l_whence = SEEK_SET, .l_start = 10, .l_len = 5 };
	uint64_t off, len;

	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), 0);
	CU_ASSERT_EQUAL(off, 10);
	CU_ASSERT_EQUAL(len, 5);
	fl.l_len = 0; /* to the end of every possible file */
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), 0);
	CU_ASSERT_EQUAL(off + len, UINT64_MAX);
	fl.l_len = -4; /* the 4 bytes before l_start */
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), 0);
	CU_ASSERT_EQUAL(off, 6);
	CU_ASSERT_EQUAL(len, 4);
	fl.l_len = -11;
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), -EINVAL);
	fl.l_len = 1;
	fl.l_start = -1;
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), -EINVAL);
	fl.l_start = 0;
	fl.l_whence = SEEK_CUR;
	CU_ASSERT_EQUAL(lock_range(&fl, &off, &len), -EINVAL);
}

static void test_lock_report(void)
{
	struct flock fl;

	lock_report(&fl, F_RDLCK, 100, 20);
	CU_ASSERT_EQUAL(fl.l_type, F_RDLCK);
	CU_ASSERT_EQUAL(fl.l_start, 100);
	CU_ASSERT_EQUAL(fl.l_len, 20);
	CU_ASSERT_EQUAL(fl.l_pid, 0);
	/* Ends past OFFSET_MAX are "to end of file" for the kernel. */
	lock_report(&fl, F_WRLCK, 100, UINT64_MAX - 100);
	CU_ASSERT_EQUAL(fl.l_len, 0);
	lock_report(&fl, F_WRLCK, (uint64_t)INT64_MAX, 1);
	CU_ASSERT_EQUAL(fl.l_len, 0);
	lock_report(&fl, F_WRLCK, 0, (uint64_t)INT64_MAX);
	CU_ASSERT_EQUAL(fl.l_len, INT64_MAX);
}

static void test_lock_pieces(void)
{
	const struct fs_lock l = { .off = 10, .len = 90, .exclusive = true };
	struct fs_lock p[2];

	CU_ASSERT_EQUAL(lock_pieces_outside(&l, 0, 200, p), 0);
	CU_ASSERT_EQUAL(lock_pieces_outside(&l, 10, 90, p), 0);
	CU_ASSERT_EQUAL_FATAL(lock_pieces_outside(&l, 50, 100, p), 1);
	CU_ASSERT(p[0].off == 10 && p[0].len == 40 && p[0].exclusive);
	CU_ASSERT_EQUAL_FATAL(lock_pieces_outside(&l, 0, 20, p), 1);
	CU_ASSERT(p[0].off == 20 && p[0].len == 80);
	CU_ASSERT_EQUAL_FATAL(lock_pieces_outside(&l, 40, 20, p), 2);
	CU_ASSERT(p[0].off == 10 && p[0].len == 30);
	CU_ASSERT(p[1].off == 60 && p[1].len == 40);
}

static void test_lock_gaps(void)
{
	struct fs_lock l2 = { .owner = 1, .off = 50, .len = 10 };
	struct fs_lock other = {
		.owner = 2, .off = 0, .len = 100, .next = &l2
	};
	struct fs_lock l1 = {
		.owner = 1, .off = 20, .len = 10, .next = &other
	};
	uint64_t pos = 0, len = 0;

	CU_ASSERT(lock_next_gap(&l1, 1, &pos, 100, &len));
	CU_ASSERT(pos == 0 && len == 20);
	pos = 20; /* inside l1: skip to its end */
	CU_ASSERT(lock_next_gap(&l1, 1, &pos, 100, &len));
	CU_ASSERT(pos == 30 && len == 20);
	pos = 55;
	CU_ASSERT(lock_next_gap(&l1, 1, &pos, 100, &len));
	CU_ASSERT(pos == 60 && len == 40);
	pos = 50; /* covered to the end of the range */
	CU_ASSERT_FALSE(lock_next_gap(&l1, 1, &pos, 60, &len));
	pos = 0; /* another owner's locks are not gaps' business */
	CU_ASSERT(lock_next_gap(&l1, 3, &pos, 100, &len));
	CU_ASSERT(pos == 0 && len == 100);
}

/* --- lock bookkeeping against the server model --- */

static void test_sqlite_lock_cycle(void)
{
	struct lock_fixture x;

	fixture_init(&x);
	/* SHARED: pending byte, shared range, pending byte released. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, PENDING_BYTE, 1, 0), 0);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, SHARED_FIRST, SHARED_SIZE, 0),
			0);
	lock_clear(x.a, x.la, 7, PENDING_BYTE, 1);
	/* RESERVED, PENDING, then EXCLUSIVE: an upgrade in place. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, RESERVED_BYTE, 1, 1), 0);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, PENDING_BYTE, 1, 1), 0);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, SHARED_FIRST, SHARED_SIZE, 1),
			0);
	CU_ASSERT_EQUAL(model_count, 3);
	CU_ASSERT(model_has(1, SHARED_FIRST, SHARED_SIZE, true));
	/* Another client can neither read nor write-lock now. */
	CU_ASSERT_EQUAL(lock_set(x.b, x.lb, 9, PENDING_BYTE, 1, 0), -EAGAIN);
	/* Back to SHARED: downgrade, then one unlock of both bytes. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, SHARED_FIRST, SHARED_SIZE, 0),
			0);
	CU_ASSERT(model_has(1, SHARED_FIRST, SHARED_SIZE, false));
	CU_ASSERT_FALSE(model_has(1, SHARED_FIRST, SHARED_SIZE, true));
	lock_clear(x.a, x.la, 7, PENDING_BYTE, 2);
	CU_ASSERT_EQUAL(model_count, 1);
	CU_ASSERT_EQUAL(list_count(x.la), 1);
	/* NONE: unlock of the whole file releases the rest. */
	lock_clear(x.a, x.la, 7, 0, UINT64_MAX);
	CU_ASSERT_EQUAL(model_count, 0);
	CU_ASSERT_EQUAL(list_count(x.la), 0);
	fixture_free(&x);
}

static void test_refused_upgrade_keeps_shared(void)
{
	struct lock_fixture x;

	fixture_init(&x);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 100, 10, 0), 0);
	CU_ASSERT_EQUAL(lock_set(x.b, x.lb, 9, 100, 10, 0), 0);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 100, 10, 1), -EAGAIN);
	CU_ASSERT(model_has(1, 100, 10, false));
	CU_ASSERT_EQUAL(list_count(x.la), 1);
	CU_ASSERT_EQUAL(model_count, 2);
	/* Once the other reader is gone the upgrade succeeds. */
	lock_clear(x.b, x.lb, 9, 0, UINT64_MAX);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 100, 10, 1), 0);
	CU_ASSERT(model_has(1, 100, 10, true));
	CU_ASSERT_EQUAL(model_count, 1);
	/* Locking what is already held changes nothing. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 100, 10, 1), 0);
	CU_ASSERT_EQUAL(model_count, 1);
	fixture_free(&x);
}

static void test_unlock_splits(void)
{
	struct lock_fixture x;

	fixture_init(&x);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 0, 100, 1), 0);
	lock_clear(x.a, x.la, 7, 40, 20);
	CU_ASSERT(model_has(1, 0, 40, true));
	CU_ASSERT(model_has(1, 60, 40, true));
	CU_ASSERT_EQUAL(model_count, 2);
	CU_ASSERT_EQUAL(lock_set(x.b, x.lb, 9, 45, 5, 1), 0);
	CU_ASSERT_EQUAL(lock_set(x.b, x.lb, 9, 10, 1, 1), -EAGAIN);
	/* A shared lock over part of an exclusive one: both types remain. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 80, 100, 0), 0);
	CU_ASSERT(model_has(1, 60, 20, true));
	CU_ASSERT(model_has(1, 80, 100, false));
	CU_ASSERT_FALSE(model_has(1, 60, 40, true));
	/* An unlock of a range never locked succeeds and sends nothing. */
	lock_clear(x.a, x.la, 7, 1000, 5);
	CU_ASSERT_EQUAL(model_count, 4);
	fixture_free(&x);
}

static void test_owners_sharing_a_handle(void)
{
	struct lock_fixture x;

	fixture_init(&x);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 1, 0, 10, 1), 0);
	/* The server cannot tell two owners of one handle apart; we do. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 2, 5, 1, 0), -EAGAIN);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 2, 20, 1, 0), 0);
	/* close(2) by owner 1 drops its locks only. */
	fs_locks_release_owner(x.a, 1);
	CU_ASSERT_FALSE(model_has(1, 0, 10, true));
	CU_ASSERT(model_has(1, 20, 1, false));
	CU_ASSERT_EQUAL(list_count(x.la), 1);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 2, 5, 1, 1), 0);
	fixture_free(&x);
}

static void test_getlk_probe(void)
{
	struct lock_fixture x;
	struct flock fl;

	fixture_init(&x);
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 10, 10, 1), 0);
	fl = (struct flock){ .l_type = F_WRLCK,
			     .l_whence = SEEK_SET,
			     .l_start = 0,
			     .l_len = 100 };
	CU_ASSERT_EQUAL(lock_test(x.b, x.lb, 9, &fl), 0);
	CU_ASSERT_EQUAL(fl.l_type, F_WRLCK);
	CU_ASSERT_EQUAL(fl.l_start, 0);
	/* The holder's own view: its lock does not conflict with itself. */
	fl = (struct flock){ .l_type = F_WRLCK,
			     .l_whence = SEEK_SET,
			     .l_start = 0,
			     .l_len = 0 };
	CU_ASSERT_EQUAL(lock_test(x.a, x.la, 7, &fl), 0);
	CU_ASSERT_EQUAL(fl.l_type, F_UNLCK);
	/* A reader in the way is reported as one. */
	CU_ASSERT_EQUAL(lock_set(x.a, x.la, 7, 10, 10, 0), 0);
	fl = (struct flock){ .l_type = F_WRLCK,
			     .l_whence = SEEK_SET,
			     .l_start = 15,
			     .l_len = 1 };
	CU_ASSERT_EQUAL(lock_test(x.b, x.lb, 9, &fl), 0);
	CU_ASSERT_EQUAL(fl.l_type, F_RDLCK);
	fl = (struct flock){ .l_type = F_RDLCK,
			     .l_whence = SEEK_SET,
			     .l_start = 15,
			     .l_len = 1 };
	CU_ASSERT_EQUAL(lock_test(x.b, x.lb, 9, &fl), 0);
	CU_ASSERT_EQUAL(fl.l_type, F_UNLCK);
	/* Probes leave nothing behind. */
	CU_ASSERT_EQUAL(model_count, 1);
	fixture_free(&x);
}

static void test_flock(void)
{
	struct lock_fixture x;

	fixture_init(&x);
	CU_ASSERT_EQUAL(flock_apply(x.a, x.la, LOCK_EX), 0);
	CU_ASSERT(model_has(1, FLOCK_OFFSET, FLOCK_LENGTH, true));
	CU_ASSERT_EQUAL(flock_apply(x.b, x.lb, LOCK_SH), -EAGAIN);
	/* The data range stays free for other handles' I/O and locks. */
	CU_ASSERT_EQUAL(lock_set(x.b, x.lb, 9, 0, 4096, 1), 0);
	CU_ASSERT_EQUAL(flock_apply(x.a, x.la, LOCK_SH), 0);
	CU_ASSERT(model_has(1, FLOCK_OFFSET, FLOCK_LENGTH, false));
	CU_ASSERT_FALSE(model_has(1, FLOCK_OFFSET, FLOCK_LENGTH, true));
	CU_ASSERT_EQUAL(flock_apply(x.b, x.lb, LOCK_SH), 0);
	CU_ASSERT_EQUAL(flock_apply(x.a, x.la, LOCK_EX), -EAGAIN);
	CU_ASSERT_EQUAL(x.la->flock, 0); /* conversion dropped the old lock */
	CU_ASSERT_EQUAL(flock_apply(x.b, x.lb, LOCK_UN), 0);
	CU_ASSERT_EQUAL(flock_apply(x.a, x.la, LOCK_EX), 0);
	CU_ASSERT_EQUAL(flock_apply(x.a, x.la, LOCK_UN), 0);
	CU_ASSERT_FALSE(model_has(1, FLOCK_OFFSET, FLOCK_LENGTH, true));
	fixture_free(&x);
}

static CU_TestInfo flag_tests[] = {
	{ "access for open flags", test_access_for_flags },
	{ "disposition and create attributes",
	  test_disposition_and_attributes },
	{ "fallocate modes", test_falloc_modes },
	{ "SEEK_DATA/SEEK_HOLE over ranges", test_seek_ranges },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo lock_tests[] = {
	{ "flock to SMB range", test_lock_range },
	{ "F_GETLK report", test_lock_report },
	{ "pieces outside a range", test_lock_pieces },
	{ "gaps between own locks", test_lock_gaps },
	{ "sqlite lock cycle", test_sqlite_lock_cycle },
	{ "refused upgrade keeps the shared lock",
	  test_refused_upgrade_keeps_shared },
	{ "unlock splits a lock", test_unlock_splits },
	{ "owners sharing a handle", test_owners_sharing_a_handle },
	{ "F_GETLK probes", test_getlk_probe },
	{ "flock", test_flock },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "fs_file", NULL, NULL, NULL, NULL, flag_tests },
	{ "fs_lock", NULL, NULL, NULL, NULL, lock_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
