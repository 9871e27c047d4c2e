// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directories this mount is creating or has just created.  The server
 * notifies every change to a watched directory, ours included, and its
 * notification may arrive before our own call's reply has reached the
 * kernel.  Invalidating the kernel's entry of the new directory then
 * would unhash its dentry under a process that has just changed into it
 * (getcwd: ENOENT, as git init and tar saw).  So a notification about a
 * directory we are creating, or created within OWN_GRACE_NS, updates the
 * cache's tables but leaves the kernel alone: our own reply sets the
 * kernel's view right.  Files need no such care (a dropped entry of a
 * file only costs a lookup), and leaving their entries alone would hide
 * another client's change of the same name meanwhile.
 *
 * Paths are compared without regard to ASCII case (the server reports
 * the name as stored; the worst a false match does is keep a kernel
 * entry until its timeout).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "own.h"

#define OWN_BUCKETS 1024
#define OWN_GRACE_NS ((int64_t)1000000000)

struct own_change {
	char *path;
	unsigned int active; /* calls in flight */
	int64_t until;	     /* CLOCK_MONOTONIC ns, once none is */
	struct own_change *next;
};

struct own_changes {
	struct own_change *bucket[OWN_BUCKETS];
};

struct own_changes *own_changes_new(void)
{
	return calloc(1, sizeof(struct own_changes));
}

void own_changes_free(struct own_changes *o)
{
	struct own_change *e, *next;
	size_t i;

	if (!o)
		return;
	for (i = 0; i < OWN_BUCKETS; i++) {
		for (e = o->bucket[i]; e; e = next) {
			next = e->next;
			free(e->path);
			free(e);
		}
	}
	free(o);
}

static size_t own_hash(const char *path)
{
	size_t h = 5381;
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++)
		h = h * 33 + (size_t)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return h % OWN_BUCKETS;
}

/* The entry for path in its chain; expired idle entries are dropped. */
static struct own_change *own_find(struct own_changes *o, const char *path,
				   int64_t now)
{
	struct own_change **pp = &o->bucket[own_hash(path)], *e, *found = NULL;

	while ((e = *pp)) {
		if (!e->active && e->until <= now) {
			*pp = e->next;
			free(e->path);
			free(e);
			continue;
		}
		if (!strcasecmp(e->path, path))
			found = e;
		pp = &e->next;
	}
	return found;
}

int own_begin(struct own_changes *o, const char *path, int64_t now)
{
	struct own_change *e = own_find(o, path, now);
	size_t h;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->path = strdup(path))) {
			free(e);
			return -ENOMEM;
		}
		h = own_hash(path);
		e->next = o->bucket[h];
		o->bucket[h] = e;
	}
	e->active++;
	return 0;
}

void own_end(struct own_changes *o, const char *path, int64_t now)
{
	struct own_change *e = own_find(o, path, now);

	if (!e || !e->active)
		return;
	e->active--;
	e->until = now + OWN_GRACE_NS;
}

bool own_recent(struct own_changes *o, const char *path, int64_t now)
{
	return own_find(o, path, now) != NULL;
}
