// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Timed lists: items each due at a time, kept in that order so that
 * whoever waits for them looks at the head alone.  Items nearly always
 * arrive due later than those before them (now plus a fixed delay), so
 * an insertion starts from the tail.  The owner's lock covers the list.
 */
#include "smbfs/timed_list.h"

void smb_timed_insert(struct smb_timed_list *l, struct smb_timed *t,
		      int64_t at)
{
	struct smb_timed *after = l->tail;

	t->at = at;
	while (after && after->at > at)
		after = after->prev;
	t->prev = after;
	t->next = after ? after->next : l->head;
	if (t->next)
		t->next->prev = t;
	else
		l->tail = t;
	if (after)
		after->next = t;
	else
		l->head = t;
}

struct smb_timed *smb_timed_pop_due(struct smb_timed_list *l, int64_t now)
{
	struct smb_timed *t = l->head;

	if (!t || t->at > now)
		return NULL;
	smb_timed_remove(l, t);
	return t;
}

void smb_timed_remove(struct smb_timed_list *l, struct smb_timed *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		l->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		l->tail = t->prev;
	t->next = t->prev = NULL;
}

int64_t smb_timed_next(const struct smb_timed_list *l)
{
	return l->head ? l->head->at : 0;
}
