// SPDX-License-Identifier: GPL-2.0-or-later
/* The mount's watchdog: see watchdog.h. */
#define FUSE_USE_VERSION 314
#include <errno.h>
#include <fuse_lowlevel.h>
#include <time.h>

#include "smbfs/log.h"
#include "smbfs/pool.h"
#include "watchdog.h"

#define WATCH_POLL_MS 100
/* Calls on a live but silent connection get this long to finish. */
#define WATCH_GRACE_MS 2000

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Waits up to ms for the loop to return; true when it did. */
static bool wait_loop_done(struct mount_watchdog *w, int ms)
{
	for (; ms > 0; ms -= WATCH_POLL_MS) {
		if (atomic_load(&w->loop_done))
			return true;
		sleep_ms(WATCH_POLL_MS);
	}
	return atomic_load(&w->loop_done);
}

static void *watchdog_main(void *arg)
{
	struct mount_watchdog *w = arg;

	while (!atomic_load(&w->loop_done) && !fuse_session_exited(w->se))
		sleep_ms(WATCH_POLL_MS);
	if (atomic_load(&w->loop_done))
		return NULL;
	/* The session ended while workers may still wait for the server. */
	smb_pool_shutdown(w->pool);
	if (!wait_loop_done(w, WATCH_GRACE_MS)) {
		smb_log(SMB_LOG_INFO,
			"calls still waiting for the server at unmount: aborting them");
		smb_pool_abort(w->pool);
	}
	return NULL;
}

int mount_watchdog_start(struct mount_watchdog *w, struct fuse_session *se,
			 struct smb_pool *pool)
{
	int rc;

	w->se = se;
	w->pool = pool;
	atomic_store(&w->loop_done, false);
	rc = pthread_create(&w->thread, NULL, watchdog_main, w);
	if (rc)
		return -rc;
	w->started = true;
	return 0;
}

void mount_watchdog_stop(struct mount_watchdog *w)
{
	if (!w->started)
		return;
	atomic_store(&w->loop_done, true);
	pthread_join(w->thread, NULL);
	w->started = false;
}
