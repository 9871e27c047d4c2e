// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metadata tables (meta.h): a hash of directories by path, each with
 * a hash of its entries by case-folded name, and an LRU of directories
 * that bounds the memory used.
 *
 * Case folding is ASCII only: it serves to notice names that differ
 * only in case, as Windows and Samba compare them.  A pair that differs
 * in non-ASCII case only is not noticed here; the server still refuses
 * to create it (FILE_CREATE reports the collision), so nothing is lost.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"

#define DIR_BUCKETS_MIN	  256
#define ENTRY_BUCKETS_MIN 16
#define MAX_ENTRIES	  200000

struct meta_entry {
	char *name;
	uint32_t fold;	/* hash of the case-folded name */
	bool negative;	/* known not to exist */
	bool unknown;	/* exists, attributes not known */
	int64_t expires; /* valid until then, unless watched */
	struct smb_stat st;
	struct meta_entry *next;
};

struct meta_dir {
	char *path;
	uint32_t hash;
	struct meta_entry **buckets;
	size_t nbuckets, count;
	bool complete;		 /* the entries are the whole directory */
	int64_t complete_expires;
	bool watched;		 /* CHANGE_NOTIFY outstanding */
	struct meta_dir *next;	 /* hash chain */
	struct meta_dir *older, *newer; /* LRU */
};

struct cache_meta {
	struct cache_meta_limits lim;
	struct meta_dir **dirs;
	size_t nbuckets, ndirs, entries;
	struct meta_dir lru; /* lru.newer: oldest; lru.older: newest */
	bool root_valid;
	int64_t root_expires;
	struct smb_stat root;
};

/* --- hashing --- */

static uint32_t hash_bytes(const char *s, bool fold)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		h ^= fold ? (unsigned char)tolower(c) : c;
		h *= 16777619u;
	}
	return h;
}

static bool fold_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

/* --- directories --- */

static void lru_unlink(struct meta_dir *d)
{
	d->older->newer = d->newer;
	d->newer->older = d->older;
}

/* Most recently used goes last (lru.older). */
static void lru_touch(struct cache_meta *m, struct meta_dir *d)
{
	lru_unlink(d);
	d->newer = &m->lru;
	d->older = m->lru.older;
	m->lru.older->newer = d;
	m->lru.older = d;
}

static void entry_free(struct meta_entry *e)
{
	free(e->name);
	free(e);
}

static void dir_clear(struct cache_meta *m, struct meta_dir *d)
{
	size_t i;

	for (i = 0; i < d->nbuckets; i++) {
		while (d->buckets[i]) {
			struct meta_entry *e = d->buckets[i];

			d->buckets[i] = e->next;
			entry_free(e);
		}
	}
	m->entries -= d->count;
	d->count = 0;
	d->complete = false;
}

static struct meta_dir **dir_slot(struct cache_meta *m, const char *path,
				  uint32_t hash)
{
	struct meta_dir **pp = &m->dirs[hash & (m->nbuckets - 1)];

	while (*pp && ((*pp)->hash != hash || strcmp((*pp)->path, path)))
		pp = &(*pp)->next;
	return pp;
}

static struct meta_dir *dir_find(struct cache_meta *m, const char *path)
{
	return *dir_slot(m, path, hash_bytes(path, false));
}

static void dir_free(struct cache_meta *m, struct meta_dir *d)
{
	struct meta_dir **pp = dir_slot(m, d->path, d->hash);

	*pp = d->next;
	lru_unlink(d);
	dir_clear(m, d);
	m->ndirs--;
	free(d->buckets);
	free(d->path);
	free(d);
}

/* Drops the least recently used directories until under the limit. */
static void meta_trim(struct cache_meta *m)
{
	struct meta_dir *d = m->lru.newer;

	while (m->entries > m->lim.max_entries && d != &m->lru) {
		struct meta_dir *next = d->newer;

		/* A watched directory is cheap to keep exact: keep it. */
		if (!d->watched)
			dir_free(m, d);
		d = next;
	}
}

static struct meta_dir *dir_get(struct cache_meta *m, const char *path)
{
	uint32_t hash = hash_bytes(path, false);
	struct meta_dir **pp = dir_slot(m, path, hash), *d = *pp;

	if (d) {
		lru_touch(m, d);
		return d;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->path = strdup(path);
	d->buckets = calloc(ENTRY_BUCKETS_MIN, sizeof(*d->buckets));
	if (!d->path || !d->buckets) {
		free(d->path);
		free(d->buckets);
		free(d);
		return NULL;
	}
	d->nbuckets = ENTRY_BUCKETS_MIN;
	d->hash = hash;
	*pp = d;
	d->newer = d->older = d;
	lru_touch(m, d);
	m->ndirs++;
	return d;
}

/* --- entries --- */

static struct meta_entry **entry_slot(struct meta_dir *d, const char *name,
				      uint32_t fold)
{
	struct meta_entry **pp = &d->buckets[fold & (d->nbuckets - 1)];

	while (*pp && ((*pp)->fold != fold || strcmp((*pp)->name, name)))
		pp = &(*pp)->next;
	return pp;
}

/* Doubles the buckets when the chains grow long (best effort). */
static void dir_grow(struct meta_dir *d)
{
	size_t n = d->nbuckets * 2, i;
	struct meta_entry **b;

	if (d->count < d->nbuckets * 2)
		return;
	b = calloc(n, sizeof(*b));
	if (!b)
		return;
	for (i = 0; i < d->nbuckets; i++) {
		while (d->buckets[i]) {
			struct meta_entry *e = d->buckets[i];

			d->buckets[i] = e->next;
			e->next = b[e->fold & (n - 1)];
			b[e->fold & (n - 1)] = e;
		}
	}
	free(d->buckets);
	d->buckets = b;
	d->nbuckets = n;
}

static void entry_remove(struct cache_meta *m, struct meta_dir *d,
			 const char *name)
{
	struct meta_entry **pp = entry_slot(d, name, hash_bytes(name, true));
	struct meta_entry *e = *pp;

	if (!e)
		return;
	*pp = e->next;
	entry_free(e);
	d->count--;
	m->entries--;
}

/* The entry for name in d, made if needed; NULL on ENOMEM. */
static struct meta_entry *entry_get(struct cache_meta *m, struct meta_dir *d,
				    const char *name)
{
	uint32_t fold = hash_bytes(name, true);
	struct meta_entry **pp = entry_slot(d, name, fold), *e = *pp;

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->name = strdup(name);
	if (!e->name) {
		free(e);
		return NULL;
	}
	e->fold = fold;
	e->next = d->buckets[fold & (d->nbuckets - 1)];
	d->buckets[fold & (d->nbuckets - 1)] = e;
	d->count++;
	m->entries++;
	dir_grow(d);
	return e;
}

static int64_t entry_ttl(const struct cache_meta *m, const struct meta_entry *e)
{
	if (e->negative || (e->st.attributes & FILE_ATTRIBUTE_DIRECTORY))
		return m->lim.dir_ttl_ns;
	return m->lim.file_ttl_ns;
}

static bool entry_valid(const struct meta_dir *d, const struct meta_entry *e,
			int64_t now)
{
	if (e->unknown)
		return false;
	/*
	 * A watch reports names coming and going, and a file's changes;
	 * not the times of a subdirectory whose own contents change.
	 */
	if (d->watched && !(e->st.attributes & FILE_ATTRIBUTE_DIRECTORY))
		return true;
	return now < e->expires;
}

static bool dir_complete(const struct meta_dir *d, int64_t now)
{
	return d->complete && (d->watched || now < d->complete_expires);
}

static void entry_set(struct cache_meta *m, struct meta_entry *e, int64_t now,
		      const struct smb_stat *st)
{
	e->unknown = false;
	if (st) {
		struct smb_stat keep = *st;

		/*
		 * A directory entry carries no Unix view: the known one
		 * stays while the ChangeTime says nothing changed (a chmod
		 * or chown by anyone moves it, MS-FSCC 2.4.7).
		 */
		if (!e->negative && keep.change_time == e->st.change_time)
			smb_stat_keep_unix(&keep, &e->st);
		e->st = keep;
	}
	e->negative = !st;
	e->expires = now + entry_ttl(m, e);
}

/* --- the interface --- */

struct cache_meta *cache_meta_new(const struct cache_meta_limits *lim)
{
	struct cache_meta *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->lim = *lim;
	if (!m->lim.max_entries)
		m->lim.max_entries = MAX_ENTRIES;
	m->nbuckets = DIR_BUCKETS_MIN;
	m->dirs = calloc(m->nbuckets, sizeof(*m->dirs));
	if (!m->dirs) {
		free(m);
		return NULL;
	}
	m->lru.newer = m->lru.older = &m->lru;
	return m;
}

void cache_meta_forget_all(struct cache_meta *m)
{
	while (m->lru.newer != &m->lru)
		dir_free(m, m->lru.newer);
	m->root_valid = false;
}

void cache_meta_free(struct cache_meta *m)
{
	if (!m)
		return;
	cache_meta_forget_all(m);
	free(m->dirs);
	free(m);
}

/*
 * A positive entry equal to name but for case (not name itself); *stale
 * is set when there is one whose attributes are out of date.
 */
static struct meta_entry *find_variant(struct meta_dir *d, const char *name,
				       int64_t now, bool *stale)
{
	uint32_t fold = hash_bytes(name, true);
	struct meta_entry *e;

	*stale = false;
	for (e = d->buckets[fold & (d->nbuckets - 1)]; e; e = e->next) {
		if (e->fold != fold || e->negative || !strcmp(e->name, name) ||
		    !fold_equal(e->name, name))
			continue;
		if (entry_valid(d, e, now))
			return e;
		*stale = true;
	}
	return NULL;
}

static enum cache_answer answer_hit(const struct meta_entry *e,
				    struct smb_stat *st, char **exact,
				    enum cache_answer a)
{
	if (st)
		*st = e->st;
	if (exact)
		*exact = strdup(e->name);
	return a;
}

enum cache_answer cache_meta_lookup(struct cache_meta *m, const char *dir,
				    const char *name, bool nocase,
				    int64_t now, struct smb_stat *st,
				    char **exact)
{
	struct meta_dir *d = dir_find(m, dir);
	struct meta_entry *e, *v;
	bool stale;

	if (exact)
		*exact = NULL;
	if (!d)
		return CACHE_MISS;
	lru_touch(m, d);
	e = *entry_slot(d, name, hash_bytes(name, true));
	if (e && entry_valid(d, e, now) && !e->negative)
		return answer_hit(e, st, exact, CACHE_HIT);
	v = find_variant(d, name, now, &stale);
	if (v)
		return answer_hit(v, st, exact,
				  nocase ? CACHE_HIT : CACHE_CASE_VARIANT);
	if (e && e->negative && entry_valid(d, e, now) && !stale)
		return CACHE_NEGATIVE;
	/* Known to exist (or another case does), but out of date. */
	if ((e && !e->negative) || stale)
		return CACHE_MISS;
	return dir_complete(d, now) ? CACHE_NEGATIVE : CACHE_MISS;
}

bool cache_meta_root(struct cache_meta *m, int64_t now, struct smb_stat *st)
{
	if (!m->root_valid || now >= m->root_expires)
		return false;
	*st = m->root;
	return true;
}

void cache_meta_put_root(struct cache_meta *m, int64_t now,
			 const struct smb_stat *st)
{
	struct smb_stat keep = *st;

	if (keep.change_time == m->root.change_time)
		smb_stat_keep_unix(&keep, &m->root);
	m->root = keep;
	m->root_valid = true;
	m->root_expires = now + m->lim.dir_ttl_ns;
}

static int meta_put(struct cache_meta *m, const char *dir, const char *name,
		    int64_t now, const struct smb_stat *st)
{
	struct meta_dir *d = dir_get(m, dir);
	struct meta_entry *e = d ? entry_get(m, d, name) : NULL;

	if (!e)
		return -ENOMEM;
	entry_set(m, e, now, st);
	meta_trim(m);
	return 0;
}

int cache_meta_put(struct cache_meta *m, const char *dir, const char *name,
		   int64_t now, const struct smb_stat *st)
{
	return meta_put(m, dir, name, now, st);
}

int cache_meta_put_negative(struct cache_meta *m, const char *dir,
			    const char *name, int64_t now)
{
	return meta_put(m, dir, name, now, NULL);
}

int cache_meta_put_listing(struct cache_meta *m, const char *dir,
			   int64_t now, const struct smb_dir_listing *l)
{
	struct meta_dir *d = dir_get(m, dir);
	struct meta_entry *e;
	size_t i;

	if (!d)
		return -ENOMEM;
	dir_clear(m, d);
	for (i = 0; i < l->n; i++) {
		e = entry_get(m, d, l->v[i].name);
		if (!e) {
			dir_clear(m, d);
			return -ENOMEM;
		}
		entry_set(m, e, now, &l->v[i].st);
	}
	d->complete = true;
	d->complete_expires = now + m->lim.dir_ttl_ns;
	meta_trim(m);
	return 0;
}

int cache_meta_get_listing(struct cache_meta *m, const char *dir,
			   int64_t now, struct smb_dir_listing *out)
{
	struct meta_dir *d = dir_find(m, dir);
	struct meta_entry *e;
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	if (!d || !dir_complete(d, now))
		return 0;
	for (i = 0; i < d->nbuckets; i++)
		for (e = d->buckets[i]; e; e = e->next)
			if (!e->negative && !entry_valid(d, e, now))
				return 0; /* stale attributes: list again */
	out->v = calloc(d->count ? d->count : 1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < d->nbuckets; i++) {
		for (e = d->buckets[i]; e; e = e->next) {
			if (e->negative)
				continue;
			out->v[n].name = strdup(e->name);
			if (!out->v[n].name) {
				out->n = n;
				smb_dir_listing_free(out);
				return -ENOMEM;
			}
			out->v[n++].st = e->st;
		}
	}
	out->n = n;
	lru_touch(m, d);
	return 1;
}

int cache_meta_put_unknown(struct cache_meta *m, const char *dir,
			   const char *name, int64_t now)
{
	struct meta_dir *d = dir_get(m, dir);
	struct meta_entry *e = d ? entry_get(m, d, name) : NULL;

	if (!e)
		return -ENOMEM;
	entry_set(m, e, now, NULL);
	e->negative = false;
	e->unknown = true;
	meta_trim(m);
	return 0;
}

void cache_meta_forget_file(struct cache_meta *m, uint64_t file_id)
{
	struct meta_entry *e;
	struct meta_dir *d;
	size_t i, j;

	if (!file_id)
		return;
	for (i = 0; i < m->nbuckets; i++) {
		for (d = m->dirs[i]; d; d = d->next) {
			for (j = 0; j < d->nbuckets; j++) {
				for (e = d->buckets[j]; e; e = e->next) {
					if (!e->negative && !e->unknown &&
					    e->st.file_id == file_id)
						e->unknown = true;
				}
			}
		}
	}
}

bool cache_meta_exists(struct cache_meta *m, const char *dir,
		       const char *name, int64_t now)
{
	struct meta_dir *d = dir_find(m, dir);
	struct meta_entry *e;

	if (!d)
		return false;
	e = *entry_slot(d, name, hash_bytes(name, true));
	return e && !e->negative && (e->unknown || entry_valid(d, e, now));
}

int cache_meta_created(struct cache_meta *m, const char *dir,
		       const char *name, int64_t now,
		       const struct smb_stat *st)
{
	return meta_put(m, dir, name, now, st);
}

void cache_meta_removed(struct cache_meta *m, const char *dir,
			const char *name, int64_t now)
{
	struct meta_dir *d = dir_find(m, dir);

	if (!d)
		return;
	/* In a complete listing absence says it all. */
	if (d->complete)
		entry_remove(m, d, name);
	else if (meta_put(m, dir, name, now, NULL) < 0)
		entry_remove(m, d, name);
}

/* "dir\name", or name alone in the root; NULL on ENOMEM. */
static char *path_join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p = malloc(dl + nl + 2);

	if (!p)
		return NULL;
	if (dl) {
		memcpy(p, dir, dl);
		p[dl++] = '\\';
	}
	memcpy(p + dl, name, nl + 1);
	return p;
}

/* path itself, or a path below it. */
static bool path_within(const char *p, const char *top, size_t top_len)
{
	if (!top_len)
		return true; /* the root holds everything */
	return !strncmp(p, top, top_len) &&
	       (p[top_len] == '\0' || p[top_len] == '\\');
}

/* Drops the tables of path and of every directory below it. */
static void forget_below(struct cache_meta *m, const char *path)
{
	size_t len = strlen(path);
	struct meta_dir *d = m->lru.newer, *next;

	for (; d != &m->lru; d = next) {
		next = d->newer;
		if (path_within(d->path, path, len))
			dir_free(m, d);
	}
	if (!len)
		m->root_valid = false;
}

void cache_meta_renamed(struct cache_meta *m, const char *from_dir,
			const char *from_name, const char *to_dir,
			const char *to_name, int64_t now,
			const struct smb_stat *st)
{
	char *old = path_join(from_dir, from_name);
	char *new = path_join(to_dir, to_name);

	/* What was below either name no longer is. */
	if (old && new) {
		forget_below(m, old);
		forget_below(m, new);
	} else {
		cache_meta_forget_all(m);
	}
	free(old);
	free(new);
	cache_meta_removed(m, from_dir, from_name, now);
	if (!st || meta_put(m, to_dir, to_name, now, st) < 0)
		cache_meta_forget(m, to_dir, to_name);
}

/* A directory's times move to when, never back. */
static void touch_times(struct smb_stat *st, uint64_t when)
{
	if (st->last_write_time < when)
		st->last_write_time = when;
	if (st->change_time < when)
		st->change_time = when;
}

void cache_meta_touch_dir(struct cache_meta *m, const char *dir, uint64_t when)
{
	const char *slash = strrchr(dir, '\\');
	struct meta_dir *d;
	struct meta_entry *e;
	char *parent;

	if (!*dir) {
		if (when)
			touch_times(&m->root, when);
		else
			m->root_valid = false;
		return;
	}
	parent = slash ? strndup(dir, (size_t)(slash - dir)) : strdup("");
	if (!parent) {
		cache_meta_forget_all(m);
		return;
	}
	d = dir_find(m, parent);
	e = d ? *entry_slot(d, slash ? slash + 1 : dir,
			    hash_bytes(slash ? slash + 1 : dir, true))
	      : NULL;
	if (e && when)
		touch_times(&e->st, when);
	else if (e)
		e->expires = 0;
	free(parent);
}

void cache_meta_forget(struct cache_meta *m, const char *dir,
		       const char *name)
{
	struct meta_dir *d = dir_find(m, dir);

	if (!d)
		return;
	entry_remove(m, d, name);
	d->complete = false;
}

void cache_meta_forget_dir(struct cache_meta *m, const char *dir)
{
	struct meta_dir *d = dir_find(m, dir);

	if (d)
		dir_clear(m, d);
}

void cache_meta_forget_tree(struct cache_meta *m, const char *path)
{
	const char *slash;
	char *parent;

	forget_below(m, path);
	if (!*path)
		return;
	/* The entry naming path in its parent. */
	slash = strrchr(path, '\\');
	if (!slash) {
		cache_meta_forget(m, "", path);
		return;
	}
	parent = strndup(path, (size_t)(slash - path));
	if (parent)
		cache_meta_forget(m, parent, slash + 1);
	else
		cache_meta_forget_all(m);
	free(parent);
}

void cache_meta_set_watched(struct cache_meta *m, const char *dir,
			    bool watched)
{
	struct meta_dir *d = watched ? dir_get(m, dir) : dir_find(m, dir);

	if (!d)
		return;
	/*
	 * Changes before the watch started were not reported: what was
	 * learnt before it must not become permanent.
	 */
	if (watched && !d->watched)
		dir_clear(m, d);
	d->watched = watched;
}

void cache_meta_count(const struct cache_meta *m, struct cache_meta_counts *c)
{
	c->dirs = m->ndirs;
	c->entries = m->entries;
}
