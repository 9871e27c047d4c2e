/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata tables of the cache: what the server told us about names
 * and attributes, by directory, and for how long it may be believed.
 *
 * Paths are share-relative SMB paths as the layers below use them ("" is
 * the share's root, "dir\\name" below it); names are one component in
 * the server's spelling.  For each directory the tables keep:
 *   - entries: a name with its attributes, or a name known not to exist
 *     (a negative entry);
 *   - whether the entries are the whole directory (a complete listing),
 *     which also answers lookups of any other name: it does not exist;
 *   - whether a CHANGE_NOTIFY watches the directory: then what is known
 *     stays valid until a notification says otherwise, instead of
 *     expiring after acdirmax.
 *
 * Nothing here talks to the server or locks: the cache (cache.c) calls
 * these with its lock held.  Times are CLOCK_MONOTONIC nanoseconds.
 */
#ifndef SMBFS_CACHE_META_H
#define SMBFS_CACHE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/client.h"

struct cache_meta;

struct cache_meta_limits {
	int64_t file_ttl_ns; /* acregmax */
	int64_t dir_ttl_ns;  /* acdirmax */
	size_t max_entries;  /* all directories together; 0: 200000 */
};

enum cache_answer {
	CACHE_MISS,	    /* nothing valid known: ask the server */
	CACHE_HIT,	    /* the name exists, *st filled */
	CACHE_NEGATIVE,	    /* no such name */
	CACHE_CASE_VARIANT, /* only a name differing in case exists */
};

struct cache_meta *cache_meta_new(const struct cache_meta_limits *lim);
void cache_meta_free(struct cache_meta *m);

/*
 * What is known of name in dir.  With nocase a name differing only in
 * case is a hit.  *exact (may be NULL) receives the stored spelling,
 * malloc'd, on a hit or a case variant.
 */
enum cache_answer cache_meta_lookup(struct cache_meta *m, const char *dir,
				    const char *name, bool nocase,
				    int64_t now, struct smb_stat *st,
				    char **exact);
/* The attributes of the share's root, if valid. */
bool cache_meta_root(struct cache_meta *m, int64_t now, struct smb_stat *st);
void cache_meta_put_root(struct cache_meta *m, int64_t now,
			 const struct smb_stat *st);

/* Records what a reply said; 0 or -ENOMEM (then nothing is recorded). */
int cache_meta_put(struct cache_meta *m, const char *dir, const char *name,
		   int64_t now, const struct smb_stat *st);
int cache_meta_put_negative(struct cache_meta *m, const char *dir,
			    const char *name, int64_t now);
/* A whole listing of dir (".", ".." left out): complete from now. */
int cache_meta_put_listing(struct cache_meta *m, const char *dir,
			   int64_t now, const struct smb_dir_listing *l);
/*
 * A copy of dir's complete listing, if one is valid: 1, 0 when there is
 * none, -ENOMEM.
 */
int cache_meta_get_listing(struct cache_meta *m, const char *dir,
			   int64_t now, struct smb_dir_listing *out);

/*
 * A name exists (a notification said so) but its attributes are not
 * known: a lookup of it is a miss, the others still answer from a
 * complete listing.
 */
int cache_meta_put_unknown(struct cache_meta *m, const char *dir,
			   const char *name, int64_t now);
/* Whether name in dir is known to exist (with or without attributes). */
/*
 * Every name of the file with that server id: attributes unknown (a
 * hard link was made or removed: each name's copy of the link count is
 * stale).  Walks the whole table; for files with several links only.
 */
void cache_meta_forget_file(struct cache_meta *m, uint64_t file_id);
bool cache_meta_exists(struct cache_meta *m, const char *dir,
		       const char *name, int64_t now);

/* Our own changes. */
int cache_meta_created(struct cache_meta *m, const char *dir,
		       const char *name, int64_t now,
		       const struct smb_stat *st);
void cache_meta_removed(struct cache_meta *m, const char *dir,
			const char *name, int64_t now);
/*
 * A rename: the old name is gone; the new one holds st (NULL: unknown,
 * forgotten).  What was known below a renamed directory is forgotten.
 */
void cache_meta_renamed(struct cache_meta *m, const char *from_dir,
			const char *from_name, const char *to_dir,
			const char *to_name, int64_t now,
			const struct smb_stat *st);

/*
 * A change in dir changed its own times.  When the change's time (a
 * FILETIME) is known the attributes known for dir take it as their
 * modification and change times and stay valid: a program that creates
 * many files in one directory does not have the directory's attributes
 * fetched again after each one (the kernel asks for them before every
 * lookup in it).  Without a time, what is known expires.
 */
void cache_meta_touch_dir(struct cache_meta *m, const char *dir,
			  uint64_t when);

/* Forgetting. */
void cache_meta_forget(struct cache_meta *m, const char *dir,
		       const char *name);
/* Everything about dir's entries (not dir's own attributes). */
void cache_meta_forget_dir(struct cache_meta *m, const char *dir);
/* path and everything below it, when a directory goes or moves. */
void cache_meta_forget_tree(struct cache_meta *m, const char *path);
void cache_meta_forget_all(struct cache_meta *m);

/* Watched directories keep what is known until told otherwise. */
void cache_meta_set_watched(struct cache_meta *m, const char *dir,
			    bool watched);

/* Counters, for the mount's statistics. */
struct cache_meta_counts {
	size_t dirs, entries;
};
void cache_meta_count(const struct cache_meta *m, struct cache_meta_counts *c);

#endif
