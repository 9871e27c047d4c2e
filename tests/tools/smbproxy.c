// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smbproxy: a loopback TCP proxy between an SMB client and an SMB server
 * that adds latency and injects faults, for the reconnect tests and the
 * benchmark. It never interprets SMB; it only follows the Direct TCP
 * framing of the server's replies (MS-SMB2 2.1) to cut one of them, and
 * overwrites bytes of the first reply at an offset it is given.
 *
 *   smbproxy --listen HOST:PORT --target HOST:PORT [--delay-ms N]
 *            [--control PATH] [--pidfile PATH] [--log PATH]
 *   smbproxy --self-test BYTES [--delay-ms N]
 *
 * HOST is an IPv4 literal, an IPv6 literal in brackets ([::1]:445) or a
 * name. With --listen port 0 the kernel picks the port. Once the proxy
 * listens (and its control socket exists) it prints "PORT=<n>" on stdout,
 * then runs in the foreground until SIGTERM or SIGINT. Each client
 * connection gets its own connection to the target.
 *
 *   --delay-ms N     one-way delay in both directions: what is read is
 *                    written at its arrival time plus N ms (a timed queue,
 *                    so a pipelined stream keeps its throughput)
 *   --control PATH   UNIX stream socket taking one command per line, each
 *                    answered with one line "ok ..." or "error ...":
 *       delay MS                 one-way delay for data read from now on
 *       stall SECONDS            forward nothing on any connection, open or
 *                                new, for SECONDS (may be fractional; data
 *                                is queued, not dropped; 0 ends a stall)
 *       cut-next-frame MINBYTES  the next server-to-client frame of at
 *                                least MINBYTES bytes (4-byte header
 *                                included) is cut: about its first half
 *                                reaches the client, then both sides of
 *                                that connection are closed ("ok armed";
 *                                status shows cut_fired=1 once done)
 *       reset                    close every connection at once
 *       refuse on|off            accept new connections and close them
 *       patch-first-frame OFFSET HEX | off
 *                                in the first server-to-client frame of
 *                                every connection (the NEGOTIATE
 *                                response), overwrite the bytes at
 *                                OFFSET (from the start of the SMB2
 *                                message, after the 4-byte frame header)
 *                                with HEX (up to 16 bytes), to test
 *                                downgrade detection; "off" stops it
 *       status                   "ok conns=N total=N bytes_up=N
 *                                bytes_down=N cut_fired=0|1 stalled=0|1
 *                                delay_ms=N" (bytes forwarded so far)
 *   --pidfile PATH   written before PORT=, removed at exit
 *   --log PATH       connection events and commands (default: stderr)
 *   --self-test BYTES
 *                    sends BYTES in one stream from a sender thread
 *                    through the proxy to a sink thread on loopback and
 *                    prints "smbproxy self-test: N MiB/s (delay D ms)"
 *
 * One thread, edge-triggered epoll, non-blocking sockets. Each direction
 * of a connection queues chunks stamped with their release time; a
 * timerfd wakes the loop for the earliest one. A direction stops reading
 * while its queue holds QUEUE_LIMIT bytes, so memory per connection stays
 * bounded and the sender feels TCP backpressure.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define RECV_SIZE     (256 * 1024)
#define QUEUE_LIMIT   (16 * 1024 * 1024)
#define PUMP_READS    64 /* reads per direction before others get a turn */
#define SEND_IOV      64
#define CTL_LINE_MAX  256
#define MAX_EVENTS    64
#define MAX_DELAY_MS  600000
#define MAX_STALL_S   86400
#define FRAME_HDR_LEN 4
#define NO_TIME	      UINT64_MAX
#define NO_CUT	      UINT64_MAX
#define NS_PER_MS     UINT64_C(1000000)
#define NS_PER_S      UINT64_C(1000000000)
#define MIB	      (1024.0 * 1024.0)

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr)-offsetof(type, member)))

enum watch_kind {
	WATCH_LISTEN,
	WATCH_CTL_LISTEN,
	WATCH_CTL,
	WATCH_SIGNAL,
	WATCH_TIMER,
	WATCH_STOP,
	WATCH_ENDPOINT,
};

/* What an epoll event points at. */
struct watch {
	enum watch_kind kind;
	int fd;
};

struct chunk {
	struct chunk *next;
	uint64_t release_ns;
	size_t len;
	size_t off; /* bytes already written */
	unsigned char data[];
};

struct queue {
	struct chunk *head;
	struct chunk *tail;
	size_t bytes; /* not yet written */
};

struct conn;

/* One socket of a connection. Edge-triggered: the flags say whether the
 * last read or write may not have drained the readiness we were told of. */
struct endpoint {
	struct watch watch;
	struct conn *conn;
	const char *name;
	bool readable;
	bool writable;
};

/* One direction: read from one endpoint, queued, written to the other. */
struct flow {
	struct endpoint *from;
	struct endpoint *to;
	struct queue queue;
	uint64_t *total; /* the proxy's byte counter for this direction */
	uint64_t sent;
	bool eof;  /* the reading side ended */
	bool shut; /* ... and that end was passed on */
};

/*
 * MS-SMB2 2.1: over Direct TCP every message is preceded by a zero byte
 * and a 24-bit big-endian length. Headers may straddle reads.
 */
struct frame_parser {
	uint64_t pos;	    /* stream offset of the next byte to look at */
	uint64_t frame_end; /* stream offset of the next header */
	unsigned char hdr[FRAME_HDR_LEN];
	unsigned int hdr_len;
};

enum conn_state {
	CONN_CONNECTING, /* to the target */
	CONN_OPEN,
	CONN_CUTTING,  /* the server is gone; the cut frame is being sent */
	CONN_DRAINING, /* the client got its end of stream; waiting for it */
};

struct conn {
	struct conn *next;
	struct conn *prev;
	struct proxy *px;
	unsigned long id;
	enum conn_state state;
	struct endpoint client;
	struct endpoint server;
	struct flow up;	  /* client to server */
	struct flow down; /* server to client */
	struct frame_parser frames;
	uint64_t cut_at; /* stream offset (down) where the cut falls */
	uint64_t down_read; /* bytes read from the server so far */
	bool again;	 /* stopped early with work left */
	bool closed;	 /* freed after the current batch of events */
};

struct ctl_client {
	struct watch watch;
	struct ctl_client *next;
	size_t len;
	char line[CTL_LINE_MAX];
};

struct proxy {
	int epfd;
	struct watch listener;
	struct watch ctl_listener;
	struct watch signals;
	struct watch timer;
	struct watch stop;
	struct sockaddr_storage target;
	socklen_t target_len;
	struct conn *conns;
	struct conn *dead;
	struct ctl_client *ctls;
	unsigned char *scratch;
	FILE *log;
	const char *ctl_path;
	const char *pidfile;
	uint64_t start_ns;
	uint64_t delay_ns;
	uint64_t stall_until; /* 0: no stall */
	uint64_t timer_at;    /* NO_TIME: disarmed */
	uint64_t cut_min;
	uint64_t bytes_up;
	uint64_t bytes_down;
	unsigned long conns_open;
	unsigned long conns_total;
	bool cut_armed;
	bool cut_fired;
	bool refuse;
	size_t patch_len; /* 0: no patch-first-frame */
	uint64_t patch_off;
	unsigned char patch[16];
	bool running;
};

struct options {
	const char *listen;
	const char *target;
	const char *control;
	const char *pidfile;
	const char *log;
	uint64_t delay_ms;
	uint64_t self_test_bytes;
};

static void conn_pump(struct conn *c, uint64_t now);

static uint64_t now_ns(void)
{
	struct timespec ts;

	/* Cannot fail for CLOCK_MONOTONIC with a valid pointer. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		abort();
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Reports a failed system call during setup; returns -1. */
static int syserr(const char *what)
{
	fprintf(stderr, "smbproxy: %s: %s\n", what, strerror(errno));
	return -1;
}

/* Runtime events. A failing log write is not worth stopping the proxy. */
__attribute__((format(printf, 2, 3))) static void plog(struct proxy *px,
						       const char *fmt, ...)
{
	uint64_t t;
	va_list ap;

	if (!px->log)
		return;
	t = now_ns() - px->start_ns;
	fprintf(px->log, "smbproxy %" PRIu64 ".%03" PRIu64 ": ", t / NS_PER_S,
		t % NS_PER_S / NS_PER_MS);
	va_start(ap, fmt);
	vfprintf(px->log, fmt, ap);
	va_end(ap);
	fputc('\n', px->log);
}

static bool stalled(const struct proxy *px, uint64_t now)
{
	return px->stall_until > now;
}

/* Decimal without sign or trailing text, at most max. */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* ---- chunk queues ---- */

static int queue_push(struct queue *q, const unsigned char *data, size_t len,
		      uint64_t release_ns)
{
	struct chunk *ch = malloc(sizeof(*ch) + len);

	if (!ch)
		return -1;
	memcpy(ch->data, data, len);
	ch->next = NULL;
	ch->release_ns = release_ns;
	ch->len = len;
	ch->off = 0;
	if (q->tail)
		q->tail->next = ch;
	else
		q->head = ch;
	q->tail = ch;
	q->bytes += len;
	return 0;
}

static void queue_drop_head(struct queue *q)
{
	struct chunk *ch = q->head;

	q->head = ch->next;
	if (!q->head)
		q->tail = NULL;
	free(ch);
}

static void queue_consume(struct queue *q, size_t n)
{
	while (n) {
		struct chunk *ch = q->head;
		size_t take = ch->len - ch->off;

		if (take > n)
			take = n;
		ch->off += take;
		q->bytes -= take;
		n -= take;
		if (ch->off == ch->len)
			queue_drop_head(q);
	}
}

static void queue_free(struct queue *q)
{
	while (q->head)
		queue_drop_head(q);
	q->bytes = 0;
}

/* Points iov at the chunks due by now; returns how many. */
static size_t queue_due(const struct queue *q, uint64_t now, struct iovec *iov,
			size_t max)
{
	const struct chunk *ch;
	size_t n = 0;

	for (ch = q->head; ch && n < max && ch->release_ns <= now;
	     ch = ch->next) {
		iov[n].iov_base = (void *)(ch->data + ch->off);
		iov[n].iov_len = ch->len - ch->off;
		n++;
	}
	return n;
}

/* ---- sockets and epoll ---- */

static int watch_add(struct proxy *px, struct watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(px->epfd, EPOLL_CTL_ADD, w->fd, &ev);
}

/* Closing removes the descriptor from epoll (it is never duplicated). */
static void fd_close(struct proxy *px, int *fd)
{
	if (*fd >= 0 && close(*fd) < 0)
		plog(px, "close: %s", strerror(errno));
	*fd = -1;
}

static int set_nodelay(int fd)
{
	int one = 1;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* The pending error of a socket (or why it could not be read). */
static int socket_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}

static unsigned int sockaddr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

static bool is_again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK;
}

/* ---- connections ---- */

static void conns_unlink(struct proxy *px, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		px->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* Closes both sockets now; the memory goes after the current batch of
 * events, which may still point at the endpoints. */
static void conn_close(struct conn *c, const char *why)
{
	struct proxy *px = c->px;

	if (c->closed)
		return;
	c->closed = true;
	/* The frame chosen for a cut never came: the next one gets it. */
	if (c->cut_at != NO_CUT && c->state < CONN_CUTTING)
		px->cut_armed = true;
	fd_close(px, &c->client.watch.fd);
	fd_close(px, &c->server.watch.fd);
	queue_free(&c->up.queue);
	queue_free(&c->down.queue);
	conns_unlink(px, c);
	c->next = px->dead;
	px->dead = c;
	px->conns_open--;
	plog(px,
	     "conn %lu: closed (%s), %" PRIu64 " bytes up, %" PRIu64 " down",
	     c->id, why, c->up.sent, c->down.sent);
}

/* Closes the connection after a failure on ep; returns -1. */
static int conn_fail(struct conn *c, struct endpoint *ep, int err)
{
	char why[128];

	snprintf(why, sizeof(why), "%s: %s", ep->name,
		 strerror(err ? err : EIO));
	conn_close(c, why);
	return -1;
}

static void conns_reap(struct proxy *px)
{
	struct conn *c;

	while ((c = px->dead)) {
		px->dead = c->next;
		free(c);
	}
}

static unsigned long conns_close_all(struct proxy *px, const char *why)
{
	unsigned long n = 0;

	while (px->conns) {
		conn_close(px->conns, why);
		n++;
	}
	return n;
}

/* ---- cutting a server-to-client frame ---- */

static void frame_header_done(struct conn *c)
{
	struct frame_parser *fp = &c->frames;
	struct proxy *px = c->px;
	uint64_t body, total;

	body = (uint64_t)fp->hdr[1] << 16 | (uint64_t)fp->hdr[2] << 8 |
	       fp->hdr[3];
	total = FRAME_HDR_LEN + body;
	fp->frame_end = fp->pos + body;
	fp->hdr_len = 0;
	if (!px->cut_armed || total < px->cut_min)
		return;
	px->cut_armed = false;
	/* Half the frame, but never before the header just parsed. */
	c->cut_at = fp->pos - FRAME_HDR_LEN + total / 2;
	if (c->cut_at < fp->pos)
		c->cut_at = fp->pos;
	plog(px,
	     "conn %lu: cutting a %" PRIu64 "-byte frame after %" PRIu64
	     " bytes",
	     c->id, total, c->cut_at - (fp->pos - FRAME_HDR_LEN));
}

/* Follows the frames in data just read from the server; returns how many
 * of its bytes go to the client (fewer when the cut falls inside). */
static size_t frames_scan(struct conn *c, const unsigned char *data, size_t len)
{
	struct frame_parser *fp = &c->frames;
	uint64_t start = fp->pos, end = fp->pos + len;

	while (fp->pos < end && c->cut_at == NO_CUT) {
		if (fp->pos < fp->frame_end) {
			fp->pos = min_u64(fp->frame_end, end);
			continue;
		}
		fp->hdr[fp->hdr_len++] = data[fp->pos - start];
		fp->pos++;
		if (fp->hdr_len == FRAME_HDR_LEN)
			frame_header_done(c);
	}
	fp->pos = end;
	if (c->cut_at >= end)
		return len;
	return c->cut_at - start;
}

static bool cut_reached(const struct conn *c)
{
	return c->cut_at != NO_CUT && c->cut_at <= c->frames.pos;
}

/* The server side goes at once; the client gets the first part of the
 * frame, then an end of stream (cut_pump). */
static void conn_start_cut(struct conn *c)
{
	struct proxy *px = c->px;

	c->state = CONN_CUTTING;
	px->cut_fired = true;
	fd_close(px, &c->server.watch.fd);
	c->server.readable = false;
	c->server.writable = false;
	queue_free(&c->up.queue);
	plog(px, "conn %lu: cut, server side closed", c->id);
}

/* ---- moving data ---- */

static void flow_count(struct flow *f, size_t n)
{
	f->sent += n;
	*f->total += n;
}

/* Writes the chunks that are due; passes an end of stream on once all is
 * written. Returns -1 when the connection was closed. */
static int flow_flush(struct conn *c, struct flow *f, uint64_t now)
{
	struct iovec iov[SEND_IOV];
	struct msghdr msg = { .msg_iov = iov };
	ssize_t n;

	while (f->queue.head && f->to->writable && !stalled(c->px, now)) {
		msg.msg_iovlen = queue_due(&f->queue, now, iov, SEND_IOV);
		if (!msg.msg_iovlen)
			break;
		n = sendmsg(f->to->watch.fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && is_again(errno)) {
			f->to->writable = false;
			break;
		}
		if (n < 0)
			return conn_fail(c, f->to, errno);
		queue_consume(&f->queue, (size_t)n);
		flow_count(f, (size_t)n);
	}
	if (f->eof && !f->shut && !f->queue.head &&
	    c->state != CONN_CONNECTING) {
		if (shutdown(f->to->watch.fd, SHUT_WR) < 0)
			return conn_fail(c, f->to, errno);
		f->shut = true;
	}
	return 0;
}

/* Sends data straight on when nothing waits before it and no delay or
 * stall holds it; queues the rest. Returns -1 when the connection closed. */
static int flow_push(struct conn *c, struct flow *f, const unsigned char *data,
		     size_t len, uint64_t now)
{
	struct proxy *px = c->px;
	ssize_t n = 0;

	if (!f->queue.head && !px->delay_ns && f->to->writable &&
	    !stalled(px, now)) {
		n = send(f->to->watch.fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR && !is_again(errno))
			return conn_fail(c, f->to, errno);
		if (n < 0) {
			f->to->writable = errno == EINTR;
			n = 0;
		}
		flow_count(f, (size_t)n);
	}
	if ((size_t)n < len && queue_push(&f->queue, data + n, len - (size_t)n,
					  now + px->delay_ns) < 0)
		return conn_fail(c, f->from, ENOMEM);
	return 0;
}

/* patch-first-frame: overwrites the patched bytes that fall in buf. */
static void patch_apply(struct conn *c, unsigned char *buf, size_t len)
{
	const struct proxy *px = c->px;
	uint64_t at = FRAME_HDR_LEN + px->patch_off, i;

	for (i = 0; i < px->patch_len; i++)
		if (at + i >= c->down_read && at + i < c->down_read + len)
			buf[at + i - c->down_read] = px->patch[i];
}

/* One read. Returns -1 when the connection was closed, else 0. */
static int flow_read(struct conn *c, struct flow *f, uint64_t now)
{
	unsigned char *buf = c->px->scratch;
	size_t keep;
	ssize_t n;

	n = recv(f->from->watch.fd, buf, RECV_SIZE, 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n < 0 && is_again(errno)) {
		f->from->readable = false;
		return 0;
	}
	if (n < 0)
		return conn_fail(c, f->from, errno);
	if (n == 0) {
		f->eof = true;
		return 0;
	}
	keep = (size_t)n;
	if (f == &c->down) {
		patch_apply(c, buf, keep);
		c->down_read += keep;
		keep = frames_scan(c, buf, keep);
	}
	if (flow_push(c, f, buf, keep, now) < 0)
		return -1;
	if (f == &c->down && cut_reached(c))
		conn_start_cut(c);
	return 0;
}

static bool flow_can_read(const struct conn *c, const struct flow *f)
{
	return c->state <= CONN_OPEN && f->from->readable && !f->eof &&
	       f->queue.bytes < QUEUE_LIMIT;
}

/* Moves what it can; returns -1 when the connection was closed. */
static int flow_pump(struct conn *c, struct flow *f, uint64_t now)
{
	int reads = 0;

	for (;;) {
		if (flow_flush(c, f, now) < 0)
			return -1;
		if (!flow_can_read(c, f))
			return 0;
		if (reads++ == PUMP_READS) {
			c->again = true;
			return 0;
		}
		if (flow_read(c, f, now) < 0)
			return -1;
	}
}

/*
 * After a cut the client gets the truncated frame and an end of stream.
 * Whatever it still sends is read and dropped until it closes: closing a
 * socket with unread data sends a reset, which could overtake the frame.
 */
static void cut_pump(struct conn *c, uint64_t now)
{
	int reads = 0;
	ssize_t n;

	if (c->state == CONN_CUTTING) {
		if (flow_flush(c, &c->down, now) < 0 || c->down.queue.head)
			return;
		if (shutdown(c->client.watch.fd, SHUT_WR) < 0) {
			conn_fail(c, &c->client, errno);
			return;
		}
		c->state = CONN_DRAINING;
	}
	while (c->client.readable) {
		if (reads++ == PUMP_READS) {
			c->again = true;
			return;
		}
		n = recv(c->client.watch.fd, c->px->scratch, RECV_SIZE, 0);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0 && is_again(errno))
			c->client.readable = false;
		else if (n < 0)
			conn_fail(c, &c->client, errno);
		else
			conn_close(c, "cut");
	}
}

static void conn_pump(struct conn *c, uint64_t now)
{
	c->again = false;
	if (c->state <= CONN_OPEN) {
		if (flow_pump(c, &c->up, now) < 0 ||
		    flow_pump(c, &c->down, now) < 0)
			return;
		if (c->up.shut && c->down.shut) {
			conn_close(c, "ended by both sides");
			return;
		}
	}
	if (c->state >= CONN_CUTTING)
		cut_pump(c, now);
}

/* When the connection next has something to write, as far as a timer
 * can tell (a blocked socket reports itself through epoll). */
static uint64_t conn_next_release(const struct conn *c)
{
	uint64_t next = NO_TIME;

	if (c->up.queue.head && c->up.to->writable)
		next = c->up.queue.head->release_ns;
	if (c->down.queue.head && c->down.to->writable)
		next = min_u64(next, c->down.queue.head->release_ns);
	return next;
}

/* ---- accepting ---- */

static void endpoint_init(struct conn *c, struct endpoint *ep, int fd,
			  const char *name)
{
	ep->watch.kind = WATCH_ENDPOINT;
	ep->watch.fd = fd;
	ep->conn = c;
	ep->name = name;
}

static void flow_init(struct flow *f, struct endpoint *from,
		      struct endpoint *to, uint64_t *total)
{
	f->from = from;
	f->to = to;
	f->total = total;
}

/* Starts the connection to the target; returns 0 or an errno. */
static int conn_connect(struct conn *c)
{
	const uint32_t events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	struct proxy *px = c->px;
	int fd;

	if (set_nodelay(c->client.watch.fd) < 0 ||
	    watch_add(px, &c->client.watch, events) < 0)
		return errno;
	fd = socket(px->target.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	c->server.watch.fd = fd;
	if (set_nodelay(fd) < 0)
		return errno;
	c->state = CONN_OPEN;
	if (connect(fd, (struct sockaddr *)&px->target, px->target_len) < 0) {
		if (errno != EINPROGRESS)
			return errno;
		c->state = CONN_CONNECTING;
	}
	if (watch_add(px, &c->server.watch, events) < 0)
		return errno;
	return 0;
}

static void conn_open(struct proxy *px, int fd)
{
	struct conn *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		plog(px, "accept: out of memory");
		fd_close(px, &fd);
		return;
	}
	c->px = px;
	c->id = ++px->conns_total;
	c->cut_at = NO_CUT;
	endpoint_init(c, &c->client, fd, "client");
	endpoint_init(c, &c->server, -1, "server");
	flow_init(&c->up, &c->client, &c->server, &px->bytes_up);
	flow_init(&c->down, &c->server, &c->client, &px->bytes_down);
	c->next = px->conns;
	if (px->conns)
		px->conns->prev = c;
	px->conns = c;
	px->conns_open++;
	plog(px, "conn %lu: open", c->id);
	err = conn_connect(c);
	if (err)
		conn_fail(c, &c->server, err);
}

/* The next pending connection of a listener, or -1 when there is none
 * (failures other than that are logged). */
static int accept_next(struct proxy *px, int listen_fd, const char *what)
{
	int fd;

	do
		fd = accept4(listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
	if (fd < 0 && !is_again(errno))
		plog(px, "%s accept: %s", what, strerror(errno));
	return fd;
}

static void listener_event(struct proxy *px)
{
	int fd;

	while ((fd = accept_next(px, px->listener.fd, "proxy")) >= 0) {
		if (px->refuse) {
			plog(px, "refused a connection");
			fd_close(px, &fd);
			continue;
		}
		conn_open(px, fd);
	}
}

static void endpoint_event(struct endpoint *ep, uint32_t events)
{
	const uint32_t done = EPOLLOUT | EPOLLERR | EPOLLHUP;
	struct conn *c = ep->conn;
	int err;

	if (c->closed || ep->watch.fd < 0)
		return;
	if (ep == &c->server && c->state == CONN_CONNECTING) {
		if (!(events & done))
			return;
		err = socket_error(ep->watch.fd);
		if (err) {
			conn_fail(c, ep, err);
			return;
		}
		c->state = CONN_OPEN;
	}
	if (events & EPOLLERR) {
		conn_fail(c, ep, socket_error(ep->watch.fd));
		return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))
		ep->readable = true;
	if (events & (EPOLLOUT | EPOLLHUP))
		ep->writable = true;
	conn_pump(c, now_ns());
}

/* ---- control commands ---- */

typedef void ctl_handler(struct proxy *px, const char *arg, char *reply,
			 size_t size);

static void cmd_delay(struct proxy *px, const char *arg, char *reply,
		      size_t size)
{
	uint64_t ms;

	if (parse_uint(arg, MAX_DELAY_MS, &ms) < 0) {
		snprintf(reply, size, "error usage: delay MS (0 to %d)",
			 MAX_DELAY_MS);
		return;
	}
	px->delay_ns = ms * NS_PER_MS;
	plog(px, "delay %" PRIu64 " ms", ms);
	snprintf(reply, size, "ok delay_ms=%" PRIu64, ms);
}

static void cmd_stall(struct proxy *px, const char *arg, char *reply,
		      size_t size)
{
	uint64_t ms;
	char *end;
	double s;

	errno = 0;
	s = arg ? strtod(arg, &end) : -1;
	if (!arg || errno || end == arg || *end || !(s >= 0) ||
	    s > MAX_STALL_S) {
		snprintf(reply, size, "error usage: stall SECONDS (0 to %d)",
			 MAX_STALL_S);
		return;
	}
	ms = (uint64_t)(s * 1000.0 + 0.5);
	/* The timer set after this batch ends the stall (stall_until). */
	px->stall_until = ms ? now_ns() + ms * NS_PER_MS : 0;
	plog(px, "stall %" PRIu64 " ms", ms);
	snprintf(reply, size, "ok stall_ms=%" PRIu64, ms);
}

static void cmd_cut(struct proxy *px, const char *arg, char *reply, size_t size)
{
	uint64_t min;

	if (parse_uint(arg, UINT32_MAX, &min) < 0) {
		snprintf(reply, size, "error usage: cut-next-frame MINBYTES");
		return;
	}
	px->cut_min = min;
	px->cut_armed = true;
	px->cut_fired = false;
	plog(px, "cut armed for a frame of %" PRIu64 " bytes or more", min);
	snprintf(reply, size, "ok armed");
}

static void cmd_reset(struct proxy *px, const char *arg, char *reply,
		      size_t size)
{
	unsigned long n;

	if (arg) {
		snprintf(reply, size, "error usage: reset");
		return;
	}
	n = conns_close_all(px, "reset");
	plog(px, "reset %lu connections", n);
	snprintf(reply, size, "ok reset=%lu", n);
}

static void cmd_refuse(struct proxy *px, const char *arg, char *reply,
		       size_t size)
{
	if (!arg || (strcmp(arg, "on") && strcmp(arg, "off"))) {
		snprintf(reply, size, "error usage: refuse on|off");
		return;
	}
	px->refuse = !strcmp(arg, "on");
	plog(px, "refuse %s", arg);
	snprintf(reply, size, "ok refuse=%s", arg);
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static void cmd_patch(struct proxy *px, const char *arg, char *reply,
		      size_t size)
{
	const char *hex = arg ? strchr(arg, ' ') : NULL;
	char off[24];
	size_t i, n;
	uint64_t v;

	if (arg && !strcmp(arg, "off")) {
		px->patch_len = 0;
		plog(px, "patch-first-frame off");
		snprintf(reply, size, "ok patch=off");
		return;
	}
	n = hex ? strlen(hex + 1) : 0;
	if (!hex || (size_t)(hex - arg) >= sizeof(off) || !n || n % 2 ||
	    n / 2 > sizeof(px->patch))
		goto usage;
	memcpy(off, arg, (size_t)(hex - arg));
	off[hex - arg] = '\0';
	if (parse_uint(off, 65535, &v) < 0)
		goto usage;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[1 + 2 * i]), lo = hex_digit(hex[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			goto usage;
		px->patch[i] = (unsigned char)(hi << 4 | lo);
	}
	px->patch_off = v;
	px->patch_len = n / 2;
	plog(px, "patch-first-frame %s", arg);
	snprintf(reply, size, "ok patch=%zu", px->patch_len);
	return;
usage:
	snprintf(reply, size, "error usage: patch-first-frame OFFSET HEX | off");
}

static void cmd_status(struct proxy *px, const char *arg, char *reply,
		       size_t size)
{
	if (arg) {
		snprintf(reply, size, "error usage: status");
		return;
	}
	snprintf(reply, size,
		 "ok conns=%lu total=%lu bytes_up=%" PRIu64
		 " bytes_down=%" PRIu64 " cut_fired=%d stalled=%d"
		 " delay_ms=%" PRIu64,
		 px->conns_open, px->conns_total, px->bytes_up, px->bytes_down,
		 px->cut_fired, stalled(px, now_ns()),
		 px->delay_ns / NS_PER_MS);
}

static const struct ctl_command {
	const char *name;
	ctl_handler *run;
} ctl_commands[] = {
	{ .name = "delay", .run = cmd_delay },
	{ .name = "stall", .run = cmd_stall },
	{ .name = "cut-next-frame", .run = cmd_cut },
	{ .name = "reset", .run = cmd_reset },
	{ .name = "refuse", .run = cmd_refuse },
	{ .name = "patch-first-frame", .run = cmd_patch },
	{ .name = "status", .run = cmd_status },
};

/* Runs one command line ("NAME [ARG]") and writes the reply line. */
static void ctl_run(struct proxy *px, char *line, char *reply, size_t size)
{
	char *arg;
	size_t i, len = strlen(line);

	while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
		line[--len] = '\0';
	arg = strchr(line, ' ');
	if (arg) {
		*arg++ = '\0';
		arg += strspn(arg, " ");
	}
	for (i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++) {
		if (!strcmp(line, ctl_commands[i].name)) {
			ctl_commands[i].run(px, arg, reply, size);
			return;
		}
	}
	snprintf(reply, size,
		 "error unknown command (delay, stall, "
		 "cut-next-frame, reset, refuse, patch-first-frame, status)");
}

static void ctl_close(struct proxy *px, struct ctl_client *ctl)
{
	struct ctl_client **p;

	for (p = &px->ctls; *p != ctl; p = &(*p)->next)
		;
	*p = ctl->next;
	fd_close(px, &ctl->watch.fd);
	free(ctl);
}

/* Replies are short; a client that does not read them is dropped rather
 * than buffered for. Returns -1 when the client was closed. */
static int ctl_reply(struct proxy *px, struct ctl_client *ctl,
		     const char *reply)
{
	char line[CTL_LINE_MAX + 2];
	int len = snprintf(line, sizeof(line), "%s\n", reply);
	ssize_t n;

	do
		n = send(ctl->watch.fd, line, (size_t)len,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n == len)
		return 0;
	plog(px, "control client dropped: %s",
	     n < 0 ? strerror(errno) : "reply not taken");
	ctl_close(px, ctl);
	return -1;
}

static void ctl_event(struct proxy *px, struct ctl_client *ctl)
{
	char reply[CTL_LINE_MAX];
	ssize_t n;
	char *nl;

	n = recv(ctl->watch.fd, ctl->line + ctl->len,
		 sizeof(ctl->line) - ctl->len, 0);
	if (n < 0 && (errno == EINTR || is_again(errno)))
		return;
	if (n <= 0) {
		ctl_close(px, ctl);
		return;
	}
	ctl->len += (size_t)n;
	while ((nl = memchr(ctl->line, '\n', ctl->len))) {
		*nl = '\0';
		ctl_run(px, ctl->line, reply, sizeof(reply));
		ctl->len -= (size_t)(nl + 1 - ctl->line);
		memmove(ctl->line, nl + 1, ctl->len);
		if (ctl_reply(px, ctl, reply) < 0)
			return;
	}
	if (ctl->len == sizeof(ctl->line) &&
	    ctl_reply(px, ctl, "error line too long") == 0)
		ctl_close(px, ctl);
}

static void ctl_open(struct proxy *px, int fd)
{
	struct ctl_client *ctl = calloc(1, sizeof(*ctl));

	if (!ctl) {
		plog(px, "control: out of memory");
		fd_close(px, &fd);
		return;
	}
	ctl->watch.kind = WATCH_CTL;
	ctl->watch.fd = fd;
	ctl->next = px->ctls;
	px->ctls = ctl;
	if (watch_add(px, &ctl->watch, EPOLLIN) < 0) {
		plog(px, "control: epoll: %s", strerror(errno));
		ctl_close(px, ctl);
	}
}

static void ctl_accept(struct proxy *px)
{
	int fd;

	while ((fd = accept_next(px, px->ctl_listener.fd, "control")) >= 0)
		ctl_open(px, fd);
}

/* ---- the event loop ---- */

static void conns_pump_all(struct proxy *px, uint64_t now)
{
	struct conn *c, *next;

	for (c = px->conns; c; c = next) {
		next = c->next;
		conn_pump(c, now);
	}
}

static void timer_event(struct proxy *px)
{
	uint64_t expirations, now;

	if (read(px->timer.fd, &expirations, sizeof(expirations)) < 0 &&
	    !is_again(errno))
		plog(px, "timerfd: %s", strerror(errno));
	px->timer_at = NO_TIME;
	now = now_ns();
	if (px->stall_until && !stalled(px, now)) {
		px->stall_until = 0;
		plog(px, "stall over");
	}
	conns_pump_all(px, now);
}

static void signal_event(struct proxy *px)
{
	struct signalfd_siginfo si;

	if (read(px->signals.fd, &si, sizeof(si)) != sizeof(si)) {
		if (!is_again(errno))
			plog(px, "signalfd: %s", strerror(errno));
		return;
	}
	plog(px, "signal %u: stopping", si.ssi_signo);
	px->running = false;
}

static void dispatch(struct proxy *px, struct watch *w, uint32_t events)
{
	switch (w->kind) {
	case WATCH_LISTEN:
		listener_event(px);
		break;
	case WATCH_CTL_LISTEN:
		ctl_accept(px);
		break;
	case WATCH_CTL:
		ctl_event(px, container_of(w, struct ctl_client, watch));
		break;
	case WATCH_SIGNAL:
		signal_event(px);
		break;
	case WATCH_TIMER:
		timer_event(px);
		break;
	case WATCH_STOP:
		px->running = false;
		break;
	case WATCH_ENDPOINT:
		endpoint_event(container_of(w, struct endpoint, watch), events);
		break;
	}
}

static int timer_arm(struct proxy *px, uint64_t at)
{
	struct itimerspec its = { 0 };

	if (at == px->timer_at)
		return 0;
	if (at != NO_TIME) {
		its.it_value.tv_sec = (time_t)(at / NS_PER_S);
		its.it_value.tv_nsec = (long)(at % NS_PER_S);
	}
	if (timerfd_settime(px->timer.fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		plog(px, "timerfd_settime: %s", strerror(errno));
		return -1;
	}
	px->timer_at = at;
	return 0;
}

/* Runs the connections that stopped early to let others in, frees the
 * closed ones and arms the timer for the next queued chunk (or the end
 * of a stall). Returns 1 when work is left over, -1 on failure. */
static int after_batch(struct proxy *px)
{
	uint64_t now = now_ns(), next = NO_TIME;
	struct conn *c, *nc;
	bool again = false;

	for (c = px->conns; c; c = nc) {
		nc = c->next;
		if (c->again)
			conn_pump(c, now);
		if (c->closed)
			continue;
		again |= c->again;
		next = min_u64(next, conn_next_release(c));
	}
	if (stalled(px, now))
		next = px->stall_until;
	conns_reap(px);
	if (timer_arm(px, next) < 0)
		return -1;
	return again;
}

static int proxy_loop(struct proxy *px)
{
	struct epoll_event ev[MAX_EVENTS];
	int i, n, timeout = -1;

	px->running = true;
	while (px->running) {
		n = epoll_wait(px->epfd, ev, MAX_EVENTS, timeout);
		if (n < 0 && errno != EINTR) {
			plog(px, "epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < n; i++)
			dispatch(px, ev[i].data.ptr, ev[i].events);
		n = after_batch(px);
		if (n < 0)
			return -1;
		timeout = n ? 0 : -1;
	}
	return 0;
}

/* ---- setting up and tearing down ---- */

/* HOST:PORT or [HOST]:PORT. */
static int resolve(const char *spec, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	const char *host = spec, *colon;
	struct addrinfo *ai;
	char name[256];
	uint64_t port;
	size_t n;
	int rc;

	if (*spec == '[') {
		host = spec + 1;
		colon = strchr(host, ']');
		n = colon ? (size_t)(colon - host) : 0;
		colon = colon && colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = strrchr(spec, ':');
		n = colon ? (size_t)(colon - host) : 0;
	}
	if (!colon || !n || n >= sizeof(name) ||
	    parse_uint(colon + 1, 65535, &port) < 0) {
		fprintf(stderr,
			"smbproxy: %s: expected HOST:PORT or "
			"[IPv6]:PORT\n",
			spec);
		return -1;
	}
	memcpy(name, host, n);
	name[n] = '\0';
	rc = getaddrinfo(name, colon + 1, &hints, &ai);
	if (rc) {
		fprintf(stderr, "smbproxy: %s: %s\n", spec, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int listen_tcp(const struct sockaddr_storage *addr, socklen_t len,
		      int flags)
{
	int fd, one = 1;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return syserr("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)addr, len) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		syserr("listen");
		close(fd);
		return -1;
	}
	return fd;
}

/* The address a socket is bound to, e.g. to learn a kernel-chosen port. */
static int bound_addr(int fd, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof(*ss);
	if (getsockname(fd, (struct sockaddr *)ss, len) < 0)
		return syserr("getsockname");
	return 0;
}

static int ctl_listen(struct proxy *px, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "smbproxy: %s: path too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	/* A socket left by an earlier run would make bind fail; anything
	 * else at that path is not ours to remove. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) < 0)
		return syserr(path);
	px->ctl_listener.fd =
		socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (px->ctl_listener.fd < 0)
		return syserr("socket");
	if (bind(px->ctl_listener.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return syserr(path);
	px->ctl_path = path;
	if (listen(px->ctl_listener.fd, 16) < 0 ||
	    watch_add(px, &px->ctl_listener, EPOLLIN) < 0)
		return syserr(path);
	return 0;
}

static int write_pidfile(struct proxy *px, const char *path)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f)
		return syserr(path);
	px->pidfile = path;
	bad = fprintf(f, "%d\n", (int)getpid()) < 0;
	if (fclose(f) != 0 || bad)
		return syserr(path);
	return 0;
}

/* SIGTERM and SIGINT arrive through a signalfd: block them first (before
 * any thread starts, so that every thread has them blocked). */
static int signals_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return syserr("signals");
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static int proxy_watch(struct proxy *px, struct watch *w, int fd,
		       uint32_t events)
{
	w->fd = fd;
	if (fd < 0 || watch_add(px, w, events) < 0)
		return syserr("proxy setup");
	return 0;
}

/* Everything but the control socket; proxy_fini undoes a partial one. */
static int proxy_init(struct proxy *px, const struct sockaddr_storage *addr,
		      socklen_t len, uint64_t delay_ms, FILE *log)
{
	*px = (struct proxy){
		.epfd = -1,
		.listener = { WATCH_LISTEN, -1 },
		.ctl_listener = { WATCH_CTL_LISTEN, -1 },
		.signals = { WATCH_SIGNAL, -1 },
		.timer = { WATCH_TIMER, -1 },
		.stop = { WATCH_STOP, -1 },
		.log = log,
		.start_ns = now_ns(),
		.delay_ns = delay_ms * NS_PER_MS,
		.timer_at = NO_TIME,
	};
	px->scratch = malloc(RECV_SIZE);
	px->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!px->scratch || px->epfd < 0)
		return syserr("proxy setup");
	if (proxy_watch(px, &px->signals, signals_fd(), EPOLLIN) < 0 ||
	    proxy_watch(
		    px, &px->timer,
		    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC),
		    EPOLLIN) < 0 ||
	    proxy_watch(px, &px->stop, eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
			EPOLLIN) < 0)
		return -1;
	px->listener.fd = listen_tcp(addr, len, SOCK_NONBLOCK);
	if (px->listener.fd < 0)
		return -1;
	return proxy_watch(px, &px->listener, px->listener.fd,
			   EPOLLIN | EPOLLET);
}

static void proxy_fini(struct proxy *px)
{
	conns_close_all(px, "shutting down");
	conns_reap(px);
	while (px->ctls)
		ctl_close(px, px->ctls);
	fd_close(px, &px->listener.fd);
	fd_close(px, &px->ctl_listener.fd);
	if (px->ctl_path && unlink(px->ctl_path) < 0)
		plog(px, "%s: %s", px->ctl_path, strerror(errno));
	if (px->pidfile && unlink(px->pidfile) < 0)
		plog(px, "%s: %s", px->pidfile, strerror(errno));
	fd_close(px, &px->signals.fd);
	fd_close(px, &px->timer.fd);
	fd_close(px, &px->stop.fd);
	fd_close(px, &px->epfd);
	free(px->scratch);
	px->scratch = NULL;
}

static int run_proxy(const struct options *o)
{
	struct sockaddr_storage addr, target;
	socklen_t len, target_len;
	FILE *log = stderr;
	struct proxy px;
	int rc = 1;

	if (resolve(o->listen, &addr, &len) < 0 ||
	    resolve(o->target, &target, &target_len) < 0)
		return 1;
	if (o->log) {
		log = fopen(o->log, "a");
		if (!log) {
			syserr(o->log);
			return 1;
		}
		setvbuf(log, NULL, _IOLBF, 0);
	}
	if (proxy_init(&px, &addr, len, o->delay_ms, log) < 0)
		goto out;
	px.target = target;
	px.target_len = target_len;
	if ((o->control && ctl_listen(&px, o->control) < 0) ||
	    (o->pidfile && write_pidfile(&px, o->pidfile) < 0) ||
	    bound_addr(px.listener.fd, &addr, &len) < 0)
		goto out;
	if (printf("PORT=%u\n", sockaddr_port(&addr)) < 0 ||
	    fflush(stdout) != 0) {
		syserr("stdout");
		goto out;
	}
	plog(&px, "listening on port %u for %s, delay %" PRIu64 " ms",
	     sockaddr_port(&addr), o->target, o->delay_ms);
	rc = proxy_loop(&px) < 0;
out:
	proxy_fini(&px);
	if (log != stderr && fclose(log) != 0) {
		syserr(o->log);
		rc = 1;
	}
	return rc;
}

/* ---- self-test: one stream through the proxy, on loopback ---- */

struct self_test {
	uint64_t bytes;
	struct sockaddr_storage proxy_addr;
	socklen_t proxy_len;
	int sink_listener;
	int stop_fd;
	uint64_t start_ns;
	uint64_t end_ns;
	uint64_t received;
	int sender_err;
	int sink_err;
};

static void self_test_stop(struct self_test *st)
{
	uint64_t one = 1;

	if (write(st->stop_fd, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "smbproxy: self-test stop: %s\n",
			strerror(errno));
}

/* Sends st->bytes, ends its stream, then waits for the proxy to pass the
 * sink's end back: closing earlier could reset the connection while the
 * proxy still holds data for the sink. Returns 0 or an errno. */
static int self_test_send(struct self_test *st, int fd, unsigned char *buf)
{
	uint64_t left = st->bytes;
	ssize_t n;

	if (connect(fd, (struct sockaddr *)&st->proxy_addr, st->proxy_len) < 0)
		return errno;
	st->start_ns = now_ns();
	while (left) {
		n = send(fd, buf, (size_t)min_u64(left, RECV_SIZE),
			 MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR)
			return errno;
		if (n > 0)
			left -= (uint64_t)n;
	}
	if (shutdown(fd, SHUT_WR) < 0)
		return errno;
	while ((n = recv(fd, buf, RECV_SIZE, 0)) != 0) {
		if (n < 0 && errno != EINTR)
			return errno;
	}
	return 0;
}

static void *self_test_sender(void *arg)
{
	struct self_test *st = arg;
	unsigned char *buf = malloc(RECV_SIZE);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (!buf || fd < 0)
		st->sender_err = errno;
	else
		memset(buf, 0x5a, RECV_SIZE);
	if (!st->sender_err)
		st->sender_err = self_test_send(st, fd, buf);
	if (fd >= 0)
		close(fd);
	free(buf);
	self_test_stop(st);
	return NULL;
}

/* Counts what arrives until the end of the stream. */
static void *self_test_sink(void *arg)
{
	struct self_test *st = arg;
	unsigned char *buf = malloc(RECV_SIZE);
	int fd = accept4(st->sink_listener, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n = -1;

	while (buf && fd >= 0 && (n = recv(fd, buf, RECV_SIZE, 0)) != 0) {
		if (n > 0)
			st->received += (uint64_t)n;
		else if (errno != EINTR)
			break;
	}
	st->end_ns = now_ns();
	if (n != 0) {
		st->sink_err = errno;
		self_test_stop(st);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int self_test_report(const struct self_test *st, uint64_t delay_ms)
{
	double secs = (double)(st->end_ns - st->start_ns) / NS_PER_S;

	if (st->sender_err || st->sink_err) {
		fprintf(stderr, "smbproxy: self-test failed: %s\n",
			strerror(st->sender_err ? st->sender_err
						: st->sink_err));
		return 1;
	}
	if (st->received != st->bytes || secs <= 0) {
		fprintf(stderr,
			"smbproxy: self-test: %" PRIu64 " of %" PRIu64
			" bytes arrived\n",
			st->received, st->bytes);
		return 1;
	}
	if (printf("smbproxy self-test: %.0f MiB/s (delay %" PRIu64 " ms)\n",
		   (double)st->bytes / MIB / secs, delay_ms) < 0 ||
	    fflush(stdout) != 0) {
		syserr("stdout");
		return 1;
	}
	return 0;
}

static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	errno = pthread_create(t, NULL, fn, arg);
	return errno ? syserr("pthread_create") : 0;
}

static void join_thread(pthread_t t)
{
	errno = pthread_join(t, NULL);
	if (errno)
		syserr("pthread_join");
}

/* Sender and sink are threads with blocking sockets; the proxy runs its
 * ordinary loop in the main thread until the sender is done. */
static int self_test(const struct options *o)
{
	struct self_test st = { .bytes = o->self_test_bytes };
	struct sockaddr_in lo = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_storage addr = { 0 };
	pthread_t sender, sink;
	int threads = 0, loop = -1;
	struct proxy px;

	memcpy(&addr, &lo, sizeof(lo));
	st.sink_listener = listen_tcp(&addr, sizeof(lo), 0);
	if (st.sink_listener < 0)
		return 1;
	if (proxy_init(&px, &addr, sizeof(lo), o->delay_ms, NULL) < 0 ||
	    bound_addr(st.sink_listener, &px.target, &px.target_len) < 0 ||
	    bound_addr(px.listener.fd, &st.proxy_addr, &st.proxy_len) < 0)
		goto out;
	st.stop_fd = px.stop.fd;
	if (start_thread(&sink, self_test_sink, &st) < 0)
		goto out;
	threads++;
	if (start_thread(&sender, self_test_sender, &st) < 0)
		goto out;
	threads++;
	loop = proxy_loop(&px);
out:
	/* Wake a thread still waiting: closed connections end its stream,
	 * closed listeners end its connect or accept. */
	conns_close_all(&px, "self-test over");
	fd_close(&px, &px.listener.fd);
	if (shutdown(st.sink_listener, SHUT_RDWR) < 0 && errno != ENOTCONN)
		syserr("shutdown");
	if (threads > 0)
		join_thread(sink);
	if (threads > 1)
		join_thread(sender);
	proxy_fini(&px);
	close(st.sink_listener);
	return loop == 0 ? self_test_report(&st, o->delay_ms) : 1;
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fputs("usage: smbproxy --listen HOST:PORT --target HOST:PORT "
	      "[--delay-ms N]\n"
	      "                [--control PATH] [--pidfile PATH] "
	      "[--log PATH]\n"
	      "       smbproxy --self-test BYTES [--delay-ms N]\n",
	      f);
}

static int bad_arg(const char *opt, const char *arg)
{
	fprintf(stderr, "smbproxy: %s: invalid value '%s'\n", opt, arg);
	return -1;
}

static const struct option long_options[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "target", required_argument, NULL, 't' },
	{ "delay-ms", required_argument, NULL, 'd' },
	{ "control", required_argument, NULL, 'c' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ "log", required_argument, NULL, 'L' },
	{ "self-test", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Which options go together. */
static int check_options(const struct options *o)
{
	if (o->self_test_bytes &&
	    (o->listen || o->target || o->control || o->pidfile || o->log)) {
		fprintf(stderr,
			"smbproxy: --self-test takes only --delay-ms\n");
		return -1;
	}
	if (!o->self_test_bytes && !(o->listen && o->target)) {
		fprintf(stderr, "smbproxy: --listen and --target are needed\n");
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int c;

	while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 't':
			o->target = optarg;
			break;
		case 'c':
			o->control = optarg;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'L':
			o->log = optarg;
			break;
		case 'd':
			if (parse_uint(optarg, MAX_DELAY_MS, &o->delay_ms) < 0)
				return bad_arg("--delay-ms", optarg);
			break;
		case 's':
			if (parse_uint(optarg, UINT64_MAX / 2,
				       &o->self_test_bytes) < 0 ||
			    !o->self_test_bytes)
				return bad_arg("--self-test", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind < argc)
		return bad_arg("argument", argv[optind]);
	return check_options(o);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	if (o.self_test_bytes)
		return self_test(&o);
	return run_proxy(&o);
}
