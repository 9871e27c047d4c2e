/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names this mount is changing or has just changed (own.c). */
#ifndef SMBFS_CACHE_OWN_H
#define SMBFS_CACHE_OWN_H
#include <stdbool.h>
#include <stdint.h>

struct own_changes;

struct own_changes *own_changes_new(void);
void own_changes_free(struct own_changes *o);
/* A call changing path starts (-ENOMEM: not recorded) / has ended. */
int own_begin(struct own_changes *o, const char *path, int64_t now);
void own_end(struct own_changes *o, const char *path, int64_t now);
/* Whether a call changing path is in flight or ended a moment ago. */
bool own_recent(struct own_changes *o, const char *path, int64_t now);

#endif
