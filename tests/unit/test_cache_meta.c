// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The cache's metadata tables: positive and negative entries, complete
 * listings, expiry by acregmax/acdirmax, watched directories that do not
 * expire, names without attributes, case variants, our own creates/removes/renames, and
 * the memory bound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cache/meta.h"
#include "cunit_main.h"

#define SEC 1000000000LL

static const struct cache_meta_limits lim = {
	.file_ttl_ns = 1 * SEC,
	.dir_ttl_ns = 2 * SEC,
};

static struct smb_stat file_st(uint64_t id, uint64_t size)
{
	struct smb_stat st = {.file_id = id, .end_of_file = size};

	return st;
}

static struct smb_stat dir_st(uint64_t id)
{
	struct smb_stat st = {.file_id = id,
			      .attributes = FILE_ATTRIBUTE_DIRECTORY};

	return st;
}

static void test_positive_negative_expiry(void)
{
	struct cache_meta *m = cache_meta_new(&lim);
	struct smb_stat st = file_st(7, 100), got;
	char *exact = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "a", false, 0, &got, NULL),
			CACHE_MISS);
	CU_ASSERT_EQUAL(cache_meta_put(m, "d", "a", 0, &st), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "a", false, SEC / 2, &got,
					  &exact),
			CACHE_HIT);
	CU_ASSERT_EQUAL(got.file_id, 7);
	CU_ASSERT_STRING_EQUAL(exact, "a");
	free(exact);
	/* acregmax (1 s) for a file. */
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "a", false, SEC, &got, NULL),
			CACHE_MISS);
	/* A negative entry lasts acdirmax (2 s). */
	CU_ASSERT_EQUAL(cache_meta_put_negative(m, "d", "gone", 0), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "gone", false, SEC + 1, NULL,
					  NULL),
			CACHE_NEGATIVE);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "gone", false, 2 * SEC, NULL,
					  NULL),
			CACHE_MISS);
	cache_meta_free(m);
}

static void test_case_variants(void)
{
	struct cache_meta *m = cache_meta_new(&lim);
	struct smb_stat st = file_st(9, 1), got;
	char *exact = NULL;

	CU_ASSERT_EQUAL(cache_meta_put(m, "", "Makefile", 0, &st), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "makefile", false, 0, &got,
					  &exact),
			CACHE_CASE_VARIANT);
	CU_ASSERT_STRING_EQUAL(exact, "Makefile");
	free(exact);
	/* nocase: the server's case-insensitive match is a hit. */
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "MAKEFILE", true, 0, &got,
					  &exact),
			CACHE_HIT);
	CU_ASSERT_EQUAL(got.file_id, 9);
	CU_ASSERT_STRING_EQUAL(exact, "Makefile");
	free(exact);
	/* A variant known but out of date: ask the server again. */
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "makefile", false, 2 * SEC,
					  &got, NULL),
			CACHE_MISS);
	/* The exact name wins over a variant. */
	st.file_id = 10;
	CU_ASSERT_EQUAL(cache_meta_put(m, "", "makefile", 0, &st), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "makefile", false, 0, &got,
					  NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(got.file_id, 10);
	cache_meta_free(m);
}

static struct smb_dir_listing listing_of(int n, const char *prefix)
{
	struct smb_dir_listing l = {0};
	char name[64];
	int i;

	l.v = calloc((size_t)n, sizeof(*l.v));
	CU_ASSERT_PTR_NOT_NULL_FATAL(l.v);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%04d", prefix, i);
		l.v[i].name = strdup(name);
		l.v[i].st = file_st((uint64_t)i + 100, (uint64_t)i);
	}
	l.n = (size_t)n;
	return l;
}

/* A complete listing answers every name, including absent ones. */
static void test_complete_listing(void)
{
	struct cache_meta *m = cache_meta_new(&lim);
	struct smb_dir_listing l = listing_of(3000, "f"), copy;
	struct smb_stat got, st = file_st(5000, 0);

	CU_ASSERT_EQUAL(cache_meta_put_listing(m, "big", 0, &l), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "big", "f2999", false, 0, &got,
					  NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(got.file_id, 2999 + 100);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "big", "nothere", false, 0, NULL,
					  NULL),
			CACHE_NEGATIVE);
	CU_ASSERT_EQUAL(cache_meta_get_listing(m, "big", 0, &copy), 1);
	CU_ASSERT_EQUAL(copy.n, 3000);
	smb_dir_listing_free(&copy);
	/* Our own create and remove keep it complete and right. */
	CU_ASSERT_EQUAL(cache_meta_created(m, "big", "new", 0, &st), 0);
	cache_meta_removed(m, "big", "f0000", 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "big", "new", false, 0, &got,
					  NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "big", "f0000", false, 0, NULL,
					  NULL),
			CACHE_NEGATIVE);
	CU_ASSERT_EQUAL(cache_meta_get_listing(m, "big", 0, &copy), 1);
	CU_ASSERT_EQUAL(copy.n, 3000);
	smb_dir_listing_free(&copy);
	/* Entries expire with acregmax, so the listing does too. */
	CU_ASSERT_EQUAL(cache_meta_get_listing(m, "big", SEC, &copy), 0);
	/* An expired entry is looked up again, not taken for absent. */
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "big", "new", false, SEC, NULL,
					  NULL),
			CACHE_MISS);
	/* Forgetting one entry makes the listing incomplete. */
	cache_meta_forget(m, "big", "f0001");
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "big", "nothere", false, 0, NULL,
					  NULL),
			CACHE_MISS);
	smb_dir_listing_free(&l);
	cache_meta_free(m);
}

/* A watched directory does not expire; a watch starts from nothing. */
static void test_watched(void)
{
	struct cache_meta *m = cache_meta_new(&lim);
	struct smb_dir_listing l = listing_of(10, "w"), copy;
	struct smb_stat got, st = file_st(1, 1);

	CU_ASSERT_EQUAL(cache_meta_put(m, "d", "old", 0, &st), 0);
	cache_meta_set_watched(m, "d", true);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "old", false, 0, &got, NULL),
			CACHE_MISS);
	CU_ASSERT_EQUAL(cache_meta_put_listing(m, "d", 0, &l), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "w0003", false, 3600 * SEC,
					  &got, NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(cache_meta_get_listing(m, "d", 3600 * SEC, &copy), 1);
	smb_dir_listing_free(&copy);
	cache_meta_set_watched(m, "d", false);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "w0003", false, 3600 * SEC,
					  &got, NULL),
			CACHE_MISS);
	smb_dir_listing_free(&l);
	cache_meta_free(m);
}

/* A renamed or removed directory takes what was known below it. */
static void test_rename_and_trees(void)
{
	struct cache_meta *m = cache_meta_new(&lim);
	struct smb_stat d = dir_st(1), f = file_st(2, 2), got;

	CU_ASSERT_EQUAL(cache_meta_put(m, "", "a", 0, &d), 0);
	CU_ASSERT_EQUAL(cache_meta_put(m, "a", "b", 0, &d), 0);
	CU_ASSERT_EQUAL(cache_meta_put(m, "a\\b", "f", 0, &f), 0);
	CU_ASSERT_EQUAL(cache_meta_put(m, "ab", "g", 0, &f), 0);
	cache_meta_renamed(m, "", "a", "", "z", 0, &d);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "a", false, 0, NULL, NULL),
			CACHE_NEGATIVE);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "z", false, 0, &got, NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "a\\b", "f", false, 0, NULL, NULL),
			CACHE_MISS);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "a", "b", false, 0, NULL, NULL),
			CACHE_MISS);
	/* "ab" is not below "a". */
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "ab", "g", false, 0, NULL, NULL),
			CACHE_HIT);
	cache_meta_forget_tree(m, "ab");
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "ab", "g", false, 0, NULL, NULL),
			CACHE_MISS);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "", "ab", false, 0, NULL, NULL),
			CACHE_MISS);
	cache_meta_put_root(m, 0, &d);
	CU_ASSERT_TRUE(cache_meta_root(m, 0, &got));
	CU_ASSERT_FALSE(cache_meta_root(m, 2 * SEC, &got));
	cache_meta_free(m);
}

/* The least recently used directories go when the limit is reached. */
static void test_memory_bound(void)
{
	struct cache_meta_limits small = lim;
	struct cache_meta_counts c;
	struct cache_meta *m;
	struct smb_stat st = file_st(1, 1);
	char dir[32];
	int i;

	small.max_entries = 1000;
	m = cache_meta_new(&small);
	for (i = 0; i < 300; i++) {
		snprintf(dir, sizeof(dir), "d%d", i);
		CU_ASSERT_EQUAL(cache_meta_put(m, dir, "x", 0, &st), 0);
		CU_ASSERT_EQUAL(cache_meta_put(m, dir, "y", 0, &st), 0);
		CU_ASSERT_EQUAL(cache_meta_put(m, dir, "z", 0, &st), 0);
		CU_ASSERT_EQUAL(cache_meta_put(m, dir, "w", 0, &st), 0);
	}
	cache_meta_count(m, &c);
	CU_ASSERT(c.entries <= 1000);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d299", "w", false, 0, NULL, NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d0", "x", false, 0, NULL, NULL),
			CACHE_MISS);
	cache_meta_forget_all(m);
	cache_meta_count(m, &c);
	CU_ASSERT_EQUAL(c.entries, 0);
	CU_ASSERT_EQUAL(c.dirs, 0);
	cache_meta_free(m);
}

/* A name a notification reported: known to exist, attributes not. */
static void test_unknown(void)
{
	struct cache_meta *m = cache_meta_new(&lim);
	struct smb_dir_listing l = listing_of(5, "u"), copy;
	struct smb_stat st = file_st(77, 7), got;

	CU_ASSERT_EQUAL(cache_meta_put_listing(m, "d", 0, &l), 0);
	CU_ASSERT_EQUAL(cache_meta_put_unknown(m, "d", "new", 0), 0);
	CU_ASSERT_TRUE(cache_meta_exists(m, "d", "new", 0));
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "new", false, 0, &got, NULL),
			CACHE_MISS);
	/* Other names still answer from the complete listing. */
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "u0001", false, 0, &got,
					  NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "other", false, 0, NULL,
					  NULL),
			CACHE_NEGATIVE);
	/* The listing itself must be fetched again. */
	CU_ASSERT_EQUAL(cache_meta_get_listing(m, "d", 0, &copy), 0);
	CU_ASSERT_EQUAL(cache_meta_put(m, "d", "new", 0, &st), 0);
	CU_ASSERT_EQUAL(cache_meta_lookup(m, "d", "new", false, 0, &got, NULL),
			CACHE_HIT);
	CU_ASSERT_EQUAL(cache_meta_get_listing(m, "d", 0, &copy), 1);
	CU_ASSERT_EQUAL(copy.n, 6);
	smb_dir_listing_free(&copy);
	smb_dir_listing_free(&l);
	cache_meta_free(m);
}

static CU_TestInfo meta_tests[] = {
	{"names known to exist without attributes", test_unknown},
	{"positive and negative entries expire", test_positive_negative_expiry},
	{"names differing only in case", test_case_variants},
	{"a complete listing answers absent names", test_complete_listing},
	{"watched directories do not expire", test_watched},
	{"renames and removed trees", test_rename_and_trees},
	{"memory bound", test_memory_bound},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"cache metadata", NULL, NULL, NULL, NULL, meta_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
