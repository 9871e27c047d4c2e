/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private state of struct smb_conn, shared by conn.c (life cycle,
 * request table, session security), send.c (submission) and reader.c
 * (the reader thread).
 */
#ifndef SMBFS_CONN_INTERNAL_H
#define SMBFS_CONN_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/conn.h"
#include "smbfs/credits.h"

#define CONN_BUCKETS 256
/* How often the reader wakes to expire deadlines. */
#define CONN_POLL_MS 100
/* Largest frame accepted before NEGOTIATE told the real limits. */
#define CONN_PRENEG_MAX_FRAME (1u << 20)
/* Room for headers, compound neighbours and the transform header. */
#define CONN_FRAME_SLACK 65536u
/* Direct TCP (MS-SMB2 2.1) has a 24-bit length. */
#define CONN_MAX_FRAME_LEN 0xFFFFFFu
/* Most elements in one compound request. */
#define CONN_MAX_COMPOUND 32

struct smb_conn {
	struct smb_conn_config cfg; /* cfg.host points to host below */
	char *host;
	int fd;
	int default_timeout_ms;
	pthread_t reader;
	/* smb_conn_close() ran on the reader thread: it frees c on exit. */
	bool free_on_reader_exit;
	int64_t next_expiry_scan_ns; /* reader thread only */
	_Atomic int64_t last_rx_ns;   /* CLOCK_MONOTONIC of the last frame */

	/* Serialises whole frames on the socket. */
	pthread_mutex_t send_lock;

	/* lock protects everything below. */
	pthread_mutex_t lock;
	/* Signalled on credit grants, disconnect, and submitters leaving. */
	pthread_cond_t state_cond;
	struct smb_req *table[CONN_BUCKETS]; /* chained by next_pending */
	struct smb_credits credits;
	size_t max_frame;
	bool connected;
	bool closing;
	unsigned int active_submitters;
	struct smb_conn_security *secs;
	size_t nsecs;
};

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t conn_now_ns(void);

/* Request table (c->lock held). */
void conn_table_insert(struct smb_conn *c, struct smb_req *req);
struct smb_req *conn_table_find(struct smb_conn *c, uint64_t message_id);
/* Unlinks req, found by pointer in message_id's bucket; false if absent. */
bool conn_table_unlink(struct smb_conn *c, uint64_t message_id,
		       const struct smb_req *req);
/* Unlinks every request; returns them chained by next_pending. */
struct smb_req *conn_table_take_all(struct smb_conn *c);
/* Unlinks requests whose deadline passed; chained by next_pending. */
struct smb_req *conn_table_take_expired(struct smb_conn *c, int64_t now_ns);

/* Copies the security of session_id into *out (c->lock held); false if none. */
bool conn_security_copy(struct smb_conn *c, uint64_t session_id,
			struct smb_conn_security *out);
/* The next encryption nonce of session_id's key (c->lock held). */
int conn_security_next_nonce(struct smb_conn *c, uint64_t session_id,
			     uint8_t nonce[SMB_NONCE_SIZE]);

/*
 * Takes an interrupted waiter's request out of the table, so it can be
 * completed with -EINTR; false when the reader got to it first.
 */
bool conn_req_abandon(struct smb_conn *c, struct smb_req *req);

/* Completes one request with err (no conn lock held). */
void conn_req_finish(struct smb_req *req, int err);
/*
 * The same for a request taken out of c's table, unless its submitter
 * is still sending it: then the submitter completes it once the write
 * is over, since done() may free what is being written.
 */
void conn_req_complete(struct smb_conn *c, struct smb_req *req, int err);
/* conn_req_complete for a next_pending chain. */
void conn_req_complete_list(struct smb_conn *c, struct smb_req *list,
			    int err);

/*
 * Second half of smb_conn_close(), once the reader thread is gone or
 * is the caller: waits for submitters, fails what is left, frees c.
 */
void conn_destroy(struct smb_conn *c);

/* The reader thread (reader.c). */
void *conn_reader_main(void *arg);

#endif
