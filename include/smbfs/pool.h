/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connection pool: everything a mount needs from its servers, kept
 * working across failures.
 *
 * A pool belongs to one mount.  It owns the connections, sessions and
 * tree connects, one "server" per (address, port, user, security
 * settings), so that more servers (DFS referrals) or more channels to
 * one server can be added here without the file system noticing.  The
 * file system holds only stable objects:
 *
 *   struct pool_tree   a share, valid for the life of the pool;
 *   struct pool_file   an open file, valid until pool_file_close(),
 *                      whatever happens to the connection under it.
 *
 * Every call below goes to the server through the current connection.
 * When that connection dies (reset, no answer within the request
 * timeout, no answer to an ECHO) or the server drops the session or the
 * tree, the pool reconnects on its own thread: new TCP connection,
 * NEGOTIATE, SESSION_SETUP with the remembered credentials (the NT hash,
 * never the password), TREE_CONNECT, then every open file is reopened -
 * by durable handle reconnect where the server granted one, otherwise by
 * a plain open that first checks that the file is still the one that was
 * open (same file id, change time and size).  A file that fails the
 * check is lost: its calls return -EIO from then on (-EACCES or -EROFS
 * when the reopen was refused access) and nothing is ever written to
 * the other file.  Byte-range locks are taken again.
 *
 * A call that meets a broken connection waits for the reconnect and is
 * then sent again (reads, queries and writes carry the replay flag on
 * 3.x).  How long it waits is the mount's choice:
 *   soft (default): until the server has been unreachable for
 *                   soft_timeout_s seconds, or retrans resends, then -EIO;
 *   hard:           until the server is back, unless the calling thread
 *                   is interrupted (pool_thread_set_interrupt): -EINTR.
 * Nothing waits forever: smb_pool_shutdown() ends every wait at once.
 *
 * Data moves in requests as large as the server and the mount allow,
 * several at once.  Below the file system, per open file:
 *   read-ahead:   a reader whose reads follow each other gets a window of
 *                 READs in flight ahead of it (see readahead below), and
 *                 later reads are served from what arrived.  The window
 *                 is dropped by a read elsewhere, by a write to the file
 *                 through any of the pool's handles, by a reconnect and
 *                 by pool_file_invalidate_cache();
 *   write-behind: pool_file_write() copies the data, queues it and
 *                 returns; consecutive writes are coalesced into WRITEs
 *                 of the largest size and several go out at once, up to
 *                 POOL_WRITE_BEHIND_MAX bytes per file (the writer waits
 *                 beyond).  A WRITE that fails is kept as the file's
 *                 error and returned by the next pool_file_write(),
 *                 pool_file_wait_writes(), pool_file_flush() or
 *                 pool_file_close(), once.  One lost with a connection is
 *                 sent again after the reopen, like any call.
 * Calls that must see the written data (stat, setattr, reads of the same
 * range, locks, copies, ioctls) wait for the queued writes of every
 * handle of the file first.  POOL_FILE_UNCACHED turns both off for one
 * open file.
 *
 * Server events (lease and oplock breaks, disconnects, reconnects, lost
 * files) are queued by the reader threads and delivered one at a time on
 * the pool's own event thread to the handler the file system registered
 * (smb_pool_set_event_handler).  The handler may call into the pool,
 * e.g. to acknowledge a break; without a handler the pool acknowledges
 * every break itself, so no server ever waits for us.
 *
 * All functions return 0 (or a count) or a negative errno.
 */
#ifndef SMBFS_POOL_H
#define SMBFS_POOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "smbfs/client.h"

struct smb_pool;
struct pool_tree;
struct pool_file;

/* Defaults, documented in smbfs-mount(8). */
#define POOL_CONNECT_TIMEOUT_MS 5000
#define POOL_ECHO_INTERVAL_S	60
#define POOL_SOFT_TIMEOUT_S	10
#define POOL_RETRANS		1
#define POOL_REQUEST_TIMEOUT_MAX_S 30
/* Bytes one open file may have queued or in flight as WRITEs. */
#define POOL_WRITE_BEHIND_MAX (64u << 20)
/*
 * Default WRITE size (wsize): smaller than Samba's 8 MiB maximum, because
 * Samba takes a stream of 1 MiB WRITEs with less CPU time, and steadily
 * so, than one of 8 MiB WRITEs (a 1 GiB copy, nine runs each: 0.8-1.1 s
 * of smbd's CPU against 0.8-3.0 s, most over 1.5 s, and the copy slower
 * by as much).  With POOL_WRITE_BEHIND_MAX in flight either way, no
 * fewer bytes are under way.
 */
#define POOL_WSIZE_DEFAULT (1u << 20)
/* Default read-ahead: this many READs of the largest size. */
#define POOL_READAHEAD_READS 4
/* Reconnect attempts: the first at once, then doubling up to the cap. */
#define POOL_BACKOFF_FIRST_MS 100
#define POOL_BACKOFF_MAX_MS   5000

struct smb_pool_config {
	/* The server. */
	const char *host; /* name or address literal (no brackets) */
	uint16_t port;	  /* 0: 445 */
	/*
	 * Each TCP connect and each request of the log-on (NEGOTIATE,
	 * SESSION_SETUP, TREE_CONNECT) gives up after this long, so a
	 * server that does not answer fails a mount quickly.  0: 5 s.
	 */
	int connect_timeout_ms;
	/*
	 * An ECHO goes out when nothing came from the server for this long;
	 * a request (the ECHO included) unanswered for twice this, at most
	 * 30 s, marks the connection dead.  0: 60 s; at least 1.
	 */
	unsigned int echo_interval_s;

	/* Who logs on: the identity part of the server key. */
	const char *user;
	const char *domain;
	const char *workstation;
	/* Turned into the NT hash at once; the pool keeps only the hash. */
	const char *password;
	bool anonymous; /* null session */
	bool guest;	/* accept a guest session */
	/*
	 * Kerberos (user and password unused): every log-on, reconnects
	 * too, takes a fresh ticket from the keytab or the credential
	 * cache; without one, calls of a soft mount fail with -EKEYEXPIRED
	 * and the log says to run kinit.
	 */
	bool krb5;
	const char *krb5_keytab;    /* NULL: the credential cache */
	const char *krb5_principal; /* NULL: the keytab's first */
	const char *krb5_spn;	    /* NULL: cifs@host */
	bool sign;	/* require signing */
	bool nosign;	/* sign only when the server requires it */
	bool seal;	/* encrypt every message (SMB 3.x) */
	bool require256; /* seal with a 256-bit cipher only */
	uint16_t dialect_min, dialect_max; /* 0: 2.0.2 .. 3.1.1 */

	/* Behaviour while the server is unreachable. */
	bool hard;		     /* wait for the server (see above) */
	unsigned int soft_timeout_s; /* 0: POOL_SOFT_TIMEOUT_S */
	unsigned int retrans;	     /* soft: resends of one call */
	bool nodurable; /* do not ask for durable handles */

	/* The data path. */
	uint32_t rsize, wsize; /* largest READ / WRITE; 0: the server's */
	/*
	 * Bytes kept read ahead of a sequential reader of one open file;
	 * 0: no read-ahead; negative: POOL_READAHEAD_READS READs of the
	 * largest size the server allows.
	 */
	int64_t readahead;
};

/*
 * Connects and logs on (the first connection is made by the same code
 * as every later one).  On failure returns a negative errno and writes
 * a one-line reason to err, e.g. "logon failure: wrong user name or
 * password" or "cannot connect to host:port: connection refused ...".
 */
int smb_pool_open(const struct smb_pool_config *cfg, struct smb_pool **out,
		  char *err, size_t errlen);
/*
 * Stops reconnecting and makes every waiting or later call fail with
 * -ESHUTDOWN at once (at unmount, before the last callers are gone).
 */
void smb_pool_shutdown(struct smb_pool *p);
/*
 * Aborts every connection, so calls still waiting for an answer end at
 * once (after smb_pool_shutdown, when they would otherwise hold up an
 * unmount).  No log-off is possible afterwards.
 */
void smb_pool_abort(struct smb_pool *p);
/* Logs off when still connected (briefly), stops the threads, frees. */
void smb_pool_close(struct smb_pool *p);

/*
 * The tree for share (the share name alone), connected on first use.
 * Errors as smb_tree_connect: -ENOENT "share 'x' not found on host",
 * -EACCES, ...
 */
int smb_pool_tree(struct smb_pool *p, const char *share,
		  struct pool_tree **out, char *err, size_t errlen);
/* What the current connection and tree connect say. */
void pool_tree_get_info(struct pool_tree *t, struct smb_tree_info *ti);
void pool_session_get_info(struct pool_tree *t, struct smb_session_info *si);
/* Largest READ / WRITE payload the current session allows. */
uint32_t pool_tree_max_io(struct pool_tree *t, bool write);

/*
 * Makes the calling thread's waits (for a reconnect, for an answer)
 * end with -EINTR once *flag is non-zero; a request the server is still
 * working on gets an SMB2 CANCEL.  NULL turns it off.  The file system
 * sets it per FUSE request and raises it when the kernel interrupts.
 */
void pool_thread_set_interrupt(const atomic_int *flag);
/*
 * The calling thread's flag, for a thread that makes calls on its
 * behalf: an interrupted request stops those too.
 */
const atomic_int *pool_thread_get_interrupt(void);

/* --- statistics --- */

struct smb_pool_stats {
	uint64_t round_trips; /* request frames sent; a compound is one */
	uint64_t requests[SMB2_COMMAND_COUNT]; /* by command */
	uint64_t bytes_read, bytes_written;    /* file data */
	uint64_t reconnects, files_lost;
	uint64_t leases_granted, leases_broken;
	uint64_t oplocks_granted, oplocks_broken;
	uint64_t notify_events; /* CHANGE_NOTIFY answers handed on */
	unsigned int watches;	/* directories watched now */
	unsigned int credits;	/* held now */
};
void smb_pool_get_stats(struct smb_pool *p, struct smb_pool_stats *st);

/* --- events --- */

enum pool_event_type {
	POOL_EVENT_LEASE_BREAK,	 /* u.lease */
	POOL_EVENT_OPLOCK_BREAK, /* u.oplock */
	POOL_EVENT_DISCONNECTED, /* the server became unreachable; u.err */
	POOL_EVENT_RECONNECTED,	 /* back, open files reopened */
	POOL_EVENT_FILE_LOST,	 /* u.file could not be reopened */
	POOL_EVENT_NOTIFY,	 /* u.notify: a watched directory changed */
};

struct pool_event {
	enum pool_event_type type;
	struct pool_tree *tree;
	union {
		struct {
			uint8_t key[16];
			uint32_t current_state, new_state; /* SMB2_LEASE_* */
			uint16_t epoch;
			bool ack_required;
		} lease;
		struct {
			struct pool_file *file; /* valid during the call */
			uint8_t level;		/* the new SMB2_OPLOCK_LEVEL_* */
		} oplock;
		struct {
			struct pool_file *file; /* valid during the call */
		} file;
		struct {
			struct pool_watch *watch; /* valid during the call */
			void *owner;
			/*
			 * What changed; overflow (after a reconnect, or
			 * when the server lost count) means anything may
			 * have.
			 */
			const struct smb_notify_result *result;
		} notify;
		int err;
	} u;
};

/*
 * Called on the pool's event thread, one event at a time.  A handler
 * that takes an oplock or lease break must acknowledge it
 * (pool_*_break_ack) when ack_required / for every oplock break.
 */
typedef void (*pool_event_fn)(void *arg, const struct pool_event *ev);
void smb_pool_set_event_handler(struct smb_pool *p, pool_event_fn fn,
				void *arg);
/*
 * The acknowledgements first write back what the files of the lease
 * (the oplock's file) queued when the new state has no write caching
 * (MS-SMB2 3.2.5.19.2): nothing written behind stays only here.
 */
int pool_lease_break_ack(struct pool_tree *t, const uint8_t key[16],
			 uint32_t state);
int pool_oplock_break_ack(struct pool_file *f, uint8_t level);
/*
 * Waits until the writes queued by every open file holding the lease
 * key (pool_file_write_back: of f's server file) are on the server.
 * A failed one stays the error its file reports next.  For a break
 * handler that must give up write caching before other steps (locks).
 */
void pool_lease_write_back(struct pool_tree *t, const uint8_t key[16]);
void pool_file_write_back(struct pool_file *f);
/* A fresh random lease key (MS-SMB2 3.2.4.3.8). */
int pool_lease_key_new(uint8_t key[16]);

/* --- open files --- */

/*
 * The owner of a pool_file tells the pool the file's current path when
 * it must be reopened (it may have been renamed since it was opened):
 * returns a malloc'd share path, or NULL when the file has no name any
 * more.  Called on the pool's thread, never after pool_file_close().
 */
typedef char *(*pool_path_fn)(void *owner);

/* pool_file_open flags */
/*
 * Reads and writes go to the server when they are called, nothing is
 * read ahead or written behind (the mount's cache=none).
 */
#define POOL_FILE_UNCACHED 0x1u

/*
 * Opens a->path.  The handle asks for a durable handle (unless the
 * mount said nodurable) and for the lease a->lease_key names, if any.
 * flags: POOL_FILE_*.  owner and path_fn (both may be NULL: then the
 * path opened is used for a reopen) identify the file to its owner.
 */
int pool_file_open(struct pool_tree *t, const struct smb_open_args *a,
		   unsigned int flags, void *owner, pool_path_fn path_fn,
		   struct pool_file **out, struct smb_open_result *res);
/*
 * Waits for the file's queued writes, closes the handle and frees f.
 * Returns the file's write error if one is still unreported, else the
 * CLOSE's outcome; a lost file, or one whose connection went, closes
 * locally.  st (may be NULL) receives the post-close attributes, and
 * *st_valid says whether the server sent them: a close that ended
 * locally has none.
 */
int pool_file_close(struct pool_file *f, struct smb_stat *st, bool *st_valid);
/*
 * pool_file_close() of n files (at most POOL_CLOSE_MANY_MAX) at once:
 * their CLOSEs go in one compound.  st[i], st_valid[i] and rcs[i] are
 * what pool_file_close() would have given for f[i].
 */
#define POOL_CLOSE_MANY_MAX SMB_CLOSE_MANY_MAX
void pool_file_close_many(struct pool_file **f, int n, struct smb_stat *st,
			  bool *st_valid, int *rcs);
void *pool_file_owner(struct pool_file *f);
/* True once the file could not be reopened after a reconnect. */
bool pool_file_lost(struct pool_file *f);
/* The lease state granted at open or left after the last break. */
uint32_t pool_file_lease_state(struct pool_file *f);

/*
 * Reads up to len bytes at off (fewer only at the end of file), from
 * the read-ahead window where it has them.
 */
ssize_t pool_file_read(struct pool_file *f, void *buf, size_t len,
		       uint64_t off);
/*
 * Takes the bytes a read gets where they are.  0 or -errno; called
 * once, with the pieces in order (n 0 at the end of file).
 */
struct iovec;
typedef int (*pool_give_fn)(void *arg, const struct iovec *iov, int n);
/*
 * pool_file_read without copying what the read-ahead window holds:
 * give(arg, iov, n) sees the data where it lies, which stays valid
 * until give returns.  Returns the bytes given, or -errno (give's own
 * failure included).
 */
ssize_t pool_file_read_give(struct pool_file *f, size_t len, uint64_t off,
			    pool_give_fn give, void *arg);
/*
 * Queues len bytes for writing at off and returns len, or the file's
 * unreported write error (then buf is not queued).  Uncached files
 * write before returning.
 */
ssize_t pool_file_write(struct pool_file *f, const void *buf, size_t len,
			uint64_t off);
/*
 * Copies the next len bytes of the data being written to dst (called
 * in order, as the pool takes the data in): 0 or -errno.
 */
typedef int (*pool_fill_fn)(void *arg, void *dst, size_t len);
/*
 * pool_file_write of len bytes that fill copies straight to where the
 * pool keeps them (one copy from, say, a FUSE request's buffer).
 */
ssize_t pool_file_write_from(struct pool_file *f, pool_fill_fn fill, void *arg,
			     size_t len, uint64_t off);
/*
 * pool_file_write_from at the end of the file, for O_APPEND; *off
 * receives where that is.  The pool knows it without asking while the file
 * holds a write-caching lease (nobody else can change the size);
 * otherwise it asks the server first.  MS-SMB2 2.2.21 would let a
 * WRITE at offset 0xFFFFFFFFFFFFFFFF append at the server, but Samba
 * 4.17 refuses that offset (STATUS_INVALID_PARAMETER) on every handle.
 */
ssize_t pool_file_append(struct pool_file *f, pool_fill_fn fill, void *arg,
			 size_t len, uint64_t *off);
/*
 * Waits until every write queued on f is on the server; returns the
 * first one that failed since the last report (and forgets it), 0, or
 * -EINTR when the calling thread is interrupted (the writes go on).
 */
int pool_file_wait_writes(struct pool_file *f);
/*
 * fsync: waits for the writes of every handle of the file, then sends
 * SMB2 FLUSH; returns f's write error first, as pool_file_wait_writes.
 */
int pool_file_flush(struct pool_file *f);
/*
 * Rights a later reopen of f (after a reconnect) no longer asks for:
 * what only the creator of a file is granted, once used.
 */
void pool_file_drop_access(struct pool_file *f, uint32_t mask);
/* Security descriptors (client.h smb_file_get_sd / smb_file_set_sd). */
int pool_file_get_sd(struct pool_file *f, struct smb_sd *sd);
int pool_file_set_sd(struct pool_file *f, uint32_t secinfo,
		     const struct smb_sd *sd);
/*
 * Drops what f read ahead: the file changed behind the pool's back (a
 * lease break took away read caching, another client wrote it).
 */
void pool_file_invalidate_cache(struct pool_file *f);
int pool_file_stat(struct pool_file *f, struct smb_stat *st);
int pool_file_setattr(struct pool_file *f, const struct smb_setattr *sa,
		      struct smb_stat *st);
int pool_file_ioctl(struct pool_file *f, uint32_t ctl_code, const void *in,
		    uint32_t in_len, uint32_t max_out, uint8_t **out,
		    uint32_t *out_len);
/*
 * SMB2 LOCK (flags SMB2_LOCKFLAG_*).  The pool remembers the ranges it
 * holds on the server, to take them again after a reopen.
 */
int pool_file_lock(struct pool_file *f, uint64_t off, uint64_t len,
		   uint32_t flags);
ssize_t pool_file_copy_chunk(struct pool_file *src, uint64_t src_off,
			     struct pool_file *dst, uint64_t dst_off,
			     uint64_t len);
/* The client's typed FSCTLs (sparse files, zeroing, allocated ranges). */
int pool_file_set_sparse(struct pool_file *f, bool sparse);
int pool_file_zero_data(struct pool_file *f, uint64_t off, uint64_t end);
int pool_file_allocated_ranges(struct pool_file *f, uint64_t off,
			       uint64_t len, struct smb_alloc_range **ranges,
			       size_t *n);

/* --- directory watches --- */

struct pool_watch;

/*
 * Keeps a CHANGE_NOTIFY (MS-SMB2 3.2.4.14) outstanding on directory path
 * for the changes filter names (FILE_NOTIFY_CHANGE_*): every completion
 * becomes a POOL_EVENT_NOTIFY and the watch is armed again.  After a
 * reconnect it is armed again too, with an overflow event first, since
 * changes may have been missed.  The directory stays open on the server
 * meanwhile, which (on Samba and Windows) keeps anyone from renaming it
 * or a directory above it: stop watches below a directory before
 * renaming it.
 */
int pool_watch_start(struct pool_tree *t, const char *path, uint32_t filter,
		     void *owner, struct pool_watch **out);
/* Closes the directory; no event for w is delivered after this. */
void pool_watch_stop(struct pool_watch *w);

/* --- path operations: the client's compound calls, kept working --- */

int pool_path_lookup(struct pool_tree *t, const char *dir, const char *name,
		     unsigned int flags, struct smb_stat *st, char **exact);
int pool_path_stat(struct pool_tree *t, const char *path,
		   struct smb_stat *st);
/* Attributes and descriptor in one compound (smb_path_stat_sd). */
int pool_path_stat_sd(struct pool_tree *t, const char *path,
		      struct smb_stat *st, struct smb_stat_meta *m);
int pool_path_set_sd(struct pool_tree *t, const char *path, uint32_t secinfo,
		     const struct smb_sd *sd, struct smb_stat *st,
		     struct smb_stat_meta *m);
/*
 * The server's time now as a FILETIME (ours, moved by the skew the
 * connection measured at NEGOTIATE): for times a change made there
 * without an answer that says when.
 */
uint64_t pool_tree_server_time(struct pool_tree *t);
/* sd (may be NULL): the new directory's security descriptor. */
int pool_path_mkdir(struct pool_tree *t, const char *path,
		    const struct smb_sd *sd, struct smb_stat *st);
int pool_path_delete(struct pool_tree *t, const char *path,
		     uint32_t options);
int pool_path_rename(struct pool_tree *t, const char *from, const char *to,
		     bool replace);
int pool_path_link(struct pool_tree *t, const char *from, const char *to,
		   bool replace, struct smb_stat *st);
int pool_path_setattr(struct pool_tree *t, const char *path,
		      const struct smb_setattr *sa, struct smb_stat *st);
ssize_t pool_path_read(struct pool_tree *t, const char *path, void *buf,
		       size_t len, struct smb_stat *st);
int pool_path_write_new(struct pool_tree *t, const char *tmp_path,
			const char *path, const void *buf, size_t len,
			uint32_t attributes, struct smb_stat *st);
int pool_path_query_info(struct pool_tree *t, const char *path,
			 uint32_t access, uint8_t info_type,
			 uint8_t info_class, uint32_t additional,
			 const void *input, uint32_t input_len,
			 uint32_t max_out, uint8_t **out, uint32_t *out_len);
int pool_path_set_info(struct pool_tree *t, const char *path,
		       uint32_t access, uint8_t info_type, uint8_t info_class,
		       uint32_t additional, const void *buf, uint32_t len);
int pool_path_list(struct pool_tree *t, const char *path,
		   struct smb_dir_listing *out);
int pool_tree_statfs(struct pool_tree *t, struct smb_fs_size *fs);
/* Extended attributes of a path (smb_path_get_ea and the others). */
int pool_path_get_ea(struct pool_tree *t, const char *path, const char *name,
		     uint8_t **value, size_t *len);
int pool_path_list_eas(struct pool_tree *t, const char *path, char **names,
		       size_t *len);
int pool_path_set_ea(struct pool_tree *t, const char *path, const char *name,
		     const void *value, size_t len);

#endif
