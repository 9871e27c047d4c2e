// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Session establishment against a scripted peer that replays Samba's
 * captured NEGOTIATE responses (tests/vectors/samba/), altered where a
 * test needs a hostile or broken server.  The client must refuse a
 * dialect it did not offer, the SMB1-style wildcard, malformed bodies
 * and missing 3.1.1 contexts, each with a clear message.
 *
 * A server that cannot sign (its NTLMSSP CHALLENGE lacks NEGOTIATE_SIGN)
 * cannot be had from Samba, which always sets the flag, and clearing it
 * in a proxy would break the NTLM MIC.  So a scripted peer plays one:
 * Samba's captured 2.0.2 log-on with that flag cleared in the CHALLENGE,
 * whose later responses carry signatures made with another session's
 * key, that is, signatures that do not verify.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cunit_main.h"
#include "smbfs/client.h"

struct peer {
	int listen_fd;
	uint16_t port;
	uint8_t *reply; /* one SMB2 message, sent for the first request */
	size_t reply_len;
	pthread_t th;
};

static uint8_t *load_vector(const char *name, size_t *len)
{
	char path[256], *hex;
	FILE *f;
	long n;
	uint8_t *bytes;

	snprintf(path, sizeof(path), "tests/vectors/samba/%s", name);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	hex = calloc(1, (size_t)n + 1);
	CU_ASSERT_FATAL(hex && fread(hex, 1, (size_t)n, f) == (size_t)n);
	fclose(f);
	bytes = test_hex(hex, len);
	free(hex);
	return bytes;
}

static int read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (uint8_t *)buf + done, n - done);

		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/* Accepts one client, reads its NEGOTIATE, answers with p->reply. */
static void *peer_main(void *arg)
{
	struct peer *p = arg;
	uint8_t hdr[4], *req;
	size_t len;
	int fd = accept(p->listen_fd, NULL, NULL);

	if (fd < 0)
		return NULL;
	if (read_full(fd, hdr, 4) == 0) {
		len = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
		req = malloc(len);
		if (req && read_full(fd, req, len) == 0) {
			hdr[0] = 0;
			hdr[1] = (uint8_t)(p->reply_len >> 16);
			hdr[2] = (uint8_t)(p->reply_len >> 8);
			hdr[3] = (uint8_t)p->reply_len;
			if (write(fd, hdr, 4) == 4 &&
			    write(fd, p->reply, p->reply_len) ==
				    (ssize_t)p->reply_len) {
				/* Wait for the client to hang up. */
				while (read(fd, hdr, 1) > 0)
					;
			}
		}
		free(req);
	}
	close(fd);
	return NULL;
}

/* A listening socket on a free loopback port. */
static int listen_loopback(uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(listen(fd, 1) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

static void peer_start(struct peer *p, uint8_t *reply, size_t len)
{
	p->reply = reply;
	p->reply_len = len;
	p->listen_fd = listen_loopback(&p->port);
	CU_ASSERT_FATAL(pthread_create(&p->th, NULL, peer_main, p) == 0);
}

static void peer_stop(struct peer *p)
{
	pthread_join(p->th, NULL);
	close(p->listen_fd);
	free(p->reply);
}

/* Runs a session open against a peer answering with reply. */
static int open_against(uint8_t *reply, size_t len, uint16_t lo, uint16_t hi,
			char *err, size_t errlen)
{
	struct peer p;
	struct smb_client_config cfg = {
		.host = "127.0.0.1",
		.user = "u",
		.password = "p",
		.request_timeout_ms = 3000,
		.dialect_min = lo,
		.dialect_max = hi,
	};
	struct smb_session *s = NULL;
	int rc;

	peer_start(&p, reply, len);
	cfg.port = p.port;
	rc = smb_session_open(&cfg, &s, err, errlen);
	CU_ASSERT_PTR_NULL(s);
	smb_session_close(s);
	peer_stop(&p);
	return rc;
}

/* Byte offsets in a NEGOTIATE response (MS-SMB2 2.2.4). */
#define NEG_DIALECT_OFF (64 + 4)
#define NEG_CONTEXT_COUNT_OFF (64 + 6)

static void test_dialect_not_offered(void)
{
	size_t len;
	uint8_t *rsp = load_vector("negotiate_response_311_1.hex", &len);
	char err[256] = "";

	/* Samba chose 3.1.1; we offer 2.0.2 .. 3.0.2 only. */
	CU_ASSERT_EQUAL(open_against(rsp, len, SMB2_DIALECT_202,
				     SMB2_DIALECT_302, err, sizeof(err)),
			-EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not offered"));
}

static void test_wildcard_dialect_refused(void)
{
	size_t len;
	uint8_t *rsp = load_vector("negotiate_response_202_1.hex", &len);
	char err[256] = "";

	rsp[NEG_DIALECT_OFF] = 0xFF; /* 0x02FF: the SMB1 upgrade answer */
	rsp[NEG_DIALECT_OFF + 1] = 0x02;
	CU_ASSERT_EQUAL(open_against(rsp, len, 0, 0, err, sizeof(err)),
			-EPROTO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not offered"));
}

static void test_311_without_contexts_refused(void)
{
	size_t len;
	uint8_t *rsp = load_vector("negotiate_response_311_1.hex", &len);
	char err[256] = "";

	rsp[NEG_CONTEXT_COUNT_OFF] = 0; /* no preauth integrity context */
	rsp[NEG_CONTEXT_COUNT_OFF + 1] = 0;
	CU_ASSERT(open_against(rsp, len, 0, 0, err, sizeof(err)) < 0);
	CU_ASSERT(strstr(err, "preauth") || strstr(err, "malformed"));
}

static void test_truncated_negotiate_response(void)
{
	size_t len;
	uint8_t *rsp = load_vector("negotiate_response_311_1.hex", &len);
	char err[256] = "";

	CU_ASSERT_EQUAL(open_against(rsp, 64 + 40, 0, 0, err, sizeof(err)),
			-EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "malformed"));
}

static void test_accepted_negotiate_then_silence(void)
{
	size_t len;
	uint8_t *rsp = load_vector("negotiate_response_311_1.hex", &len);
	char err[256] = "";

	/* The negotiation is fine; the peer never answers SESSION_SETUP. */
	CU_ASSERT_EQUAL(open_against(rsp, len, 0, 0, err, sizeof(err)),
			-ETIMEDOUT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "session setup"));
}

/* --- a server that cannot sign --- */

/* Offsets in an SMB2 header (MS-SMB2 2.2.1.2) and bodies. */
#define HDR_STATUS 8
#define HDR_COMMAND 12
#define HDR_CREDIT 14
#define HDR_FLAGS 16
#define HDR_MESSAGE_ID 24
#define HDR_SESSION_ID 40
#define SETUP_FLAGS (64 + 2)	   /* SESSION_SETUP response (2.2.6) */
#define SETUP_SECBUF_LEN (64 + 6)

struct unsigned_peer {
	int listen_fd;
	uint16_t port;
	pthread_t th;
	int answered; /* requests answered */
	uint16_t session_flags; /* of the final SESSION_SETUP response */
};

/* Clears NEGOTIATE_SIGN in the NTLMSSP CHALLENGE inside msg. */
static void challenge_clear_sign(uint8_t *msg, size_t len)
{
	static const uint8_t sig[] = "NTLMSSP";
	size_t i;

	for (i = 0; i + 24 <= len; i++) {
		if (memcmp(msg + i, sig, sizeof(sig)) || msg[i + 8] != 2)
			continue;
		msg[i + 20] &= (uint8_t)~0x10; /* MS-NLMP 2.2.2.5 flag G */
		return;
	}
	CU_FAIL("no NTLMSSP CHALLENGE in the vector");
}

/*
 * The answer to one request: the captured response for its command,
 * or (ECHO, LOGOFF, TREE_DISCONNECT) a 4-byte body; all of them signed
 * with a signature nobody agreed to.
 */
static uint8_t *unsigned_answer(const struct unsigned_peer *p,
				const uint8_t *req, int setup_round,
				size_t *len)
{
	static const uint8_t empty_body[4] = {4, 0, 0, 0};
	uint16_t command = (uint16_t)(req[HDR_COMMAND] |
				      req[HDR_COMMAND + 1] << 8);
	uint8_t *rsp;

	if (command == SMB2_NEGOTIATE) {
		rsp = load_vector("negotiate_response_202_1.hex", len);
	} else if (command == SMB2_SESSION_SETUP && setup_round == 0) {
		rsp = load_vector("session_setup_response_202_1.hex", len);
		challenge_clear_sign(rsp, *len);
	} else if (command == SMB2_SESSION_SETUP) {
		/* Success, and no SPNEGO token (the MIC would not verify). */
		rsp = load_vector("session_setup_response_202_2.hex", len);
		rsp[SETUP_SECBUF_LEN] = rsp[SETUP_SECBUF_LEN + 1] = 0;
		rsp[SETUP_FLAGS] = (uint8_t)p->session_flags;
	} else if (command == SMB2_TREE_CONNECT) {
		rsp = load_vector("tree_connect_response_202_1.hex", len);
	} else {
		*len = 64 + sizeof(empty_body);
		rsp = calloc(1, *len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rsp);
		memcpy(rsp, req, 64);
		memcpy(rsp + 64, empty_body, sizeof(empty_body));
		memset(rsp + HDR_STATUS, 0, 4);
		rsp[HDR_FLAGS] = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_SIGNED;
		memset(rsp + 48, 0x5A, 16);
	}
	/* Answers this request, in its session (but the first round's). */
	memcpy(rsp + HDR_MESSAGE_ID, req + HDR_MESSAGE_ID, 8);
	if (command != SMB2_NEGOTIATE &&
	    !(command == SMB2_SESSION_SETUP && setup_round == 0))
		memcpy(rsp + HDR_SESSION_ID, req + HDR_SESSION_ID, 8);
	rsp[HDR_CREDIT] = 8;
	return rsp;
}

static void *unsigned_peer_main(void *arg)
{
	struct unsigned_peer *p = arg;
	uint8_t hdr[4], *req = NULL, *rsp;
	size_t len, rsp_len;
	int setup_round = 0, fd = accept(p->listen_fd, NULL, NULL);

	while (fd >= 0 && read_full(fd, hdr, 4) == 0) {
		len = (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
		req = len >= 64 ? malloc(len) : NULL;
		if (!req || read_full(fd, req, len))
			break;
		rsp = unsigned_answer(p, req, setup_round, &rsp_len);
		if (req[HDR_COMMAND] == SMB2_SESSION_SETUP)
			setup_round++;
		hdr[1] = (uint8_t)(rsp_len >> 16);
		hdr[2] = (uint8_t)(rsp_len >> 8);
		hdr[3] = (uint8_t)rsp_len;
		if (write(fd, hdr, 4) != 4 ||
		    write(fd, rsp, rsp_len) != (ssize_t)rsp_len) {
			free(rsp);
			break;
		}
		free(rsp);
		free(req);
		req = NULL;
		p->answered++;
	}
	free(req);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void unsigned_peer_start(struct unsigned_peer *p, uint16_t flags)
{
	memset(p, 0, sizeof(*p));
	p->session_flags = flags;
	p->listen_fd = listen_loopback(&p->port);
	CU_ASSERT_FATAL(pthread_create(&p->th, NULL, unsigned_peer_main, p) ==
			0);
}

static void unsigned_peer_stop(struct unsigned_peer *p)
{
	pthread_join(p->th, NULL);
	close(p->listen_fd);
}

static struct smb_client_config unsigned_peer_config(uint16_t port);

/*
 * Credentials were given, the server answers with a guest or a null
 * session (MS-SMB2 2.2.6 SessionFlags): refused, whatever the signing.
 */
static void check_fallback_refused(uint16_t flags, const char *want)
{
	struct unsigned_peer p;
	struct smb_client_config cfg;
	struct smb_session *s = NULL;
	char err[256] = "";

	unsigned_peer_start(&p, flags);
	cfg = unsigned_peer_config(p.port);
	cfg.nosign = true;
	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)), -EACCES);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	smb_session_close(s);
	unsigned_peer_stop(&p);
}

static void test_guest_or_null_fallback_refused(void)
{
	check_fallback_refused(0x0001, "as guest"); /* IS_GUEST */
	check_fallback_refused(0x0002, "anonymous"); /* IS_NULL */
}

static struct smb_client_config unsigned_peer_config(uint16_t port)
{
	struct smb_client_config cfg = {
		.host = "127.0.0.1",
		.port = port,
		.user = "smbfsuser",
		.password = "not-the-password",
		.request_timeout_ms = 3000,
	};

	return cfg;
}

/* Signing by default: refused at log-on, naming the opt-out. */
static void test_server_cannot_sign_refused(void)
{
	struct unsigned_peer p;
	struct smb_client_config cfg;
	struct smb_session *s = NULL;
	char err[256] = "";

	unsigned_peer_start(&p, 0);
	cfg = unsigned_peer_config(p.port);
	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)), -EACCES);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "NEGOTIATE_SIGN"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nosign"));
	smb_session_close(s);
	unsigned_peer_stop(&p);
	CU_ASSERT(p.answered >= 3); /* NEGOTIATE and both log-on rounds */
}

/*
 * nosign: the session neither signs nor checks the signatures the peer
 * puts on the final SESSION_SETUP, TREE_CONNECT and ECHO responses.
 */
static void test_server_cannot_sign_nosign(void)
{
	struct unsigned_peer p;
	struct smb_client_config cfg;
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t = NULL;
	char err[256] = "";

	unsigned_peer_start(&p, 0);
	cfg = unsigned_peer_config(p.port);
	cfg.nosign = true;
	CU_ASSERT_EQUAL_FATAL(smb_session_open(&cfg, &s, err, sizeof(err)), 0);
	smb_session_get_info(s, &info);
	CU_ASSERT(!info.signing && !info.encrypting && !info.guest);
	CU_ASSERT_EQUAL(smb_tree_connect(s, "plain", &t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(smb_session_echo(s), 0);
	CU_ASSERT_EQUAL(smb_tree_disconnect(t), 0);
	smb_session_close(s);
	unsigned_peer_stop(&p);
	CU_ASSERT(p.answered >= 6);
}

static CU_TestInfo tests[] = {
	{"a dialect we did not offer is refused", test_dialect_not_offered},
	{"the 0x02FF wildcard is refused", test_wildcard_dialect_refused},
	{"3.1.1 without a preauth context is refused",
	 test_311_without_contexts_refused},
	{"a truncated NEGOTIATE response is refused",
	 test_truncated_negotiate_response},
	{"a peer silent after NEGOTIATE times out",
	 test_accepted_negotiate_then_silence},
	{"a server that cannot sign is refused, naming nosign",
	 test_server_cannot_sign_refused},
	{"nosign: no signing, foreign signatures ignored",
	 test_server_cannot_sign_nosign},
	{"a guest or null session for a user is refused",
	 test_guest_or_null_fallback_refused},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"session establishment", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
