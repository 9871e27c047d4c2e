// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte-range lock bookkeeping: the local owners' locks of one file, their
 * union, and the plan that brings one SMB handle's locks to that union
 * (see lock_table.h).  Tables hold a few locks per file, so plain arrays
 * and quadratic scans do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lock_table.h"

static uint64_t range_end(const struct lock_range *r)
{
	return r->off + r->len;
}

static bool ranges_overlap(const struct lock_range *a,
			   const struct lock_range *b)
{
	return a->off < range_end(b) && b->off < range_end(a);
}

/* Makes room for need elements of size bytes in *arr. */
static int array_reserve(void *arr, size_t *cap, size_t need, size_t size)
{
	void **p = arr;
	size_t n = *cap ? *cap : 4;
	void *grown;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	grown = realloc(*p, n * size);
	if (!grown)
		return -ENOMEM;
	*p = grown;
	*cap = n;
	return 0;
}

int lock_ranges_reserve(struct lock_ranges *rs, size_t n)
{
	return array_reserve(&rs->r, &rs->cap, n, sizeof(*rs->r));
}

int lock_ranges_add(struct lock_ranges *rs, const struct lock_range *r)
{
	int rc = lock_ranges_reserve(rs, rs->n + 1);

	if (!rc)
		rs->r[rs->n++] = *r;
	return rc;
}

static int cmp_range(const void *a, const void *b)
{
	uint64_t x = ((const struct lock_range *)a)->off;
	uint64_t y = ((const struct lock_range *)b)->off;

	return x < y ? -1 : x > y;
}

void lock_ranges_sort(struct lock_ranges *rs)
{
	if (rs->n)
		qsort(rs->r, rs->n, sizeof(*rs->r), cmp_range);
}

/* The range of rs that holds pos, or NULL. */
static const struct lock_range *ranges_at(const struct lock_ranges *rs,
					  uint64_t pos)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].off <= pos && pos < range_end(&rs->r[i]))
			return &rs->r[i];
	}
	return NULL;
}

static enum lock_type ranges_type_at(const struct lock_ranges *rs, uint64_t pos)
{
	const struct lock_range *r = ranges_at(rs, pos);

	return r ? r->type : LOCK_TYPE_NONE;
}

static bool ranges_overlap_any(const struct lock_ranges *rs,
			       const struct lock_range *r)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (ranges_overlap(&rs->r[i], r))
			return true;
	}
	return false;
}

void lock_ranges_free(struct lock_ranges *rs)
{
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

bool lock_ranges_equal(const struct lock_ranges *a, const struct lock_ranges *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++) {
		if (a->r[i].off != b->r[i].off || a->r[i].len != b->r[i].len ||
		    a->r[i].type != b->r[i].type)
			return false;
	}
	return true;
}

bool lock_ranges_next_gap(const struct lock_ranges *rs, uint64_t *pos,
			  uint64_t end, uint64_t *len)
{
	const struct lock_range *r;
	uint64_t gap_end = end;
	size_t i;

	while (*pos < end && (r = ranges_at(rs, *pos)))
		*pos = range_end(r);
	if (*pos >= end)
		return false;
	for (i = 0; i < rs->n; i++) {
		if (rs->r[i].off > *pos && rs->r[i].off < gap_end)
			gap_end = rs->r[i].off;
	}
	*len = gap_end - *pos;
	return true;
}

/* --- the owners' table --- */

void lock_table_free(struct lock_table *t)
{
	free(t->e);
	memset(t, 0, sizeof(*t));
}

void lock_table_clear(struct lock_table *t)
{
	t->n = 0;
}

int lock_table_copy(struct lock_table *dst, const struct lock_table *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->e = malloc(src->n * sizeof(*dst->e));
	if (!dst->e)
		return -ENOMEM;
	memcpy(dst->e, src->e, src->n * sizeof(*dst->e));
	dst->n = dst->cap = src->n;
	return 0;
}

static bool same_owner(const struct lock_entry *a, const struct lock_entry *b)
{
	return a->owner == b->owner && a->kind == b->kind;
}

const struct lock_entry *lock_table_conflict(const struct lock_table *t,
					     const struct lock_entry *want)
{
	const struct lock_entry *first = NULL;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct lock_entry *e = &t->e[i];

		if (e->kind == want->kind && e->owner != want->owner &&
		    (e->range.type == LOCK_TYPE_EXCLUSIVE ||
		     want->range.type == LOCK_TYPE_EXCLUSIVE) &&
		    ranges_overlap(&e->range, &want->range) &&
		    (!first || e->range.off < first->range.off))
			first = e;
	}
	return first;
}

/*
 * One of want's owner's locks against want: merged into *merged when of
 * the same type and touching it, else its parts outside want's range
 * are appended to out.
 */
static void set_one(const struct lock_entry *e, const struct lock_entry *want,
		    struct lock_entry *merged, struct lock_entry *out,
		    size_t *n)
{
	uint64_t off = want->range.off, end = range_end(&want->range);
	uint64_t m_end = range_end(&merged->range),
		 e_end = range_end(&e->range);

	if (want->range.type != LOCK_TYPE_NONE &&
	    e->range.type == want->range.type && e->range.off <= m_end &&
	    merged->range.off <= e_end) {
		if (e->range.off < merged->range.off)
			merged->range.off = e->range.off;
		if (e_end > m_end)
			m_end = e_end;
		merged->range.len = m_end - merged->range.off;
		return;
	}
	if (!ranges_overlap(&e->range, &want->range)) {
		out[(*n)++] = *e;
		return;
	}
	if (e->range.off < off) {
		out[*n] = *e;
		out[(*n)++].range.len = off - e->range.off;
	}
	if (e_end > end) {
		out[*n] = *e;
		out[*n].range.off = end;
		out[(*n)++].range.len = e_end - end;
	}
}

int lock_table_set(struct lock_table *t, const struct lock_entry *want)
{
	/* At most one lock holds the range strictly inside: +1, +1 new. */
	size_t cap = t->n + 2, i, n = 0;
	struct lock_entry *out = malloc(cap * sizeof(*out));
	struct lock_entry merged = *want;

	if (!out)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		if (same_owner(&t->e[i], want))
			set_one(&t->e[i], want, &merged, out, &n);
		else
			out[n++] = t->e[i];
	}
	if (want->range.type != LOCK_TYPE_NONE)
		out[n++] = merged;
	free(t->e);
	t->e = out;
	t->n = n;
	t->cap = cap;
	return 0;
}

enum lock_type lock_table_owner_type(const struct lock_table *t, uint64_t owner,
				     enum lock_kind kind)
{
	enum lock_type type = LOCK_TYPE_NONE;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (t->e[i].owner == owner && t->e[i].kind == kind &&
		    t->e[i].range.type > type)
			type = t->e[i].range.type;
	}
	return type;
}

/* Removes the entries drop() names, keeping the order of the rest. */
static void table_filter(struct lock_table *t,
			 bool (*drop)(const struct lock_entry *e,
				      const void *arg),
			 const void *arg)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		if (!drop(&t->e[i], arg))
			t->e[n++] = t->e[i];
	}
	t->n = n;
}

static bool entry_of_owner(const struct lock_entry *e, const void *arg)
{
	return same_owner(e, arg);
}

static bool entry_via(const struct lock_entry *e, const void *arg)
{
	return e->via == arg;
}

void lock_table_drop_owner(struct lock_table *t, uint64_t owner,
			   enum lock_kind kind)
{
	const struct lock_entry who = { .owner = owner, .kind = kind };

	table_filter(t, entry_of_owner, &who);
}

void lock_table_drop_via(struct lock_table *t, const void *via)
{
	table_filter(t, entry_via, via);
}

/* --- the union --- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the n boundaries in b and drops repeats; returns how many remain. */
static size_t boundaries_sort(uint64_t *b, size_t n)
{
	size_t i, m = 0;

	qsort(b, n, sizeof(*b), cmp_u64);
	for (i = 0; i < n; i++) {
		if (!m || b[m - 1] != b[i])
			b[m++] = b[i];
	}
	return m;
}

/* Appends [a, b) of type, growing the last range when it touches. */
static int ranges_extend(struct lock_ranges *rs, uint64_t a, uint64_t b,
			 enum lock_type type)
{
	struct lock_range *last = rs->n ? &rs->r[rs->n - 1] : NULL;
	const struct lock_range r = { .off = a, .len = b - a, .type = type };

	if (last && range_end(last) == a && last->type == type) {
		last->len += b - a;
		return 0;
	}
	return lock_ranges_add(rs, &r);
}

static enum lock_type table_type_at(const struct lock_table *t, uint64_t pos)
{
	enum lock_type type = LOCK_TYPE_NONE;
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct lock_range *r = &t->e[i].range;

		if (r->off <= pos && pos < range_end(r) && r->type > type)
			type = r->type;
	}
	return type;
}

int lock_table_union(const struct lock_table *t, struct lock_ranges *out)
{
	uint64_t *b = malloc((2 * t->n + 1) * sizeof(*b));
	size_t i, nb = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < t->n; i++) {
		b[nb++] = t->e[i].range.off;
		b[nb++] = range_end(&t->e[i].range);
	}
	nb = boundaries_sort(b, nb);
	for (i = 0; !rc && i + 1 < nb; i++) {
		enum lock_type type = table_type_at(t, b[i]);

		if (type != LOCK_TYPE_NONE)
			rc = ranges_extend(out, b[i], b[i + 1], type);
	}
	free(b);
	if (rc)
		lock_ranges_free(out);
	return rc;
}

/* --- the plan --- */

/* held's lock r stays when target holds exactly r's type all over it. */
static bool held_stays(const struct lock_ranges *target,
		       const struct lock_range *r)
{
	const struct lock_range *t = ranges_at(target, r->off);

	return t && t->type == r->type && range_end(t) >= range_end(r);
}

static int plan_split_held(const struct lock_ranges *held,
			   const struct lock_ranges *target,
			   struct lock_plan *p)
{
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < held->n; i++)
		rc = lock_ranges_add(
			held_stays(target, &held->r[i]) ? &p->keep : &p->remove,
			&held->r[i]);
	return rc;
}

static void ranges_boundaries(const struct lock_ranges *rs, uint64_t *b,
			      size_t *n)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		b[(*n)++] = rs->r[i].off;
		b[(*n)++] = range_end(&rs->r[i]);
	}
}

static int adds_append(struct lock_add **a, size_t *n, size_t *cap,
		       const struct lock_add *add)
{
	int rc = array_reserve(a, cap, *n + 1, sizeof(**a));

	if (!rc)
		(*a)[(*n)++] = *add;
	return rc;
}

/*
 * What target holds outside the kept locks, as runs of one type and one
 * "requested" (stronger than before) value.
 */
static int plan_pieces(const struct lock_ranges *before,
		       const struct lock_ranges *target,
		       const struct lock_plan *p, struct lock_add **pieces,
		       size_t *n)
{
	size_t nb = 0, i, cap = 0;
	uint64_t *b = malloc((2 * (before->n + target->n + p->keep.n) + 1) *
			     sizeof(*b));
	int rc = 0;

	*pieces = NULL;
	*n = 0;
	if (!b)
		return -ENOMEM;
	ranges_boundaries(before, b, &nb);
	ranges_boundaries(target, b, &nb);
	ranges_boundaries(&p->keep, b, &nb);
	nb = boundaries_sort(b, nb);
	for (i = 0; !rc && i + 1 < nb; i++) {
		struct lock_add add = {
			.range = { .off = b[i],
				   .len = b[i + 1] - b[i],
				   .type = ranges_type_at(target, b[i]) },
		};
		struct lock_add *last = *n ? &(*pieces)[*n - 1] : NULL;

		if (add.range.type == LOCK_TYPE_NONE ||
		    ranges_at(&p->keep, b[i]))
			continue;
		add.requested = ranges_type_at(before, b[i]) < add.range.type;
		if (last && range_end(&last->range) == b[i] &&
		    last->range.type == add.range.type &&
		    last->requested == add.requested)
			last->range.len += add.range.len;
		else
			rc = adds_append(pieces, n, &cap, &add);
	}
	free(b);
	return rc;
}

/*
 * Shared pieces go first, stacked on whatever is held there; exclusive
 * ones too unless a lock to release is in their way.  Among the first,
 * requested ones lead, so that a refusal is undone before anything was
 * stacked on a held lock (an unlock could not tell the stacked lock from
 * the one under it when their ranges are the same: MS-FSA 2.1.5.9).
 */
static int plan_order(const struct lock_add *pieces, size_t n,
		      struct lock_plan *p)
{
	size_t cap_first = 0, cap_last = 0, i;
	int pass, rc = 0;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; !rc && i < n; i++) {
			const struct lock_add *a = &pieces[i];
			bool late = a->range.type == LOCK_TYPE_EXCLUSIVE &&
				    ranges_overlap_any(&p->remove, &a->range);

			if (late && pass == 0)
				rc = adds_append(&p->last, &p->n_last,
						 &cap_last, a);
			else if (!late && a->requested == (pass == 0))
				rc = adds_append(&p->first, &p->n_first,
						 &cap_first, a);
		}
	}
	return rc;
}

int lock_plan_make(const struct lock_ranges *held,
		   const struct lock_ranges *before,
		   const struct lock_ranges *target, struct lock_plan *p)
{
	struct lock_add *pieces = NULL;
	size_t n = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = plan_split_held(held, target, p);
	if (!rc)
		rc = plan_pieces(before, target, p, &pieces, &n);
	if (!rc)
		rc = plan_order(pieces, n, p);
	free(pieces);
	if (rc)
		lock_plan_free(p);
	return rc;
}

void lock_plan_free(struct lock_plan *p)
{
	free(p->first);
	free(p->last);
	lock_ranges_free(&p->remove);
	lock_ranges_free(&p->keep);
	memset(p, 0, sizeof(*p));
}
