/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs one blocking call on many paths at once (fanout.c): up to
 * max_workers threads, shared by every caller of one cache, each with
 * one call in flight.  The connection layer matches replies to requests by message
 * id (MS-SMB2 3.2.5.1), so calls on several threads share one
 * connection and its credits; what they cost in wall time is about one
 * round trip per max_workers calls instead of one per call.
 */
#ifndef SMBFS_CACHE_FANOUT_H
#define SMBFS_CACHE_FANOUT_H

#include <stddef.h>

#include "smbfs/client.h"

struct fanout;

/* The call made for each path; 0 or -errno. */
typedef int (*fanout_fn)(void *arg, const char *path, struct smb_stat *st);

/* NULL when out of memory.  Workers start on demand, and end when idle. */
struct fanout *fanout_new(unsigned int max_workers, fanout_fn fn, void *arg);
/* Waits for the workers to end; no fanout_run may be in progress. */
void fanout_free(struct fanout *f);
/*
 * fn(paths[i], &sts[i]) for every i < n, its result in rcs[i]; returns
 * once all are done.  The calling thread takes part, so the calls are
 * made even when no worker can be started.
 */
void fanout_run(struct fanout *f, const char *const *paths, size_t n,
		struct smb_stat *sts, int *rcs);

#endif
