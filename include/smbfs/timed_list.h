/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Timed lists (src/util/timed_list.c): items each due at a time, kept in
 * that order, for a thread that waits for the first of them (held
 * writes, watches to arm, deferred closes).  No lock of their own: the
 * owner's covers the list and its items.
 */
#ifndef SMBFS_TIMED_LIST_H
#define SMBFS_TIMED_LIST_H

#include <stddef.h>
#include <stdint.h>

/* The item, embedded in what is listed; due at at. */
struct smb_timed {
	struct smb_timed *next, *prev;
	int64_t at;
};

struct smb_timed_list {
	struct smb_timed *head, *tail; /* the earliest due first */
};

/* The struct type whose member an item is. */
#define smb_timed_entry(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Lists t, due at at, in order. */
void smb_timed_insert(struct smb_timed_list *l, struct smb_timed *t,
		      int64_t at);
/* Takes t, which must be listed in l, off it. */
void smb_timed_remove(struct smb_timed_list *l, struct smb_timed *t);
/* The first item if it is due by now, taken off the list; else NULL. */
struct smb_timed *smb_timed_pop_due(struct smb_timed_list *l, int64_t now);
/* When the first item is due, or 0 for an empty list. */
int64_t smb_timed_next(const struct smb_timed_list *l);

#endif
