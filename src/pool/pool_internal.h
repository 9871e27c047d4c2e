/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private state of the connection pool, shared by the files of src/pool/:
 *   pool.c      life cycle, servers and trees, logging on
 *   recover.c   the pool's monitor thread: echoes, reconnects, reopens
 *   attempt.c   running one call: waiting for the server, resending
 *   events.c    the event queue and its thread
 *   file_ops.c  calls on open files
 *   readahead.c reading ahead of sequential readers
 *   writeback.c writes queued and sent behind the writer, and the I/O
 *               thread that sends them
 *   io_plan.c   the window and coalescing arithmetic of both
 *   path_ops.c  calls on paths
 *
 * Locking: pool->lock guards the server, tree and file state below (not
 * the libraries' objects, which lock themselves).  It is never held
 * across a network round trip.  pool->cond is broadcast whenever a
 * server's state changes.  A file's data path has its own io_lock,
 * which may be held while taking pool->lock, never the other way round.
 */
#ifndef SMBFS_POOL_INTERNAL_H
#define SMBFS_POOL_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "io_plan.h"
#include "smbfs/log.h"
#include "smbfs/pool.h"
#include "smbfs/timed_list.h"

/* How often waiting threads look at interrupt and shutdown flags. */
#define POOL_POLL_MS 100

/* What a failed call asks to be repaired, least to most. */
enum pool_repair {
	POOL_REPAIR_NONE,
	POOL_REPAIR_TREE, /* STATUS_NETWORK_NAME_DELETED: tree connect */
	/*
	 * STATUS_NETWORK_SESSION_EXPIRED or STATUS_USER_SESSION_DELETED:
	 * a fresh log-on, on a new connection (the old one is closed).
	 */
	POOL_REPAIR_SESSION,
	POOL_REPAIR_CONN, /* the connection is gone */
};

/*
 * One call through the pool:
 *
 *	struct pool_attempt a;
 *	int rc;
 *
 *	pool_attempt_init(&a, tree, file);
 *	while (pool_attempt_next(&a, &rc))
 *		rc = pool_attempt_done(&a, smb_...(a.tree, a.fid, ...));
 *	return rc;
 *
 * pool_attempt_next waits until the server (and the file) can be used,
 * takes a reference and fills a.tree and a.fid; it returns false with
 * the final result in *rc when the call is over.  pool_attempt_done
 * releases the reference and decides whether the outcome calls for a
 * repair and a resend.
 */
struct pool_attempt {
	struct pool_tree *pt;
	struct pool_file *pf;
	/* For the call: */
	struct smb_tree *tree;
	struct smb2_fileid fid;
	uint64_t gen; /* the tree's generation tree and fid belong to */
	/* Private: */
	struct pool_chan *chan;
	unsigned int resends;
	int64_t give_up_ns; /* soft mounts: 0 until the first wait */
	bool finished;
	int result;
	bool resent_after_loss; /* the call may have run once already */
};

/*
 * One logged-on connection to a server (a session on its TCP
 * connection), replaced as a whole when it breaks.  Calls hold a
 * reference while they use it; the last reference closes it.
 */
struct pool_chan {
	struct pool_server *srv;
	struct smb_session *session;
	unsigned int refs;   /* pool->lock */
	bool dead;	     /* a failure was seen: no new calls */
	int64_t clock_skew_ns; /* server time minus ours, from NEGOTIATE */
	/* Tree connects of earlier repairs, freed with the channel. */
	struct smb_tree **old_trees;
	size_t n_old_trees;
};

/* A server: where to connect and who logs on (the pool's key). */
struct pool_server {
	struct smb_pool *pool;
	struct smb_client_config cc; /* points into the strings below */
	char *host, *user, *domain, *workstation;
	char *krb5_keytab, *krb5_principal, *krb5_spn;
	uint8_t nt_hash[16];
	bool have_hash;
	uint8_t client_guid[16]; /* the same for every channel */
	struct pool_chan *chan; /* current; NULL until the first log-on */
	bool up;		/* chan and all its trees work */
	uint64_t gen;		/* bumped by every successful repair */
	enum pool_repair repair; /* requested, for the monitor thread */
	int64_t down_since_ns;	 /* CLOCK_MONOTONIC; 0 when up */
	/*
	 * -EKEYEXPIRED while the last reconnect failed for want of a
	 * Kerberos ticket (a soft mount's calls fail with it), else 0.
	 */
	int auth_error;
	/* Server time (FILETIME) of the last answer before the failure. */
	uint64_t loss_time;
	struct pool_tree *trees;
	struct pool_server *next;
};

/* Buckets of a tree's server files by file id: a lookup per open. */
#define POOL_NODE_BUCKETS 256

struct pool_tree {
	struct pool_server *srv;
	char *share;
	struct smb_tree *tree; /* on srv->chan; NULL while being repaired */
	uint64_t gen;	       /* srv->gen at which tree was connected */
	bool broken;	       /* the server disconnected it */
	struct smb_tree_info info;	 /* last known, for info calls */
	struct smb_session_info sinfo;
	struct pool_file *files; /* open files, by next/prev */
	/* Their server files, by file id (next/prev in a bucket). */
	struct pool_node *nodes[POOL_NODE_BUCKETS];
	struct pool_tree *next;
};

/*
 * The server file behind the open files of one tree that share its file
 * id: what their handles have in common (pool->lock).
 */
struct pool_node {
	uint64_t file_id;	   /* 0: unknown, the node has one member */
	struct pool_file *members; /* by node_next */
	/*
	 * The size this client's own operations left the file at, for
	 * appends while the file holds a write-caching lease: nobody else
	 * can change it then.  Forgotten when that lease goes.
	 */
	uint64_t size;
	bool size_known;
	/* Write-behind chunks of all members not yet done (no lock). */
	atomic_uint writes;
	struct pool_node *next, *prev;
};

/* --- the data path of one open file (readahead.c, writeback.c) --- */

/* One READ of the read-ahead window. */
struct ra_piece {
	struct pool_file *f;
	struct pool_attempt a; /* holds the channel it went out on */
	uint64_t off;
	uint32_t len;
	uint8_t *rsp;	     /* the READ's answer, which holds the data */
	const uint8_t *data; /* got bytes of it */
	ssize_t got;	     /* bytes, or -errno; once done */
	bool done;
	bool dropped; /* out of the window: freed once done */
	unsigned int pins; /* readers handing its data over (io_lock) */
	bool retired;	   /* out of the window: freed once unpinned */
	struct ra_piece *next;
};

struct pool_ra {
	struct ra_window w;
	struct ra_piece *pieces; /* ascending, contiguous up to w.end */
	uint64_t epoch;		 /* the f->ra_epoch the window is of */
	unsigned int inflight;	 /* asked for, not done */
	/*
	 * Reads under way: one goes on after its data reached the kernel,
	 * which may then release the file (pool_ra_wait_idle waits).
	 */
	unsigned int readers;
};

/* States of a write-behind chunk. */
enum wb_state {
	WB_OPEN,     /* may still grow: later writes coalesce into it */
	WB_READY,    /* to be sent (again) by the I/O thread */
	WB_SENDING,  /* the I/O thread is sending it */
	WB_INFLIGHT, /* sent, no answer yet */
	WB_ANSWERED, /* answered: the I/O thread decides what next */
};

/* Data written by the application, on its way to the server. */
struct wb_chunk {
	struct pool_file *f;
	uint64_t off;
	size_t len, cap; /* cap: what data holds; grows up to max */
	uint8_t *data;
	enum wb_state state;
	ssize_t result;	       /* of the WRITE, once answered */
	int64_t opened_ns;     /* when its first byte came */
	struct pool_attempt a; /* resends like any call (attempt.c) */
	struct wb_chunk *next;
};

struct pool_wb {
	struct wb_chunk *head, *tail; /* in the order written */
	size_t pending;		      /* bytes queued or in flight */
	unsigned int inflight;	      /* chunks sent, not answered */
	int error;		      /* first failure, kept until reported */
	uint64_t next_off;	      /* where the last write queued ended */
};

/* A byte-range lock held on the server through a pool_file. */
struct pool_lock {
	uint64_t off, len;
	bool exclusive;
	struct pool_lock *next;
};

struct pool_file {
	struct pool_tree *tree;
	void *owner;
	pool_path_fn path_fn;
	char *path; /* as opened, for a reopen without path_fn */
	/* What the open asked for, to ask again at a reopen. */
	uint32_t desired_access, file_attributes, share_access, create_options;
	uint8_t oplock_level;	  /* asked for */
	uint8_t oplock_granted;	  /* held now (no lease) */
	bool has_lease_key;
	uint8_t lease_key[16];
	uint32_t lease_state; /* asked for, then granted */
	uint16_t lease_epoch;
	bool want_durable;
	uint8_t create_guid[16];
	/* The handle, valid on tree at generation gen. */
	struct smb2_fileid fid;
	uint64_t gen;
	bool durable; /* granted */
	bool lost;    /* could not be reopened: calls fail with lost_err */
	int lost_err; /* pool_lost_errno() of why */
	bool no_check; /* reopen without the same-file check (watches) */
	bool closing;
	/* For checking at a plain reopen that this is still our file. */
	uint64_t file_id;
	struct pool_lock *locks;
	unsigned int refs; /* the owner's, queued events', running calls' */
	struct pool_file *next, *prev;
	struct pool_node *node; /* set by the first successful open */
	struct pool_file *node_next;

	/* The data path, under io_lock (readahead.c, writeback.c). */
	pthread_mutex_t io_lock;
	pthread_cond_t io_cond; /* a READ or WRITE finished */
	bool uncached;		/* POOL_FILE_UNCACHED */
	/* Bumped (without a lock) to drop the read-ahead window. */
	atomic_uint_fast64_t ra_epoch;
	struct pool_ra ra;
	struct pool_wb wb;
	bool io_queued; /* on the I/O thread's queue (pool->io_lock) */
	struct pool_file *io_next;
	/*
	 * Write caching is held, so the open chunk may wait for more
	 * (writeback.c); kept with lease_state, read under io_lock.
	 */
	atomic_bool wb_may_hold;
	/* On the I/O thread's held list until held_until (pool->io_lock). */
	bool io_held;
	struct smb_timed held;
	struct pool_file *held_next; /* a chain of due files */
};

/* A directory watch (watch.c). */
struct pool_watch {
	struct smb_pool *pool;
	struct pool_tree *tree;
	struct pool_file *dir; /* closed and gone once stopped */
	void *owner;
	uint32_t filter;
	unsigned int refs; /* the owner's, a pending request's, events' */
	bool armed;	   /* a CHANGE_NOTIFY is outstanding */
	bool stopped;
	struct pool_watch *next, *prev;
	/* events.c: the event thread's, and the arm list (ev_lock). */
	int64_t armed_ns; /* when the event thread last armed it */
	struct smb_timed arm;	   /* on the arm list */
	struct pool_watch *arm_next; /* a chain of due watches */
	bool on_arm_list;
};

struct pool_event_item {
	struct pool_event ev;
	struct pool_file *file;	     /* referenced, or NULL */
	struct pool_watch *watch;    /* referenced, or NULL */
	struct smb_notify_result *notify; /* owned, or NULL */
	struct pool_event_item *next;
};

/* The pool's own counters (the connections keep theirs in conn). */
struct pool_counters {
	atomic_ullong bytes_read, bytes_written;
	atomic_ullong reconnects, files_lost;
	atomic_ullong leases_granted, leases_broken;
	atomic_ullong oplocks_granted, oplocks_broken;
	atomic_ullong notify_events;
};

struct smb_pool {
	struct smb_pool_config cfg; /* strings are not kept: see servers */
	struct smb_conn_stats conn_stats; /* every connection's */
	struct pool_counters count;
	int request_timeout_ms;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC */
	struct pool_server *servers;
	bool shutdown;
	struct pool_watch *watches; /* under lock */

	/* The monitor thread: echoes and repairs (recover.c). */
	pthread_t monitor;
	bool monitor_started;
	atomic_int stop; /* the monitor thread's interrupt flag */

	/* Events (events.c), under ev_lock. */
	pthread_mutex_t ev_lock;
	pthread_cond_t ev_cond;
	struct pool_event_item *ev_head, *ev_tail;
	struct smb_timed_list arm_list; /* watches to arm again */
	pool_event_fn ev_fn;
	void *ev_arg;
	bool ev_stop;
	bool ev_in_handler; /* ev_fn is running; ev_cond when it returns */
	pthread_t ev_thread;
	bool ev_started;

	/* The I/O thread (writeback.c), under io_lock. */
	uint64_t readahead; /* bytes per sequential reader */
	pthread_mutex_t io_lock;
	pthread_cond_t io_cond;
	struct pool_file *io_head, *io_tail; /* files with work for it */
	struct ra_piece *io_dropped;	     /* READs to let go of */
	struct smb_timed_list io_held; /* open chunks waiting */
	unsigned int io_requests; /* async READs and WRITEs not done */
	bool io_stop;
	pthread_t io_thread;
	bool io_started;
	atomic_int io_intr; /* the I/O thread's interrupt flag */
};

/* --- pool.c --- */
int64_t pool_now_ns(void);
/*
 * A condition variable on CLOCK_MONOTONIC, for timed waits with
 * pool_poll_deadline (pool->cond, ev_cond, io_cond, a file's io_cond).
 */
int pool_cond_init(pthread_cond_t *cond);
/* Deadline for a timed wait on pool->cond, at most POOL_POLL_MS away. */
void pool_poll_deadline(struct timespec *ts, int64_t until_ns);
/* Logs on to srv: a new channel, or -errno with err filled. */
int pool_chan_open(struct pool_server *srv, struct pool_chan **out, char *err,
		   size_t errlen);
void pool_chan_get(struct pool_chan *ch);	/* pool->lock held */
void pool_chan_put(struct smb_pool *p, struct pool_chan *ch); /* not held */
void pool_file_get(struct pool_file *f);	/* pool->lock held */
/* Frees f and what it holds, when nothing uses it any more. */
void pool_file_free(struct pool_file *f);
void pool_file_put(struct smb_pool *p, struct pool_file *f); /* not held */
/* Server time (FILETIME) as estimated on ch's clock, now. */
uint64_t pool_chan_server_time(const struct pool_chan *ch);

/* --- recover.c --- */
int pool_monitor_start(struct smb_pool *p);
void pool_monitor_stop(struct smb_pool *p);
/*
 * A call on ch (of tree t, may be NULL) failed in a way repair fixes;
 * asks the monitor thread for it.  Reports on a channel that was
 * replaced meanwhile are ignored.  pool->lock held.
 */
void pool_request_repair(struct pool_server *srv, struct pool_chan *ch,
			 struct pool_tree *t, enum pool_repair what);
/* Reader thread callback of every channel's connection. */
void pool_on_disconnect(void *arg, int err);

/* --- attempt.c --- */

void pool_attempt_init(struct pool_attempt *a, struct pool_tree *pt,
		       struct pool_file *pf);
bool pool_attempt_next(struct pool_attempt *a, int *rc);
/*
 * The same without waiting: true, with the reference taken, when the
 * server and the file can be used right now (read-ahead, which is not
 * worth waiting for); then pool_attempt_done must follow.
 */
bool pool_attempt_now(struct pool_attempt *a);
int pool_attempt_done(struct pool_attempt *a, int rc);
/* The repair an outcome asks for (chan's connection state decides). */
enum pool_repair pool_classify(struct pool_chan *ch, int rc);

/* --- events.c --- */
int pool_events_start(struct smb_pool *p);
void pool_events_stop(struct smb_pool *p);
/* Queues ev; file (may be NULL) is referenced until it is handled. */
void pool_event_post(struct smb_pool *p, const struct pool_event *ev,
		     struct pool_file *file);
/* Reader thread callback of every channel's connection. */
void pool_on_break(void *arg, const uint8_t *msg, size_t len);
/* Queues a notification of w, taking r (pool->lock not needed). */
void pool_event_post_notify(struct smb_pool *p, struct pool_watch *w,
			    struct smb_notify_result *r);

/* --- watch.c --- */
void pool_watch_get(struct pool_watch *w); /* pool->lock held */
void pool_watch_put(struct pool_watch *w); /* not held */
/* Sends CHANGE_NOTIFY again unless one is out (event thread). */
void pool_watch_arm(struct pool_watch *w);
/* After a repair: every watch gets an overflow event (lock not held). */
void pool_watches_repaired(struct smb_pool *p);

static inline struct smb_pool *pool_of_file(const struct pool_file *f)
{
	return f->tree->srv->pool;
}

/* --- readahead.c --- */
/*
 * pool_file_read_give for a cached file: from the window where it can,
 * else directly.
 */
ssize_t pool_ra_read_give(struct pool_file *f, size_t len, uint64_t off,
			  pool_give_fn give, void *arg);
/* Drops f's window; pieces on their way are let go of once answered
 * (io_lock held). */
void pool_ra_drop(struct pool_file *f);
/* Waits until none of f's READs is on its way (before its CLOSE). */
void pool_ra_wait_idle(struct pool_file *f);
/* Releases a piece's channel and frees it (the I/O thread). */
void pool_ra_piece_free(struct ra_piece *p);

/* --- writeback.c --- */
int pool_io_start(struct smb_pool *p);
/* Waits for every READ and WRITE still out, then stops the thread. */
void pool_io_stop(struct smb_pool *p);
/* Counts the async READs and WRITEs out (pool_io_stop waits for them). */
void pool_io_request_start(struct smb_pool *p);
void pool_io_request_done(struct smb_pool *p);
/* Hands a read-ahead piece to the I/O thread to be freed (any thread). */
void pool_io_release_piece(struct smb_pool *p, struct ra_piece *piece);
/* Queues a write (see pool_file_write). */
ssize_t pool_wb_write(struct pool_file *f, pool_fill_fn fill, void *arg,
		      size_t len, uint64_t off);
/*
 * Waits until none of f's queued writes overlaps [off, off + len);
 * with take_error returns (and forgets) f's write error.  -EINTR when
 * the thread is interrupted.
 */
int pool_wb_drain(struct pool_file *f, uint64_t off, uint64_t len,
		  bool take_error);
/*
 * f's queued writes as one small open chunk (at most max bytes, none on
 * its way): taken out of the queue to go in the caller's compound, or
 * NULL.  pool_wb_taken_done() says how it went: the bytes the server
 * took (the rest goes as usual), -errno (the file's write error now), or
 * 0 when it was not written (it goes as usual).
 */
struct wb_chunk *pool_wb_take_small(struct pool_file *f, size_t max);
void pool_wb_taken_done(struct pool_file *f, struct wb_chunk *c,
			ssize_t written);
/* pool_wb_drain for every open file of f's server file but skip. */
int pool_node_drain(struct pool_file *f, uint64_t off, uint64_t len,
		    const struct pool_file *skip);
/*
 * f's server file is being written at [off, off + len) (or otherwise
 * changed, len 0): every handle's read-ahead goes and the known size
 * follows.
 */
void pool_node_wrote(struct pool_file *f, uint64_t off, uint64_t len);

/* --- file_ops.c --- */
/* A READ (or several, for a long len) now, resent after repairs. */
ssize_t pool_file_read_direct(struct pool_file *f, void *buf, size_t len,
			      uint64_t off);
/*
 * Opens f again on tree after a repair (monitor thread), into *res;
 * -errno when the file must be given up as lost.
 */
int pool_file_reopen(struct pool_file *f, struct smb_tree *tree,
		     uint64_t loss_time, struct smb_open_result *res);
/*
 * What the calls of a file that could not be reopened fail with: the
 * refusal itself when the server no longer grants the access (the share
 * turned read-only, say), else -EIO.
 */
static inline int pool_lost_errno(int reopen_rc)
{
	return reopen_rc == -EACCES || reopen_rc == -EROFS ? reopen_rc : -EIO;
}
/* Makes res f's handle at generation gen (pool->lock held). */
void pool_file_reopened(struct pool_file *f, const struct smb_open_result *res,
			uint64_t gen);

#endif
