/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one logger every layer uses.
 *
 * In the foreground lines go to stderr ("smbfs: ..."); once the daemon
 * has detached they go to syslog (facility daemon, ident "smbfs"), each
 * prefixed with the mount point so several mounts can be told apart.
 * Nothing secret is ever passed here: callers log names, sizes, statuses
 * and errno texts, never passwords, hashes, keys or security blobs.
 *
 * The destination and level are process-wide (like syslog itself); they
 * are set once at start-up, before any thread logs.
 */
#ifndef SMBFS_LOG_H
#define SMBFS_LOG_H

#include <stdbool.h>

enum smb_log_level {
	SMB_LOG_ERR,   /* an operation or the mount failed */
	SMB_LOG_WARN,  /* something went wrong and was coped with */
	SMB_LOG_INFO,  /* connection life: disconnects, reconnects, reopens */
	SMB_LOG_DEBUG, /* with -d: per-request detail */
};

void smb_log(enum smb_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Lines above this level are dropped (default SMB_LOG_INFO). */
void smb_log_set_level(enum smb_log_level max);
bool smb_log_enabled(enum smb_log_level level);
/*
 * Sends everything from now on to syslog, with tag (the mount point)
 * at the start of each line; tag is copied.
 */
void smb_log_to_syslog(const char *tag);

#endif
