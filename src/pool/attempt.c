// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Running one call through the pool (see struct pool_attempt): wait
 * until the server and, for a file, its handle can be used; after a
 * failure that a repair fixes, ask for the repair, wait, and send again.
 *
 * How long a call waits is the mount's choice (smbfs-mount(8)):
 *   soft: once the call first finds the server unusable it waits at most
 *         soft_timeout_s in all and is resent at most retrans times
 *         after it was lost in flight; then -EIO;
 *   hard: as long as it takes, unless the thread is interrupted (-EINTR).
 * A pool that shuts down ends every wait with -ESHUTDOWN.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pool_internal.h"

/* Resends of a call whose answers broke the connection each time. */
#define POOL_GARBLED_RESENDS 2

void pool_attempt_init(struct pool_attempt *a, struct pool_tree *pt,
		       struct pool_file *pf)
{
	memset(a, 0, sizeof(*a));
	a->pt = pt;
	a->pf = pf;
}

/* Everything the call needs is in place (pool->lock held). */
static bool attempt_usable(const struct pool_attempt *a)
{
	const struct pool_tree *t = a->pt;
	const struct pool_server *srv = t->srv;

	if (!srv->up || !srv->chan || srv->chan->dead || !t->tree ||
	    t->broken)
		return false;
	return !a->pf || a->pf->gen == t->gen;
}

/* Ends the call with rc (pool->lock held). */
static bool attempt_finish(struct pool_attempt *a, int rc, int *out)
{
	a->finished = true;
	a->result = rc;
	*out = rc;
	return false;
}

/*
 * Soft mounts give up once the server has been unreachable for
 * soft_timeout_s: counted from the failure that took it down, so calls
 * made later in a long outage fail at once (pool->lock held).
 */
static bool attempt_soft_expired(struct pool_attempt *a)
{
	const struct pool_server *srv = a->pt->srv;
	const struct smb_pool *p = srv->pool;
	int64_t now = pool_now_ns();

	if (p->cfg.hard)
		return false;
	if (!a->give_up_ns) {
		a->give_up_ns = srv->down_since_ns ? srv->down_since_ns : now;
		a->give_up_ns += (int64_t)p->cfg.soft_timeout_s * 1000000000;
	}
	return now >= a->give_up_ns;
}

/*
 * Why the call cannot proceed and never will, or 0 to keep waiting
 * (pool->lock held).
 */
static int attempt_blocker(struct pool_attempt *a)
{
	struct smb_pool *p = a->pt->srv->pool;

	if (p->shutdown)
		return -ESHUTDOWN;
	if (a->pf && a->pf->lost)
		return a->pf->lost_err;
	if (smb_thread_interrupted())
		return -EINTR;
	if (a->pt->srv->auth_error && !p->cfg.hard)
		return a->pt->srv->auth_error;
	if (attempt_soft_expired(a)) {
		smb_log(SMB_LOG_INFO,
			"%s unreachable for %u s: failing the call (soft mount)",
			a->pt->srv->host, p->cfg.soft_timeout_s);
		return -EIO;
	}
	return 0;
}

/* Takes the channel and the handle for the call (pool->lock held). */
static void attempt_take(struct pool_attempt *a)
{
	a->chan = a->pt->srv->chan;
	pool_chan_get(a->chan);
	a->tree = a->pt->tree;
	a->gen = a->pt->gen;
	if (a->pf)
		a->fid = a->pf->fid;
}

bool pool_attempt_next(struct pool_attempt *a, int *rc)
{
	struct smb_pool *p = a->pt->srv->pool;
	struct timespec ts;
	int err;

	if (a->finished) {
		*rc = a->result;
		return false;
	}
	pthread_mutex_lock(&p->lock);
	while (!attempt_usable(a)) {
		/* A closing handle of a dead generation is closed already. */
		if (a->pf && a->pf->closing) {
			pthread_mutex_unlock(&p->lock);
			return attempt_finish(a, 0, rc);
		}
		err = attempt_blocker(a);
		if (err) {
			pthread_mutex_unlock(&p->lock);
			return attempt_finish(a, err, rc);
		}
		pool_poll_deadline(&ts, 0);
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	attempt_take(a);
	pthread_mutex_unlock(&p->lock);
	/* MS-SMB2 3.2.4.1: what might have run once is sent as a replay. */
	smb_client_thread_replay(a->resent_after_loss);
	return true;
}

bool pool_attempt_now(struct pool_attempt *a)
{
	struct smb_pool *p = a->pt->srv->pool;
	bool usable;

	pthread_mutex_lock(&p->lock);
	usable = !p->shutdown && attempt_usable(a);
	if (usable)
		attempt_take(a);
	pthread_mutex_unlock(&p->lock);
	if (usable)
		smb_client_thread_replay(false);
	return usable;
}

/*
 * A send that fails shuts the socket down and fails its requests with
 * ECONNRESET at once (conn/send.c); the reader thread marks the
 * connection lost a moment later, when it reads the end of the stream.
 * Until then the error looks like a server's STATUS_CONNECTION_RESET on
 * a live connection, which a resend would not help: wait (at most a
 * second) for the reader to tell them apart.
 */
#define CONN_SETTLE_POLLS 200
#define CONN_SETTLE_POLL_NS 5000000

static bool conn_still_up(struct smb_conn *c)
{
	struct timespec ts = { 0, CONN_SETTLE_POLL_NS };
	int i;

	for (i = 0; i < CONN_SETTLE_POLLS && smb_conn_is_connected(c); i++)
		nanosleep(&ts, NULL);
	return smb_conn_is_connected(c);
}

enum pool_repair pool_classify(struct pool_chan *ch, int rc)
{
	struct smb_conn *c = smb_session_conn(ch->session);

	switch (rc) {
	case -ENETRESET:
		return POOL_REPAIR_TREE;
	case -EKEYEXPIRED:
		return POOL_REPAIR_SESSION;
	case -ENOTCONN:
		/* A live connection that answers this lost its session. */
		return smb_conn_is_connected(c) ? POOL_REPAIR_SESSION
						: POOL_REPAIR_CONN;
	case -ECONNRESET:
	case -EPIPE:
		return conn_still_up(c) ? POOL_REPAIR_NONE : POOL_REPAIR_CONN;
	case -ETIMEDOUT:
		/* ETIMEDOUT may be a server status (IO_TIMEOUT) too. */
		return smb_conn_is_connected(c) ? POOL_REPAIR_NONE
						: POOL_REPAIR_CONN;
	default:
		return POOL_REPAIR_NONE;
	}
}

int pool_attempt_done(struct pool_attempt *a, int rc)
{
	struct pool_server *srv = a->pt->srv;
	struct smb_pool *p = srv->pool;
	enum pool_repair repair;
	bool in_flight, garbled;

	smb_client_thread_replay(false);
	repair = pool_classify(a->chan, rc);
	if (repair == POOL_REPAIR_NONE) {
		/* A CANCEL we sent for an interrupted call. */
		if (rc == -ECANCELED && smb_thread_interrupted())
			rc = -EINTR;
		pool_chan_put(p, a->chan);
		a->chan = NULL;
		a->finished = true;
		a->result = rc;
		return rc;
	}
	/* ENOTCONN: refused before sending, so it never ran. */
	/* EBADMSG, EPROTO: its answer broke the framing, and the connection. */
	garbled = rc == -EBADMSG || rc == -EPROTO;
	in_flight = rc == -ECONNRESET || rc == -ETIMEDOUT || rc == -EPIPE ||
		    garbled;
	pthread_mutex_lock(&p->lock);
	pool_request_repair(srv, a->chan, a->pt, repair);
	if (in_flight) {
		a->resent_after_loss = true;
		a->resends++;
		/*
		 * Even a hard mount gives up on a call the server answers
		 * with garbage each time: the server is there, and waiting
		 * would be forever.
		 */
		if ((!p->cfg.hard && a->resends > p->cfg.retrans) ||
		    (garbled && a->resends > POOL_GARBLED_RESENDS)) {
			a->finished = true;
			a->result = -EIO;
		}
	}
	pthread_mutex_unlock(&p->lock);
	pool_chan_put(p, a->chan);
	a->chan = NULL;
	return a->finished ? a->result : rc;
}
