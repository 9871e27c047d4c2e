/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The byte-range locks of one file as this client's processes hold them,
 * and what the server must hold for them: pure bookkeeping, no I/O
 * (src/fs/ops_lock.c sends the SMB2 LOCKs).
 *
 * A range is [off, off + len) with len > 0 and off + len <= UINT64_MAX,
 * as SMB2 LOCK expresses it (MS-SMB2 2.2.26.1).
 */
#ifndef SMBFS_FS_LOCK_TABLE_H
#define SMBFS_FS_LOCK_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Ordered by strength: a stronger type covers a weaker one. */
enum lock_type {
	LOCK_TYPE_NONE,
	LOCK_TYPE_SHARED,
	LOCK_TYPE_EXCLUSIVE,
};

/*
 * POSIX locks (fcntl) belong to the kernel's lock owner, flock locks to
 * an open file description; as on Linux, the two never conflict.
 */
enum lock_kind {
	LOCK_KIND_POSIX,
	LOCK_KIND_FLOCK,
};

struct lock_range {
	uint64_t off, len;
	enum lock_type type;
};

/* Sorted by offset, never overlapping. */
struct lock_ranges {
	struct lock_range *r;
	size_t n, cap;
};

struct lock_entry {
	uint64_t owner;
	enum lock_kind kind;
	/* The handle of the latest request, only compared: see drop_via. */
	const void *via;
	pid_t pid;		 /* for F_GETLK */
	struct lock_range range; /* SHARED or EXCLUSIVE */
};

/* Every owner's locks; one owner's locks of one kind never overlap. */
struct lock_table {
	struct lock_entry *e;
	size_t n, cap;
};

void lock_table_free(struct lock_table *t);
/* dst (empty or freed) becomes a copy of src.  0 or -ENOMEM. */
int lock_table_copy(struct lock_table *dst, const struct lock_table *src);
/*
 * The lock of another owner of want's kind that want conflicts with
 * (the one starting first, as F_GETLK reports it), or NULL.
 */
const struct lock_entry *lock_table_conflict(const struct lock_table *t,
					     const struct lock_entry *want);
/*
 * F_SETLK for want's owner and kind over want's range, type NONE for an
 * unlock: the owner's locks there are replaced, split where they reach
 * past the range, and merged with touching locks of the same type, as
 * the kernel does (fs/locks.c).  Conflicts are not checked.  0, or
 * -ENOMEM with t unchanged.
 */
int lock_table_set(struct lock_table *t, const struct lock_entry *want);
/* The strongest type owner (of kind) holds anywhere, for flock. */
enum lock_type lock_table_owner_type(const struct lock_table *t, uint64_t owner,
				     enum lock_kind kind);
/* close(2) by owner: its POSIX locks go. */
void lock_table_drop_owner(struct lock_table *t, uint64_t owner,
			   enum lock_kind kind);
/*
 * The open file description via ends: locks last requested through it
 * go (its flock and OFD locks; a process's POSIX locks went at its
 * close(2) already).
 */
void lock_table_drop_via(struct lock_table *t, const void *via);
void lock_table_clear(struct lock_table *t);

void lock_ranges_free(struct lock_ranges *rs);
/* Room for n ranges; then adding up to n cannot fail.  0 or -ENOMEM. */
int lock_ranges_reserve(struct lock_ranges *rs, size_t n);
int lock_ranges_add(struct lock_ranges *rs, const struct lock_range *r);
/* By offset (the ranges must not overlap). */
void lock_ranges_sort(struct lock_ranges *rs);
bool lock_ranges_equal(const struct lock_ranges *a,
		       const struct lock_ranges *b);
/*
 * The union the server must see: per byte the strongest type any entry
 * holds, as maximal runs of one type.  0 or -ENOMEM.
 */
int lock_table_union(const struct lock_table *t, struct lock_ranges *out);
/*
 * The next stretch of [*pos, end) that rs does not cover: false when
 * there is none, else *pos moves to its start and *len is its length.
 */
bool lock_ranges_next_gap(const struct lock_ranges *rs, uint64_t *pos,
			  uint64_t end, uint64_t *len);

/*
 * A lock to take.  requested: the change being made asks for more than
 * was held there before, so a refusal fails that change; otherwise it
 * takes again what this client held already, and a refusal means the
 * range was lost (another client won it in a window, see plan_make).
 */
struct lock_add {
	struct lock_range range;
	bool requested;
};

/*
 * The SMB2 LOCKs that turn what one handle holds (held) into target, in
 * three steps: take `first` (requested ones first), release `remove`
 * (exact ranges of held locks), take `last`.  `keep` are the held locks
 * that stay.
 */
struct lock_plan {
	struct lock_add *first, *last;
	size_t n_first, n_last;
	struct lock_ranges remove, keep;
};

/*
 * Plans the change from held (the server's locks, non-overlapping) to
 * target; before is the union before the change (what this client
 * meant to hold).  Shared locks are stacked on what is held before it
 * is released (MS-FSA 2.1.5.8 lets a handle's shared lock overlap its
 * own locks), so shared-over-shared and downgrades never leave a gap;
 * an exclusive lock conflicts with the handle's own locks, so it comes
 * after their release (a gap where the range was held before).
 * 0 or -ENOMEM.
 */
int lock_plan_make(const struct lock_ranges *held,
		   const struct lock_ranges *before,
		   const struct lock_ranges *target, struct lock_plan *p);
void lock_plan_free(struct lock_plan *p);

#endif
