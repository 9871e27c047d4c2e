// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool's data path arithmetic (src/pool/io_plan.c): when a reader is
 * sequential, how its read-ahead window grows and is cut into READs,
 * where an end of file stops it, and which writes coalesce.
 */
#include "cunit_main.h"
#include "../../src/pool/io_plan.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)

static void test_sequential_detection(void)
{
	struct ra_window w;

	ra_window_init(&w);
	/* Nothing read yet: only a read at the start begins a run. */
	CU_ASSERT_TRUE(ra_is_sequential(&w, 0));
	CU_ASSERT_FALSE(ra_is_sequential(&w, 4096));
	ra_advance(&w, 0, 128 * KIB, 32 * MIB);
	CU_ASSERT_EQUAL(w.next, 128 * KIB);
	CU_ASSERT_EQUAL(w.size, IO_PLAN_RA_FIRST);
	/* Right after, or a little behind (reordered kernel requests). */
	CU_ASSERT_TRUE(ra_is_sequential(&w, 128 * KIB));
	CU_ASSERT_TRUE(ra_is_sequential(&w, 0));
	/* Past what was asked for is a jump. */
	CU_ASSERT_FALSE(ra_is_sequential(&w, 128 * KIB + 1));
	w.end = 4 * MIB;
	CU_ASSERT_TRUE(ra_is_sequential(&w, 4 * MIB));
	CU_ASSERT_FALSE(ra_is_sequential(&w, 4 * MIB + 1));
	/* Far behind the cursor is a jump too. */
	w.next = 10 * MIB;
	w.end = 12 * MIB;
	CU_ASSERT_TRUE(ra_is_sequential(&w, 10 * MIB - IO_PLAN_RA_SLACK));
	CU_ASSERT_FALSE(ra_is_sequential(&w, 10 * MIB - IO_PLAN_RA_SLACK - 1));
	/* A jump restarts: no window, the cursor after the read. */
	ra_restart(&w, 100 * MIB, 4096);
	CU_ASSERT_EQUAL(w.size, 0);
	CU_ASSERT_EQUAL(w.next, 100 * MIB + 4096);
	CU_ASSERT_EQUAL(w.end, w.next);
	CU_ASSERT_TRUE(ra_is_sequential(&w, 100 * MIB + 4096));
	CU_ASSERT_FALSE(ra_is_sequential(&w, 100 * MIB));
}

static void test_window_growth(void)
{
	struct ra_window w;
	uint64_t off = 0, want = IO_PLAN_RA_FIRST;
	int i;

	ra_window_init(&w);
	for (i = 0; i < 10; i++) {
		ra_advance(&w, off, 128 * KIB, 32 * MIB);
		off += 128 * KIB;
		CU_ASSERT_EQUAL(w.size, want);
		want = want * 2 < 32 * MIB ? want * 2 : 32 * MIB;
	}
	CU_ASSERT_EQUAL(w.size, 32 * MIB);
	/* A maximum below the first window is the window. */
	ra_window_init(&w);
	ra_advance(&w, 0, 4096, 256 * KIB);
	CU_ASSERT_EQUAL(w.size, 256 * KIB);
}

static void test_pieces(void)
{
	struct ra_window w;
	uint64_t off, total = 0;
	uint32_t len;
	int n = 0;

	ra_window_init(&w);
	/* No window, no pieces. */
	CU_ASSERT_FALSE(ra_take_piece(&w, 8 * MIB, &off, &len));
	ra_advance(&w, 0, 1 * MIB, 32 * MIB); /* window 1 MiB */
	while (ra_take_piece(&w, 8 * MIB, &off, &len)) {
		/* A quarter of the window, contiguous from the cursor. */
		CU_ASSERT_EQUAL(off, 1 * MIB + total);
		CU_ASSERT_EQUAL(len, 256 * KIB);
		total += len;
		n++;
	}
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT_EQUAL(w.end, w.next + w.size);
	/* A large window: pieces of the largest READ. */
	w.size = 32 * MIB;
	CU_ASSERT_TRUE(ra_take_piece(&w, 8 * MIB, &off, &len));
	CU_ASSERT_EQUAL(off, 2 * MIB);
	CU_ASSERT_EQUAL(len, 8 * MIB);
	/* 64 KiB units, at least one; never above the largest READ. */
	ra_window_init(&w);
	ra_advance(&w, 0, 1, 100 * KIB);
	CU_ASSERT_TRUE(ra_take_piece(&w, 8 * MIB, &off, &len));
	CU_ASSERT_EQUAL(len, IO_PLAN_UNIT);
	ra_window_init(&w);
	ra_advance(&w, 0, 1, 32 * MIB);
	w.size = 32 * MIB;
	CU_ASSERT_TRUE(ra_take_piece(&w, 64 * KIB, &off, &len));
	CU_ASSERT_EQUAL(len, 64 * KIB);
}

static void test_end_of_file(void)
{
	struct ra_window w;
	uint64_t off;
	uint32_t len;

	ra_window_init(&w);
	ra_advance(&w, 0, 1 * MIB, 32 * MIB);
	CU_ASSERT_TRUE(ra_take_piece(&w, 8 * MIB, &off, &len));
	/* The piece came back short: nothing is asked past that point. */
	ra_piece_done(&w, off, len, 1000);
	CU_ASSERT_EQUAL(w.eof, off + 1000);
	CU_ASSERT_FALSE(ra_take_piece(&w, 8 * MIB, &off, &len));
	/* A whole piece says nothing about the end. */
	ra_piece_done(&w, 0, 4096, 4096);
	CU_ASSERT_EQUAL(w.eof, 1 * MIB + 1000);
	/* An earlier, shorter end wins. */
	ra_piece_done(&w, 1 * MIB, 4096, 10);
	CU_ASSERT_EQUAL(w.eof, 1 * MIB + 10);
	/* Read past it later (the file grew): the end is forgotten. */
	ra_advance(&w, 1 * MIB, 64 * KIB, 32 * MIB);
	CU_ASSERT_EQUAL(w.eof, IO_PLAN_NO_EOF);
	CU_ASSERT_TRUE(ra_take_piece(&w, 8 * MIB, &off, &len));
}

static void test_overlap_and_coalesce(void)
{
	CU_ASSERT_TRUE(io_ranges_overlap(0, 10, 9, 1));
	CU_ASSERT_FALSE(io_ranges_overlap(0, 10, 10, 5));
	CU_ASSERT_FALSE(io_ranges_overlap(10, 5, 0, 10));
	CU_ASSERT_TRUE(io_ranges_overlap(5, 1, 0, 10));
	CU_ASSERT_FALSE(io_ranges_overlap(0, 0, 0, 10)); /* empty */
	/* Up to the end of the 64-bit range. */
	CU_ASSERT_TRUE(io_ranges_overlap(0, UINT64_MAX, UINT64_MAX - 2, 1));

	/* Only a write that starts where the chunk ends, and fits. */
	CU_ASSERT_TRUE(wb_can_coalesce(0, 4096, 8 * MIB, 4096, 4096));
	CU_ASSERT_FALSE(wb_can_coalesce(0, 4096, 8 * MIB, 4097, 1));
	CU_ASSERT_FALSE(wb_can_coalesce(0, 4096, 8 * MIB, 0, 1));
	CU_ASSERT_TRUE(
		wb_can_coalesce(0, 8 * MIB - 1, 8 * MIB, 8 * MIB - 1, 1));
	CU_ASSERT_FALSE(
		wb_can_coalesce(0, 8 * MIB - 1, 8 * MIB, 8 * MIB - 1, 2));
}

static CU_TestInfo readahead_tests[] = {
	{ "a read after the last one is sequential",
	  test_sequential_detection },
	{ "the window doubles up to the maximum", test_window_growth },
	{ "the window is read in quarter pieces", test_pieces },
	{ "an end of file stops the window", test_end_of_file },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo write_tests[] = {
	{ "overlap and coalescing", test_overlap_and_coalesce },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "read-ahead", NULL, NULL, NULL, NULL, readahead_tests },
	{ "write-behind", NULL, NULL, NULL, NULL, write_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
