/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata cache: what the file system asks before it asks the
 * server.  It remembers attributes, names known to exist or not, and
 * whole directory listings, for acregmax (files) and acdirmax
 * (directories and negative entries); a read lease keeps a file's
 * attributes valid beyond that, and a directory watched by CHANGE_NOTIFY
 * keeps what is known of it valid until a notification says otherwise.
 *
 * Every reply that carries attributes is noted here, and the file
 * system's own creates, removes and renames update it at once.  The
 * cache watches up to max_watches directories (the most recently
 * listed or searched), and hands each change it hears of to the file
 * system's callback, so that the kernel's own caches can be invalidated.
 *
 * Paths are share-relative SMB paths ("" is the root, "a\\b" below it);
 * names are single components in the server's spelling.  All functions
 * are thread-safe.
 */
#ifndef SMBFS_CACHE_H
#define SMBFS_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "smbfs/pool.h"

struct smb_cache;

/*
 * Fills st's Unix view (has_unix, unix_mode, uid, gid, rdev) of path
 * from what the stat's compound read (m: descriptor, EA).
 */
typedef void (*cache_unix_fn)(void *arg, const char *path,
			      const struct smb_stat_meta *m,
			      struct smb_stat *st);

struct smb_cache_config {
	uint32_t file_ttl_ms; /* acregmax */
	uint32_t dir_ttl_ms;  /* acdirmax */
	bool nocase;	      /* a name in another case is a hit */
	unsigned int max_watches; /* 0: no change notification */
	/*
	 * With unix_view: attributes without a Unix view do not answer
	 * cache_stat, which asks the server for attributes and descriptor
	 * in one compound and has unix_view fill the view in.
	 */
	cache_unix_fn unix_view;
	void *unix_arg;
	const char *unix_ea; /* an EA the view needs as well, or NULL */
};

/*
 * What changed in directory dir, as a watch reported it: name (NULL
 * when anything in dir may have changed) was added, removed, renamed
 * away, renamed to, or modified (FILE_ACTION_*; 0 with a NULL name).
 * Called on the pool's event thread.
 */
typedef void (*cache_change_fn)(void *arg, const char *dir, const char *name,
				uint32_t action);

int smb_cache_new(struct pool_tree *t, const struct smb_cache_config *cfg,
		  cache_change_fn fn, void *arg, struct smb_cache **out);
/* Stops every watch; before smb_pool_close. */
void smb_cache_free(struct smb_cache *c);

/*
 * Looks name up in dir: from what is known, else from the server (one
 * round trip, then remembered).  0 with *st (and *exact, malloc'd, when
 * not NULL); -ENOENT; -EEXIST when only a name in another case exists;
 * -errno.
 */
int cache_lookup(struct smb_cache *c, const char *dir, const char *name,
		 struct smb_stat *st, char **exact);
/* The attributes of path, from the cache or the server (with the Unix
 * view when the cache has unix_view). */
int cache_stat(struct smb_cache *c, const char *path, struct smb_stat *st);
/*
 * cache_stat of n paths, up to 128 in flight at once (for all callers
 * together; the calling thread waits for its n): sts[i] and rcs[i] hold
 * what cache_stat said of paths[i].  For a listing whose entries lack
 * the Unix view: a round trip of wall time per 128 entries instead of
 * one per entry.  An interrupt of the calling thread ends the calls
 * still waiting for the server (-EINTR).
 */
void cache_stat_many(struct smb_cache *c, const char *const *paths, size_t n,
		     struct smb_stat *sts, int *rcs);
/*
 * The listing of dir, from the cache or the server; the caller frees it
 * with cache_listing_free.  Listing a directory starts watching it.
 */
int cache_list(struct smb_cache *c, const char *dir,
	       struct smb_dir_listing *out);
void cache_listing_free(struct smb_dir_listing *l);

/*
 * Calls that change the share, through the pool, keeping the tables
 * (and the watches: an open directory blocks renaming or removing it on
 * the server) in line with what they did.
 */
int cache_path_mkdir(struct smb_cache *c, const char *path,
		     const struct smb_sd *sd, struct smb_stat *st);
int cache_path_delete(struct smb_cache *c, const char *path,
		      uint32_t options);
int cache_path_rename(struct smb_cache *c, const char *from, const char *to,
		      bool replace);
int cache_path_link(struct smb_cache *c, const char *from, const char *to,
		    bool replace, struct smb_stat *st);
int cache_path_setattr(struct smb_cache *c, const char *path,
		       const struct smb_setattr *sa, struct smb_stat *st);
int cache_path_write_new(struct smb_cache *c, const char *tmp_path,
			 const char *path, const void *buf, size_t len,
			 uint32_t attributes, struct smb_stat *st);

/* What a reply said of path. */
void cache_note_stat(struct smb_cache *c, const char *path,
		     const struct smb_stat *st);
/* Our own changes. */
void cache_note_created(struct smb_cache *c, const char *path,
			const struct smb_stat *st);
void cache_note_removed(struct smb_cache *c, const char *path);
void cache_note_renamed(struct smb_cache *c, const char *from,
			const char *to, const struct smb_stat *st);
/* Something unknown happened to path (and below, for a directory). */
void cache_forget(struct smb_cache *c, const char *path);
/*
 * Every name of server file file_id has unknown attributes now (a link
 * of it went away: the others' link counts changed).  Walks the whole
 * cache: for files known to have several links only.
 */
void cache_forget_file(struct smb_cache *c, uint64_t file_id);
/* The server is unreachable: forget everything until it is back. */
void cache_disconnected(struct smb_cache *c);
/* Handles a POOL_EVENT_NOTIFY of one of the cache's watches. */
void cache_handle_notify(struct smb_cache *c, const struct pool_event *ev);

struct smb_cache_stats {
	uint64_t attr_hits, attr_misses;
	uint64_t lookup_hits, lookup_negative_hits, lookup_misses;
	uint64_t listing_hits, listing_misses;
	uint64_t notify_changes; /* changes handed to the file system */
	unsigned int watches;
	size_t entries;
};
void cache_get_stats(struct smb_cache *c, struct smb_cache_stats *st);

#endif
