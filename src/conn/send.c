// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sending requests: credits and MessageIds (MS-SMB2 3.2.4.1.5),
 * compounding (3.2.4.1.4), signing (3.2.4.1.1), encryption (3.2.4.1.8)
 * and CANCEL (3.2.4.24).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "conn_internal.h"
#include "smbfs/log.h"

#define SMB2_PROCESS_ID 0xFEFF

/* One frame as it goes on the wire: Direct TCP header + message. */
struct frame {
	uint8_t hdr[4];
	uint8_t *data;
	size_t len;
};

/* Per-element decisions of one submission. */
struct send_plan {
	uint64_t message_id;
	unsigned int charge;
	uint16_t credit_request;
	uint16_t charge_field;
	bool sign;
	bool waiter; /* done is NULL: the caller uses smb_req_wait() */
	struct smb_conn_security sec; /* valid when sign or encrypting */
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static int64_t req_deadline(const struct smb_conn *c,
			    const struct smb_req *req, int64_t now)
{
	int ms = req->timeout_ms ? req->timeout_ms : c->default_timeout_ms;

	if (ms < 0)
		return 0; /* no deadline */
	return now + (int64_t)ms * 1000000;
}

/* Clears what a previous use of req left behind. */
static void req_reset(struct smb_req *req)
{
	free(req->rsp);
	req->rsp = NULL;
	req->rsp_len = 0;
	req->err = 0;
	req->status = 0;
	req->pending = false;
	req->async_id = 0;
	req->completed = false;
	req->next_pending = NULL;
	memset(&req->rsp_hdr, 0, sizeof(req->rsp_hdr));
}

static void fail_all(struct smb_req **reqs, int n, int err)
{
	int i;

	for (i = 0; i < n; i++)
		conn_req_finish(reqs[i], err);
}

/* --- writing --- */

static int write_iov(int fd, struct iovec *iov, int cnt)
{
	while (cnt) {
		struct msghdr mh = {.msg_iov = iov, .msg_iovlen = (size_t)cnt};
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT; /* SO_SNDTIMEO */
			return -errno;
		}
		while (cnt && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int send_frame(struct smb_conn *c, struct frame *f)
{
	struct iovec iov[2] = {{f->hdr, 4}, {f->data, f->len}};
	int ret;

	pthread_mutex_lock(&c->send_lock);
	ret = write_iov(c->fd, iov, 2);
	pthread_mutex_unlock(&c->send_lock);
	if (ret) {
		smb_log(SMB_LOG_INFO, "write to %s failed: %s", c->host,
			strerror(-ret));
		/* The reader sees EOF, drops the connection and reports it. */
		shutdown(c->fd, SHUT_RDWR);
	}
	return ret;
}

/*
 * Turns a plaintext message (chain) into a frame, encrypting it when
 * enc is given.  Takes ownership of plain.
 */
static int frame_seal(struct frame *f, uint8_t *plain, size_t len,
		      const struct smb_conn_security *enc)
{
	int ret;

	f->data = plain;
	f->len = len;
	if (enc) {
		ret = smb_encrypt_message(enc->cipher, enc->keys.encryption_key,
					  enc->session_id, plain, len, &f->data,
					  &f->len);
		free(plain);
		if (ret) {
			f->data = NULL;
			return ret;
		}
	}
	if (f->len > CONN_MAX_FRAME_LEN) {
		free(f->data);
		f->data = NULL;
		return -EMSGSIZE;
	}
	/* MS-SMB2 2.1: a zero byte, then the length in 24 bits big-endian. */
	f->hdr[0] = 0;
	f->hdr[1] = (uint8_t)(f->len >> 16);
	f->hdr[2] = (uint8_t)(f->len >> 8);
	f->hdr[3] = (uint8_t)f->len;
	return 0;
}

/* --- submission steps --- */

static int validate(struct smb_req **reqs, int n)
{
	uint64_t total = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (reqs[i]->msg.len < SMB2_HEADER_SIZE ||
		    wbuf_error(&reqs[i]->msg))
			return reqs[i]->msg.err ? reqs[i]->msg.err : -EINVAL;
		if (reqs[i]->command == SMB2_CANCEL)
			return -EINVAL; /* smb_conn_cancel() sends those */
		total += align8(reqs[i]->msg.len);
	}
	if (total + SMB2_TRANSFORM_HEADER_SIZE > CONN_MAX_FRAME_LEN)
		return -EMSGSIZE;
	return 0;
}

/*
 * Decides signing and encryption per element (c->lock held).  A chain
 * is encrypted as a whole, under the first element's session.
 */
static int plan_security(struct smb_conn *c, struct smb_req **reqs,
			 struct send_plan *plan, int n, bool *encrypt)
{
	bool have;
	int i;

	*encrypt = false;
	for (i = 0; i < n; i++) {
		have = conn_security_copy(c, reqs[i]->session_id, &plan[i].sec);
		if (reqs[i]->encrypt || (have && plan[i].sec.encrypt_required))
			*encrypt = true;
		plan[i].sign = reqs[i]->sign ||
			       (have && plan[i].sec.signing_required);
		if (plan[i].sign && !have)
			return -EINVAL; /* no keys for this session */
	}
	if (!*encrypt)
		return 0;
	for (i = 0; i < n; i++) {
		/* MS-SMB2 3.2.4.1.1: an encrypted message is not signed. */
		plan[i].sign = false;
		if (reqs[i]->session_id != reqs[0]->session_id)
			return -EINVAL;
	}
	if (!conn_security_copy(c, reqs[0]->session_id, &plan[0].sec) ||
	    !plan[0].sec.cipher)
		return -EINVAL;
	return 0;
}

/* Longest sleep between looks at the thread's interrupt flag. */
#define CREDIT_POLL_NS (100 * 1000000LL)

static int wait_credits(struct smb_conn *c, unsigned int need,
			int64_t deadline)
{
	bool on_reader = pthread_equal(pthread_self(), c->reader);
	int64_t until;
	struct timespec ts;

	while (c->connected && !c->closing && c->credits.avail < need) {
		/* Only the reader adds credits: waiting there would hang. */
		if (on_reader)
			return -EAGAIN;
		if (smb_thread_interrupted())
			return -EINTR;
		if (deadline && conn_now_ns() >= deadline) {
			if (c->cfg.drop_on_timeout) {
				/* A server that grants nothing is as good as gone. */
				smb_log(SMB_LOG_WARN,
					"%s grants no credits; dropping the connection",
					c->host);
				c->connected = false;
				shutdown(c->fd, SHUT_RDWR);
			}
			return -ETIMEDOUT;
		}
		until = conn_now_ns() + CREDIT_POLL_NS;
		if (deadline && deadline < until)
			until = deadline;
		ts.tv_sec = until / 1000000000;
		ts.tv_nsec = until % 1000000000;
		pthread_cond_timedwait(&c->state_cond, &c->lock, &ts);
	}
	if (c->closing)
		return -ECANCELED;
	if (!c->connected)
		return -ENOTCONN;
	return 0;
}

/*
 * Waits for credits, then assigns every element its MessageIds in one
 * go (c->lock held), so a compound's ids are consecutive.
 */
static int reserve(struct smb_conn *c, struct smb_req **reqs,
		   struct send_plan *plan, int n, bool *encrypt)
{
	int64_t now = conn_now_ns(), deadline = 0;
	unsigned int need = 0;
	int i, ret;

	ret = plan_security(c, reqs, plan, n, encrypt);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		reqs[i]->deadline_ns = req_deadline(c, reqs[i], now);
		if (reqs[i]->deadline_ns &&
		    (!deadline || reqs[i]->deadline_ns < deadline))
			deadline = reqs[i]->deadline_ns;
		plan[i].charge = smb_credits_charge(&c->credits,
						    reqs[i]->payload_send,
						    reqs[i]->payload_recv);
		need += plan[i].charge;
	}
	if (need > SMB_CREDITS_MAX)
		return -EMSGSIZE;
	ret = wait_credits(c, need, deadline);
	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		smb_credits_take(&c->credits, plan[i].charge,
				 &plan[i].message_id, &plan[i].credit_request);
		plan[i].charge_field = smb_credits_charge_field(
			&c->credits, reqs[i]->command, plan[i].charge);
		reqs[i]->message_id = plan[i].message_id;
		reqs[i]->credit_charge = (uint16_t)plan[i].charge;
	}
	return 0;
}

static void encode_header(struct smb_req *req, const struct send_plan *p,
			  uint32_t flags, uint32_t next_command)
{
	struct smb2_header h = {
		.credit_charge = p->charge_field,
		.command = req->command,
		.credit = p->credit_request,
		.flags = flags,
		.next_command = next_command,
		.message_id = p->message_id,
		.process_id = SMB2_PROCESS_ID,
		.tree_id = req->tree_id,
		.session_id = req->session_id,
	};

	smb2_header_encode_at(&req->msg, 0, &h);
}

static uint32_t element_flags(const struct smb_req *req, bool sign,
			      bool related_elem)
{
	uint32_t flags =
		req->hdr_flags &
		~(SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND |
		  SMB2_FLAGS_RELATED_OPERATIONS | SMB2_FLAGS_SIGNED);

	if (sign)
		flags |= SMB2_FLAGS_SIGNED;
	if (related_elem)
		flags |= SMB2_FLAGS_RELATED_OPERATIONS;
	return flags;
}

/* Compound elements but the last are padded to 8 bytes (3.2.4.1.4). */
static size_t element_len(struct smb_req **reqs, int i, int n)
{
	return i < n - 1 ? align8(reqs[i]->msg.len) : reqs[i]->msg.len;
}

/*
 * Writes the headers into each req->msg and builds the chain: each
 * element but the last padded to 8 bytes and signed over its padded
 * length (MS-SMB2 3.2.4.1.4); the signature is copied back into
 * req->msg so it holds exactly what was sent.
 */
static int build_frame(struct smb_req **reqs, struct send_plan *plan, int n,
		       bool related, bool encrypt, struct frame *f)
{
	size_t total = 0, off = 0, elen;
	uint8_t *buf;
	int i, ret;

	for (i = 0; i < n; i++)
		total += element_len(reqs, i, n);
	buf = calloc(1, total);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct smb_req *req = reqs[i];
		uint32_t flags;

		elen = element_len(reqs, i, n);
		flags = element_flags(req, plan[i].sign, related && i > 0);
		encode_header(req, &plan[i], flags,
			      i < n - 1 ? (uint32_t)elen : 0);
		if (wbuf_error(&req->msg)) {
			free(buf);
			return wbuf_error(&req->msg);
		}
		memcpy(buf + off, req->msg.data, req->msg.len);
		if (plan[i].sign) {
			ret = smb_sign_message(plan[i].sec.sign_algo,
					       plan[i].sec.keys.signing_key,
					       buf + off, elen);
			if (ret) {
				free(buf);
				return ret;
			}
			memcpy(req->msg.data + 48, buf + off + 48, 16);
		}
		off += elen;
	}
	return frame_seal(f, buf, total, encrypt ? &plan[0].sec : NULL);
}

/* Tables the requests before the write, so a fast response finds them. */
static int insert_all(struct smb_conn *c, struct smb_req **reqs, int n)
{
	int i, ret = 0;

	pthread_mutex_lock(&c->lock);
	if (c->closing)
		ret = -ECANCELED;
	else if (!c->connected)
		ret = -ENOTCONN;
	for (i = 0; !ret && i < n; i++) {
		reqs[i]->conn = c;
		conn_table_insert(c, reqs[i]);
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/*
 * The write failed after the requests went into the table.  Completes
 * the ones still there; the others the reader already completed (for
 * waiters, wait until it has, so the caller may free them on return).
 */
static void fail_sent(struct smb_conn *c, struct smb_req **reqs,
		      const struct send_plan *plan, int n, int err)
{
	bool mine[CONN_MAX_COMPOUND];
	int i;

	/* A request not found may be freed already: no dereference. */
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < n; i++) {
		mine[i] = conn_table_unlink(c, plan[i].message_id, reqs[i]);
		if (mine[i])
			smb_credits_finish(&c->credits, plan[i].charge);
	}
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < n; i++) {
		if (mine[i])
			conn_req_finish(reqs[i], err);
		else if (plan[i].waiter)
			smb_req_wait(reqs[i]);
	}
}

static void release_charges(struct smb_conn *c, const struct send_plan *plan,
			    int n)
{
	int i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < n; i++)
		smb_credits_finish(&c->credits, plan[i].charge);
	pthread_mutex_unlock(&c->lock);
}

static void count_sent(struct smb_conn *c, struct smb_req **reqs, int n,
		       size_t frame_len)
{
	struct smb_conn_stats *st = c->cfg.stats;
	int i;

	if (!st)
		return;
	atomic_fetch_add(&st->frames_sent, 1);
	atomic_fetch_add(&st->bytes_sent, frame_len + 4);
	for (i = 0; i < n; i++)
		atomic_fetch_add(&st->requests[reqs[i]->command %
					      SMB2_COMMAND_COUNT],
				 1);
}

static void submitter_leave(struct smb_conn *c)
{
	pthread_mutex_lock(&c->lock);
	c->active_submitters--;
	pthread_cond_broadcast(&c->state_cond);
	pthread_mutex_unlock(&c->lock);
}

static int submit_planned(struct smb_conn *c, struct smb_req **reqs,
			  struct send_plan *plan, int n, bool related)
{
	struct frame f = {{0}, NULL, 0};
	bool encrypt = false;
	int i, ret;

	pthread_mutex_lock(&c->lock);
	if (c->closing) {
		pthread_mutex_unlock(&c->lock);
		fail_all(reqs, n, -ECANCELED);
		return -ECANCELED;
	}
	c->active_submitters++;
	ret = reserve(c, reqs, plan, n, &encrypt);
	pthread_mutex_unlock(&c->lock);
	if (ret) {
		fail_all(reqs, n, ret);
		goto out;
	}
	ret = build_frame(reqs, plan, n, related, encrypt, &f);
	for (i = 0; i < n; i++)
		plan[i].waiter = !reqs[i]->done;
	if (!ret)
		ret = insert_all(c, reqs, n);
	if (ret) {
		/* Never sent: the MessageIds and credits it took are lost. */
		release_charges(c, plan, n);
		fail_all(reqs, n, ret);
	} else {
		/* Before sending: a fast answer may free the requests. */
		count_sent(c, reqs, n, f.len);
		ret = send_frame(c, &f);
		if (ret)
			fail_sent(c, reqs, plan, n, -ECONNRESET);
		ret = ret ? -ECONNRESET : 0;
	}
out:
	free(f.data);
	submitter_leave(c);
	return ret;
}

int smb_conn_submit_compound(struct smb_conn *c, struct smb_req **reqs,
			     int n, bool related)
{
	struct send_plan *plan;
	int i, ret;

	if (!reqs || n <= 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!reqs[i])
			return -EINVAL;
	for (i = 0; i < n; i++)
		req_reset(reqs[i]);
	ret = !c || n > CONN_MAX_COMPOUND ? -EINVAL : validate(reqs, n);
	plan = ret ? NULL : calloc((size_t)n, sizeof(*plan));
	if (!ret && !plan)
		ret = -ENOMEM;
	if (ret) {
		fail_all(reqs, n, ret);
		return ret;
	}
	ret = submit_planned(c, reqs, plan, n, related);
	smb_secure_zero(plan, (size_t)n * sizeof(*plan));
	free(plan);
	return ret;
}

int smb_conn_submit(struct smb_conn *c, struct smb_req *req)
{
	return smb_conn_submit_compound(c, &req, 1, false);
}

/* --- CANCEL --- */

/* What CANCEL needs from its target, read under c->lock. */
struct cancel_target {
	uint64_t message_id;
	uint64_t async_id;
	bool pending;
	bool have_sec;
	struct smb_conn_security sec;
};

static int cancel_build(const struct smb_req *req,
			const struct cancel_target *t, struct frame *f)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	bool encrypt = t->have_sec && t->sec.cipher &&
		       (req->encrypt || t->sec.encrypt_required);
	bool sign = !encrypt && t->have_sec &&
		    (req->sign || t->sec.signing_required);
	/* MS-SMB2 3.2.4.24: no credit, the target's MessageId or AsyncId. */
	struct smb2_header h = {
		.command = SMB2_CANCEL,
		.flags = (sign ? SMB2_FLAGS_SIGNED : 0) |
			 (t->pending ? SMB2_FLAGS_ASYNC_COMMAND : 0),
		.message_id = t->message_id,
		.async_id = t->async_id,
		.process_id = SMB2_PROCESS_ID,
		.tree_id = req->tree_id,
		.session_id = req->session_id,
	};
	size_t len;
	uint8_t *buf;
	int ret;

	smb2_header_encode(&w, &h);
	wbuf_u16(&w, 4); /* MS-SMB2 2.2.30 StructureSize */
	wbuf_u16(&w, 0); /* Reserved */
	ret = wbuf_error(&w);
	if (ret) {
		wbuf_free(&w);
		return ret;
	}
	buf = wbuf_steal(&w, &len);
	if (sign) {
		ret = smb_sign_message(t->sec.sign_algo,
				       t->sec.keys.signing_key, buf, len);
		if (ret) {
			free(buf);
			return ret;
		}
	}
	return frame_seal(f, buf, len, encrypt ? &t->sec : NULL);
}

int smb_conn_cancel(struct smb_conn *c, struct smb_req *req)
{
	struct cancel_target t;
	struct frame f = {{0}, NULL, 0};
	int ret;

	if (!c || !req)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	pthread_mutex_lock(&c->lock);
	if (!c->connected || conn_table_find(c, req->message_id) != req) {
		pthread_mutex_unlock(&c->lock);
		return -ENOENT;
	}
	t.message_id = req->message_id;
	t.async_id = req->async_id;
	t.pending = req->pending;
	t.have_sec = conn_security_copy(c, req->session_id, &t.sec);
	pthread_mutex_unlock(&c->lock);

	ret = cancel_build(req, &t, &f);
	smb_secure_zero(&t, sizeof(t));
	if (!ret)
		ret = send_frame(c, &f);
	free(f.data);
	return ret;
}
