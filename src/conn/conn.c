// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One SMB2 connection: life cycle, the table of requests waiting for a
 * response (keyed by MessageId), and the per-session security records.
 * Sending lives in send.c, the reader thread in reader.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn_internal.h"

int64_t conn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* --- request table --- */

static struct smb_req **bucket_of(struct smb_conn *c, uint64_t message_id)
{
	return &c->table[message_id % CONN_BUCKETS];
}

void conn_table_insert(struct smb_conn *c, struct smb_req *req)
{
	struct smb_req **head = bucket_of(c, req->message_id);

	req->next_pending = *head;
	*head = req;
}

struct smb_req *conn_table_find(struct smb_conn *c, uint64_t message_id)
{
	struct smb_req *req;

	for (req = *bucket_of(c, message_id); req; req = req->next_pending)
		if (req->message_id == message_id)
			return req;
	return NULL;
}

bool conn_table_unlink(struct smb_conn *c, uint64_t message_id,
		       const struct smb_req *req)
{
	struct smb_req **pp;

	/* Compares pointers only: req itself may already be freed. */
	for (pp = bucket_of(c, message_id); *pp; pp = &(*pp)->next_pending) {
		if (*pp == req) {
			*pp = (*pp)->next_pending;
			return true;
		}
	}
	return false;
}

struct smb_req *conn_table_take_all(struct smb_conn *c)
{
	struct smb_req *list = NULL, *req;
	size_t i;

	for (i = 0; i < CONN_BUCKETS; i++) {
		while ((req = c->table[i])) {
			c->table[i] = req->next_pending;
			req->next_pending = list;
			list = req;
		}
	}
	return list;
}

struct smb_req *conn_table_take_expired(struct smb_conn *c, int64_t now_ns)
{
	struct smb_req *list = NULL, **pp, *req;
	size_t i;

	for (i = 0; i < CONN_BUCKETS; i++) {
		pp = &c->table[i];
		while ((req = *pp)) {
			if (!req->deadline_ns || req->deadline_ns > now_ns) {
				pp = &req->next_pending;
				continue;
			}
			*pp = req->next_pending;
			smb_credits_finish(&c->credits, req->credit_charge);
			req->next_pending = list;
			list = req;
		}
	}
	return list;
}

bool conn_req_abandon(struct smb_conn *c, struct smb_req *req)
{
	bool mine;

	pthread_mutex_lock(&c->lock);
	mine = conn_table_unlink(c, req->message_id, req);
	if (mine)
		smb_credits_finish(&c->credits, req->credit_charge);
	pthread_mutex_unlock(&c->lock);
	return mine;
}

/* --- completion --- */

void conn_req_finish(struct smb_req *req, int err)
{
	req->err = err;
	req->next_pending = NULL;
	if (req->done) {
		/* done() owns the request from here on; it may free it. */
		req->completed = true;
		req->done(req);
		return;
	}
	pthread_mutex_lock(&req->wait_lock);
	req->completed = true;
	pthread_cond_broadcast(&req->wait_cond);
	pthread_mutex_unlock(&req->wait_lock);
}

void conn_req_complete(struct smb_conn *c, struct smb_req *req, int err)
{
	bool defer;

	pthread_mutex_lock(&c->lock);
	defer = req->sending;
	if (defer) {
		req->finish_deferred = true;
		req->deferred_err = err;
	}
	pthread_mutex_unlock(&c->lock);
	if (!defer)
		conn_req_finish(req, err);
}

void conn_req_complete_list(struct smb_conn *c, struct smb_req *list,
			    int err)
{
	while (list) {
		struct smb_req *next = list->next_pending;

		conn_req_complete(c, list, err);
		list = next;
	}
}

/* --- session security --- */

static struct smb_conn_security *security_find(struct smb_conn *c,
					       uint64_t session_id)
{
	size_t i;

	for (i = 0; i < c->nsecs; i++)
		if (c->secs[i].session_id == session_id)
			return &c->secs[i];
	return NULL;
}

bool conn_security_copy(struct smb_conn *c, uint64_t session_id,
			struct smb_conn_security *out)
{
	struct smb_conn_security *sec;

	if (session_id == 0)
		return false;
	sec = security_find(c, session_id);
	if (!sec)
		return false;
	*out = *sec;
	return true;
}

int conn_security_next_nonce(struct smb_conn *c, uint64_t session_id,
			     uint8_t nonce[SMB_NONCE_SIZE])
{
	struct smb_conn_security *sec = security_find(c, session_id);

	if (!sec || !sec->cipher)
		return -EINVAL;
	return smb_nonce_next(&sec->nonces, sec->cipher, nonce);
}

int smb_conn_set_security(struct smb_conn *c,
			  const struct smb_conn_security *sec)
{
	struct smb_conn_security *slot, *grown;
	int ret = 0;

	if (!c || !sec || sec->session_id == 0)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	slot = security_find(c, sec->session_id);
	if (!slot) {
		/* No realloc: the old array's keys must be wiped first. */
		grown = calloc(c->nsecs + 1, sizeof(*grown));
		if (!grown) {
			ret = -ENOMEM;
			goto out;
		}
		if (c->nsecs) {
			memcpy(grown, c->secs, c->nsecs * sizeof(*grown));
			smb_secure_zero(c->secs, c->nsecs * sizeof(*grown));
		}
		free(c->secs);
		c->secs = grown;
		slot = &c->secs[c->nsecs++];
	}
	smb_secure_zero(slot, sizeof(*slot));
	*slot = *sec;
	/* New keys: their nonces start again. */
	ret = smb_nonce_seq_init(&slot->nonces);
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}

void smb_conn_clear_security(struct smb_conn *c, uint64_t session_id)
{
	struct smb_conn_security *slot;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	slot = security_find(c, session_id);
	if (slot) {
		struct smb_conn_security *last = &c->secs[c->nsecs - 1];

		if (slot != last)
			*slot = *last;
		smb_secure_zero(last, sizeof(*last));
		c->nsecs--;
	}
	pthread_mutex_unlock(&c->lock);
}

/* --- life cycle --- */

static int conn_init_sync(struct smb_conn *c)
{
	pthread_condattr_t attr;
	int ret;

	if (pthread_mutex_init(&c->lock, NULL))
		return -ENOMEM;
	if (pthread_mutex_init(&c->send_lock, NULL))
		goto fail_lock;
	if (pthread_condattr_init(&attr))
		goto fail_send;
	/* Credit waits use absolute CLOCK_MONOTONIC deadlines. */
	ret = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!ret)
		ret = pthread_cond_init(&c->state_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret)
		goto fail_send;
	return 0;

fail_send:
	pthread_mutex_destroy(&c->send_lock);
fail_lock:
	pthread_mutex_destroy(&c->lock);
	return -ENOMEM;
}

static void conn_free(struct smb_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->secs) {
		smb_secure_zero(c->secs, c->nsecs * sizeof(*c->secs));
		free(c->secs);
	}
	free(c->host);
	free(c);
}

/* A send that stalls this long means the server stopped reading. */
static void conn_set_send_timeout(struct smb_conn *c)
{
	int ms = c->default_timeout_ms > 30000 ? c->default_timeout_ms : 30000;
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000};

	/* Best effort: without it a stalled send blocks until TCP gives up. */
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int conn_connect(struct smb_conn *c)
{
	int ret;

	ret = smb_transport_connect(c->host, c->cfg.port,
				    c->cfg.connect_timeout_ms);
	if (ret < 0)
		return ret;
	c->fd = ret;
	/* RFC 1002 4.3.2: port 139 wants a NetBIOS session first. */
	if (c->cfg.port == 139) {
		ret = smb_transport_netbios_session(c->fd, NULL,
						    c->cfg.connect_timeout_ms);
		if (ret)
			return ret;
	}
	conn_set_send_timeout(c);
	return 0;
}

int smb_conn_open(const struct smb_conn_config *cfg, struct smb_conn **out)
{
	struct smb_conn *c;
	int ret;

	*out = NULL;
	if (!cfg || !cfg->host || !*cfg->host)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = -1;
	c->cfg = *cfg;
	c->host = strdup(cfg->host);
	if (!c->host) {
		conn_free(c);
		return -ENOMEM;
	}
	c->cfg.host = c->host;
	if (!c->cfg.port)
		c->cfg.port = 445;
	if (c->cfg.connect_timeout_ms <= 0)
		c->cfg.connect_timeout_ms = 5000;
	c->default_timeout_ms = cfg->request_timeout_ms > 0
					? cfg->request_timeout_ms
					: 30000;
	smb_credits_init(&c->credits);
	c->max_frame = CONN_PRENEG_MAX_FRAME;

	ret = conn_connect(c);
	if (ret) {
		conn_free(c);
		return ret;
	}
	ret = conn_init_sync(c);
	if (ret) {
		conn_free(c);
		return ret;
	}
	c->connected = true;
	atomic_store(&c->last_rx_ns, conn_now_ns());
	ret = pthread_create(&c->reader, NULL, conn_reader_main, c);
	if (ret) {
		pthread_cond_destroy(&c->state_cond);
		pthread_mutex_destroy(&c->send_lock);
		pthread_mutex_destroy(&c->lock);
		conn_free(c);
		return -ret;
	}
	*out = c;
	return 0;
}

void conn_destroy(struct smb_conn *c)
{
	struct smb_req *left;

	pthread_mutex_lock(&c->lock);
	c->connected = false;
	while (c->active_submitters)
		pthread_cond_wait(&c->state_cond, &c->lock);
	left = conn_table_take_all(c);
	pthread_mutex_unlock(&c->lock);
	conn_req_complete_list(c, left, -ECANCELED);

	pthread_cond_destroy(&c->state_cond);
	pthread_mutex_destroy(&c->send_lock);
	pthread_mutex_destroy(&c->lock);
	conn_free(c);
}

void smb_conn_close(struct smb_conn *c)
{
	bool on_reader;

	if (!c)
		return;
	on_reader = pthread_equal(pthread_self(), c->reader);
	pthread_mutex_lock(&c->lock);
	c->closing = true;
	pthread_cond_broadcast(&c->state_cond);
	pthread_mutex_unlock(&c->lock);

	/* Wakes the reader (EOF); it completes the table with -ECANCELED. */
	shutdown(c->fd, SHUT_RDWR);
	if (on_reader) {
		/*
		 * Called from on_disconnect/on_break/done: the reader cannot
		 * join itself, so it finishes the job when it unwinds.
		 */
		c->free_on_reader_exit = true;
		pthread_detach(c->reader);
		return;
	}
	pthread_join(c->reader, NULL);
	conn_destroy(c);
}

static size_t frame_limit(uint32_t max_transact, uint32_t max_read,
			  uint32_t max_write)
{
	uint64_t biggest = max_transact;

	if (max_read > biggest)
		biggest = max_read;
	if (max_write > biggest)
		biggest = max_write;
	biggest += CONN_FRAME_SLACK;
	return biggest > CONN_MAX_FRAME_LEN ? CONN_MAX_FRAME_LEN
					    : (size_t)biggest;
}

void smb_conn_set_negotiated(struct smb_conn *c, uint16_t dialect,
			     uint32_t capabilities, uint32_t max_transact,
			     uint32_t max_read, uint32_t max_write)
{
	pthread_mutex_lock(&c->lock);
	smb_credits_set_negotiated(&c->credits, dialect, capabilities);
	c->max_frame = frame_limit(max_transact, max_read, max_write);
	pthread_mutex_unlock(&c->lock);
}

unsigned int smb_conn_credits(struct smb_conn *c)
{
	unsigned int n;

	pthread_mutex_lock(&c->lock);
	n = c->credits.avail;
	pthread_mutex_unlock(&c->lock);
	return n;
}

bool smb_conn_is_connected(struct smb_conn *c)
{
	bool up;

	pthread_mutex_lock(&c->lock);
	up = c->connected;
	pthread_mutex_unlock(&c->lock);
	return up;
}

int64_t smb_conn_idle_ms(struct smb_conn *c)
{
	return (conn_now_ns() - atomic_load(&c->last_rx_ns)) / 1000000;
}

void smb_conn_abort(struct smb_conn *c)
{
	if (c)
		shutdown(c->fd, SHUT_RDWR);
}

const char *smb_conn_host(const struct smb_conn *c)
{
	return c->host;
}
