// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metadata cache (cache.h): the tables of meta.c under one lock,
 * the pool's calls on a miss, and the directory watches that keep the
 * tables exact.
 *
 * A directory is watched when it is listed or a name in it is looked up
 * and not found in the tables, up to max_watches directories (the least
 * recently used watch is stopped for a new one).  A watched directory
 * is listed once, and from then on every lookup in it, found or not,
 * is answered without a round trip: what matters for a directory that
 * fills up, where each miss would cost the server a scan of the whole
 * directory (a case-insensitive server must look for other spellings).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fanout.h"
#include "meta.h"
#include "own.h"
#include "smbfs/cache.h"
#include "smbfs/log.h"

/* MS-SMB2 2.2.35: names, sizes, times and attributes. */
#define WATCH_FILTER                                                   \
	(FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |  \
	 FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SIZE |     \
	 FILE_NOTIFY_CHANGE_LAST_WRITE | FILE_NOTIFY_CHANGE_CREATION | \
	 FILE_NOTIFY_CHANGE_SECURITY)

/*
 * Stats of cache_stat_many in flight at once, for every caller together.
 * Each is a compound of four requests (smb_path_stat_sd), so this takes
 * up to 512 credits, what the connection keeps (SMB_CREDITS_TARGET),
 * as a read-ahead of four 8 MiB READs does; others wait for credits
 * meanwhile.  At 10 ms a round trip, 128 in flight list 2,000 entries
 * with descriptors in about what Samba takes to answer them (~0.2 s);
 * 64 would take twice as long.
 */
#define CACHE_STAT_PARALLEL 128

struct cache_watch {
	char *dir;
	struct pool_watch *w; /* NULL while it is being started */
	uint64_t used;	      /* LRU tick */
	struct cache_watch *next;
};

struct smb_cache {
	struct pool_tree *tree;
	struct smb_cache_config cfg;
	cache_change_fn fn;
	void *fn_arg;
	pthread_mutex_t lock; /* meta and the watch list */
	struct cache_meta *meta;
	struct own_changes *own; /* under lock */
	struct fanout *fanout;	 /* cache_stat_many's workers */
	struct cache_watch *watches;
	unsigned int nwatches;
	uint64_t tick;
	atomic_ullong attr_hits, attr_misses, lookup_hits,
		lookup_negative_hits, lookup_misses, listing_hits,
		listing_misses, notify_changes;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Splits "a\b\c" into "a\b" and "c" (malloc'd); "c" into "" and "c". */
static int path_split(const char *path, char **dir, const char **name)
{
	const char *slash = strrchr(path, '\\');

	*dir = slash ? strndup(path, (size_t)(slash - path)) : strdup("");
	*name = slash ? slash + 1 : path;
	return *dir ? 0 : -ENOMEM;
}

static int fanout_stat(void *arg, const char *path, struct smb_stat *st);

int smb_cache_new(struct pool_tree *t, const struct smb_cache_config *cfg,
		  cache_change_fn fn, void *arg, struct smb_cache **out)
{
	struct cache_meta_limits lim = {
		.file_ttl_ns = (int64_t)cfg->file_ttl_ms * 1000000,
		.dir_ttl_ns = (int64_t)cfg->dir_ttl_ms * 1000000,
	};
	struct smb_cache *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->meta = cache_meta_new(&lim);
	c->own = own_changes_new();
	c->fanout = fanout_new(CACHE_STAT_PARALLEL, fanout_stat, c);
	if (!c->meta || !c->own || !c->fanout ||
	    pthread_mutex_init(&c->lock, NULL)) {
		cache_meta_free(c->meta);
		own_changes_free(c->own);
		fanout_free(c->fanout);
		free(c);
		return -ENOMEM;
	}
	c->tree = t;
	c->cfg = *cfg;
	c->fn = fn;
	c->fn_arg = arg;
	*out = c;
	return 0;
}

static void watch_free(struct cache_watch *cw)
{
	if (cw->w)
		pool_watch_stop(cw->w);
	free(cw->dir);
	free(cw);
}

void smb_cache_free(struct smb_cache *c)
{
	if (!c)
		return;
	/* Its workers use the tables. */
	fanout_free(c->fanout);
	while (c->watches) {
		struct cache_watch *cw = c->watches;

		c->watches = cw->next;
		watch_free(cw);
	}
	cache_meta_free(c->meta);
	own_changes_free(c->own);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* --- our own changes (own.c) --- */

static void cache_own_begin(struct smb_cache *c, const char *path)
{
	pthread_mutex_lock(&c->lock);
	/* -ENOMEM: a notification may then invalidate more than needed. */
	(void)own_begin(c->own, path, now_ns());
	pthread_mutex_unlock(&c->lock);
}

static void cache_own_end(struct smb_cache *c, const char *path)
{
	pthread_mutex_lock(&c->lock);
	own_end(c->own, path, now_ns());
	pthread_mutex_unlock(&c->lock);
}

/* --- watches --- */

static struct cache_watch *watch_find(struct smb_cache *c, const char *dir)
{
	struct cache_watch *cw;

	for (cw = c->watches; cw; cw = cw->next)
		if (!strcmp(cw->dir, dir))
			return cw;
	return NULL;
}

static void watch_unlink(struct smb_cache *c, struct cache_watch *cw)
{
	struct cache_watch **pp;

	for (pp = &c->watches; *pp; pp = &(*pp)->next) {
		if (*pp == cw) {
			*pp = cw->next;
			c->nwatches--;
			return;
		}
	}
}

/* The least recently used watch that is running (lock held). */
static struct cache_watch *watch_oldest(struct smb_cache *c)
{
	struct cache_watch *cw, *old = NULL;

	for (cw = c->watches; cw; cw = cw->next)
		if (cw->w && (!old || cw->used < old->used))
			old = cw;
	return old;
}

/*
 * Watches dir unless it is watched already; makes room by stopping the
 * least recently used watch.  Best effort: without a watch the tables
 * simply expire as usual.  True when dir is watched.
 */
static bool watch_dir(struct smb_cache *c, const char *dir)
{
	struct cache_watch *cw, *evict = NULL;
	struct pool_watch *w = NULL;
	bool running;
	int rc;

	if (!c->cfg.max_watches)
		return false;
	pthread_mutex_lock(&c->lock);
	cw = watch_find(c, dir);
	if (cw) {
		cw->used = ++c->tick;
		running = cw->w != NULL;
		pthread_mutex_unlock(&c->lock);
		return running;
	}
	if (c->nwatches >= c->cfg.max_watches) {
		evict = watch_oldest(c);
		if (!evict) {
			pthread_mutex_unlock(&c->lock);
			return false;
		}
		watch_unlink(c, evict);
		cache_meta_set_watched(c->meta, evict->dir, false);
	}
	cw = calloc(1, sizeof(*cw));
	if (cw)
		cw->dir = strdup(dir);
	if (cw && cw->dir) {
		cw->used = ++c->tick;
		cw->next = c->watches;
		c->watches = cw;
		c->nwatches++;
	} else if (cw) {
		free(cw);
		cw = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	if (evict)
		watch_free(evict);
	if (!cw)
		return false;
	rc = pool_watch_start(c->tree, dir, WATCH_FILTER, cw, &w);
	pthread_mutex_lock(&c->lock);
	if (rc == 0) {
		cw->w = w;
		/* From now on the tables of dir stay exact. */
		cache_meta_set_watched(c->meta, dir, true);
	} else {
		watch_unlink(c, cw);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc < 0) {
		smb_log(SMB_LOG_DEBUG, "cannot watch \"\\%s\": %s", dir,
			strerror(-rc));
		free(cw->dir);
		free(cw);
	}
	return rc == 0;
}

static bool path_within(const char *p, const char *top)
{
	size_t len = strlen(top);

	if (!len)
		return true;
	return !strncmp(p, top, len) && (p[len] == '\0' || p[len] == '\\');
}

/* Stops the watches on path and below (before renaming or removing it). */
static void cache_dir_changing(struct smb_cache *c, const char *path)
{
	struct cache_watch *stop = NULL, **pp, *cw;

	pthread_mutex_lock(&c->lock);
	pp = &c->watches;
	while ((cw = *pp)) {
		/* One being started finishes first; it is found next time. */
		if (cw->w && path_within(cw->dir, path)) {
			*pp = cw->next;
			c->nwatches--;
			cache_meta_set_watched(c->meta, cw->dir, false);
			cw->next = stop;
			stop = cw;
			continue;
		}
		pp = &cw->next;
	}
	pthread_mutex_unlock(&c->lock);
	while ((cw = stop)) {
		stop = cw->next;
		watch_free(cw);
	}
}

/* --- lookups --- */

/* Remembers the outcome of a lookup the server answered (lock held). */
static void note_lookup(struct smb_cache *c, const char *dir,
			const char *name, int rc, const struct smb_stat *st,
			const char *exact)
{
	int64_t now = now_ns();

	if (rc == 0 || rc == -EEXIST)
		cache_meta_put(c->meta, dir, exact ? exact : name, now, st);
	else if (rc == -ENOENT)
		cache_meta_put_negative(c->meta, dir, name, now);
}

static int answer(enum cache_answer a)
{
	switch (a) {
	case CACHE_HIT:
		return 0;
	case CACHE_CASE_VARIANT:
		return -EEXIST;
	default:
		return -ENOENT;
	}
}

/* Looks in the tables only: a cache answer, or CACHE_MISS. */
static enum cache_answer lookup_known(struct smb_cache *c, const char *dir,
				      const char *name, struct smb_stat *st,
				      char **exact)
{
	enum cache_answer a;

	pthread_mutex_lock(&c->lock);
	a = cache_meta_lookup(c->meta, dir, name, c->cfg.nocase, now_ns(), st,
			      exact);
	pthread_mutex_unlock(&c->lock);
	return a;
}

int cache_lookup(struct smb_cache *c, const char *dir, const char *name,
		 struct smb_stat *st, char **exact)
{
	enum cache_answer a = lookup_known(c, dir, name, st, exact);
	struct smb_dir_listing l;
	char *found = NULL;
	int rc;

	if (a != CACHE_MISS) {
		atomic_fetch_add(a == CACHE_NEGATIVE ? &c->lookup_negative_hits
						     : &c->lookup_hits,
				 1);
		return answer(a);
	}
	atomic_fetch_add(&c->lookup_misses, 1);
	/* Watching dir and listing it once answers every later lookup. */
	if (watch_dir(c, dir) && cache_list(c, dir, &l) == 0) {
		cache_listing_free(&l);
		a = lookup_known(c, dir, name, st, exact);
		if (a != CACHE_MISS)
			return answer(a);
	}
	rc = pool_path_lookup(c->tree, dir, name,
			      c->cfg.nocase ? SMB_LOOKUP_NOCASE : 0, st, &found);
	pthread_mutex_lock(&c->lock);
	note_lookup(c, dir, name, rc, st, found);
	pthread_mutex_unlock(&c->lock);
	if (exact)
		*exact = found;
	else
		free(found);
	return rc;
}

/* One round trip: the descriptor comes in the stat's compound. */
static int stat_from_server(struct smb_cache *c, const char *path,
			    struct smb_stat *st)
{
	struct smb_stat_meta m = { .ea_name = c->cfg.unix_ea };
	int rc;

	if (!c->cfg.unix_view)
		return pool_path_stat(c->tree, path, st);
	rc = pool_path_stat_sd(c->tree, path, st, &m);
	if (rc == 0) {
		c->cfg.unix_view(c->cfg.unix_arg, path, &m, st);
		smb_sd_free(&m.sd);
	}
	return rc;
}

int cache_stat(struct smb_cache *c, const char *path, struct smb_stat *st)
{
	const char *name;
	char *dir;
	int rc;

	if (!*path) {
		pthread_mutex_lock(&c->lock);
		rc = cache_meta_root(c->meta, now_ns(), st) ? 0 : -EAGAIN;
		pthread_mutex_unlock(&c->lock);
	} else {
		rc = path_split(path, &dir, &name);
		if (rc < 0)
			return rc;
		rc = answer(lookup_known(c, dir, name, st, NULL));
		/* Only a hit counts: a negative entry may be a stale one. */
		rc = rc == 0 ? 0 : -EAGAIN;
		free(dir);
	}
	if (rc == 0 && (!c->cfg.unix_view || st->has_unix)) {
		atomic_fetch_add(&c->attr_hits, 1);
		return 0;
	}
	atomic_fetch_add(&c->attr_misses, 1);
	rc = stat_from_server(c, path, st);
	if (rc == 0)
		cache_note_stat(c, path, st);
	return rc;
}

/* A worker's call (fanout.h). */
static int fanout_stat(void *arg, const char *path, struct smb_stat *st)
{
	return cache_stat(arg, path, st);
}

void cache_stat_many(struct smb_cache *c, const char *const *paths, size_t n,
		     struct smb_stat *sts, int *rcs)
{
	fanout_run(c->fanout, paths, n, sts, rcs);
}

void cache_listing_free(struct smb_dir_listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int cache_list(struct smb_cache *c, const char *dir,
	       struct smb_dir_listing *out)
{
	int rc;

	pthread_mutex_lock(&c->lock);
	rc = cache_meta_get_listing(c->meta, dir, now_ns(), out);
	pthread_mutex_unlock(&c->lock);
	if (rc == 1) {
		atomic_fetch_add(&c->listing_hits, 1);
		return 0;
	}
	atomic_fetch_add(&c->listing_misses, 1);
	watch_dir(c, dir);
	rc = pool_path_list(c->tree, dir, out);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&c->lock);
	cache_meta_put_listing(c->meta, dir, now_ns(), out);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* --- what replies and our own changes said --- */

void cache_note_stat(struct smb_cache *c, const char *path,
		     const struct smb_stat *st)
{
	const char *name;
	char *dir;

	pthread_mutex_lock(&c->lock);
	if (!*path) {
		cache_meta_put_root(c->meta, now_ns(), st);
	} else if (path_split(path, &dir, &name) == 0) {
		cache_meta_put(c->meta, dir, name, now_ns(), st);
		free(dir);
	}
	pthread_mutex_unlock(&c->lock);
}

void cache_note_created(struct smb_cache *c, const char *path,
			const struct smb_stat *st)
{
	const char *name;
	char *dir;

	if (path_split(path, &dir, &name) < 0) {
		cache_forget(c, "");
		return;
	}
	pthread_mutex_lock(&c->lock);
	cache_meta_touch_dir(c->meta, dir,
			     st->change_time > st->last_write_time
				     ? st->change_time
				     : st->last_write_time);
	if (cache_meta_created(c->meta, dir, name, now_ns(), st) < 0)
		cache_meta_forget_dir(c->meta, dir);
	pthread_mutex_unlock(&c->lock);
	free(dir);
	/*
	 * A new directory is empty: watched from now on, its whole listing
	 * is known, and names created in it need no lookup at the server.
	 */
	if ((st->attributes & FILE_ATTRIBUTE_DIRECTORY) && watch_dir(c, path)) {
		struct smb_dir_listing empty = {0};

		pthread_mutex_lock(&c->lock);
		cache_meta_put_listing(c->meta, path, now_ns(), &empty);
		pthread_mutex_unlock(&c->lock);
	}
}

void cache_note_removed(struct smb_cache *c, const char *path)
{
	const char *name;
	uint64_t when;
	char *dir;

	if (path_split(path, &dir, &name) < 0) {
		cache_forget(c, "");
		return;
	}
	/* No answer says when the server changed dir: its clock now. */
	when = pool_tree_server_time(c->tree);
	pthread_mutex_lock(&c->lock);
	cache_meta_touch_dir(c->meta, dir, when);
	cache_meta_forget_tree(c->meta, path);
	cache_meta_removed(c->meta, dir, name, now_ns());
	pthread_mutex_unlock(&c->lock);
	free(dir);
}

void cache_note_renamed(struct smb_cache *c, const char *from, const char *to,
			const struct smb_stat *st)
{
	uint64_t when;
	const char *fname, *tname;
	char *fdir = NULL, *tdir = NULL;

	if (path_split(from, &fdir, &fname) < 0 ||
	    path_split(to, &tdir, &tname) < 0) {
		free(fdir);
		cache_forget(c, "");
		return;
	}
	when = pool_tree_server_time(c->tree);
	pthread_mutex_lock(&c->lock);
	cache_meta_touch_dir(c->meta, fdir, when);
	cache_meta_touch_dir(c->meta, tdir, when);
	cache_meta_renamed(c->meta, fdir, fname, tdir, tname, now_ns(), st);
	pthread_mutex_unlock(&c->lock);
	free(fdir);
	free(tdir);
}

void cache_forget(struct smb_cache *c, const char *path)
{
	pthread_mutex_lock(&c->lock);
	cache_meta_forget_tree(c->meta, path);
	pthread_mutex_unlock(&c->lock);
}

void cache_forget_file(struct smb_cache *c, uint64_t file_id)
{
	pthread_mutex_lock(&c->lock);
	cache_meta_forget_file(c->meta, file_id);
	pthread_mutex_unlock(&c->lock);
}

/* --- changing the share --- */

int cache_path_mkdir(struct smb_cache *c, const char *path,
		     const struct smb_sd *sd, struct smb_stat *st)
{
	int rc;

	/* A process may change into it before our reply is through. */
	cache_own_begin(c, path);
	rc = pool_path_mkdir(c->tree, path, sd, st);
	cache_own_end(c, path);
	if (rc == 0 && st)
		cache_note_created(c, path, st);
	else if (rc == 0)
		cache_forget(c, path);
	return rc;
}

/* The server id of path when it is known to have other links; else 0. */
static uint64_t linked_file_id(struct smb_cache *c, const char *path)
{
	struct smb_stat st;
	const char *name;
	char *dir;
	uint64_t id = 0;

	if (path_split(path, &dir, &name) < 0)
		return 0;
	if (lookup_known(c, dir, name, &st, NULL) == CACHE_HIT &&
	    st.nlink > 1)
		id = st.file_id;
	free(dir);
	return id;
}

int cache_path_delete(struct smb_cache *c, const char *path,
		      uint32_t options)
{
	uint64_t linked_id = 0;
	int rc;

	if (options & FILE_DIRECTORY_FILE)
		cache_dir_changing(c, path);
	else
		linked_id = linked_file_id(c, path);
	rc = pool_path_delete(c->tree, path, options);
	if (rc == 0 && linked_id) {
		pthread_mutex_lock(&c->lock);
		cache_meta_forget_file(c->meta, linked_id);
		pthread_mutex_unlock(&c->lock);
	}
	if (rc == 0)
		cache_note_removed(c, path);
	else
		cache_forget(c, path);
	return rc;
}

int cache_path_rename(struct smb_cache *c, const char *from, const char *to,
		      bool replace)
{
	int rc;

	/* Either may be a directory: watched ones would refuse it. */
	cache_dir_changing(c, from);
	cache_dir_changing(c, to);
	rc = pool_path_rename(c->tree, from, to, replace);
	if (rc == 0)
		cache_note_renamed(c, from, to, NULL);
	return rc;
}

int cache_path_link(struct smb_cache *c, const char *from, const char *to,
		    bool replace, struct smb_stat *st)
{
	int rc = pool_path_link(c->tree, from, to, replace, st);

	if (rc == 0 && st) {
		pthread_mutex_lock(&c->lock);
		cache_meta_forget_file(c->meta, st->file_id);
		pthread_mutex_unlock(&c->lock);
		cache_note_created(c, to, st);
		cache_note_stat(c, from, st); /* one more link */
	} else if (rc == 0) {
		cache_forget(c, to);
		cache_forget(c, from);
	}
	return rc;
}

/* Stops the watch on exactly dir, if there is one. */
static void watch_stop_dir(struct smb_cache *c, const char *dir)
{
	struct cache_watch *cw;

	pthread_mutex_lock(&c->lock);
	cw = watch_find(c, dir);
	if (cw && cw->w) {
		watch_unlink(c, cw);
		cache_meta_set_watched(c->meta, dir, false);
	} else {
		cw = NULL;
	}
	pthread_mutex_unlock(&c->lock);
	if (cw)
		watch_free(cw);
}

int cache_path_setattr(struct smb_cache *c, const char *path,
		       const struct smb_setattr *sa, struct smb_stat *st)
{
	int rc;

	/*
	 * Samba lets a directory's times set through one handle be undone
	 * when another handle of it (our watch) closes later: set them
	 * with no watch open.
	 */
	if (sa->set_basic)
		watch_stop_dir(c, path);
	rc = pool_path_setattr(c->tree, path, sa, st);

	if (rc == 0 && st)
		cache_note_stat(c, path, st);
	else
		cache_forget(c, path);
	return rc;
}

int cache_path_write_new(struct smb_cache *c, const char *tmp_path,
			 const char *path, const void *buf, size_t len,
			 uint32_t attributes, struct smb_stat *st)
{
	int rc = pool_path_write_new(c->tree, tmp_path, path, buf, len,
				     attributes, st);

	if (rc == 0 && st)
		cache_note_created(c, path, st);
	else if (rc == 0)
		cache_forget(c, path);
	return rc;
}

void cache_disconnected(struct smb_cache *c)
{
	struct cache_watch *cw;

	pthread_mutex_lock(&c->lock);
	/* While nobody watches, nothing known can be trusted. */
	for (cw = c->watches; cw; cw = cw->next)
		cache_meta_set_watched(c->meta, cw->dir, false);
	cache_meta_forget_all(c->meta);
	pthread_mutex_unlock(&c->lock);
}

/* --- notifications --- */

/*
 * Applies one change to the tables (lock held).  A notification tells
 * what happened some time ago, and our own calls since may have changed
 * the name again (a file created, removed and created anew): it may
 * make what we know uncertain, never overrule it.  Only what agrees
 * with the tables is taken as it comes.
 */
static bool notify_apply(struct smb_cache *c, const char *dir,
			 const struct smb_notify_change *ch, int64_t now)
{
	bool exists = cache_meta_exists(c->meta, dir, ch->name, now);

	switch (ch->action) {
	case FILE_ACTION_ADDED:
		/*
		 * A name we created ourselves is known already, and the
		 * kernel's entry for it is right (another client's new file
		 * under a known name comes after its REMOVED).
		 */
		if (exists)
			return false;
		cache_meta_put_unknown(c->meta, dir, ch->name, now);
		break;
	case FILE_ACTION_RENAMED_NEW_NAME:
		/* Maybe renamed over the file we know: ask again. */
		cache_meta_put_unknown(c->meta, dir, ch->name, now);
		break;
	case FILE_ACTION_REMOVED:
	case FILE_ACTION_RENAMED_OLD_NAME:
		if (exists)
			cache_meta_put_unknown(c->meta, dir, ch->name, now);
		else
			cache_meta_removed(c->meta, dir, ch->name, now);
		break;
	default: /* MODIFIED and the stream actions */
		if (exists)
			cache_meta_put_unknown(c->meta, dir, ch->name, now);
		break;
	}
	return true;
}

/* Whether the change is one of ours (own.c): the kernel needs no word. */
static bool notify_is_own(struct smb_cache *c, const char *dir,
			  const char *name)
{
	char *path;
	bool own;

	if (asprintf(&path, "%s%s%s", dir, *dir ? "\\" : "", name) < 0)
		return false;
	pthread_mutex_lock(&c->lock);
	own = own_recent(c->own, path, now_ns());
	pthread_mutex_unlock(&c->lock);
	free(path);
	return own;
}

void cache_handle_notify(struct smb_cache *c, const struct pool_event *ev)
{
	const struct smb_notify_result *r = ev->u.notify.result;
	struct cache_watch *cw;
	int64_t now = now_ns();
	char *dir = NULL;
	bool *news = NULL;
	size_t i;

	pthread_mutex_lock(&c->lock);
	/* Compared by pointer: the pool keeps it alive for this event. */
	for (cw = c->watches; cw && cw->w != ev->u.notify.watch; cw = cw->next)
		;
	if (cw)
		dir = strdup(cw->dir);
	if (dir && (r->overflow || r->err)) {
		/* Watched again (after a reconnect), from nothing. */
		cache_meta_set_watched(c->meta, dir, true);
		cache_meta_forget_dir(c->meta, dir);
	} else if (dir) {
		news = calloc(r->n ? r->n : 1, sizeof(*news));
		for (i = 0; i < r->n; i++) {
			bool n = notify_apply(c, dir, &r->v[i], now);

			if (news)
				news[i] = n;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (!dir)
		return; /* a watch stopped meanwhile */
	if (r->overflow || r->err) {
		c->fn(c->fn_arg, dir, NULL, 0);
		atomic_fetch_add(&c->notify_changes, 1);
	}
	for (i = 0; !r->overflow && !r->err && i < r->n; i++) {
		atomic_fetch_add(&c->notify_changes, 1);
		/* news == NULL (no memory): tell the kernel everything. */
		if ((!news || news[i]) && !notify_is_own(c, dir, r->v[i].name))
			c->fn(c->fn_arg, dir, r->v[i].name, r->v[i].action);
	}
	free(news);
	free(dir);
}

void cache_get_stats(struct smb_cache *c, struct smb_cache_stats *st)
{
	struct cache_meta_counts mc;

	memset(st, 0, sizeof(*st));
	st->attr_hits = atomic_load(&c->attr_hits);
	st->attr_misses = atomic_load(&c->attr_misses);
	st->lookup_hits = atomic_load(&c->lookup_hits);
	st->lookup_negative_hits = atomic_load(&c->lookup_negative_hits);
	st->lookup_misses = atomic_load(&c->lookup_misses);
	st->listing_hits = atomic_load(&c->listing_hits);
	st->listing_misses = atomic_load(&c->listing_misses);
	st->notify_changes = atomic_load(&c->notify_changes);
	pthread_mutex_lock(&c->lock);
	st->watches = c->nwatches;
	cache_meta_count(c->meta, &mc);
	st->entries = mc.entries;
	pthread_mutex_unlock(&c->lock);
}
