/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SMB2/3 client: a session (one connection, negotiated and logged
 * in), trees (connected shares) and the calls made on them.
 *
 * Every command can be used two ways:
 *   - blocking: smb_call(tree, req) submits and waits; or the typed
 *     helpers below (smb_file_open, smb_file_read, ...);
 *   - asynchronously: smb_call_async(tree, req, done, arg): done(req)
 *     runs once on the connection's reader thread, where the caller
 *     decodes req->rsp with the wire codec.  It must not block on the
 *     same connection.  smb_file_read_async / _write_async are typed
 *     shortcuts for the hot paths.
 * All functions return 0 (or a byte count) or a negative errno; the
 * NTSTATUS behind an error is in req->status for callers that build
 * requests themselves.
 */
#ifndef SMBFS_CLIENT_H
#define SMBFS_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "smbfs/conn.h"
#include "smbfs/smb2.h"
/* Security descriptors (MS-DTYP 2.4.6) are part of the client API. */
#include "smbfs/wire/security_desc.h"

#define SMB_CLIENT_MAX_SIGN_ALGOS 3
#define SMB_CLIENT_MAX_CIPHERS 4

struct smb_client_config {
	const char *host; /* name or address literal (no brackets) */
	uint16_t port; /* 0: 445 */
	int connect_timeout_ms; /* 0: 5000; also bounds each log-on request */
	int request_timeout_ms; /* 0: 30000 */
	/* A request that times out takes the connection down with it. */
	bool drop_on_timeout;
	/* The client's identity for every session (16 bytes); NULL: random. */
	const uint8_t *client_guid;
	struct smb_conn_stats *stats; /* counters the connection adds to */
	uint16_t dialect_min; /* 0: 2.0.2 */
	uint16_t dialect_max; /* 0: 3.1.1 */
	const char *user;
	const char *domain;
	const char *password; /* copied by the auth code, wiped there */
	/* Instead of password: its NT hash (16 bytes; used when set). */
	const uint8_t *nt_hash;
	const char *workstation;
	bool anonymous; /* null session */
	bool guest; /* accept a guest session (user defaults to "guest") */
	/*
	 * Kerberos instead of NTLMSSP (user, password and nt_hash unused):
	 * a fresh ticket from krb5_keytab, or the credential cache, for
	 * every session; krb5_spn overrides the service cifs@host.
	 */
	bool krb5;
	const char *krb5_keytab;
	const char *krb5_principal;
	const char *krb5_spn;
	/*
	 * Signing (MS-SMB2 3.2.4.1.1): every session that is not encrypted
	 * signs, and one that cannot (the server's NTLMSSP CHALLENGE lacks
	 * NEGOTIATE_SIGN) fails to open, unless nosign.  sign also refuses
	 * guest and anonymous sessions, which have no key to sign with.
	 */
	bool sign;
	bool nosign; /* sign only when the server requires it */
	/*
	 * Encrypt every message of the session (MS-SMB2 3.1.4.3); a server
	 * or dialect that cannot fails the open.  require256: only the
	 * 256-bit ciphers (AES-256-GCM, AES-256-CCM) are offered or taken.
	 */
	bool seal;
	bool require256;
	/* 3.1.1 signing algorithms to offer, in order; 0 entries: all */
	uint16_t sign_algos[SMB_CLIENT_MAX_SIGN_ALGOS];
	int n_sign_algos;
	/*
	 * 3.1.1 ciphers to offer, in order; 0 entries: all four in the
	 * order of session.c (the 256-bit two alone with require256).
	 */
	uint16_t ciphers[SMB_CLIENT_MAX_CIPHERS];
	int n_ciphers;
	/* Largest READ / WRITE payload to send; 0: what the server takes. */
	uint32_t max_read, max_write;
	/* Unsolicited oplock/lease breaks (the whole message). */
	void (*on_break)(void *arg, const uint8_t *msg, size_t len);
	void (*on_disconnect)(void *arg, int err);
	void *cb_arg;
};

struct smb_session;
struct smb_tree;

/* What was negotiated, for callers and tests. */
struct smb_session_info {
	uint16_t dialect;
	uint16_t sign_algo; /* SMB2_SIGNING_* in use */
	uint16_t cipher; /* SMB2_ENCRYPTION_* negotiated (3.1.1) or 0 */
	uint32_t capabilities; /* server's */
	uint16_t server_security_mode;
	/* max_read/max_write: the server's, lowered to the config's. */
	uint32_t max_transact, max_read, max_write;
	uint8_t server_guid[16];
	uint64_t session_id;
	bool signing; /* messages on this session are signed */
	bool encrypting; /* messages on this session are encrypted */
	bool guest;
	bool anonymous;
	bool validated; /* VALIDATE_NEGOTIATE succeeded (3.0 / 3.0.2) */
	/* The server's clock minus ours (NEGOTIATE SystemTime), in ns. */
	int64_t clock_skew_ns;
};

/*
 * Connects, negotiates, authenticates (SPNEGO with NTLMSSP or Kerberos)
 * and derives keys.
 * On failure returns a negative errno and writes a one-line reason to
 * err (e.g. "logon failure: wrong user name or password").
 */
int smb_session_open(const struct smb_client_config *cfg,
		     struct smb_session **out, char *err, size_t errlen);
/* Logs off (best effort) and closes the connection. */
void smb_session_close(struct smb_session *s);
void smb_session_get_info(const struct smb_session *s,
			  struct smb_session_info *info);
struct smb_conn *smb_session_conn(struct smb_session *s);
/* SMB2 ECHO: 0 when the server answered. */
int smb_session_echo(struct smb_session *s);

struct smb_tree_info {
	uint32_t tree_id;
	uint8_t share_type;
	uint32_t share_flags;
	uint32_t capabilities;
	uint32_t maximal_access;
};

/* share is the share name alone ("plain"); err as for smb_session_open. */
int smb_tree_connect(struct smb_session *s, const char *share,
		     struct smb_tree **out, char *err, size_t errlen);
/* Sends TREE_DISCONNECT (waiting briefly) and frees the tree. */
int smb_tree_disconnect(struct smb_tree *t);
/* Frees the tree without a word to the server (its session is gone). */
void smb_tree_free(struct smb_tree *t);
void smb_tree_get_info(const struct smb_tree *t, struct smb_tree_info *info);
struct smb_session *smb_tree_session(struct smb_tree *t);

/* --- generic calls --- */

/* A request for this tree (session id, tree id, signing set). */
struct smb_req *smb_tree_req_new(struct smb_tree *t, uint16_t command);
/*
 * Submits and waits.  Returns 0 when the response status is success
 * (or one of the non-error statuses the caller accepts in ok_status,
 * e.g. STATUS_BUFFER_OVERFLOW; pass 0 for none), else a negative errno
 * (the transport error, or the status mapped by nt_status_to_errno).
 */
int smb_call(struct smb_tree *t, struct smb_req *req, uint32_t ok_status);
/* Submits with a completion callback. */
int smb_call_async(struct smb_tree *t, struct smb_req *req,
		   smb_req_done_fn done, void *arg);
/* The errno for a completed request (as smb_call returns it). */
int smb_req_result(const struct smb_req *req, uint32_t ok_status);
/* Sends a compound (related or not) and waits for all of it. */
int smb_call_compound(struct smb_tree *t, struct smb_req **reqs, int n,
		      bool related);

/* --- typed helpers (blocking unless named _async) --- */

/* Attributes as a file system needs them (FILE_NETWORK_OPEN / CLOSE). */
struct smb_stat {
	uint64_t creation_time, last_access_time, last_write_time,
		change_time; /* FILETIME */
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t attributes;
	uint64_t file_id; /* server inode number; 0 if unknown */
	uint32_t nlink; /* 0 if unknown */
	/*
	 * The Unix view of the file's security descriptor, filled in above
	 * the client (the file system's mapping): permission bits (07777),
	 * owner and group.  has_unix false: not known from this answer.
	 */
	bool has_unix;
	uint32_t unix_mode, uid, gid; /* unix_mode: S_IF* of sfu files too */
	uint64_t rdev; /* sfu devices */
};

/*
 * An answer without the Unix view (a CLOSE, a directory entry) keeps the
 * one known for the same file.
 */
static inline void smb_stat_keep_unix(struct smb_stat *st,
				      const struct smb_stat *old)
{
	if (st->has_unix || !old->has_unix ||
	    (st->file_id && old->file_id && st->file_id != old->file_id))
		return;
	st->has_unix = true;
	st->unix_mode = old->unix_mode;
	st->uid = old->uid;
	st->gid = old->gid;
	st->rdev = old->rdev;
}

struct smb_open_args {
	const char *path; /* backslash-separated, relative to the share */
	uint32_t desired_access;
	uint32_t file_attributes;
	uint32_t share_access;
	uint32_t disposition;
	uint32_t create_options;
	uint8_t oplock_level; /* SMB2_OPLOCK_LEVEL_*; LEASE with lease_key */
	const uint8_t *lease_key; /* 16 bytes, with SMB2_OPLOCK_LEVEL_LEASE */
	uint32_t lease_state;
	uint16_t lease_epoch; /* lease v2: the epoch last seen, 0 at first */
	bool durable; /* ask for a durable (v2 on 3.x) handle */
	/*
	 * DH2Q / DH2C (MS-SMB2 2.2.13.2.11/12): 16 bytes identifying this
	 * open for replays and reconnects; NULL makes a random one.
	 */
	const uint8_t *create_guid;
	/*
	 * Reconnect the durable handle reconnect_fid (DH2C on 3.x, DHnC on
	 * 2.x, MS-SMB2 3.2.4.4) instead of opening anew; path, access and
	 * lease must be what the original open asked for.
	 */
	bool reconnect;
	struct smb2_fileid reconnect_fid;
	/*
	 * SMB2_CREATE_SD_BUFFER (MS-SMB2 2.2.13.2.2): the security
	 * descriptor a file this open creates starts with; NULL for none.
	 */
	const struct smb_sd *sd;
};

struct smb_open_result {
	struct smb2_fileid fid;
	uint32_t create_action;
	uint8_t oplock_level;
	uint32_t lease_state; /* granted (0: no lease) */
	uint16_t lease_epoch;
	bool durable; /* the server made the handle durable */
	uint32_t maximal_access; /* 0: not reported */
	struct smb_stat st;
};

int smb_file_open(struct smb_tree *t, const struct smb_open_args *a,
		  struct smb_open_result *res);
/* Closes; st (may be NULL) receives the post-close attributes. */
int smb_file_close(struct smb_tree *t, struct smb2_fileid fid,
		   struct smb_stat *st);
int smb_file_flush(struct smb_tree *t, struct smb2_fileid fid);
/* At most this many handles in one smb_file_close_many(). */
#define SMB_CLOSE_MANY_MAX 32
/*
 * Closes n handles in one compound.  rcs[i] is each CLOSE's outcome and
 * sts[i] its post-close attributes when rcs[i] is 0.  Returns the first
 * transport error (the connection failed under the compound), else 0.
 */
int smb_file_close_many(struct smb_tree *t, const struct smb2_fileid *fids,
			int n, struct smb_stat *sts, int *rcs);
/*
 * Reads up to len bytes (split into requests of at most max_read) at
 * off; returns the number of bytes read (short at end of file, 0 at or
 * past it).
 */
ssize_t smb_file_read(struct smb_tree *t, struct smb2_fileid fid, void *buf,
		      size_t len, uint64_t off);
/* Writes all len bytes (split by max_write); returns len or -errno. */
ssize_t smb_file_write(struct smb_tree *t, struct smb2_fileid fid,
		       const void *buf, size_t len, uint64_t off);

typedef void (*smb_io_done_fn)(void *arg, ssize_t result);
/* One READ of at most max_read bytes into buf; done(arg, bytes or -errno). */
int smb_file_read_async(struct smb_tree *t, struct smb2_fileid fid,
			void *buf, uint32_t len, uint64_t off,
			smb_io_done_fn done, void *arg);
int smb_file_write_async(struct smb_tree *t, struct smb2_fileid fid,
			 const void *buf, uint32_t len, uint64_t off,
			 smb_io_done_fn done, void *arg);
/*
 * A READ whose answer is handed over instead of copied out:
 * done(arg, bytes, rsp, data) gets the bytes read at data, which lies
 * inside rsp, malloc'd and the callee's to free(); on failure bytes is
 * -errno and rsp NULL.
 */
typedef void (*smb_read_owned_fn)(void *arg, ssize_t result, uint8_t *rsp,
				  const uint8_t *data);
int smb_file_read_async_owned(struct smb_tree *t, struct smb2_fileid fid,
			      uint32_t len, uint64_t off,
			      smb_read_owned_fn done, void *arg);

/* Queries FileAllInformation through an open handle. */
int smb_file_stat(struct smb_tree *t, struct smb2_fileid fid,
		  struct smb_stat *st);

/* QUERY_INFO / SET_INFO with a raw buffer (caller encodes/decodes). */
int smb_query_info(struct smb_tree *t, struct smb2_fileid fid,
		   uint8_t info_type, uint8_t info_class, uint32_t additional,
		   const void *input, uint32_t input_len, uint32_t max_out,
		   uint8_t **out, uint32_t *out_len);
int smb_set_info(struct smb_tree *t, struct smb2_fileid fid,
		 uint8_t info_type, uint8_t info_class, uint32_t additional,
		 const void *buf, uint32_t len);

/* Directory listing: calls cb for every entry (".", ".." included). */
struct smb_dirent_info {
	const char *name; /* UTF-8 */
	struct smb_stat st;
};
typedef int (*smb_dir_cb)(void *arg, const struct smb_dirent_info *e);
/*
 * Lists the open directory fid with pattern ("*" if NULL), resuming
 * across as many QUERY_DIRECTORY calls as needed.  A non-zero return
 * from cb stops the listing and is returned.  Entries whose names are
 * not valid UTF-16 are skipped and counted in *skipped (may be NULL).
 */
int smb_dir_list(struct smb_tree *t, struct smb2_fileid fid,
		 const char *pattern, smb_dir_cb cb, void *arg,
		 unsigned int *skipped);

/* IOCTL with raw input/output (fid all ones for fileless FSCTLs). */
int smb_ioctl(struct smb_tree *t, struct smb2_fileid fid, uint32_t ctl_code,
	      const void *in, uint32_t in_len, uint32_t max_out, uint8_t **out,
	      uint32_t *out_len);

/* Byte-range locks (SMB2 LOCK); flags SMB2_LOCKFLAG_*. */
int smb_file_lock(struct smb_tree *t, struct smb2_fileid fid, uint64_t off,
		  uint64_t len, uint32_t flags);

/* Server-side copy (FSCTL_SRV_COPYCHUNK_WRITE); returns bytes copied. */
ssize_t smb_file_copy_chunk(struct smb_tree *t, struct smb2_fileid src,
			    uint64_t src_off, struct smb2_fileid dst,
			    uint64_t dst_off, uint64_t len);

/* FSCTL_SET_SPARSE (MS-FSCC 2.3.64). */
int smb_file_set_sparse(struct smb_tree *t, struct smb2_fileid fid,
			bool sparse);
/* FSCTL_SET_ZERO_DATA of [off, end) (MS-FSCC 2.3.70); a sparse file
 * gives the space back. */
int smb_file_zero_data(struct smb_tree *t, struct smb2_fileid fid,
		       uint64_t off, uint64_t end);
/* A range of a file that has storage (MS-FSCC 2.3.34). */
struct smb_alloc_range {
	uint64_t offset, length;
};
/*
 * FSCTL_QUERY_ALLOCATED_RANGES over [off, off + len): *ranges (malloc'd,
 * NULL when *n is 0) in ascending order; -E2BIG when they do not fit
 * in 1 MiB.
 */
int smb_file_allocated_ranges(struct smb_tree *t, struct smb2_fileid fid,
			      uint64_t off, uint64_t len,
			      struct smb_alloc_range **ranges, size_t *n);

/* Acknowledge breaks (MS-SMB2 3.2.4.25/26); not from on_break itself. */
int smb_oplock_break_ack(struct smb_tree *t, struct smb2_fileid fid,
			 uint8_t level);
int smb_lease_break_ack(struct smb_tree *t, const uint8_t key[16],
			uint32_t state);

/* --- compound path operations (src/client/path_ops.c) --- */

/*
 * Each of these opens a path, acts on it and closes it in one related
 * compound (MS-SMB2 3.2.4.1.4): one round trip, and no handle is left
 * open on the server even when it fails the middle of the chain.  Paths
 * are share-relative SMB paths ("dir\\name", "" for the root).
 */

/* The attributes of path (FileAllInformation); -ENOENT etc. */
int smb_path_stat(struct smb_tree *t, const char *path, struct smb_stat *st);

/* smb_path_lookup flags */
#define SMB_LOOKUP_NOCASE 0x1u /* a match in another case is a hit */

/*
 * Looks name (one SMB path component) up in directory dir.  0 with *st
 * filled (and *exact, the server's spelling, malloc'd, when exact is not
 * NULL); -ENOENT when nothing by that name exists; -EEXIST when only a
 * name differing in case exists (not with SMB_LOOKUP_NOCASE); -errno.
 */
int smb_path_lookup(struct smb_tree *t, const char *dir, const char *name,
		    unsigned int flags, struct smb_stat *st, char **exact);

/*
 * Creates directory path (FILE_CREATE): -EEXIST when the name is taken,
 * in any case on a case-insensitive share.  *st (may be NULL) receives
 * its attributes, with the file id a later lookup reports.
 */
int smb_path_mkdir(struct smb_tree *t, const char *path,
		   struct smb_stat *st);
/* The same, the directory created with descriptor sd (NULL: none). */
int smb_path_mkdir_sd(struct smb_tree *t, const char *path,
		      const struct smb_sd *sd, struct smb_stat *st);

/*
 * Deletes path: sets delete-pending (FileDispositionInformation, MS-FSCC
 * 2.4.11) and closes, so the name goes now, or at the last close of
 * other handles.  options: FILE_DIRECTORY_FILE or FILE_NON_DIRECTORY_FILE.
 * -ENOTEMPTY, -EACCES (e.g. a DOS read-only file), -ENOENT, -EISDIR,
 * -ENOTDIR.
 */
int smb_path_delete(struct smb_tree *t, const char *path, uint32_t options);

/* Renames from to to (replace: over an existing file). */
int smb_path_rename(struct smb_tree *t, const char *from, const char *to,
		    bool replace);

/* Hard link: to becomes another name of from; *st (may be NULL) is
 * from's attributes afterwards, nlink counting the new name. */
int smb_path_link(struct smb_tree *t, const char *from, const char *to,
		  bool replace, struct smb_stat *st);

/*
 * MS-FSCC 2.4.7: a time of 0 in struct smb_setattr leaves it unchanged;
 * this and the one above it (-2, -1) resume and stop the server's own
 * updates of it.
 */
#define SMB_TIME_RESUME_UPDATING 0xFFFFFFFFFFFFFFFEull

/* What smb_path_setattr and smb_file_setattr change. */
struct smb_setattr {
	bool set_size; /* FileEndOfFileInformation */
	uint64_t size;
	bool set_basic; /* FileBasicInformation (MS-FSCC 2.4.7) */
	uint64_t creation_time, last_access_time, last_write_time,
		change_time; /* FILETIME; 0 leaves it unchanged */
	uint32_t attributes; /* 0 leaves them unchanged */
};

/*
 * Applies sa to path: CREATE, the SET_INFOs, QUERY_INFO and CLOSE in one
 * compound.  *st (may be NULL) receives the attributes afterwards.
 */
int smb_path_setattr(struct smb_tree *t, const char *path,
		     const struct smb_setattr *sa, struct smb_stat *st);
/* The same through an open handle, in one compound as well. */
int smb_file_setattr(struct smb_tree *t, struct smb2_fileid fid,
		     const struct smb_setattr *sa, struct smb_stat *st);
/*
 * The same after a WRITE of len bytes (at most one WRITE's worth) at off,
 * in the same compound (MS-SMB2 3.2.4.1.4: the server runs them in
 * order): the data is on the server before the attributes change, in one
 * round trip.  *written: the bytes the server took, or the WRITE's
 * -errno; the return value is the setattr's.
 */
int smb_file_write_setattr(struct smb_tree *t, struct smb2_fileid fid,
			   const void *buf, uint32_t len, uint64_t off,
			   const struct smb_setattr *sa, struct smb_stat *st,
			   ssize_t *written);

/*
 * Reads up to len bytes at offset 0 of path: CREATE + READ + CLOSE.
 * Returns the bytes read; *st (may be NULL) receives the attributes the
 * CREATE reported (so a caller can tell a file of another size).
 */
ssize_t smb_path_read(struct smb_tree *t, const char *path, void *buf,
		      size_t len, struct smb_stat *st);

/*
 * Writes a new file that appears complete or not at all: creates
 * tmp_path (FILE_CREATE, with attributes), writes buf, then renames it
 * to path without replacing anything.  -EEXIST when path is taken (in
 * any case on a case-insensitive share); on any failure nothing is left
 * behind.  *st (may be NULL) receives the new file's attributes.
 */
int smb_path_write_new(struct smb_tree *t, const char *tmp_path,
		       const char *path, const void *buf, size_t len,
		       uint32_t attributes, struct smb_stat *st);

/*
 * QUERY_INFO / SET_INFO on a path (CREATE asking access, the call,
 * CLOSE).  *out is malloc'd.  A buffer too small is -E2BIG
 * (STATUS_BUFFER_OVERFLOW) or -ERANGE (STATUS_BUFFER_TOO_SMALL).
 */
int smb_path_query_info(struct smb_tree *t, const char *path,
			uint32_t access, uint8_t info_type, uint8_t info_class,
			uint32_t additional, const void *input,
			uint32_t input_len, uint32_t max_out, uint8_t **out,
			uint32_t *out_len);
int smb_path_set_info(struct smb_tree *t, const char *path, uint32_t access,
		      uint8_t info_type, uint8_t info_class,
		      uint32_t additional, const void *buf, uint32_t len);

/* --- security descriptors (src/client/sd_ops.c) --- */

/* What the Unix view needs of a descriptor: owner, group and DACL. */
#define SMB_SD_INFO_UNIX                                                       \
	(OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |             \
	 DACL_SECURITY_INFORMATION)

/* What smb_path_stat_sd reads besides the attributes. */
#define SMB_STAT_EA_MAX 16
struct smb_stat_meta {
	struct smb_sd sd; /* owner, group, DACL; empty when not shown */
	const char *ea_name; /* in: one EA to read too, or NULL */
	uint8_t ea_value[SMB_STAT_EA_MAX]; /* its value (cut at the size) */
	size_t ea_len; /* 0: the file has no such EA */
};

/*
 * The attributes, the descriptor (owner, group, DACL) and, with
 * m->ea_name, one EA of path in one compound.  A descriptor or EA the
 * server does not show (no READ_CONTROL, no EA support) is no error:
 * m->sd is then empty (has_owner, has_group, has_dacl false) and
 * m->ea_len 0.  The caller frees m->sd with smb_sd_free().
 */
int smb_path_stat_sd(struct smb_tree *t, const char *path, struct smb_stat *st,
		     struct smb_stat_meta *m);
/*
 * Writes the parts secinfo (*_SECURITY_INFORMATION) names of sd; with st
 * (and m, as for smb_path_stat_sd) reads back what the server made of it
 * in the same compound.  The caller frees m->sd.
 */
int smb_path_set_sd(struct smb_tree *t, const char *path, uint32_t secinfo,
		    const struct smb_sd *sd, struct smb_stat *st,
		    struct smb_stat_meta *m);
/* The same through a handle opened with READ_CONTROL / WRITE_DAC. */
int smb_file_get_sd(struct smb_tree *t, struct smb2_fileid fid,
		    struct smb_sd *sd);
int smb_file_set_sd(struct smb_tree *t, struct smb2_fileid fid,
		    uint32_t secinfo, const struct smb_sd *sd);

/* Filesystem size (FileFsFullSizeInformation) of the tree's share. */
struct smb_fs_size {
	uint64_t total_units, caller_avail_units, actual_avail_units;
	uint32_t sectors_per_unit, bytes_per_sector;
};
int smb_tree_statfs(struct smb_tree *t, struct smb_fs_size *fs);

/* A whole directory listing, as smb_path_list_all returns it. */
struct smb_dir_listing {
	struct smb_dir_entry {
		char *name; /* UTF-8, as the server spells it */
		struct smb_stat st;
	} *v;
	size_t n;
	unsigned int skipped; /* names that are not valid UTF-16 */
};
/*
 * Lists directory path into *out (".", ".." left out): one compound for
 * a directory whose listing fits two 64 KiB answers, more round trips
 * for a larger one.  On failure *out is left empty.
 */
int smb_path_list_all(struct smb_tree *t, const char *path,
		      struct smb_dir_listing *out);
void smb_dir_listing_free(struct smb_dir_listing *l);

/* --- extended attributes of a path (src/client/ea_ops.c) --- */

/*
 * EA names are case-insensitive 8-bit text, 1..255 bytes (MS-FSCC
 * 2.4.15); an EA with an empty value does not exist.  Errors besides
 * the usual: -EOPNOTSUPP (the share keeps no EAs), -EINVAL (a name the
 * server refuses).
 */
/*
 * The value of EA name: 0 with *value (malloc'd; may be NULL to only
 * learn *len), -ENODATA when path has no such EA.
 */
int smb_path_get_ea(struct smb_tree *t, const char *path, const char *name,
		    uint8_t **value, size_t *len);
/* The names of path's EAs as "a\0b\0" (malloc'd, NULL when none). */
int smb_path_list_eas(struct smb_tree *t, const char *path, char **names,
		      size_t *len);
/* Sets EA name; len 0 deletes it (MS-FSA 2.1.5.15.5). */
int smb_path_set_ea(struct smb_tree *t, const char *path, const char *name,
		    const void *value, size_t len);

/* --- replays --- */

/*
 * While on, requests this thread builds carry SMB2_FLAGS_REPLAY_OPERATION
 * on 3.x (MS-SMB2 3.2.4.1, 3.2.7.1): the connection pool sets it while it
 * resends an operation that was in flight when a connection died.
 */
void smb_client_thread_replay(bool on);

/* --- break notifications (src/client/break_ops.c) --- */

/* An OPLOCK_BREAK notification as the client layer decodes it. */
struct smb_break {
	bool is_lease;
	/* oplock break (MS-SMB2 2.2.23.1) */
	struct smb2_fileid fid;
	uint8_t oplock_level;
	/* lease break (2.2.23.2) */
	uint8_t lease_key[16];
	uint32_t current_state, new_state;
	uint16_t epoch;
	bool ack_required;
};
/* Decodes one whole unsolicited OPLOCK_BREAK message (header + body). */
int smb_break_parse(const uint8_t *msg, size_t len, struct smb_break *out);

/* --- change notification (src/client/notify_ops.c) --- */

struct smb_notify_change {
	uint32_t action; /* FILE_ACTION_* */
	char *name;	 /* UTF-8, relative to the watched directory */
};

/* What one CHANGE_NOTIFY brought. */
struct smb_notify_result {
	int err; /* -errno: the watch ended (e.g. its handle closed) */
	/* STATUS_NOTIFY_ENUM_DIR or an unreadable record: rescan it all. */
	bool overflow;
	struct smb_notify_change *v;
	size_t n;
};
void smb_notify_result_free(struct smb_notify_result *r);

/*
 * Called once per request on the connection's reader thread; owns r
 * (NULL when out of memory: treat as an overflow).  It must not block.
 */
typedef void (*smb_notify_fn)(void *arg, struct smb_notify_result *r);

/*
 * Sends CHANGE_NOTIFY on the open directory fid, without a deadline.
 * done runs exactly once: at a change, when the handle is closed
 * (STATUS_NOTIFY_CLEANUP: r->err), or when the connection fails.
 */
int smb_dir_notify_async(struct smb_tree *t, struct smb2_fileid fid,
			 uint32_t filter, bool watch_tree, uint32_t buf_len,
			 smb_notify_fn done, void *arg);

/* --- credentials --- */

/* NTOWFv1 (MS-NLMP 3.3.1), for keeping instead of the password. */
int smb_password_nt_hash(const char *password, uint8_t out[16]);

/* Converts "a/b/c" to "a\\b\\c" in a malloc'd string (NULL on ENOMEM). */
char *smb_path_from_posix(const char *path);

#endif
