// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TCP transport: connect with a timeout, and the RFC 1002 NetBIOS
 * session request that port 139 needs before SMB2 traffic.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "smbfs/conn.h"
#include "smbfs/log.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Longest poll between looks at the thread's interrupt flag. */
#define POLL_SLICE_MS 100

/*
 * Waits for events until deadline (monotonic ms): 1, 0 or -errno; -EINTR
 * once the calling thread is interrupted (smb_thread_set_interrupt).
 */
static int poll_until(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int ret;

	for (;;) {
		int64_t left = deadline - now_ms();

		if (smb_thread_interrupted())
			return -EINTR;
		if (left <= 0)
			return 0;
		ret = poll(&pfd, 1,
			   left > POLL_SLICE_MS ? POLL_SLICE_MS : (int)left);
		if (ret > 0)
			return 1;
		if (ret < 0 && errno != EINTR)
			return -errno;
	}
}

static int set_blocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* One address: non-blocking connect, then poll for completion. */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int one = 1;
	int fd, ret, soerr = 0;
	socklen_t slen = sizeof(soerr);

	fd = socket(ai->ai_family,
		    ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			ret = -errno;
			goto fail;
		}
		ret = poll_until(fd, POLLOUT, now_ms() + timeout_ms);
		if (ret <= 0) {
			ret = ret ? ret : -ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen) < 0) {
			ret = -errno;
			goto fail;
		}
		if (soerr) {
			ret = -soerr;
			goto fail;
		}
	}
	/* SMB is request/response: small messages must not wait (Nagle). */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = set_blocking(fd);
	if (ret)
		goto fail;
	return fd;

fail:
	close(fd);
	return ret;
}

static int gai_to_errno(int gai)
{
	switch (gai) {
	case EAI_MEMORY:
		return -ENOMEM;
	case EAI_SYSTEM:
		return errno ? -errno : -EIO;
	default:
		/* EAI_NONAME, EAI_AGAIN, EAI_FAIL, EAI_NODATA ... */
		return -ENOENT;
	}
}

int smb_transport_connect(const char *host, uint16_t port, int timeout_ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[8];
	int ret, fd = -ENOENT;

	if (!host || !*host)
		return -EINVAL;
	if (timeout_ms <= 0)
		timeout_ms = 5000;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned int)port);
	ret = getaddrinfo(host, service, &hints, &res);
	if (ret)
		return gai_to_errno(ret);
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, timeout_ms);
		if (fd >= 0)
			break;
	}
	freeaddrinfo(res);
	return fd;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all_until(int fd, uint8_t *buf, size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n;
		int ret = poll_until(fd, POLLIN, deadline);

		if (ret <= 0)
			return ret ? ret : -ETIMEDOUT;
		n = recv(fd, buf, len, MSG_DONTWAIT);
		if (n == 0)
			return -ECONNRESET;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * RFC 1001 14.1 first-level encoding: the name padded with spaces to 15
 * bytes plus a suffix byte, each half-byte as 'A' + nibble, preceded by
 * the length (32) and followed by the empty scope (0).
 */
static void netbios_encode_name(uint8_t out[34], const char *name,
				uint8_t suffix)
{
	uint8_t raw[16];
	size_t i, n = strlen(name);

	memset(raw, ' ', 15);
	for (i = 0; i < n && i < 15; i++) {
		char ch = name[i];

		raw[i] = (uint8_t)((ch >= 'a' && ch <= 'z') ? ch - 32 : ch);
	}
	raw[15] = suffix;
	out[0] = 32;
	for (i = 0; i < 16; i++) {
		out[1 + 2 * i] = (uint8_t)('A' + (raw[i] >> 4));
		out[2 + 2 * i] = (uint8_t)('A' + (raw[i] & 0x0F));
	}
	out[33] = 0;
}

int smb_transport_netbios_session(int fd, const char *called_name,
				  int timeout_ms)
{
	uint8_t req[4 + 68], rsp[4], code;
	int64_t deadline;
	int ret;

	if (timeout_ms <= 0)
		timeout_ms = 5000;
	deadline = now_ms() + timeout_ms;
	if (!called_name || !*called_name)
		called_name = "*SMBSERVER";
	/* RFC 1002 4.3.2: SESSION REQUEST, type 0x81, two encoded names. */
	req[0] = 0x81;
	req[1] = 0;
	req[2] = 0;
	req[3] = 68;
	netbios_encode_name(req + 4, called_name, 0x20); /* file server */
	netbios_encode_name(req + 38, "SMBFS", 0x00); /* workstation */
	ret = write_all(fd, req, sizeof(req));
	if (ret)
		return ret;
	ret = read_all_until(fd, rsp, sizeof(rsp), deadline);
	if (ret)
		return ret;
	switch (rsp[0]) {
	case 0x82: /* RFC 1002 4.3.3 POSITIVE SESSION RESPONSE */
		return 0;
	case 0x83: /* 4.3.4 NEGATIVE SESSION RESPONSE: one error byte */
		if (read_all_until(fd, &code, 1, deadline) == 0)
			smb_log(SMB_LOG_WARN,
				"NetBIOS session refused (error 0x%02x)", code);
		return -ECONNREFUSED;
	default:
		/* 0x84 RETARGET and anything else: not supported. */
		return -ECONNREFUSED;
	}
}
