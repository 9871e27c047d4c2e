/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One SMB2 connection: a TCP transport, a reader thread that matches
 * responses to requests by MessageId, SMB2 credits, signing and
 * encryption of whole messages, and request deadlines.
 *
 * The connection knows nothing about what a command means: callers hand
 * it encoded messages (struct smb_req) and get the raw response back.
 * Many threads may submit at once.  A request completes exactly once,
 * either by its done() callback (called on the reader thread, or on the
 * submitting thread when submission itself fails) or, when done is
 * NULL, by smb_req_wait().
 */
#ifndef SMBFS_CONN_H
#define SMBFS_CONN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "smbfs/bytes.h"
#include "smbfs/crypto.h"
#include "smbfs/smb2.h"

struct smb_conn;
struct smb_req;

typedef void (*smb_req_done_fn)(struct smb_req *req);

struct smb_req {
	/* --- set by the caller before submission --- */
	/*
	 * The whole message: SMB2_HEADER_SIZE bytes reserved for the header
	 * (their content is ignored; the connection writes the header),
	 * followed by the command body as the wire codec encoded it.
	 */
	struct smb_wbuf msg;
	/*
	 * Data sent right after msg without being copied into it (a
	 * WRITE's data): the encoded body counts it as part of the message.
	 * Read while the request is being sent; it must stay unchanged
	 * until smb_conn_submit*() has returned.
	 */
	const void *payload;
	size_t payload_len;
	uint16_t command;
	uint32_t tree_id;
	uint64_t session_id;
	uint32_t hdr_flags; /* extra header flags (e.g. DFS_OPERATIONS) */
	/* Payload sizes for the CreditCharge (MS-SMB2 3.1.5.2): */
	uint32_t payload_send; /* bytes of data sent, e.g. WRITE length */
	uint32_t payload_recv; /* max bytes asked for, e.g. READ length */
	bool sign; /* sign with the session's key (set per session policy) */
	bool encrypt; /* encrypt with the session's keys */
	int timeout_ms; /* 0: connection default; -1: none (CHANGE_NOTIFY) */
	smb_req_done_fn done; /* NULL: the caller uses smb_req_wait() */
	void *arg; /* for the caller; the connection does not touch it */

	/* --- filled in by the connection --- */
	/*
	 * 0 when a final response arrived (look at status), otherwise a
	 * negative errno: -ETIMEDOUT (deadline passed), -ENOTCONN (never
	 * sent: the connection was already down), -ECONNRESET (sent, then
	 * the connection dropped: the server may or may not have acted),
	 * -ECANCELED (connection closed), -EINTR (the waiting thread was
	 * interrupted, see smb_thread_set_interrupt), -EBADMSG (malformed
	 * response or bad signature), -ENOMEM.
	 */
	int err;
	uint32_t status; /* NTSTATUS of the final response */
	struct smb2_header rsp_hdr; /* header of the final response */
	uint8_t *rsp; /* the response element (header + body), malloc'd */
	size_t rsp_len;
	uint64_t message_id; /* assigned at submission */
	uint64_t async_id; /* set after an interim STATUS_PENDING */
	bool pending; /* an interim STATUS_PENDING arrived */

	/* --- private to the connection --- */
	struct smb_conn *conn; /* set at submission, for CANCEL on interrupt */
	struct smb_req *next_pending; /* in the conn's request table */
	uint16_t credit_charge;
	int64_t deadline_ns; /* CLOCK_MONOTONIC; 0 = none */
	/*
	 * Under the conn's lock: the submitter is still writing the
	 * request (msg and payload are being read), so an answer or a
	 * failure that comes meanwhile is left to it (finish_deferred).
	 */
	bool sending;
	bool finish_deferred;
	int deferred_err;
	bool completed;
	pthread_mutex_t wait_lock;
	pthread_cond_t wait_cond;
};

/* Allocates a zeroed request with an empty msg holding the header room. */
struct smb_req *smb_req_new(uint16_t command);
/* Frees msg, rsp and the request.  Only after it completed (or was never submitted). */
void smb_req_free(struct smb_req *req);
/*
 * Blocks until the request completes; returns req->err.  When the
 * calling thread has an interrupt flag (smb_thread_set_interrupt) and it
 * is raised, a CANCEL is sent for the request; if no answer comes within
 * a few seconds the request is abandoned with -EINTR.
 */
int smb_req_wait(struct smb_req *req);

/*
 * Makes this thread's waits interruptible: while flag (owned by the
 * caller, raised from any thread) is non-zero, smb_req_wait() cancels.
 * NULL turns it off.  The flag must outlive the thread's waits.
 */
void smb_thread_set_interrupt(const atomic_int *flag);
/* The flag set last on this thread, or NULL. */
const atomic_int *smb_thread_get_interrupt(void);
/* The calling thread's flag is raised. */
bool smb_thread_interrupted(void);

/*
 * Counters the connections of one owner add to (the owner keeps them
 * across connections; updated atomically by any thread).
 */
struct smb_conn_stats {
	/* Request frames sent: round trips (a compound is one). */
	atomic_ullong frames_sent;
	atomic_ullong requests[SMB2_COMMAND_COUNT]; /* by command */
	atomic_ullong bytes_sent, bytes_received; /* frames, on the wire */
};

struct smb_conn_config {
	const char *host; /* name, IPv4 or IPv6 literal (no brackets) */
	uint16_t port; /* 0 means 445; 139 sends an RFC 1002 session request */
	int connect_timeout_ms; /* 0 means 5000 */
	int request_timeout_ms; /* default per-request deadline; 0 means 30000 */
	/* Called on the reader thread for each unsolicited OPLOCK_BREAK
	 * (MessageId 0xFFFFFFFFFFFFFFFF): msg is one whole message. */
	void (*on_break)(void *arg, const uint8_t *msg, size_t len);
	/* Called once, on the reader thread, when the transport drops. */
	void (*on_disconnect)(void *arg, int err);
	void *cb_arg;
	/*
	 * A request whose deadline passes (or that waits past it for
	 * credits) takes the connection down with it: a server that lost
	 * one answer cannot be trusted with the next (MS-SMB2 3.2.6.1).
	 */
	bool drop_on_timeout;
	struct smb_conn_stats *stats; /* NULL: not counted */
};

/*
 * Resolves and connects (trying each address until one answers, each
 * with the connect timeout), sends the NetBIOS session request on port
 * 139, and starts the reader thread.  Errors: -ECONNREFUSED,
 * -ETIMEDOUT, -EHOSTUNREACH, -ENETUNREACH, -ENOENT (name does not
 * resolve), -ENOMEM.
 */
int smb_conn_open(const struct smb_conn_config *cfg, struct smb_conn **out);
/*
 * Shuts the socket, joins the reader thread, completes every request
 * still waiting with -ECANCELED and frees the connection.
 */
void smb_conn_close(struct smb_conn *c);

/*
 * After NEGOTIATE: the dialect and capabilities decide how credits are
 * charged (multi-credit needs 2.1+ and LARGE_MTU) and the largest
 * frame the reader accepts.
 */
void smb_conn_set_negotiated(struct smb_conn *c, uint16_t dialect,
			     uint32_t capabilities, uint32_t max_transact,
			     uint32_t max_read, uint32_t max_write);

/*
 * Security of one session, as the connection applies it to each message
 * of that SessionId.  Set after SESSION_SETUP has derived the keys;
 * may be changed at any time (the connection copies it).
 */
struct smb_conn_security {
	uint64_t session_id;
	uint16_t sign_algo; /* SMB2_SIGNING_* */
	uint16_t cipher; /* SMB2_ENCRYPTION_*, 0 = none */
	bool signing_required; /* unsigned responses are rejected */
	bool encrypt_required; /* unencrypted responses are rejected */
	struct smb_session_keys keys;
	/* Kept by the connection (reset by smb_conn_set_security). */
	struct smb_nonce_seq nonces;
};
int smb_conn_set_security(struct smb_conn *c,
			  const struct smb_conn_security *sec);
void smb_conn_clear_security(struct smb_conn *c, uint64_t session_id);

/*
 * Sends one request.  Assigns MessageId(s) and CreditCharge, waits for
 * enough credits (up to the request's deadline), asks for more credits,
 * signs/encrypts as requested, writes the frame.  Returns 0 when sent;
 * on failure returns the negative errno AND completes the request with
 * it (done() is called, or smb_req_wait() returns it).
 */
int smb_conn_submit(struct smb_conn *c, struct smb_req *req);

/*
 * Sends n requests as one compound frame (MS-SMB2 3.2.4.1.4): each
 * element 8-byte aligned with NextCommand set.  related: every element
 * after the first carries SMB2_FLAGS_RELATED_OPERATIONS (the codec
 * encodes the 0xFFFF... file id itself).  Each request completes on its
 * own.  Same return convention as smb_conn_submit.
 */
int smb_conn_submit_compound(struct smb_conn *c, struct smb_req **reqs,
			     int n, bool related);

/*
 * Sends SMB2 CANCEL for a submitted request (by AsyncId once an interim
 * response has arrived, else by MessageId).  CANCEL takes no credit and
 * has no response; the request then completes, normally with
 * STATUS_CANCELLED.  Returns 0, or -ENOENT if it already completed.
 */
int smb_conn_cancel(struct smb_conn *c, struct smb_req *req);

/* Number of credits the client currently holds (for tests and stats). */
unsigned int smb_conn_credits(struct smb_conn *c);
/* True until the transport has dropped. */
bool smb_conn_is_connected(struct smb_conn *c);
/* Milliseconds since the last frame arrived (or since connecting). */
int64_t smb_conn_idle_ms(struct smb_conn *c);
/* Shuts the socket down: the reader drops the connection as if reset. */
void smb_conn_abort(struct smb_conn *c);
/* Host as given, for messages. */
const char *smb_conn_host(const struct smb_conn *c);

/* --- transport (src/conn/transport.c) --- */

/*
 * TCP connect with a timeout to host:port.  Sets TCP_NODELAY and
 * close-on-exec.  Returns the socket or a negative errno as above.
 */
int smb_transport_connect(const char *host, uint16_t port, int timeout_ms);
/* RFC 1002 session request ("*SMBSERVER"), for port 139.  0 or -errno. */
int smb_transport_netbios_session(int fd, const char *called_name,
				  int timeout_ms);

#endif
