// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SMB2 connection machinery over real loopback TCP, against a small
 * scripted peer thread that reads frames and answers with hand-built
 * SMB2 responses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cunit_main.h"
#include "smbfs/conn.h"
#include "smbfs/credits.h"
#include "smbfs/ntstatus.h"

/* ------------------------------------------------------------------ */
/* scripted peer                                                       */

struct peer {
	int lfd;
	int fd;
	uint16_t port;
	pthread_t thr;
	void (*script)(struct peer *p);
	void *ctx;
	int failures;
	char why[256];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stage; /* for hand-offs between the test and the script */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void peer_fail(struct peer *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failures++)
		return;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

#define PEER_CHECK(p, cond)                                              \
	do {                                                             \
		if (!(cond))                                             \
			peer_fail((p), "%s:%d: %s", __FILE__, __LINE__, \
				  #cond);                                \
	} while (0)

static void peer_set_stage(struct peer *p, int stage)
{
	pthread_mutex_lock(&p->mu);
	p->stage = stage;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Waits up to 5 s for the stage; false on timeout. */
static bool peer_wait_stage(struct peer *p, int stage)
{
	double end = now_s() + 5;

	pthread_mutex_lock(&p->mu);
	while (p->stage < stage && now_s() < end) {
		pthread_mutex_unlock(&p->mu);
		sleep_ms(5);
		pthread_mutex_lock(&p->mu);
	}
	stage = p->stage >= stage;
	pthread_mutex_unlock(&p->mu);
	return stage;
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	struct pollfd pfd = {.fd = p->lfd, .events = POLLIN};
	struct timeval tv = {5, 0};

	if (poll(&pfd, 1, 5000) != 1) {
		peer_fail(p, "no connection");
		return NULL;
	}
	p->fd = accept(p->lfd, NULL, NULL);
	if (p->fd < 0) {
		peer_fail(p, "accept: %s", strerror(errno));
		return NULL;
	}
	setsockopt(p->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	p->script(p);
	if (p->fd >= 0) {
		uint8_t sink[256];

		/* Hold the line until the client closes its end. */
		while (recv(p->fd, sink, sizeof(sink), 0) > 0)
			;
		close(p->fd);
	}
	p->fd = -1;
	return NULL;
}

static int listen_loopback(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4) || getsockname(fd, (struct sockaddr *)&sa, &slen))
		abort();
	*port = ntohs(sa.sin_port);
	return fd;
}

static void peer_start(struct peer *p, void (*script)(struct peer *),
		       void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->script = script;
	p->ctx = ctx;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->lfd = listen_loopback(&p->port);
	if (pthread_create(&p->thr, NULL, peer_main, p))
		abort();
}

/* Joins the peer and asserts that every check the script made passed. */
static void peer_finish(struct peer *p)
{
	pthread_join(p->thr, NULL);
	close(p->lfd);
	if (p->failures)
		fprintf(stderr, "\n    peer: %s\n", p->why);
	CU_ASSERT_EQUAL(p->failures, 0);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

static int recv_all(int fd, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		ssize_t n = recv(fd, b, len, 0);

		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one Direct TCP frame; malloc'd. */
static uint8_t *peer_recv(struct peer *p, size_t *len)
{
	uint8_t hdr[4], *buf;

	if (recv_all(p->fd, hdr, 4) || hdr[0] != 0) {
		peer_fail(p, "peer_recv: no frame");
		return NULL;
	}
	*len = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	buf = malloc(*len ? *len : 1);
	if (!buf || recv_all(p->fd, buf, *len)) {
		peer_fail(p, "peer_recv: short frame");
		free(buf);
		return NULL;
	}
	return buf;
}

/* Reads one single-element frame and decodes its header. */
static bool peer_recv_hdr(struct peer *p, struct smb2_header *h)
{
	size_t len;
	uint8_t *buf = peer_recv(p, &len);
	bool ok = buf && smb2_header_decode(buf, len, h) == 0;

	if (buf && !ok)
		peer_fail(p, "bad request header");
	free(buf);
	return ok;
}

static void send_raw(struct peer *p, const void *buf, size_t len)
{
	if (send(p->fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		peer_fail(p, "send failed");
}

static void peer_send(struct peer *p, const uint8_t *msg, size_t len)
{
	uint8_t hdr[4] = {0, (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			  (uint8_t)len};
	uint8_t *buf = malloc(len + 4);

	memcpy(buf, hdr, 4);
	memcpy(buf + 4, msg, len);
	send_raw(p, buf, len + 4);
	free(buf);
}

struct rsp_spec {
	uint16_t command;
	uint64_t message_id;
	uint32_t status;
	uint16_t credit;
	uint32_t flags; /* added to SERVER_TO_REDIR */
	uint64_t async_id;
	uint64_t session_id;
	uint32_t tree_id; /* sync form only */
	uint64_t tag; /* body: 8 bytes */
	size_t extra; /* more body bytes */
};

/* Appends one response element (header + body) to w. */
static size_t put_rsp(struct smb_wbuf *w, const struct rsp_spec *s)
{
	struct smb2_header h = {
		.command = s->command,
		.status = s->status,
		.credit = s->credit,
		.flags = SMB2_FLAGS_SERVER_TO_REDIR | s->flags,
		.message_id = s->message_id,
		.async_id = s->async_id,
		.session_id = s->session_id,
		.tree_id = s->tree_id,
	};
	size_t start = w->len;

	smb2_header_encode(w, &h);
	wbuf_u64(w, s->tag);
	wbuf_zero(w, s->extra);
	return start;
}

/* Sends one single-element response. */
static void peer_reply(struct peer *p, const struct rsp_spec *s)
{
	struct smb_wbuf w = SMB_WBUF_INIT;

	put_rsp(&w, s);
	peer_send(p, w.data, w.len);
	wbuf_free(&w);
}

/* Answers a request header with status SUCCESS, echoing its MessageId. */
static void peer_answer(struct peer *p, const struct smb2_header *req,
			uint16_t credit)
{
	struct rsp_spec s = {.command = req->command,
			     .message_id = req->message_id,
			     .credit = credit,
			     .session_id = req->session_id,
			     .tree_id = req->tree_id,
			     .tag = req->message_id};

	peer_reply(p, &s);
}

/* ------------------------------------------------------------------ */
/* client side helpers                                                 */

struct cb_state {
	pthread_mutex_t mu;
	int disconnects;
	int disconnect_err;
	int breaks;
	size_t break_len;
	uint16_t break_command;
};

static void on_disconnect(void *arg, int err)
{
	struct cb_state *cb = arg;

	pthread_mutex_lock(&cb->mu);
	cb->disconnects++;
	cb->disconnect_err = err;
	pthread_mutex_unlock(&cb->mu);
}

static void on_break(void *arg, const uint8_t *msg, size_t len)
{
	struct cb_state *cb = arg;

	pthread_mutex_lock(&cb->mu);
	cb->breaks++;
	cb->break_len = len;
	cb->break_command = len >= 14 ? le16_get(msg + 12) : 0xFFFF;
	pthread_mutex_unlock(&cb->mu);
}

static int cb_get(struct cb_state *cb, const int *field)
{
	int v;

	pthread_mutex_lock(&cb->mu);
	v = *field;
	pthread_mutex_unlock(&cb->mu);
	return v;
}

/* Waits up to 3 s for *field to reach want. */
static int cb_wait(struct cb_state *cb, const int *field, int want)
{
	double end = now_s() + 3;
	int v;

	while ((v = cb_get(cb, field)) < want && now_s() < end)
		sleep_ms(5);
	return v;
}

static struct smb_conn *open_conn(struct peer *p, struct cb_state *cb,
				  int request_timeout_ms)
{
	struct smb_conn_config cfg = {
		.host = "127.0.0.1",
		.port = p->port,
		.connect_timeout_ms = 2000,
		.request_timeout_ms = request_timeout_ms,
		.on_break = on_break,
		.on_disconnect = on_disconnect,
		.cb_arg = cb,
	};
	struct smb_conn *c = NULL;

	memset(cb, 0, sizeof(*cb));
	pthread_mutex_init(&cb->mu, NULL);
	CU_ASSERT_EQUAL_FATAL(smb_conn_open(&cfg, &c), 0);
	return c;
}

static struct smb_req *new_req(uint16_t command, uint64_t tag)
{
	struct smb_req *req = smb_req_new(command);

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	wbuf_u64(&req->msg, tag);
	return req;
}

/* The 8-byte tag a peer put after the response header. */
static uint64_t rsp_tag(const struct smb_req *req)
{
	uint64_t v = 0;

	if (bytes_get_u64_at(req->rsp, req->rsp_len, SMB2_HEADER_SIZE, &v))
		return ~0ull;
	return v;
}

/* One request answered by the peer with credit grant: check it worked. */
static void roundtrip(struct smb_conn *c, uint16_t command)
{
	struct smb_req *req = new_req(command, 0);

	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), 0);
	CU_ASSERT_EQUAL(req->status, STATUS_SUCCESS);
	smb_req_free(req);
}

/* Answers n requests, granting credit each. */
static void peer_answer_n(struct peer *p, int n, uint16_t credit)
{
	struct smb2_header h;

	while (n-- > 0 && peer_recv_hdr(p, &h))
		peer_answer(p, &h, credit);
}

/* ------------------------------------------------------------------ */
/* transport                                                           */

static void test_connect_refused(void)
{
	struct smb_conn_config cfg = {.host = "127.0.0.1"};
	struct smb_conn *c = NULL;
	uint16_t port;
	double t0;
	int fd = listen_loopback(&port);

	close(fd); /* nobody listens there any more */
	cfg.port = port;
	t0 = now_s();
	CU_ASSERT_EQUAL(smb_transport_connect("127.0.0.1", port, 3000),
			-ECONNREFUSED);
	CU_ASSERT_EQUAL(smb_conn_open(&cfg, &c), -ECONNREFUSED);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT(now_s() - t0 < 1.0);
}

static void test_connect_unresolvable(void)
{
	CU_ASSERT_EQUAL(
		smb_transport_connect("no-such-host.invalid", 445, 1000),
		-ENOENT);
}

static void script_netbios(struct peer *p)
{
	uint8_t req[72];
	const uint8_t *called = req + 5;
	char name[17];
	int i;

	PEER_CHECK(p, recv_all(p->fd, req, sizeof(req)) == 0);
	PEER_CHECK(p, req[0] == 0x81 && req[3] == 68 && req[4] == 32);
	/* Undo the first-level encoding of the called name. */
	for (i = 0; i < 16; i++)
		name[i] = (char)((called[2 * i] - 'A') << 4 |
				 (called[2 * i + 1] - 'A'));
	name[16] = 0;
	PEER_CHECK(p, memcmp(name, "*SMBSERVER     \x20", 16) == 0);
	PEER_CHECK(p, req[37] == 0 && req[38] == 32 && req[71] == 0);
	if (*(int *)p->ctx) {
		uint8_t neg[5] = {0x83, 0, 0, 1, 0x82};

		send_raw(p, neg, sizeof(neg));
	} else {
		uint8_t pos[4] = {0x82, 0, 0, 0};

		send_raw(p, pos, sizeof(pos));
	}
}

static void test_netbios_session(void)
{
	int refuse;

	for (refuse = 0; refuse < 2; refuse++) {
		struct peer p;
		int fd;

		peer_start(&p, script_netbios, &refuse);
		fd = smb_transport_connect("127.0.0.1", p.port, 2000);
		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(smb_transport_netbios_session(fd, NULL, 2000),
				refuse ? -ECONNREFUSED : 0);
		close(fd);
		peer_finish(&p);
	}
}

/* ------------------------------------------------------------------ */
/* deadlines                                                           */

static void script_silent(struct peer *p)
{
	struct smb2_header h;

	/* Read the request and say nothing, not even a credit. */
	PEER_CHECK(p, peer_recv_hdr(p, &h));
	peer_wait_stage(p, 1);
}

static void test_timeout_silent_peer(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *a, *b;
	double t0, dt;

	peer_start(&p, script_silent, NULL);
	c = open_conn(&p, &cb, 300);
	a = new_req(SMB2_ECHO, 1);
	a->timeout_ms = 500;
	t0 = now_s();
	CU_ASSERT_EQUAL(smb_conn_submit(c, a), 0);
	CU_ASSERT_EQUAL(smb_req_wait(a), -ETIMEDOUT);
	dt = now_s() - t0;
	CU_ASSERT(dt >= 0.45 && dt < 1.5);

	/* No credit left: waits for one up to the default deadline. */
	b = new_req(SMB2_ECHO, 2);
	t0 = now_s();
	CU_ASSERT_EQUAL(smb_conn_submit(c, b), -ETIMEDOUT);
	CU_ASSERT_EQUAL(smb_req_wait(b), -ETIMEDOUT);
	dt = now_s() - t0;
	CU_ASSERT(dt >= 0.25 && dt < 1.5);
	CU_ASSERT(smb_conn_is_connected(c));
	smb_req_free(b);
	smb_req_free(a);
	peer_set_stage(&p, 1);
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 0);
}

/*
 * The default timeout applies when timeout_ms is 0; late answers are
 * dropped and the connection keeps working.
 */
static void script_silent_then_late(struct peer *p)
{
	struct smb2_header h1, h2;

	PEER_CHECK(p, peer_recv_hdr(p, &h1));
	/* A grant without an answer, so the client can send again. */
	{
		struct rsp_spec s = {.command = SMB2_ECHO,
				     .message_id = 999,
				     .credit = 2};

		peer_reply(p, &s);
	}
	peer_wait_stage(p, 1);
	peer_answer(p, &h1, 1); /* late */
	PEER_CHECK(p, peer_recv_hdr(p, &h2));
	PEER_CHECK(p, h2.message_id == 1);
	peer_answer(p, &h2, 1);
}

static void test_timeout_default_and_late_answer(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *a;
	double t0, dt;

	peer_start(&p, script_silent_then_late, NULL);
	c = open_conn(&p, &cb, 300);
	a = new_req(SMB2_ECHO, 1);
	t0 = now_s();
	CU_ASSERT_EQUAL(smb_conn_submit(c, a), 0);
	CU_ASSERT_EQUAL(smb_req_wait(a), -ETIMEDOUT);
	dt = now_s() - t0;
	CU_ASSERT(dt >= 0.25 && dt < 1.5);
	smb_req_free(a);
	peer_set_stage(&p, 1);
	roundtrip(c, SMB2_ECHO);
	CU_ASSERT(smb_conn_is_connected(c));
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 0);
}

/* ------------------------------------------------------------------ */
/* MessageId matching                                                  */

#define OOO_THREADS 8
#define OOO_ROUNDS 50

static void script_out_of_order(struct peer *p)
{
	struct smb2_header h[OOO_THREADS];
	int round, i;

	peer_answer_n(p, 1, 64); /* warm-up: enough credits for all */
	for (round = 0; round < OOO_ROUNDS && !p->failures; round++) {
		for (i = 0; i < OOO_THREADS; i++)
			if (!peer_recv_hdr(p, &h[i]))
				return;
		/* Answer in reverse order, each with its own MessageId. */
		for (i = OOO_THREADS - 1; i >= 0; i--)
			peer_answer(p, &h[i], 1);
	}
}

struct ooo_arg {
	struct smb_conn *c;
	int id;
	int bad;
};

static void *ooo_thread(void *arg)
{
	struct ooo_arg *a = arg;
	int i;

	for (i = 0; i < OOO_ROUNDS; i++) {
		struct smb_req *req = smb_req_new(SMB2_ECHO);

		if (!req) {
			a->bad++;
			continue;
		}
		wbuf_u64(&req->msg, (uint64_t)a->id);
		if (smb_conn_submit(a->c, req) || smb_req_wait(req) ||
		    req->rsp_hdr.message_id != req->message_id ||
		    rsp_tag(req) != req->message_id)
			a->bad++;
		smb_req_free(req);
	}
	return NULL;
}

static void test_out_of_order_many_threads(void)
{
	struct ooo_arg args[OOO_THREADS];
	pthread_t thr[OOO_THREADS];
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	int i;

	peer_start(&p, script_out_of_order, NULL);
	c = open_conn(&p, &cb, 5000);
	roundtrip(c, SMB2_ECHO);
	for (i = 0; i < OOO_THREADS; i++) {
		args[i] = (struct ooo_arg){c, i, 0};
		pthread_create(&thr[i], NULL, ooo_thread, &args[i]);
	}
	for (i = 0; i < OOO_THREADS; i++) {
		pthread_join(thr[i], NULL);
		CU_ASSERT_EQUAL(args[i].bad, 0);
	}
	/* 1 warm-up + 400 requests used 401 MessageIds. */
	CU_ASSERT_EQUAL(smb_conn_credits(c), 64);
	smb_conn_close(c);
	peer_finish(&p);
}

/* ------------------------------------------------------------------ */
/* interim responses                                                   */

struct done_state {
	pthread_mutex_t mu;
	int calls;
	int err;
	uint32_t status;
};

static void count_done(struct smb_req *req)
{
	struct done_state *d = req->arg;

	pthread_mutex_lock(&d->mu);
	d->calls++;
	d->err = req->err;
	d->status = req->status;
	pthread_mutex_unlock(&d->mu);
}

static void script_interim(struct peer *p)
{
	struct smb2_header h;
	struct rsp_spec s = {.command = SMB2_CHANGE_NOTIFY,
			     .status = STATUS_PENDING,
			     .credit = 1,
			     .flags = SMB2_FLAGS_ASYNC_COMMAND,
			     .async_id = 0x1234};

	if (!peer_recv_hdr(p, &h))
		return;
	s.message_id = h.message_id;
	/* 300 + 300 ms > the 400 ms timeout: needs the extension. */
	sleep_ms(300);
	peer_reply(p, &s);
	sleep_ms(300);
	s.status = STATUS_SUCCESS;
	s.tag = 77;
	peer_reply(p, &s);
	peer_wait_stage(p, 1);
}

static void test_interim_then_final(void)
{
	struct done_state d = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *req;

	peer_start(&p, script_interim, NULL);
	c = open_conn(&p, &cb, 5000);
	req = new_req(SMB2_CHANGE_NOTIFY, 0);
	req->timeout_ms = 400;
	req->done = count_done;
	req->arg = &d;
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	sleep_ms(1000);
	pthread_mutex_lock(&d.mu);
	CU_ASSERT_EQUAL(d.calls, 1);
	CU_ASSERT_EQUAL(d.err, 0);
	CU_ASSERT_EQUAL(d.status, STATUS_SUCCESS);
	pthread_mutex_unlock(&d.mu);
	CU_ASSERT(req->pending);
	CU_ASSERT_EQUAL(req->async_id, 0x1234);
	CU_ASSERT_EQUAL(rsp_tag(req), 77);
	/* Both the interim and the final response granted a credit. */
	CU_ASSERT_EQUAL(smb_conn_credits(c), 2);
	peer_set_stage(&p, 1);
	smb_req_free(req);
	smb_conn_close(c);
	peer_finish(&p);
}

/* ------------------------------------------------------------------ */
/* credits                                                             */

static void script_one_credit(struct peer *p)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
	struct smb2_header a, b;

	if (!peer_recv_hdr(p, &a))
		return;
	PEER_CHECK(p, a.message_id == 0);
	/* Without credits the client must stay quiet. */
	PEER_CHECK(p, poll(&pfd, 1, 400) == 0);
	peer_answer(p, &a, 1);
	if (!peer_recv_hdr(p, &b))
		return;
	PEER_CHECK(p, b.message_id == 1);
	peer_answer(p, &b, 1);
}

struct submit_arg {
	struct smb_conn *c;
	struct smb_req *req;
	int ret;
	double took;
};

static void *submit_thread(void *arg)
{
	struct submit_arg *s = arg;
	double t0 = now_s();

	s->ret = smb_conn_submit(s->c, s->req);
	s->took = now_s() - t0;
	if (!s->ret)
		s->ret = smb_req_wait(s->req);
	return NULL;
}

static void test_credit_wait(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *a, *x;
	struct submit_arg b = {0};
	pthread_t thr;
	double t0;

	peer_start(&p, script_one_credit, NULL);
	c = open_conn(&p, &cb, 5000);
	CU_ASSERT_EQUAL(smb_conn_credits(c), 1);
	a = new_req(SMB2_ECHO, 1);
	CU_ASSERT_EQUAL(smb_conn_submit(c, a), 0);
	CU_ASSERT_EQUAL(smb_conn_credits(c), 0);

	/* No credit arrives in time: fails at its deadline, sends nothing. */
	x = new_req(SMB2_ECHO, 2);
	x->timeout_ms = 150;
	t0 = now_s();
	CU_ASSERT_EQUAL(smb_conn_submit(c, x), -ETIMEDOUT);
	CU_ASSERT(now_s() - t0 < 1.0);
	CU_ASSERT_EQUAL(smb_req_wait(x), -ETIMEDOUT);
	smb_req_free(x);

	b.c = c;
	b.req = new_req(SMB2_ECHO, 3);
	pthread_create(&thr, NULL, submit_thread, &b);
	CU_ASSERT_EQUAL(smb_req_wait(a), 0);
	pthread_join(thr, NULL);
	CU_ASSERT_EQUAL(b.ret, 0);
	CU_ASSERT(b.took >= 0.1);
	CU_ASSERT_EQUAL(b.req->message_id, 1);
	smb_req_free(b.req);
	smb_req_free(a);
	smb_conn_close(c);
	peer_finish(&p);
}

static void script_multi_credit(struct peer *p)
{
	static const struct {
		uint64_t mid;
		uint16_t charge;
	} want[] = {{0, 0}, {1, 2}, {3, 1}, {4, 4}, {8, 1}};
	struct smb2_header h;
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!peer_recv_hdr(p, &h))
			return;
		PEER_CHECK(p, h.message_id == want[i].mid);
		PEER_CHECK(p, h.credit_charge == want[i].charge);
		PEER_CHECK(p, h.credit >= want[i].charge && h.credit > 0);
		peer_answer(p, &h, i == 0 ? 20 : h.credit_charge);
	}
}

static void test_multi_credit_charge(void)
{
	static const uint32_t recv_len[] = {65537, 0, 3 * 65536 + 1, 0};
	static const uint32_t send_len[] = {0, 65536, 0, 100};
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	size_t i;

	peer_start(&p, script_multi_credit, NULL);
	c = open_conn(&p, &cb, 5000);
	roundtrip(c, SMB2_NEGOTIATE); /* MessageId 0, CreditCharge 0 */
	smb_conn_set_negotiated(c, SMB2_DIALECT_311, SMB2_GLOBAL_CAP_LARGE_MTU,
				8 << 20, 8 << 20, 8 << 20);
	CU_ASSERT_EQUAL(smb_conn_credits(c), 20);
	for (i = 0; i < 4; i++) {
		struct smb_req *req = new_req(SMB2_READ, i);

		req->payload_recv = recv_len[i];
		req->payload_send = send_len[i];
		CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
		CU_ASSERT_EQUAL(smb_req_wait(req), 0);
		smb_req_free(req);
	}
	CU_ASSERT_EQUAL(smb_conn_credits(c), 20);
	smb_conn_close(c);
	peer_finish(&p);
}

static void test_credit_rules(void)
{
	struct smb_credits cr;
	uint64_t mid;
	uint16_t ask;

	smb_credits_init(&cr);
	CU_ASSERT_EQUAL(cr.avail, 1);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 0, 1 << 20), 1);
	CU_ASSERT_EQUAL(smb_credits_charge_field(&cr, SMB2_NEGOTIATE, 1), 0);
	CU_ASSERT(smb_credits_take(&cr, 1, &mid, &ask));
	CU_ASSERT_EQUAL(mid, 0);
	CU_ASSERT(ask >= 1);
	CU_ASSERT_FALSE(smb_credits_take(&cr, 1, &mid, &ask));

	/* 2.0.2: one credit, the field is reserved. */
	smb_credits_set_negotiated(&cr, SMB2_DIALECT_202,
				   SMB2_GLOBAL_CAP_LARGE_MTU);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 1 << 20, 0), 1);
	CU_ASSERT_EQUAL(smb_credits_charge_field(&cr, SMB2_READ, 1), 0);
	/* 2.1 without LARGE_MTU: one credit, field 1. */
	smb_credits_set_negotiated(&cr, SMB2_DIALECT_210, 0);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 1 << 20, 0), 1);
	CU_ASSERT_EQUAL(smb_credits_charge_field(&cr, SMB2_READ, 1), 1);
	/* 3.0 with LARGE_MTU: per 64 KiB. */
	smb_credits_set_negotiated(&cr, SMB2_DIALECT_300,
				   SMB2_GLOBAL_CAP_LARGE_MTU);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 65536, 0), 1);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 0, 65537), 2);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 8 << 20, 1), 128);
	CU_ASSERT_EQUAL(smb_credits_charge(&cr, 0, 0), 1);

	smb_credits_grant(&cr, 600);
	CU_ASSERT(smb_credits_take(&cr, 4, &mid, &ask));
	CU_ASSERT_EQUAL(mid, 1);
	CU_ASSERT_EQUAL(cr.next_mid, 5);
	/* Held + in flight is above the target: ask for the charge only. */
	CU_ASSERT_EQUAL(ask, 4);
	smb_credits_finish(&cr, 5);
	CU_ASSERT_EQUAL(cr.in_flight, 0);
	smb_credits_grant(&cr, 65535);
	CU_ASSERT_EQUAL(cr.avail, SMB_CREDITS_MAX);
}

/* ------------------------------------------------------------------ */
/* compounds                                                           */

static void script_compound(struct peer *p)
{
	static const size_t body[3] = {9, 17, 8};
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_header h[3];
	size_t len, off = 0, starts[3];
	uint8_t *f;
	int i;

	peer_answer_n(p, 1, 10);
	f = peer_recv(p, &len);
	if (!f)
		return;
	PEER_CHECK(p, len == 80 + 88 + 64 + 8);
	for (i = 0; i < 3 && !p->failures; i++) {
		size_t elen = 64 + body[i], padded = (elen + 7) & ~(size_t)7;

		PEER_CHECK(p,
			   smb2_header_decode(f + off, len - off, &h[i]) == 0);
		PEER_CHECK(p, h[i].next_command == (i < 2 ? padded : 0));
		PEER_CHECK(p, !!(h[i].flags & SMB2_FLAGS_RELATED_OPERATIONS) ==
				      (i > 0));
		PEER_CHECK(p, h[i].message_id == (uint64_t)(1 + i));
		PEER_CHECK(p, h[i].command == SMB2_CREATE + i);
		PEER_CHECK(p, le64_get(f + off + 64) == (uint64_t)(100 + i));
		if (i < 2 && padded > elen)
			PEER_CHECK(p, f[off + padded - 1] == 0);
		off += padded;
	}
	free(f);
	if (p->failures)
		return;
	/* Answer in one compound; the middle element needs padding. */
	for (i = 0; i < 3; i++) {
		struct rsp_spec s = {.command = h[i].command,
				     .message_id = h[i].message_id,
				     .credit = 1,
				     .tag = 200 + (uint64_t)i,
				     .extra = i == 1 ? 4 : 0};

		starts[i] = put_rsp(&w, &s);
		if (i < 2) {
			wbuf_align(&w, 8);
			wbuf_put_u32_at(&w, starts[i] + 20,
					(uint32_t)(w.len - starts[i]));
		}
	}
	peer_send(p, w.data, w.len);
	wbuf_free(&w);
	peer_wait_stage(p, 1);
}

static void test_compound(void)
{
	static const size_t body_extra[3] = {1, 9, 0};
	struct smb_req *reqs[3];
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	int i;

	peer_start(&p, script_compound, NULL);
	c = open_conn(&p, &cb, 5000);
	roundtrip(c, SMB2_ECHO);
	for (i = 0; i < 3; i++) {
		reqs[i] =
			new_req((uint16_t)(SMB2_CREATE + i), 100 + (uint64_t)i);
		wbuf_zero(&reqs[i]->msg, body_extra[i]);
	}
	CU_ASSERT_EQUAL(smb_conn_submit_compound(c, reqs, 3, true), 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(smb_req_wait(reqs[i]), 0);
		CU_ASSERT_EQUAL(reqs[i]->status, STATUS_SUCCESS);
		CU_ASSERT_EQUAL(rsp_tag(reqs[i]), 200 + (uint64_t)i);
		/* Elements but the last include their padding. */
		CU_ASSERT_EQUAL(reqs[i]->rsp_len, i == 1 ? 80 : 72);
		/* The header in msg is the one that was sent. */
		CU_ASSERT_EQUAL(le64_get(reqs[i]->msg.data + 24),
				reqs[i]->message_id);
	}
	peer_set_stage(&p, 1);
	for (i = 0; i < 3; i++)
		smb_req_free(reqs[i]);
	smb_conn_close(c);
	peer_finish(&p);
}

/* ------------------------------------------------------------------ */
/* oplock breaks                                                       */

static void script_break(struct peer *p)
{
	struct rsp_spec s = {.command = SMB2_OPLOCK_BREAK,
			     .message_id = SMB2_UNSOLICITED_MESSAGE_ID,
			     .extra = 16};

	peer_reply(p, &s);
	peer_answer_n(p, 1, 1);
}

static void test_oplock_break(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;

	peer_start(&p, script_break, NULL);
	c = open_conn(&p, &cb, 5000);
	CU_ASSERT_EQUAL(cb_wait(&cb, &cb.breaks, 1), 1);
	pthread_mutex_lock(&cb.mu);
	CU_ASSERT_EQUAL(cb.break_len, 64 + 24);
	CU_ASSERT_EQUAL(cb.break_command, SMB2_OPLOCK_BREAK);
	pthread_mutex_unlock(&cb.mu);
	roundtrip(c, SMB2_ECHO); /* still works */
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.breaks, 1);
}

/* ------------------------------------------------------------------ */
/* malformed frames                                                    */

enum malformed {
	BAD_NEXT_UNALIGNED,
	BAD_NEXT_PAST_END,
	TRUNCATED_HEADER,
	HUGE_FRAME,
	NOT_FROM_SERVER,
	MALFORMED_COUNT
};

static void script_malformed(struct peer *p)
{
	enum malformed kind = *(enum malformed *)p->ctx;
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_header h;
	struct rsp_spec s = {.command = SMB2_ECHO};

	if (!peer_recv_hdr(p, &h))
		return;
	s.message_id = h.message_id;
	if (kind == BAD_NEXT_UNALIGNED)
		s.extra = 4; /* a well-formed second element at offset 76 */
	put_rsp(&w, &s);
	switch (kind) {
	case BAD_NEXT_UNALIGNED:
		put_rsp(&w, &s);
		wbuf_put_u32_at(&w, 20, 76);
		break;
	case BAD_NEXT_PAST_END:
		put_rsp(&w, &s);
		wbuf_put_u32_at(&w, 20, 0x1000);
		break;
	case TRUNCATED_HEADER:
		w.len = 40;
		break;
	case HUGE_FRAME: {
		uint8_t hdr[4] = {0, 0xFF, 0xFF, 0xFF};

		send_raw(p, hdr, 4);
		send_raw(p, w.data, w.len);
		w.len = 0;
		break;
	}
	case NOT_FROM_SERVER:
		wbuf_put_u32_at(&w, 16, 0);
		break;
	default:
		break;
	}
	if (w.len)
		peer_send(p, w.data, w.len);
	wbuf_free(&w);
	peer_wait_stage(p, 1);
}

static void test_malformed_frames(void)
{
	enum malformed kind;

	for (kind = 0; kind < MALFORMED_COUNT; kind++) {
		struct cb_state cb;
		struct peer p;
		struct smb_conn *c;
		struct smb_req *req, *after;

		peer_start(&p, script_malformed, &kind);
		c = open_conn(&p, &cb, 5000);
		req = new_req(SMB2_ECHO, 0);
		CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
		CU_ASSERT_EQUAL(smb_req_wait(req), -ECONNRESET);
		CU_ASSERT_PTR_NULL(req->rsp);
		CU_ASSERT_EQUAL(cb_wait(&cb, &cb.disconnects, 1), 1);
		CU_ASSERT_EQUAL(cb_get(&cb, &cb.disconnect_err), -EBADMSG);
		CU_ASSERT_FALSE(smb_conn_is_connected(c));
		after = new_req(SMB2_ECHO, 0);
		CU_ASSERT_EQUAL(smb_conn_submit(c, after), -ENOTCONN);
		CU_ASSERT_EQUAL(smb_req_wait(after), -ENOTCONN);
		smb_req_free(after);
		smb_req_free(req);
		peer_set_stage(&p, 1);
		smb_conn_close(c);
		peer_finish(&p);
		CU_ASSERT_EQUAL(cb.disconnects, 1);
	}
}

/* A response for another command fails the request, not the connection. */
static void script_wrong_command(struct peer *p)
{
	struct smb2_header h;
	struct rsp_spec s = {.command = SMB2_READ, .credit = 1};

	if (!peer_recv_hdr(p, &h))
		return;
	s.message_id = h.message_id;
	peer_reply(p, &s);
	peer_answer_n(p, 1, 1);
}

static void test_wrong_command(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *req;

	peer_start(&p, script_wrong_command, NULL);
	c = open_conn(&p, &cb, 5000);
	req = new_req(SMB2_ECHO, 0);
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), -EBADMSG);
	smb_req_free(req);
	roundtrip(c, SMB2_ECHO);
	smb_conn_close(c);
	peer_finish(&p);
}

/* ------------------------------------------------------------------ */
/* signing and encryption                                              */

#define SESSION 0x1122334455667788ull

static const uint8_t sign_key[16] = "0123456789abcdef";

enum sig_reply {
	SIG_GOOD,
	SIG_CORRUPT,
	SIG_NONE,
	SIG_INTERIM_THEN_GOOD,
	SIG_NONE_NO_SESSION, /* unsigned, SessionId 0 */
};

static void reply_signed(struct peer *p, const struct smb2_header *h,
			 enum sig_reply how)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct rsp_spec s = {.command = h->command,
			     .message_id = h->message_id,
			     .credit = 1,
			     .session_id = SESSION,
			     .tag = h->message_id};

	if (how == SIG_INTERIM_THEN_GOOD) {
		struct rsp_spec i = s;

		i.status = STATUS_PENDING;
		i.flags = SMB2_FLAGS_ASYNC_COMMAND;
		i.async_id = 5;
		peer_reply(p, &i); /* unsigned: allowed for interim */
		how = SIG_GOOD;
	}
	if (how == SIG_NONE_NO_SESSION) {
		s.session_id = 0;
		how = SIG_NONE;
	}
	if (how != SIG_NONE)
		s.flags = SMB2_FLAGS_SIGNED;
	put_rsp(&w, &s);
	if (how != SIG_NONE)
		PEER_CHECK(p, smb_sign_message(SMB2_SIGNING_HMAC_SHA256,
					       sign_key, w.data, w.len) == 0);
	if (how == SIG_CORRUPT)
		w.data[50] ^= 1;
	peer_send(p, w.data, w.len);
	wbuf_free(&w);
}

static void script_signing(struct peer *p)
{
	static const enum sig_reply plan[] = {
		SIG_GOOD,		SIG_CORRUPT, SIG_NONE,
		SIG_INTERIM_THEN_GOOD, SIG_NONE,    SIG_NONE_NO_SESSION,
	};
	size_t i, len;

	for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		struct smb2_header h;
		uint8_t *f = peer_recv(p, &len);

		if (!f)
			return;
		PEER_CHECK(p, smb2_header_decode(f, len, &h) == 0);
		PEER_CHECK(p, h.flags & SMB2_FLAGS_SIGNED);
		PEER_CHECK(p, h.session_id == SESSION);
		PEER_CHECK(p, smb_verify_message(SMB2_SIGNING_HMAC_SHA256,
						 sign_key, f, len) == 0);
		f[len - 1] ^= 1;
		PEER_CHECK(p, smb_verify_message(SMB2_SIGNING_HMAC_SHA256,
						 sign_key, f, len) != 0);
		free(f);
		reply_signed(p, &h, plan[i]);
	}
}

/* One request of SESSION (tree_id 0: an ECHO, else a READ on it). */
static int session_roundtrip(struct smb_conn *c, uint32_t tree_id, bool sign)
{
	struct smb_req *req = new_req(tree_id ? SMB2_READ : SMB2_ECHO, 0);
	int ret;

	req->session_id = SESSION;
	req->tree_id = tree_id;
	req->sign = sign;
	ret = smb_conn_submit(c, req);
	if (!ret)
		ret = smb_req_wait(req);
	if (!ret && rsp_tag(req) != req->message_id)
		ret = -EPROTO;
	smb_req_free(req);
	return ret;
}

static int signed_roundtrip(struct smb_conn *c)
{
	return session_roundtrip(c, 0, true);
}

static void test_signing(void)
{
	struct smb_conn_security sec = {.session_id = SESSION,
					.sign_algo = SMB2_SIGNING_HMAC_SHA256};
	struct smb_req *nokey;
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;

	memcpy(sec.keys.signing_key, sign_key, 16);
	peer_start(&p, script_signing, NULL);
	c = open_conn(&p, &cb, 5000);

	/* No keys for the session yet: refusing beats sending unsigned. */
	nokey = new_req(SMB2_ECHO, 0);
	nokey->session_id = SESSION;
	nokey->sign = true;
	CU_ASSERT_EQUAL(smb_conn_submit(c, nokey), -EINVAL);
	CU_ASSERT_EQUAL(smb_req_wait(nokey), -EINVAL);
	smb_req_free(nokey);

	CU_ASSERT_EQUAL(smb_conn_set_security(c, &sec), 0);
	CU_ASSERT_EQUAL(signed_roundtrip(c), 0);
	CU_ASSERT_EQUAL(signed_roundtrip(c), -EBADMSG);
	CU_ASSERT_EQUAL(signed_roundtrip(c), 0); /* unsigned, not required */
	sec.signing_required = true;
	CU_ASSERT_EQUAL(smb_conn_set_security(c, &sec), 0);
	CU_ASSERT_EQUAL(signed_roundtrip(c), 0);
	CU_ASSERT_EQUAL(signed_roundtrip(c), -EBADMSG); /* unsigned */
	/* Naming no session does not escape the request session's rules. */
	CU_ASSERT_EQUAL(signed_roundtrip(c), -EBADMSG);
	CU_ASSERT(smb_conn_is_connected(c));
	smb_conn_clear_security(c, SESSION);
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 0);
}

/*
 * A response must name what its request named: the session, and in a
 * synchronous header the tree.  Otherwise that request fails and the
 * connection stays up.  An asynchronous final response has no TreeId.
 * A session that does not sign (nosign) takes a response whatever its
 * signature: it never agreed to one.
 */
enum id_reply { ID_OTHER_SESSION, ID_OTHER_TREE, ID_ASYNC, ID_BOGUS_SIG };

static void script_ids(struct peer *p)
{
	static const enum id_reply plan[] = { ID_OTHER_SESSION, ID_OTHER_TREE,
					      ID_ASYNC, ID_BOGUS_SIG };
	size_t i;

	for (i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		struct smb2_header h;
		struct smb_wbuf w = SMB_WBUF_INIT;
		struct rsp_spec s;

		if (!peer_recv_hdr(p, &h))
			return;
		PEER_CHECK(p, !(h.flags & SMB2_FLAGS_SIGNED));
		s = (struct rsp_spec){ .command = h.command,
				       .message_id = h.message_id,
				       .credit = 1,
				       .session_id = h.session_id,
				       .tree_id = h.tree_id,
				       .tag = h.message_id };
		if (plan[i] == ID_OTHER_SESSION)
			s.session_id++;
		if (plan[i] == ID_OTHER_TREE)
			s.tree_id++;
		if (plan[i] == ID_ASYNC) {
			s.flags = SMB2_FLAGS_ASYNC_COMMAND;
			s.async_id = 77;
		}
		if (plan[i] == ID_BOGUS_SIG)
			s.flags = SMB2_FLAGS_SIGNED;
		put_rsp(&w, &s);
		if (plan[i] == ID_BOGUS_SIG)
			memset(w.data + 48, 0xAB, 16);
		peer_send(p, w.data, w.len);
		wbuf_free(&w);
	}
}

static int tree_roundtrip(struct smb_conn *c)
{
	return session_roundtrip(c, 5, false);
}

static void test_response_ids(void)
{
	struct smb_conn_security sec = { .session_id = SESSION,
					 .sign_algo = SMB2_SIGNING_AES_CMAC };
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;

	memcpy(sec.keys.signing_key, sign_key, 16);
	peer_start(&p, script_ids, NULL);
	c = open_conn(&p, &cb, 5000);
	CU_ASSERT_EQUAL(smb_conn_set_security(c, &sec), 0);
	CU_ASSERT_EQUAL(tree_roundtrip(c), -EBADMSG); /* other session */
	CU_ASSERT_EQUAL(tree_roundtrip(c), -EBADMSG); /* other tree */
	CU_ASSERT_EQUAL(tree_roundtrip(c), 0);	     /* async: no tree */
	CU_ASSERT_EQUAL(tree_roundtrip(c), 0);	     /* nosign: ignored */
	CU_ASSERT(smb_conn_is_connected(c));
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 0);
}

static const uint8_t c2s_key[16] = "client-to-serv!!";
static const uint8_t s2c_key[16] = "server-to-clnt!!";

/*
 * MS-SMB2 3.1.4.3: no two messages under one key share a nonce.  The
 * script's encrypted requests are all under one key: each nonce must be
 * new, with the bytes past GCM's 12 zero.
 */
#define NONCES_MAX 8
static uint8_t nonces[NONCES_MAX][SMB_NONCE_SIZE];
static int nonce_count;

static void nonce_seen(struct peer *p, const uint8_t *f, size_t len)
{
	static const uint8_t zeros[4];
	int i;

	PEER_CHECK(p, len >= SMB2_TRANSFORM_HEADER_SIZE &&
			      nonce_count < NONCES_MAX);
	if (p->failures)
		return;
	PEER_CHECK(p, memcmp(f + 20 + 12, zeros, 4) == 0);
	for (i = 0; i < nonce_count; i++)
		PEER_CHECK(p, memcmp(nonces[i], f + 20, SMB_NONCE_SIZE) != 0);
	memcpy(nonces[nonce_count++], f + 20, SMB_NONCE_SIZE);
}

static void script_encryption(struct peer *p)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	uint8_t *f, *plain = NULL, *enc = NULL;
	size_t len, plain_len = 0, enc_len = 0;
	struct smb2_header h;
	uint64_t sid = 0;
	uint8_t nonce[SMB_NONCE_SIZE] = {7};
	struct rsp_spec s = {.command = SMB2_ECHO,
			     .credit = 1,
			     .session_id = SESSION};

	f = peer_recv(p, &len);
	if (!f)
		return;
	PEER_CHECK(p, le32_get(f) == SMB2_TRANSFORM_PROTOCOL_ID);
	nonce_seen(p, f, len);
	PEER_CHECK(p, smb_transform_session_id(f, len, &sid) == 0 &&
			      sid == SESSION);
	PEER_CHECK(p, smb_decrypt_message(SMB2_ENCRYPTION_AES128_GCM, c2s_key,
					  f, len, &plain, &plain_len) == 0);
	free(f);
	if (p->failures)
		return;
	PEER_CHECK(p, smb2_header_decode(plain, plain_len, &h) == 0);
	PEER_CHECK(p, !(h.flags & SMB2_FLAGS_SIGNED));
	free(plain);
	s.message_id = h.message_id;
	s.tag = 4242;
	put_rsp(&w, &s);
	PEER_CHECK(p, smb_encrypt_message(SMB2_ENCRYPTION_AES128_GCM, s2c_key,
					  SESSION, nonce, w.data, w.len, &enc,
					  &enc_len) == 0);
	if (enc) {
		peer_send(p, enc, enc_len);
		/* A plaintext answer on an encrypted session: rejected. */
		f = peer_recv(p, &len);
		h.message_id++; /* the next request's, without decrypting it */
		if (f) {
			nonce_seen(p, f, len);
			peer_answer(p, &h, 1);
		}
		free(f);
		/* The same message with a broken tag: must drop the link. */
		enc[20] ^= 1;
		f = peer_recv(p, &len);
		if (f) {
			nonce_seen(p, f, len);
			peer_send(p, enc, enc_len);
		}
		free(f);
	}
	free(enc);
	wbuf_free(&w);
	peer_wait_stage(p, 1);
}

static void test_encryption(void)
{
	struct smb_conn_security sec = {
		.session_id = SESSION,
		.sign_algo = SMB2_SIGNING_AES_CMAC,
		.cipher = SMB2_ENCRYPTION_AES128_GCM,
		.encrypt_required = true,
	};
	struct smb_req *req;
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;

	memcpy(sec.keys.encryption_key, c2s_key, 16);
	memcpy(sec.keys.decryption_key, s2c_key, 16);
	sec.keys.cipher_key_len = 16;
	nonce_count = 0;
	peer_start(&p, script_encryption, NULL);
	c = open_conn(&p, &cb, 5000);
	CU_ASSERT_EQUAL(smb_conn_set_security(c, &sec), 0);
	req = new_req(SMB2_ECHO, 0);
	req->session_id = SESSION;
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), 0);
	CU_ASSERT_EQUAL(rsp_tag(req), 4242);
	smb_req_free(req);

	req = new_req(SMB2_ECHO, 0);
	req->session_id = SESSION;
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), -EBADMSG);
	CU_ASSERT(smb_conn_is_connected(c));
	smb_req_free(req);

	req = new_req(SMB2_ECHO, 0);
	req->session_id = SESSION;
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), -ECONNRESET);
	CU_ASSERT_EQUAL(cb_wait(&cb, &cb.disconnects, 1), 1);
	CU_ASSERT_EQUAL(cb_get(&cb, &cb.disconnect_err), -EBADMSG);
	smb_req_free(req);
	peer_set_stage(&p, 1);
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(nonce_count, 3);
}

/*
 * A request's payload goes out after its body, uncopied: inside a
 * signed compound (padded, signed over body, payload and padding) and
 * in an encrypted message.
 */
#define PAYLOAD_LONG 100

static void fill_payload(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + 7);
}

static void script_payload(struct peer *p)
{
	uint8_t want[PAYLOAD_LONG], *f, *plain = NULL;
	static const uint8_t zeros[8];
	size_t len, plain_len = 0;
	struct smb2_header h0, h1;

	fill_payload(want, sizeof(want));
	peer_answer_n(p, 1, 8);
	f = peer_recv(p, &len);
	if (!f)
		return;
	/* 72 + 3 bytes padded to 80, then 72 + 100. */
	PEER_CHECK(p, len == 80 + 72 + PAYLOAD_LONG);
	if (p->failures) {
		free(f);
		return;
	}
	PEER_CHECK(p, smb2_header_decode(f, len, &h0) == 0);
	PEER_CHECK(p, smb2_header_decode(f + 80, len - 80, &h1) == 0);
	PEER_CHECK(p, h0.next_command == 80 && h1.next_command == 0);
	PEER_CHECK(p, memcmp(f + 72, "xyz", 3) == 0);
	PEER_CHECK(p, memcmp(f + 75, zeros, 5) == 0);
	PEER_CHECK(p, memcmp(f + 80 + 72, want, PAYLOAD_LONG) == 0);
	PEER_CHECK(p, smb_verify_message(SMB2_SIGNING_HMAC_SHA256, sign_key,
					 f, 80) == 0);
	PEER_CHECK(p, smb_verify_message(SMB2_SIGNING_HMAC_SHA256, sign_key,
					 f + 80, len - 80) == 0);
	free(f);
	reply_signed(p, &h0, SIG_GOOD);
	reply_signed(p, &h1, SIG_GOOD);

	f = peer_recv(p, &len);
	if (!f)
		return;
	PEER_CHECK(p, smb_decrypt_message(SMB2_ENCRYPTION_AES128_GCM, c2s_key,
					  f, len, &plain, &plain_len) == 0);
	free(f);
	if (p->failures)
		return;
	PEER_CHECK(p, plain_len == 72 + PAYLOAD_LONG);
	PEER_CHECK(p, memcmp(plain + 72, want, PAYLOAD_LONG) == 0);
	PEER_CHECK(p, smb2_header_decode(plain, plain_len, &h0) == 0);
	free(plain);
	reply_signed(p, &h0, SIG_GOOD);
	peer_wait_stage(p, 1);
}

static void test_payload(void)
{
	struct smb_conn_security sec = {
		.session_id = SESSION,
		.sign_algo = SMB2_SIGNING_HMAC_SHA256,
		.cipher = SMB2_ENCRYPTION_AES128_GCM,
	};
	uint8_t payload[PAYLOAD_LONG];
	struct smb_req *reqs[2];
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	int i;

	fill_payload(payload, sizeof(payload));
	memcpy(sec.keys.signing_key, sign_key, 16);
	memcpy(sec.keys.encryption_key, c2s_key, 16);
	sec.keys.cipher_key_len = 16;
	peer_start(&p, script_payload, NULL);
	c = open_conn(&p, &cb, 5000);
	roundtrip(c, SMB2_ECHO); /* credits for the compound */
	CU_ASSERT_EQUAL(smb_conn_set_security(c, &sec), 0);
	for (i = 0; i < 2; i++) {
		reqs[i] = new_req(SMB2_WRITE, 0);
		reqs[i]->session_id = SESSION;
		reqs[i]->sign = true;
	}
	reqs[0]->payload = "xyz";
	reqs[0]->payload_len = 3;
	reqs[1]->payload = payload;
	reqs[1]->payload_len = sizeof(payload);
	CU_ASSERT_EQUAL(smb_conn_submit_compound(c, reqs, 2, false), 0);
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(smb_req_wait(reqs[i]), 0);
		smb_req_free(reqs[i]);
	}

	reqs[0] = new_req(SMB2_WRITE, 0);
	reqs[0]->session_id = SESSION;
	reqs[0]->encrypt = true;
	reqs[0]->payload = payload;
	reqs[0]->payload_len = sizeof(payload);
	CU_ASSERT_EQUAL(smb_conn_submit(c, reqs[0]), 0);
	CU_ASSERT_EQUAL(smb_req_wait(reqs[0]), 0);
	smb_req_free(reqs[0]);

	/* A payload that is not there is refused before anything is sent. */
	reqs[0] = new_req(SMB2_WRITE, 0);
	reqs[0]->payload_len = 1;
	CU_ASSERT_EQUAL(smb_conn_submit(c, reqs[0]), -EINVAL);
	smb_req_free(reqs[0]);

	peer_set_stage(&p, 1);
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 0);
}

/* ------------------------------------------------------------------ */
/* disconnects and close                                               */

static void script_read3_close(struct peer *p)
{
	struct smb2_header h;
	int i;

	peer_answer_n(p, 1, 8);
	for (i = 0; i < 3; i++)
		PEER_CHECK(p, peer_recv_hdr(p, &h));
	close(p->fd);
	p->fd = -1;
}

static void test_peer_closes(void)
{
	struct done_state d = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct submit_arg w[2];
	pthread_t thr[2];
	struct smb_req *cbreq;
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	int i;

	peer_start(&p, script_read3_close, NULL);
	c = open_conn(&p, &cb, 5000);
	roundtrip(c, SMB2_ECHO);
	cbreq = new_req(SMB2_ECHO, 0);
	cbreq->done = count_done;
	cbreq->arg = &d;
	CU_ASSERT_EQUAL(smb_conn_submit(c, cbreq), 0);
	for (i = 0; i < 2; i++) {
		w[i] = (struct submit_arg){c, new_req(SMB2_ECHO, 0), 0, 0};
		pthread_create(&thr[i], NULL, submit_thread, &w[i]);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(thr[i], NULL);
		CU_ASSERT_EQUAL(w[i].ret, -ECONNRESET);
		smb_req_free(w[i].req);
	}
	CU_ASSERT_EQUAL(cb_wait(&cb, &cb.disconnects, 1), 1);
	CU_ASSERT_EQUAL(cb_get(&cb, &cb.disconnect_err), -ECONNRESET);
	pthread_mutex_lock(&d.mu);
	CU_ASSERT_EQUAL(d.calls, 1);
	CU_ASSERT_EQUAL(d.err, -ECONNRESET);
	pthread_mutex_unlock(&d.mu);
	smb_req_free(cbreq);
	smb_conn_close(c);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 1);
}

static void script_read2_wait(struct peer *p)
{
	struct smb2_header h;

	peer_answer_n(p, 1, 8);
	PEER_CHECK(p, peer_recv_hdr(p, &h));
	PEER_CHECK(p, peer_recv_hdr(p, &h));
	peer_set_stage(p, 1);
	/* Stay until the client closes. */
	PEER_CHECK(p, recv(p->fd, &h, 1, 0) == 0);
}

static void test_close_outstanding(void)
{
	struct done_state d = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct submit_arg w = {0};
	struct smb_req *cbreq;
	struct cb_state cb;
	pthread_t thr;
	struct peer p;
	struct smb_conn *c;

	peer_start(&p, script_read2_wait, NULL);
	c = open_conn(&p, &cb, 5000);
	roundtrip(c, SMB2_ECHO);
	cbreq = new_req(SMB2_ECHO, 0);
	cbreq->done = count_done;
	cbreq->arg = &d;
	cbreq->timeout_ms = -1;
	CU_ASSERT_EQUAL(smb_conn_submit(c, cbreq), 0);
	w.c = c;
	w.req = new_req(SMB2_ECHO, 0);
	pthread_create(&thr, NULL, submit_thread, &w);
	CU_ASSERT(peer_wait_stage(&p, 1));
	smb_conn_close(c);
	pthread_join(thr, NULL);
	CU_ASSERT_EQUAL(w.ret, -ECANCELED);
	pthread_mutex_lock(&d.mu);
	CU_ASSERT_EQUAL(d.calls, 1);
	CU_ASSERT_EQUAL(d.err, -ECANCELED);
	pthread_mutex_unlock(&d.mu);
	smb_req_free(w.req);
	smb_req_free(cbreq);
	peer_finish(&p);
	CU_ASSERT_EQUAL(cb.disconnects, 0);
}

struct self_close {
	struct smb_conn *c;
	pthread_mutex_t mu;
	int closed;
};

static void close_on_disconnect(void *arg, int err)
{
	struct self_close *sc = arg;

	(void)err;
	smb_conn_close(sc->c); /* on the reader thread itself */
	pthread_mutex_lock(&sc->mu);
	sc->closed++;
	pthread_mutex_unlock(&sc->mu);
}

static void script_close_now(struct peer *p)
{
	struct smb2_header h;

	PEER_CHECK(p, peer_recv_hdr(p, &h));
	close(p->fd);
	p->fd = -1;
}

static void test_close_from_callback(void)
{
	struct self_close sc = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct smb_conn_config cfg = {.host = "127.0.0.1",
				      .on_disconnect = close_on_disconnect,
				      .cb_arg = &sc};
	struct smb_req *req;
	struct peer p;
	double end;
	int closed = 0;

	peer_start(&p, script_close_now, NULL);
	cfg.port = p.port;
	CU_ASSERT_EQUAL_FATAL(smb_conn_open(&cfg, &sc.c), 0);
	req = new_req(SMB2_ECHO, 0);
	CU_ASSERT_EQUAL(smb_conn_submit(sc.c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), -ECONNRESET);
	end = now_s() + 3;
	while (!closed && now_s() < end) {
		pthread_mutex_lock(&sc.mu);
		closed = sc.closed;
		pthread_mutex_unlock(&sc.mu);
		sleep_ms(5);
	}
	CU_ASSERT_EQUAL(closed, 1);
	smb_req_free(req);
	peer_finish(&p);
	/* LeakSanitizer reports the connection if the reader kept it. */
}

/* ------------------------------------------------------------------ */
/* CANCEL                                                              */

static void script_cancel(struct peer *p)
{
	struct smb2_header req, cancel, next;
	struct rsp_spec s = {.command = SMB2_CHANGE_NOTIFY,
			     .status = STATUS_PENDING,
			     .credit = 3,
			     .flags = SMB2_FLAGS_ASYNC_COMMAND,
			     .async_id = 0xABCD};

	if (!peer_recv_hdr(p, &req))
		return;
	/* Synchronous form: the target's MessageId and TreeId. */
	if (!peer_recv_hdr(p, &cancel))
		return;
	PEER_CHECK(p, cancel.command == SMB2_CANCEL);
	PEER_CHECK(p, !(cancel.flags & SMB2_FLAGS_ASYNC_COMMAND));
	PEER_CHECK(p, cancel.message_id == req.message_id);
	PEER_CHECK(p, cancel.tree_id == 7 && cancel.session_id == 9);
	PEER_CHECK(p, cancel.credit_charge == 0 && cancel.credit == 0);
	s.message_id = req.message_id;
	s.session_id = req.session_id;
	peer_reply(p, &s);
	/* Asynchronous form after the interim response: the AsyncId. */
	if (!peer_recv_hdr(p, &cancel))
		return;
	PEER_CHECK(p, cancel.command == SMB2_CANCEL);
	PEER_CHECK(p, cancel.flags & SMB2_FLAGS_ASYNC_COMMAND);
	PEER_CHECK(p, cancel.async_id == 0xABCD);
	PEER_CHECK(p, cancel.message_id == req.message_id);
	s.status = STATUS_CANCELLED;
	s.credit = 1;
	peer_reply(p, &s);
	/* CANCEL used no MessageId. */
	if (peer_recv_hdr(p, &next)) {
		PEER_CHECK(p, next.message_id == req.message_id + 1);
		peer_answer(p, &next, 1);
	}
}

static void test_cancel(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *req;
	double end;

	peer_start(&p, script_cancel, NULL);
	c = open_conn(&p, &cb, 5000);
	req = new_req(SMB2_CHANGE_NOTIFY, 0);
	req->tree_id = 7;
	req->session_id = 9;
	req->timeout_ms = -1;
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	CU_ASSERT_EQUAL(smb_conn_cancel(c, req), 0);
	/* The interim response grants 3 credits in the same step. */
	end = now_s() + 3;
	while (smb_conn_credits(c) < 3 && now_s() < end)
		sleep_ms(5);
	CU_ASSERT_EQUAL(smb_conn_credits(c), 3);
	CU_ASSERT_EQUAL(smb_conn_cancel(c, req), 0);
	CU_ASSERT_EQUAL(smb_req_wait(req), 0);
	CU_ASSERT_EQUAL(req->status, STATUS_CANCELLED);
	CU_ASSERT_EQUAL(smb_conn_cancel(c, req), -ENOENT);
	roundtrip(c, SMB2_ECHO);
	smb_req_free(req);
	smb_conn_close(c);
	peer_finish(&p);
}

/*
 * With drop_on_timeout a deadline that passes takes the connection
 * down: the caller sees ETIMEDOUT on a connection that is already dead
 * (so it knows to reconnect), the owner hears of it once, and later
 * submissions are ENOTCONN (never sent).
 */
static void test_timeout_drops_connection(void)
{
	struct smb_conn_config cfg = {.host = "127.0.0.1",
				      .connect_timeout_ms = 2000,
				      .request_timeout_ms = 300,
				      .on_disconnect = on_disconnect,
				      .drop_on_timeout = true};
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c = NULL;
	struct smb_req *a, *b;

	peer_start(&p, script_silent, NULL);
	memset(&cb, 0, sizeof(cb));
	pthread_mutex_init(&cb.mu, NULL);
	cfg.port = p.port;
	cfg.cb_arg = &cb;
	CU_ASSERT_EQUAL_FATAL(smb_conn_open(&cfg, &c), 0);
	a = new_req(SMB2_ECHO, 1);
	CU_ASSERT_EQUAL(smb_conn_submit(c, a), 0);
	CU_ASSERT_EQUAL(smb_req_wait(a), -ETIMEDOUT);
	CU_ASSERT_FALSE(smb_conn_is_connected(c));
	CU_ASSERT_EQUAL(cb_wait(&cb, &cb.disconnects, 1), 1);
	CU_ASSERT_EQUAL(cb_get(&cb, &cb.disconnect_err), -ETIMEDOUT);
	b = new_req(SMB2_ECHO, 2);
	CU_ASSERT_EQUAL(smb_conn_submit(c, b), -ENOTCONN);
	CU_ASSERT_EQUAL(smb_req_wait(b), -ENOTCONN);
	smb_req_free(b);
	smb_req_free(a);
	peer_set_stage(&p, 1);
	smb_conn_close(c);
	peer_finish(&p);
}

/* Reads a request, then waits for a CANCEL for it and says nothing. */
static void script_ignore_cancel(struct peer *p)
{
	struct smb2_header req, cancel;

	if (!peer_recv_hdr(p, &req))
		return;
	if (!peer_recv_hdr(p, &cancel))
		return;
	PEER_CHECK(p, cancel.command == SMB2_CANCEL);
	PEER_CHECK(p, cancel.message_id == req.message_id);
	peer_wait_stage(p, 1);
}

struct interrupter {
	atomic_int *flag;
	int delay_ms;
};

static void *raise_later(void *arg)
{
	struct interrupter *in = arg;

	sleep_ms(in->delay_ms);
	atomic_store(in->flag, 1);
	return NULL;
}

/*
 * A waiting thread whose interrupt flag goes up sends CANCEL; a server
 * that does not answer it loses the request, which ends with EINTR
 * well before its own (long) deadline.
 */
static void test_interrupted_wait(void)
{
	atomic_int flag = 0;
	struct interrupter in = {&flag, 200};
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;
	struct smb_req *req;
	pthread_t thr;
	double t0, dt;

	peer_start(&p, script_ignore_cancel, NULL);
	c = open_conn(&p, &cb, 30000);
	req = new_req(SMB2_READ, 1);
	CU_ASSERT_EQUAL(smb_conn_submit(c, req), 0);
	smb_thread_set_interrupt(&flag);
	CU_ASSERT_FALSE(smb_thread_interrupted());
	t0 = now_s();
	pthread_create(&thr, NULL, raise_later, &in);
	CU_ASSERT_EQUAL(smb_req_wait(req), -EINTR);
	dt = now_s() - t0;
	pthread_join(thr, NULL);
	CU_ASSERT_TRUE(smb_thread_interrupted());
	smb_thread_set_interrupt(NULL);
	CU_ASSERT_FALSE(smb_thread_interrupted());
	/* 0.2 s until the flag, then at most the grace for a CANCEL. */
	CU_ASSERT(dt >= 0.15 && dt < 3.0);
	CU_ASSERT(smb_conn_is_connected(c));
	smb_req_free(req);
	peer_set_stage(&p, 1);
	smb_conn_close(c);
	peer_finish(&p);
}

static void script_answer_one(struct peer *p)
{
	peer_answer_n(p, 1, 8);
	peer_wait_stage(p, 1);
}

/* Idle time counts from the last frame that arrived. */
static void test_idle_time(void)
{
	struct cb_state cb;
	struct peer p;
	struct smb_conn *c;

	peer_start(&p, script_answer_one, NULL);
	c = open_conn(&p, &cb, 5000);
	sleep_ms(300);
	CU_ASSERT(smb_conn_idle_ms(c) >= 250);
	roundtrip(c, SMB2_ECHO);
	CU_ASSERT(smb_conn_idle_ms(c) < 250);
	smb_conn_abort(c);
	CU_ASSERT_EQUAL(cb_wait(&cb, &cb.disconnects, 1), 1);
	CU_ASSERT_FALSE(smb_conn_is_connected(c));
	peer_set_stage(&p, 1);
	smb_conn_close(c);
	peer_finish(&p);
}

/* ------------------------------------------------------------------ */

static CU_TestInfo transport_tests[] = {
	{ "connect to a closed port is refused quickly", test_connect_refused },
	{ "a name that does not resolve is ENOENT", test_connect_unresolvable },
	{ "NetBIOS session request, positive and negative",
	  test_netbios_session },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo request_tests[] = {
	{"silent peer: request times out", test_timeout_silent_peer},
	{"default timeout, late answer dropped",
	 test_timeout_default_and_late_answer},
	{"out-of-order responses to 8 threads", test_out_of_order_many_threads},
	{"interim STATUS_PENDING then final", test_interim_then_final},
	{"compound of three requests", test_compound},
	{"oplock break reaches on_break", test_oplock_break},
	{"response for another command", test_wrong_command},
	{"CANCEL, sync and async forms", test_cancel},
	{"an interrupted wait cancels, then gives up", test_interrupted_wait},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo credit_tests[] = {
	{"credit rules", test_credit_rules},
	{"second request waits for a credit", test_credit_wait},
	{"multi-credit charge and MessageIds", test_multi_credit_charge},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo security_tests[] = {
	{"signing out and verification in", test_signing},
	{"encryption both ways, bad tag drops", test_encryption},
	{"response names the request's session and tree", test_response_ids},
	{"payload sent after the body, signed and sealed", test_payload},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo failure_tests[] = {
	{"malformed frames drop the connection", test_malformed_frames},
	{"peer closes: waiters get ECONNRESET", test_peer_closes},
	{"close with requests outstanding", test_close_outstanding},
	{"close from on_disconnect", test_close_from_callback},
	{"a timeout drops the connection (drop_on_timeout)",
	 test_timeout_drops_connection},
	{"idle time and abort", test_idle_time},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"transport", NULL, NULL, NULL, NULL, transport_tests},
	{"requests", NULL, NULL, NULL, NULL, request_tests},
	{"credits", NULL, NULL, NULL, NULL, credit_tests},
	{"security", NULL, NULL, NULL, NULL, security_tests},
	{"failures", NULL, NULL, NULL, NULL, failure_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
