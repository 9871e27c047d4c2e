// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reader thread of a connection: reads Direct TCP frames, decrypts
 * transform frames (MS-SMB2 3.2.5.1.1.1), splits compound responses
 * (3.2.5.1.9), verifies signatures (3.2.5.1.3), grants credits
 * (3.2.5.1.4), handles interim responses (3.2.5.1.5) and oplock breaks,
 * matches responses to requests by MessageId, and expires deadlines.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conn_internal.h"
#include "smbfs/log.h"
#include "smbfs/ntstatus.h"

/* How often expired requests are looked for. */
#define EXPIRY_SCAN_NS (50 * 1000000LL)

/*
 * Completes requests whose deadline passed.  Returns -ETIMEDOUT when
 * that should take the connection down (cfg.drop_on_timeout), else 0.
 */
static int expire_requests(struct smb_conn *c)
{
	int64_t now = conn_now_ns();
	struct smb_req *expired;

	if (now < c->next_expiry_scan_ns)
		return 0;
	c->next_expiry_scan_ns = now + EXPIRY_SCAN_NS;
	pthread_mutex_lock(&c->lock);
	expired = conn_table_take_expired(c, now);
	/*
	 * Down before anyone hears of the timeout, so a caller that sees
	 * ETIMEDOUT also sees a dead connection and reconnects.
	 */
	if (expired && c->cfg.drop_on_timeout)
		c->connected = false;
	pthread_mutex_unlock(&c->lock);
	if (!expired)
		return 0;
	smb_log(c->cfg.drop_on_timeout ? SMB_LOG_WARN : SMB_LOG_DEBUG,
		"no answer to %s from %s in time%s",
		smb2_command_name(expired->command), c->host,
		c->cfg.drop_on_timeout ? "; dropping the connection" : "");
	/* A late response for one of these is then dropped as unknown. */
	conn_req_complete_list(c, expired, -ETIMEDOUT);
	return c->cfg.drop_on_timeout ? -ETIMEDOUT : 0;
}

/*
 * Reads exactly len bytes, waking every CONN_POLL_MS to expire
 * deadlines, so a silent or stalled peer cannot hold requests forever.
 */
static int read_exact(struct smb_conn *c, uint8_t *buf, size_t len)
{
	while (len) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
		ssize_t n;
		int ret = poll(&pfd, 1, CONN_POLL_MS);

		if (expire_requests(c))
			return -ETIMEDOUT;
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		n = recv(c->fd, buf, len, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_frame(struct smb_conn *c, uint8_t **out, size_t *out_len)
{
	uint8_t hdr[4];
	size_t len, limit;
	uint8_t *buf;
	int ret;

	do {
		ret = read_exact(c, hdr, sizeof(hdr));
		if (ret)
			return ret;
		/* NEGOTIATE may have raised it while this thread waited. */
		pthread_mutex_lock(&c->lock);
		limit = c->max_frame;
		pthread_mutex_unlock(&c->lock);
		ret = smb2_direct_tcp_header_decode(hdr, limit, &len);
	} while (ret == 1); /* NetBIOS keepalives may come on port 139 */
	if (ret) {
		smb_log(SMB_LOG_WARN, "bad frame (type 0x%02x, %zu bytes) from %s",
			hdr[0], len, c->host);
		return -EBADMSG;
	}
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	ret = read_exact(c, buf, len);
	if (ret) {
		free(buf);
		return ret;
	}
	atomic_store(&c->last_rx_ns, conn_now_ns());
	if (c->cfg.stats)
		atomic_fetch_add(&c->cfg.stats->bytes_received, len + 4);
	*out = buf;
	*out_len = len;
	return 0;
}

/* Replaces a TRANSFORM_HEADER frame by its plaintext. */
static int decrypt_frame(struct smb_conn *c, uint8_t **frame, size_t *len,
			 uint64_t *session_id)
{
	struct smb_conn_security sec;
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	bool have;
	int ret;

	ret = smb_transform_session_id(*frame, *len, session_id);
	if (ret)
		return -EBADMSG;
	pthread_mutex_lock(&c->lock);
	have = conn_security_copy(c, *session_id, &sec);
	pthread_mutex_unlock(&c->lock);
	if (!have || !sec.cipher) {
		smb_log(SMB_LOG_WARN,
			"encrypted message for unknown session from %s",
			c->host);
		if (have)
			smb_secure_zero(&sec, sizeof(sec));
		return -EBADMSG;
	}
	ret = smb_decrypt_message(sec.cipher, sec.keys.decryption_key, *frame,
				  *len, &plain, &plain_len);
	smb_secure_zero(&sec, sizeof(sec));
	if (ret) {
		/* Only a broken or hostile server sends such a message. */
		smb_log(SMB_LOG_WARN,
			"cannot decrypt a message from %s: rejected", c->host);
		return -EBADMSG;
	}
	free(*frame);
	*frame = plain;
	*len = plain_len;
	return 0;
}

static void deliver_break(struct smb_conn *c, const struct smb2_header *h,
			  const uint8_t *elem, size_t len)
{
	if (h->command == SMB2_OPLOCK_BREAK && c->cfg.on_break) {
		c->cfg.on_break(c->cfg.cb_arg, elem, len);
		return;
	}
	smb_log(SMB_LOG_WARN, "unsolicited %s from %s dropped",
		smb2_command_name(h->command), c->host);
}

/*
 * A final response answers its request: same command, and the session
 * and (in a synchronous header, MS-SMB2 2.2.1.2) the tree the request
 * named.  A request without a session yet (NEGOTIATE, the first
 * SESSION_SETUP) or tree (TREE_CONNECT) learns it from the response.
 */
static int check_ids(struct smb_conn *c, const struct smb_req *req,
		     const struct smb2_header *h)
{
	const char *cmd = smb2_command_name(h->command);

	if (h->command != req->command) {
		smb_log(SMB_LOG_WARN, "%s response from %s to a %s request",
			cmd, c->host, smb2_command_name(req->command));
		return -EBADMSG;
	}
	if (req->session_id && h->session_id != req->session_id) {
		smb_log(SMB_LOG_WARN,
			"%s response from %s names session 0x%llx, the request 0x%llx: rejected",
			cmd, c->host, (unsigned long long)h->session_id,
			(unsigned long long)req->session_id);
		return -EBADMSG;
	}
	if (req->tree_id && !(h->flags & SMB2_FLAGS_ASYNC_COMMAND) &&
	    h->tree_id != req->tree_id) {
		smb_log(SMB_LOG_WARN,
			"%s response from %s names tree 0x%x, the request 0x%x: rejected",
			cmd, c->host, h->tree_id, req->tree_id);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Signature and encryption policy for a final response (3.2.5.1.3).  A
 * signature is checked where signing was agreed: on a signing session,
 * or on a request that was itself signed (3.1.1 TREE_CONNECT).  A
 * session that does not sign (nosign) ignores a signature it never
 * agreed to, whatever the server put there.
 */
static int check_response(struct smb_conn *c, const struct smb_req *req,
			  const struct smb2_header *h, const uint8_t *elem,
			  size_t len, bool encrypted,
			  const struct smb_conn_security *sec)
{
	const char *cmd = smb2_command_name(h->command);
	int err = check_ids(c, req, h);

	/* No keys yet (e.g. the last SESSION_SETUP): the caller checks. */
	if (err || encrypted || !sec)
		return err;
	if (sec->encrypt_required) {
		smb_log(SMB_LOG_WARN, "unencrypted %s response from %s, rejected",
			cmd, c->host);
		return -EBADMSG;
	}
	if (!sec->signing_required &&
	    !(req->sign && (h->flags & SMB2_FLAGS_SIGNED)))
		return 0;
	if (smb_verify_message(sec->sign_algo, sec->keys.signing_key, elem,
			       len)) {
		smb_log(SMB_LOG_WARN,
			"bad signature on %s response from %s, rejected", cmd,
			c->host);
		return -EBADMSG;
	}
	return 0;
}

/*
 * Once a server has answered STATUS_PENDING it is working on the request
 * and may legitimately take long: a CREATE waits up to 35 s for another
 * client to acknowledge a lease break, a blocking LOCK for the holder.
 * Such a request gets at least this long before it is given up on.
 */
#define PENDING_MIN_TIMEOUT_MS (180 * 1000)

/* MS-SMB2 3.2.5.1.5: an interim response; the request keeps waiting. */
static void note_interim(struct smb_conn *c, struct smb_req *req,
			 const struct smb2_header *h)
{
	int ms = req->timeout_ms ? req->timeout_ms : c->default_timeout_ms;

	req->pending = true;
	req->async_id = h->async_id;
	if (ms < 0)
		return;
	if (ms < PENDING_MIN_TIMEOUT_MS)
		ms = PENDING_MIN_TIMEOUT_MS;
	req->deadline_ns = conn_now_ns() + (int64_t)ms * 1000000;
}

/* Gives the element to req: the frame itself when it is all of it. */
static int attach_response(struct smb_req *req, const struct smb2_header *h,
			   const uint8_t *elem, size_t len, uint8_t **frame,
			   size_t frame_len)
{
	if (elem == *frame && len == frame_len) {
		req->rsp = *frame;
		*frame = NULL;
	} else {
		req->rsp = malloc(len);
		if (!req->rsp)
			return -ENOMEM;
		memcpy(req->rsp, elem, len);
	}
	req->rsp_len = len;
	req->rsp_hdr = *h;
	req->status = h->status;
	return 0;
}

static void handle_element(struct smb_conn *c, const uint8_t *elem,
			   size_t len, bool encrypted, uint8_t **frame,
			   size_t frame_len)
{
	struct smb_conn_security sec;
	struct smb2_header h;
	struct smb_req *req;
	bool have_sec, never_sent;
	int err;

	smb2_header_decode(elem, len, &h); /* smb2_chain_check() checked it */
	pthread_mutex_lock(&c->lock);
	/* MS-SMB2 3.2.5.1.4: every element grants, interim ones too. */
	smb_credits_grant(&c->credits, h.credit);
	if (h.credit)
		pthread_cond_broadcast(&c->state_cond);
	req = h.message_id == SMB2_UNSOLICITED_MESSAGE_ID
		      ? NULL
		      : conn_table_find(c, h.message_id);
	never_sent = h.message_id >= c->credits.next_mid;
	if (!req) {
		pthread_mutex_unlock(&c->lock);
		/*
		 * MS-SMB2 3.2.5.1.2: discarded.  A late answer to a request
		 * given up on is normal; an id never sent is the server's
		 * fault, and the request it was meant for waits until its
		 * deadline.
		 */
		if (h.message_id == SMB2_UNSOLICITED_MESSAGE_ID)
			deliver_break(c, &h, elem, len);
		else
			smb_log(never_sent ? SMB_LOG_WARN : SMB_LOG_DEBUG,
				"%s response from %s matches no request (MessageId %llu%s), dropped",
				smb2_command_name(h.command), c->host,
				(unsigned long long)h.message_id,
				never_sent ? ", never sent" : "");
		return;
	}
	if (h.status == STATUS_PENDING &&
	    (h.flags & SMB2_FLAGS_ASYNC_COMMAND)) {
		note_interim(c, req, &h);
		pthread_mutex_unlock(&c->lock);
		return;
	}
	conn_table_unlink(c, req->message_id, req);
	smb_credits_finish(&c->credits, req->credit_charge);
	/*
	 * The request's session decides: a response that names another
	 * session (or none) must not escape that session's signing rules.
	 */
	have_sec = conn_security_copy(
		c, req->session_id ? req->session_id : h.session_id, &sec);
	pthread_mutex_unlock(&c->lock);

	err = check_response(c, req, &h, elem, len, encrypted,
			     have_sec ? &sec : NULL);
	if (have_sec)
		smb_secure_zero(&sec, sizeof(sec));
	if (!err)
		err = attach_response(req, &h, elem, len, frame, frame_len);
	conn_req_complete(c, req, err);
}

/* Takes ownership of frame.  A negative return drops the connection. */
static int handle_frame(struct smb_conn *c, uint8_t *frame, size_t len)
{
	uint64_t transform_session = 0;
	bool encrypted = false;
	size_t off = 0, elen;
	uint32_t next;
	int ret;

	if (le32_get(frame) == SMB2_TRANSFORM_PROTOCOL_ID) {
		ret = decrypt_frame(c, &frame, &len, &transform_session);
		if (ret) {
			free(frame);
			return ret;
		}
		encrypted = true;
	}
	ret = smb2_chain_check(frame, len, encrypted, transform_session);
	if (ret) {
		smb_log(SMB_LOG_WARN, "malformed response from %s", c->host);
		free(frame);
		return ret;
	}
	do {
		const uint8_t *elem = frame + off;

		next = le32_get(elem + 20);
		elen = next ? next : len - off;
		handle_element(c, elem, elen, encrypted, &frame, len);
		off += next;
		/* frame is NULL once it became a request's response. */
	} while (next && frame);
	free(frame);
	return 0;
}

/* The transport is gone: fail everything, tell the owner once. */
static void conn_drop(struct smb_conn *c, int reason)
{
	struct smb_req *list;
	bool closing;

	pthread_mutex_lock(&c->lock);
	c->connected = false;
	closing = c->closing;
	list = conn_table_take_all(c);
	c->credits.in_flight = 0;
	pthread_cond_broadcast(&c->state_cond);
	pthread_mutex_unlock(&c->lock);

	conn_req_complete_list(c, list, closing ? -ECANCELED : -ECONNRESET);
	if (closing)
		return;
	smb_log(SMB_LOG_INFO, "connection to %s lost: %s", c->host,
		reason == -ECONNRESET ? "closed by the server"
				      : strerror(-reason));
	if (c->cfg.on_disconnect)
		c->cfg.on_disconnect(c->cfg.cb_arg, reason);
}

void *conn_reader_main(void *arg)
{
	struct smb_conn *c = arg;
	uint8_t *frame;
	size_t len;
	int ret;

	do {
		ret = read_frame(c, &frame, &len);
		if (!ret)
			ret = handle_frame(c, frame, len);
	} while (!ret);
	conn_drop(c, ret);
	/* smb_conn_close() was called from a callback on this thread. */
	if (c->free_on_reader_exit)
		conn_destroy(c);
	return NULL;
}
