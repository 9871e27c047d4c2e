/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ending a mount promptly: when the FUSE session ends (unmount, or a
 * signal), libfuse waits for every worker thread before it returns, and
 * a worker may be waiting for a server that is gone.  The watchdog sees
 * the session end and shuts the pool down, which ends those waits; calls
 * still stuck on a silent connection after a grace period have their
 * connections aborted.
 */
#ifndef SMBFS_MOUNT_WATCHDOG_H
#define SMBFS_MOUNT_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct fuse_session;
struct smb_pool;

struct mount_watchdog {
	struct fuse_session *se;
	struct smb_pool *pool;
	pthread_t thread;
	bool started;
	atomic_bool loop_done; /* the FUSE loop has returned */
};

int mount_watchdog_start(struct mount_watchdog *w, struct fuse_session *se,
			 struct smb_pool *pool);
/* After the FUSE loop returned: stops and joins the watchdog. */
void mount_watchdog_stop(struct mount_watchdog *w);

#endif
