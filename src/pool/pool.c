// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The pool's life cycle, its servers and trees, and logging on.
 *
 * A server is keyed by (host, port, user, domain, security settings);
 * a mount has one today, and a DFS referral or an extra channel would
 * add servers or channels here without the file system seeing it.  Each
 * server has one channel at a time (struct pool_chan: a session on its
 * connection), replaced as a whole by a repair.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pool_internal.h"

int64_t pool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void pool_poll_deadline(struct timespec *ts, int64_t until_ns)
{
	int64_t t = pool_now_ns() + (int64_t)POOL_POLL_MS * 1000000;

	if (until_ns && until_ns < t)
		t = until_ns;
	ts->tv_sec = t / 1000000000;
	ts->tv_nsec = t % 1000000000;
}

/* --- configuration --- */

static void pool_config_defaults(struct smb_pool *p,
				 const struct smb_pool_config *cfg)
{
	unsigned int timeout_s;

	p->cfg = *cfg;
	p->cfg.password = NULL;
	p->cfg.host = p->cfg.user = p->cfg.domain = p->cfg.workstation = NULL;
	if (p->cfg.connect_timeout_ms <= 0)
		p->cfg.connect_timeout_ms = POOL_CONNECT_TIMEOUT_MS;
	if (!p->cfg.echo_interval_s)
		p->cfg.echo_interval_s = POOL_ECHO_INTERVAL_S;
	if (!p->cfg.soft_timeout_s)
		p->cfg.soft_timeout_s = POOL_SOFT_TIMEOUT_S;
	/*
	 * cifs.ko takes a server that misses two echo intervals for dead;
	 * so does any request unanswered that long, and at most 30 s.
	 */
	timeout_s = 2 * p->cfg.echo_interval_s;
	if (timeout_s > POOL_REQUEST_TIMEOUT_MAX_S)
		timeout_s = POOL_REQUEST_TIMEOUT_MAX_S;
	p->request_timeout_ms = (int)timeout_s * 1000;
}

static char *dup_opt(const char *s, bool *fail)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*fail = true;
	return d;
}

static void server_free(struct pool_server *srv)
{
	if (!srv)
		return;
	free(srv->host);
	free(srv->user);
	free(srv->domain);
	free(srv->workstation);
	free(srv->krb5_keytab);
	free(srv->krb5_principal);
	free(srv->krb5_spn);
	smb_secure_zero(srv->nt_hash, sizeof(srv->nt_hash));
	free(srv);
}

/* The server of cfg; keeps the NT hash, never the password. */
static int server_new(struct smb_pool *p, const struct smb_pool_config *cfg,
		      struct pool_server **out)
{
	struct pool_server *srv = calloc(1, sizeof(*srv));
	bool fail = false;
	int rc;

	if (!srv)
		return -ENOMEM;
	srv->pool = p;
	srv->host = dup_opt(cfg->host, &fail);
	srv->user = dup_opt(cfg->user, &fail);
	srv->domain = dup_opt(cfg->domain, &fail);
	srv->workstation = dup_opt(cfg->workstation, &fail);
	srv->krb5_keytab = dup_opt(cfg->krb5_keytab, &fail);
	srv->krb5_principal = dup_opt(cfg->krb5_principal, &fail);
	srv->krb5_spn = dup_opt(cfg->krb5_spn, &fail);
	if (fail || !srv->host) {
		server_free(srv);
		return -ENOMEM;
	}
	if (cfg->password && !cfg->anonymous && !cfg->krb5) {
		rc = smb_password_nt_hash(cfg->password, srv->nt_hash);
		if (rc < 0) {
			server_free(srv);
			return rc;
		}
		srv->have_hash = true;
	}
	srv->gen = 1;
	rc = smb_random_bytes(srv->client_guid, sizeof(srv->client_guid));
	if (rc < 0) {
		server_free(srv);
		return rc;
	}
	srv->cc = (struct smb_client_config){
		.client_guid = srv->client_guid,
		.host = srv->host,
		.port = cfg->port,
		.connect_timeout_ms = p->cfg.connect_timeout_ms,
		.request_timeout_ms = p->request_timeout_ms,
		.drop_on_timeout = true,
		.dialect_min = cfg->dialect_min,
		.dialect_max = cfg->dialect_max,
		.user = srv->user,
		.domain = srv->domain,
		.workstation = srv->workstation,
		.nt_hash = srv->have_hash ? srv->nt_hash : NULL,
		.anonymous = cfg->anonymous,
		.guest = cfg->guest,
		.krb5 = cfg->krb5,
		.krb5_keytab = srv->krb5_keytab,
		.krb5_principal = srv->krb5_principal,
		.krb5_spn = srv->krb5_spn,
		.sign = cfg->sign,
		.nosign = cfg->nosign,
		.seal = cfg->seal,
		.require256 = cfg->require256,
		.max_read = cfg->rsize,
		.max_write = cfg->wsize ? cfg->wsize : POOL_WSIZE_DEFAULT,
		.on_break = pool_on_break,
		.on_disconnect = pool_on_disconnect,
		.stats = &p->conn_stats,
	};
	*out = srv;
	return 0;
}

/* --- channels --- */

int pool_chan_open(struct pool_server *srv, struct pool_chan **out, char *err,
		   size_t errlen)
{
	struct smb_client_config cc = srv->cc;
	struct smb_session_info si;
	struct pool_chan *ch = calloc(1, sizeof(*ch));
	int rc;

	*out = NULL;
	if (!ch) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ch->srv = srv;
	ch->refs = 1;
	/* The reader threads of this connection report to the channel. */
	cc.cb_arg = ch;
	rc = smb_session_open(&cc, &ch->session, err, errlen);
	if (rc < 0) {
		free(ch);
		return rc;
	}
	smb_session_get_info(ch->session, &si);
	ch->clock_skew_ns = si.clock_skew_ns;
	*out = ch;
	return 0;
}

static void chan_free(struct pool_chan *ch)
{
	size_t i;

	for (i = 0; i < ch->n_old_trees; i++)
		smb_tree_free(ch->old_trees[i]);
	free(ch->old_trees);
	/* Logs off only if the connection still works, and briefly. */
	smb_session_close(ch->session);
	free(ch);
}

void pool_chan_get(struct pool_chan *ch)
{
	ch->refs++;
}

void pool_chan_put(struct smb_pool *p, struct pool_chan *ch)
{
	bool last;

	if (!ch)
		return;
	pthread_mutex_lock(&p->lock);
	last = --ch->refs == 0;
	pthread_mutex_unlock(&p->lock);
	if (last)
		chan_free(ch);
}

/* The server's time now, ours moved by skew_ns, as a FILETIME. */
static uint64_t server_time(int64_t skew_ns)
{
	struct timespec ts;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec + skew_ns;
	/* FILETIME: 100 ns units since 1601 (MS-DTYP 2.3.3). */
	return (uint64_t)(ns / 100) + 116444736000000000ull;
}

uint64_t pool_chan_server_time(const struct pool_chan *ch)
{
	return server_time(ch->clock_skew_ns);
}

uint64_t pool_tree_server_time(struct pool_tree *t)
{
	struct smb_pool *p = t->srv->pool;
	int64_t skew;

	pthread_mutex_lock(&p->lock);
	skew = t->srv->chan ? t->srv->chan->clock_skew_ns : 0;
	pthread_mutex_unlock(&p->lock);
	return server_time(skew);
}

/* --- the pool --- */

int pool_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int rc = pthread_condattr_init(&attr);

	if (rc)
		return -rc;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return -rc;
}

static int pool_init_sync(struct smb_pool *p)
{
	if (pthread_mutex_init(&p->lock, NULL))
		return -ENOMEM;
	if (pool_cond_init(&p->cond))
		goto fail;
	if (pthread_mutex_init(&p->ev_lock, NULL))
		goto fail_cond;
	if (pool_cond_init(&p->ev_cond))
		goto fail_ev;
	if (pthread_mutex_init(&p->io_lock, NULL))
		goto fail_ev_cond;
	if (pool_cond_init(&p->io_cond))
		goto fail_io;
	return 0;
fail_io:
	pthread_mutex_destroy(&p->io_lock);
fail_ev_cond:
	pthread_cond_destroy(&p->ev_cond);
fail_ev:
	pthread_mutex_destroy(&p->ev_lock);
fail_cond:
	pthread_cond_destroy(&p->cond);
fail:
	pthread_mutex_destroy(&p->lock);
	return -ENOMEM;
}

/* Largest READ / WRITE payload of a session. */
static uint32_t session_max_io(const struct smb_session_info *si, bool write)
{
	uint32_t m = write ? si->max_write : si->max_read;

	/* Without LARGE_MTU (2.0.2) one credit covers at most 64 KiB. */
	if (si->dialect == SMB2_DIALECT_202 ||
	    !(si->capabilities & SMB2_GLOBAL_CAP_LARGE_MTU))
		m = m < 65536 ? m : 65536;
	return m < 8u << 20 ? m : 8u << 20;
}

/*
 * Read-ahead: what the mount asked for, else POOL_READAHEAD_READS of the
 * largest READ the first session allows (four 8 MiB READs with Samba:
 * enough in flight to fill a gigabyte a second at 30 ms round trips),
 * but never under the first window.
 */
static void pool_readahead_default(struct smb_pool *p, struct pool_chan *ch)
{
	struct smb_session_info si;
	uint64_t ra;

	if (p->cfg.readahead >= 0) {
		p->readahead = (uint64_t)p->cfg.readahead;
		return;
	}
	smb_session_get_info(ch->session, &si);
	ra = (uint64_t)POOL_READAHEAD_READS * session_max_io(&si, false);
	p->readahead = ra > IO_PLAN_RA_FIRST ? ra : IO_PLAN_RA_FIRST;
}

int smb_pool_open(const struct smb_pool_config *cfg, struct smb_pool **out,
		  char *err, size_t errlen)
{
	struct smb_pool *p;
	struct pool_server *srv;
	int rc;

	*out = NULL;
	if (!cfg->host || !*cfg->host) {
		snprintf(err, errlen, "no server name");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p || pool_init_sync(p)) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pool_config_defaults(p, cfg);
	rc = server_new(p, cfg, &srv);
	if (rc < 0) {
		snprintf(err, errlen, "%s", rc == -ENOMEM ? "out of memory"
					    : "the password is not valid UTF-8");
		smb_pool_close(p);
		return rc;
	}
	p->servers = srv;
	rc = pool_chan_open(srv, &srv->chan, err, errlen);
	if (rc == 0) {
		srv->up = true;
		pool_readahead_default(p, srv->chan);
		rc = pool_events_start(p);
		if (rc == 0)
			rc = pool_monitor_start(p);
		if (rc == 0)
			rc = pool_io_start(p);
		if (rc < 0)
			snprintf(err, errlen, "cannot start threads: %s",
				 strerror(-rc));
	}
	if (rc < 0) {
		smb_pool_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

void smb_pool_shutdown(struct smb_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->shutdown = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void smb_pool_abort(struct smb_pool *p)
{
	struct pool_server *srv;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	for (srv = p->servers; srv; srv = srv->next) {
		srv->up = false;
		if (srv->chan)
			smb_conn_abort(smb_session_conn(srv->chan->session));
	}
	pthread_mutex_unlock(&p->lock);
}

/*
 * Files the owner never closed (unmount while open): freed locally,
 * their queued writes with them (pool_io_stop ended every request).
 */
static void tree_free(struct pool_tree *t)
{
	int i;

	while (t->files) {
		struct pool_file *f = t->files;

		t->files = f->next;
		pool_file_free(f);
	}
	for (i = 0; i < POOL_NODE_BUCKETS; i++) {
		while (t->nodes[i]) {
			struct pool_node *n = t->nodes[i];

			t->nodes[i] = n->next;
			free(n);
		}
	}
	free(t->share);
	free(t);
}

/* Disconnects every tree of srv that still works, then frees them. */
static void server_close_trees(struct pool_server *srv)
{
	while (srv->trees) {
		struct pool_tree *t = srv->trees;

		srv->trees = t->next;
		if (t->tree) {
			if (srv->up && t->gen == srv->gen)
				smb_tree_disconnect(t->tree);
			else
				smb_tree_free(t->tree);
		}
		tree_free(t);
	}
}

void smb_pool_close(struct smb_pool *p)
{
	struct pool_server *srv;

	if (!p)
		return;
	smb_pool_shutdown(p);
	pool_monitor_stop(p);
	pool_events_stop(p);
	pool_io_stop(p);
	while ((srv = p->servers)) {
		p->servers = srv->next;
		server_close_trees(srv);
		if (srv->chan)
			pool_chan_put(p, srv->chan);
		server_free(srv);
	}
	pthread_cond_destroy(&p->io_cond);
	pthread_mutex_destroy(&p->io_lock);
	pthread_cond_destroy(&p->ev_cond);
	pthread_mutex_destroy(&p->ev_lock);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* --- trees --- */

static struct pool_tree *tree_find(struct pool_server *srv, const char *share)
{
	struct pool_tree *t;

	for (t = srv->trees; t; t = t->next)
		if (!strcasecmp(t->share, share))
			return t;
	return NULL;
}

/* Connects t on ch; fills its info (pool->lock not held). */
static int tree_connect_on(struct pool_tree *t, struct pool_chan *ch,
			   struct smb_tree **out, char *err, size_t errlen)
{
	int rc = smb_tree_connect(ch->session, t->share, out, err, errlen);

	if (rc == 0) {
		smb_tree_get_info(*out, &t->info);
		smb_session_get_info(ch->session, &t->sinfo);
	}
	return rc;
}

int smb_pool_tree(struct smb_pool *p, const char *share,
		  struct pool_tree **out, char *err, size_t errlen)
{
	struct pool_server *srv = p->servers;
	struct smb_tree *tree = NULL;
	struct pool_chan *ch;
	struct pool_tree *t;
	uint64_t gen;
	int rc;

	pthread_mutex_lock(&p->lock);
	t = tree_find(srv, share);
	ch = srv->chan;
	gen = srv->gen;
	if (!t && ch)
		pool_chan_get(ch);
	pthread_mutex_unlock(&p->lock);
	if (t) {
		*out = t;
		return 0;
	}
	if (!ch) {
		snprintf(err, errlen, "not connected");
		return -ENOTCONN;
	}
	t = calloc(1, sizeof(*t));
	if (t)
		t->share = strdup(share);
	if (!t || !t->share) {
		free(t);
		pool_chan_put(p, ch);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->srv = srv;
	rc = tree_connect_on(t, ch, &tree, err, errlen);
	pool_chan_put(p, ch);
	if (rc < 0) {
		free(t->share);
		free(t);
		return rc;
	}
	pthread_mutex_lock(&p->lock);
	t->tree = tree;
	t->gen = gen;
	t->next = srv->trees;
	srv->trees = t;
	pthread_mutex_unlock(&p->lock);
	*out = t;
	return 0;
}

void pool_tree_get_info(struct pool_tree *t, struct smb_tree_info *ti)
{
	struct smb_pool *p = t->srv->pool;

	pthread_mutex_lock(&p->lock);
	*ti = t->info;
	pthread_mutex_unlock(&p->lock);
}

void pool_session_get_info(struct pool_tree *t, struct smb_session_info *si)
{
	struct smb_pool *p = t->srv->pool;

	pthread_mutex_lock(&p->lock);
	*si = t->sinfo;
	pthread_mutex_unlock(&p->lock);
}

uint32_t pool_tree_max_io(struct pool_tree *t, bool write)
{
	struct smb_session_info si;

	pool_session_get_info(t, &si);
	return session_max_io(&si, write);
}

void smb_pool_get_stats(struct smb_pool *p, struct smb_pool_stats *st)
{
	struct pool_server *srv;
	struct pool_watch *w;
	int i;

	memset(st, 0, sizeof(*st));
	st->round_trips = atomic_load(&p->conn_stats.frames_sent);
	for (i = 0; i < SMB2_COMMAND_COUNT; i++)
		st->requests[i] = atomic_load(&p->conn_stats.requests[i]);
	st->bytes_read = atomic_load(&p->count.bytes_read);
	st->bytes_written = atomic_load(&p->count.bytes_written);
	st->reconnects = atomic_load(&p->count.reconnects);
	st->files_lost = atomic_load(&p->count.files_lost);
	st->leases_granted = atomic_load(&p->count.leases_granted);
	st->leases_broken = atomic_load(&p->count.leases_broken);
	st->oplocks_granted = atomic_load(&p->count.oplocks_granted);
	st->oplocks_broken = atomic_load(&p->count.oplocks_broken);
	st->notify_events = atomic_load(&p->count.notify_events);
	pthread_mutex_lock(&p->lock);
	for (w = p->watches; w; w = w->next)
		st->watches++;
	for (srv = p->servers; srv; srv = srv->next)
		if (srv->up && srv->chan)
			st->credits += smb_conn_credits(
				smb_session_conn(srv->chan->session));
	pthread_mutex_unlock(&p->lock);
}

void pool_thread_set_interrupt(const atomic_int *flag)
{
	smb_thread_set_interrupt(flag);
}

const atomic_int *pool_thread_get_interrupt(void)
{
	return smb_thread_get_interrupt();
}

int pool_lease_key_new(uint8_t key[16])
{
	return smb_random_bytes(key, 16);
}
