/* SPDX-License-Identifier: GPL-2.0-or-later */
/* State shared by the files of src/client/. */
#ifndef SMBFS_CLIENT_INTERNAL_H
#define SMBFS_CLIENT_INTERNAL_H

#include "smbfs/client.h"
#include "smbfs/crypto.h"

struct smb_session {
	struct smb_conn *conn;
	char *host;
	struct smb_session_info info;
	uint8_t client_guid[16];
	uint16_t client_security_mode;
	uint32_t client_capabilities;
	uint16_t dialects[5]; /* as offered, for VALIDATE_NEGOTIATE */
	uint16_t dialect_count;
	uint8_t preauth_hash[SMB_SHA512_LEN];
	uint16_t session_flags; /* of the final SESSION_SETUP response */
	int establish_timeout_ms; /* per request of the log-on */
	uint32_t max_read, max_write; /* the config's caps; 0: none */
};

struct smb_tree {
	struct smb_session *session;
	struct smb_tree_info info;
	bool encrypt;
};

/* snprintf into err when err is not NULL; always returns rc. */
int client_error(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fills the header fields of a request for a session (tree_id 0). */
void session_req_prepare(struct smb_session *s, struct smb_req *req);

/* MS-SMB2 3.2.5.5: FSCTL_VALIDATE_NEGOTIATE_INFO on 3.0 / 3.0.2. */
int session_validate_negotiate(struct smb_session *s, struct smb_tree *t,
			       char *err, size_t errlen);

/* --- call.c --- */
/* A malloc'd copy of a response buffer, so the request may be freed. */
int copy_out(const uint8_t *p, uint32_t len, uint8_t **out, uint32_t *out_len);
/*
 * rc of decoding req's response: -EBADMSG (a response that breaks its
 * own lengths or offsets, or claims more than was asked) is logged with
 * the command and the server, since only a broken or hostile server
 * sends it.
 */
int rsp_checked(const struct smb_req *req, int rc);

/* --- file_ops.c --- */
/* Encodes a CREATE for a into req->msg (contexts: QFid, lease, durable). */
int open_request_encode(struct smb_tree *t, const struct smb_open_args *a,
			struct smb_req *req);
int open_response_decode(const struct smb_req *req, bool reconnected,
			 struct smb_open_result *res);
/* Largest READ / WRITE payload one request may carry on t. */
uint32_t io_max_payload(struct smb_tree *t, bool write);
/* A READ request of len bytes at off, or NULL (ENOMEM). */
struct smb_req *read_request_new(struct smb_tree *t, struct smb2_fileid fid,
				 uint32_t len, uint64_t off);
/* Bytes read into buf (0 at end of file) or -errno. */
ssize_t read_response_copy(const struct smb_req *req, void *buf,
			   uint32_t len);
/* A WRITE of len bytes at off; buf is sent as it is, so it must stay
 * unchanged until the request has been submitted. */
struct smb_req *write_request_new(struct smb_tree *t, struct smb2_fileid fid,
				  const void *buf, uint32_t len, uint64_t off);
/* Bytes written or -errno. */
ssize_t write_response_count(const struct smb_req *req, uint32_t len);

/* --- info_ops.c --- */
/* Decodes FileAllInformation (MS-FSCC 2.4.2) into st. */
int stat_decode_all(const uint8_t *buf, uint32_t len, struct smb_stat *st);

/* --- dir_ops.c --- */
struct smb2_dirent;
/* The attributes of a QUERY_DIRECTORY entry as a struct smb_stat. */
void stat_from_dirent(struct smb_stat *st, const struct smb2_dirent *d);

/* --- compound.c: several requests in one round trip --- */

enum compound_kind {
	COMPOUND_QUERY_INFO,
	COMPOUND_SET_INFO,
	COMPOUND_QUERY_DIRECTORY,
	COMPOUND_READ,
	COMPOUND_WRITE,
};

/* One request of a compound besides its CREATE and CLOSE. */
struct compound_op {
	enum compound_kind kind;
	uint8_t info_type;  /* QUERY_INFO, SET_INFO: SMB2_0_INFO_* */
	uint8_t info_class; /* the same, and QUERY_DIRECTORY's class */
	uint32_t additional; /* QUERY_INFO, SET_INFO */
	uint32_t flags; /* QUERY_INFO SL_*, QUERY_DIRECTORY SMB2_RESTART_SCANS */
	const void *in; /* QUERY_INFO input, SET_INFO buffer, WRITE data */
	uint32_t in_len;
	const char *pattern; /* QUERY_DIRECTORY */
	uint32_t max_out; /* QUERY_INFO, QUERY_DIRECTORY room; READ length */
	void *buf;	  /* READ: where the data goes (max_out bytes) */
	uint64_t offset;  /* READ, WRITE */
	/* The outcome, once compound_run() returned: */
	int rc;		 /* 0 or -errno, as smb_req_result() says */
	uint32_t status; /* the response's NTSTATUS; 0 when none came */
	/*
	 * QUERY_INFO / QUERY_DIRECTORY output, pointing into the response
	 * (valid until compound_free()); READ / WRITE: the byte count.
	 */
	const uint8_t *out;
	uint32_t out_len;
};

#define COMPOUND_MAX_OPS 6

struct compound {
	/*
	 * A path compound: CREATE with open, the ops, CLOSE, related
	 * (MS-SMB2 3.2.4.1.4).  With open NULL: the ops alone on the open
	 * handle fid, unrelated, so each runs whatever the others do.
	 */
	const struct smb_open_args *open;
	struct smb2_fileid fid;
	struct compound_op *ops;
	int n_ops;
	/* Path compounds: the CREATE's outcome and, when 0, its result. */
	int create_rc;
	struct smb_open_result created;
	/* Private. */
	struct smb_req *reqs[COMPOUND_MAX_OPS + 2];
	int n_reqs;
};

/*
 * Sends c as one compound and waits for all of it.  Returns the first
 * failure: the CREATE's, else the first op's in order; 0 when all of it
 * worked.  A path compound never leaves its handle open on the server.
 * compound_free() must follow whatever the result.
 */
int compound_run(struct smb_tree *t, struct compound *c);
void compound_free(struct compound *c);
/* A QUERY_INFO op, and a SET_INFO op of buf (which must outlive it). */
void compound_query_info(struct compound_op *op, uint8_t info_type,
			 uint8_t info_class, uint32_t additional,
			 const void *input, uint32_t input_len,
			 uint32_t max_out);
void compound_set_info(struct compound_op *op, uint8_t info_type,
		       uint8_t info_class, uint32_t additional, const void *buf,
		       uint32_t len);
/*
 * Runs c, whose last op is a QUERY_INFO, and hands out a malloc'd copy
 * of that op's output; frees c.
 */
int compound_run_query(struct smb_tree *t, struct compound *c, uint8_t **out,
		       uint32_t *out_len);
/*
 * The output room each of n requests of a compound may ask for, so that
 * the whole answer, one frame, stays within the negotiated MaxTransact
 * Size the connection sizes its frames by.
 */
uint32_t compound_out_room(struct smb_tree *t, int n);
/* Open args for a path: full sharing, no lease, no durable handle. */
void path_open_args(struct smb_open_args *a, const char *path,
			uint32_t access, uint32_t disposition,
			uint32_t options);

#endif
