// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mount's statistics, as "key value" lines: what went to the server
 * (the pool), what the cache answered, what the file system did with
 * leases and deferred closes.  Read through the extended attribute
 * "smbfs.stats" of the mount's root, which `smbfs-mount --stats` prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"

struct stats_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct stats_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct stats_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)(n > 0 ? n : 64);
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			b->oom = true;
			return;
		}
	}
}

char *fs_stats_format(struct smbfs *fs, size_t *len)
{
	struct stats_buf b = {.p = malloc(4096), .cap = 4096};
	struct smb_pool_stats ps;
	struct smb_cache_stats cs;
	unsigned int i;

	if (!b.p)
		return NULL;
	b.p[0] = '\0';
	smb_pool_get_stats(fs->pool, &ps);
	cache_get_stats(fs->cache, &cs);
	put(&b, "round_trips %llu\n", (unsigned long long)ps.round_trips);
	for (i = 0; i < SMB2_COMMAND_COUNT; i++)
		put(&b, "requests.%s %llu\n", smb2_command_name((uint16_t)i),
		    (unsigned long long)ps.requests[i]);
	put(&b, "bytes_read %llu\nbytes_written %llu\n",
	    (unsigned long long)ps.bytes_read,
	    (unsigned long long)ps.bytes_written);
	put(&b, "cache.attr_hits %llu\ncache.attr_misses %llu\n",
	    (unsigned long long)(cs.attr_hits +
				 atomic_load(&fs->attr_lease_hits)),
	    (unsigned long long)cs.attr_misses);
	put(&b,
	    "cache.lookup_hits %llu\ncache.lookup_negative_hits %llu\n"
	    "cache.lookup_misses %llu\n",
	    (unsigned long long)cs.lookup_hits,
	    (unsigned long long)cs.lookup_negative_hits,
	    (unsigned long long)cs.lookup_misses);
	put(&b, "cache.listing_hits %llu\ncache.listing_misses %llu\n",
	    (unsigned long long)cs.listing_hits,
	    (unsigned long long)cs.listing_misses);
	put(&b, "cache.entries %zu\n", cs.entries);
	put(&b, "leases.granted %llu\nleases.broken %llu\n",
	    (unsigned long long)ps.leases_granted,
	    (unsigned long long)ps.leases_broken);
	put(&b, "oplocks.granted %llu\noplocks.broken %llu\n",
	    (unsigned long long)ps.oplocks_granted,
	    (unsigned long long)ps.oplocks_broken);
	put(&b, "notify.events %llu\nnotify.invalidations %llu\n",
	    (unsigned long long)ps.notify_events,
	    (unsigned long long)atomic_load(&fs->invalidations));
	put(&b, "notify.watches %u\n", cs.watches);
	put(&b, "deferred_close.reused %llu\n",
	    (unsigned long long)atomic_load(&fs->deferred_reused));
	put(&b, "reconnects %llu\nfiles_lost %llu\n",
	    (unsigned long long)ps.reconnects,
	    (unsigned long long)ps.files_lost);
	put(&b, "credits %u\n", ps.credits);
	if (b.oom)
		return NULL;
	*len = b.len;
	return b.p;
}
