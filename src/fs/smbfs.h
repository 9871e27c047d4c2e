/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FUSE filesystem: per-mount state, the inode table and the helpers
 * the FUSE operation files share.  Operations reach the mount through
 * fuse_req_userdata(); nothing here is global.
 */
#ifndef SMBFS_FS_SMBFS_H
#define SMBFS_FS_SMBFS_H

#define FUSE_USE_VERSION 314
#include <errno.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "smbfs/cache.h"
#include "smbfs/log.h"
#include "smbfs/pool.h"
#include "smbfs/timed_list.h"

/* cache=: how the kernel page cache is used (as in cifs.ko). */
enum smbfs_cache_mode {
	SMBFS_CACHE_MODE_STRICT, /* cached while open, dropped at each open */
	SMBFS_CACHE_MODE_LOOSE, /* kept across opens */
	SMBFS_CACHE_MODE_NONE, /* every read and write goes to the server */
};

/* How the filesystem presents the share (from the mount options). */
struct smbfs_config {
	enum smbfs_cache_mode cache;
	bool noperm; /* no client-side permission checks in access() */
	uid_t uid;
	gid_t gid;
	mode_t file_mode; /* permission bits for files, e.g. 0755 */
	mode_t dir_mode;
	bool read_only;
	bool serverino; /* inode numbers from the server's file ids */
	bool mfsymlinks; /* Minshall+French symlink files */
	/*
	 * Unix metadata (unix_attr.c): cifsacl shows modes and owners from
	 * security descriptors and writes them on chmod/chown; modefromsid
	 * and idsfromsid choose cifs.ko's S-1-5-88 ACEs and owners.
	 */
	bool cifsacl;
	bool modefromsid;
	bool idsfromsid;
	/* sfu: FIFOs, sockets, devices and the setuid/setgid/sticky bits. */
	bool sfu;
	bool nocase; /* accept the server's case-insensitive lookups */
	bool mapposix; /* map \ : * ? " < > | and trailing . / space */
	bool nobrl; /* byte-range locks stay local */
	double attr_timeout; /* seconds attributes and entries are cached */
	uint32_t acregmax_ms, acdirmax_ms; /* the cache's lifetimes */
	bool nolease;	      /* no leases or oplocks: nothing to defer */
	uint32_t closetimeo_ms; /* a last close is deferred this long */
	unsigned int dirwatch;	/* directories watched for changes */
	uint32_t rsize, wsize; /* 0: negotiated maximum */
	const char *subdir; /* share-relative directory mounted as root */
};

struct smbfs_inode {
	fuse_ino_t ino;
	uint64_t server_id; /* 0 when unknown */
	struct smbfs_inode *parent; /* NULL for the root */
	char *name; /* Linux name (UTF-8) within parent; "" for root */
	uint64_t nlookup; /* kernel references (lookup/forget) */
	unsigned int refs; /* internal references (children, handles) */
	unsigned int open_count;
	struct smbfs_handle *handles; /* open files of this inode */
	bool is_dir;
	bool unlinked; /* renamed away to a hidden name while open */
	/*
	 * MS-SMB2 3.2.4.3.8: one lease key for every open of the inode, so
	 * that this client's own opens never break each other's lease.  A
	 * key belongs to one name (3.3.5.9.8): a new one comes with a name
	 * the inode follows to (a hard link, a rename elsewhere).
	 */
	uint8_t lease_key[16];
	/*
	 * The lease (SMB2_LEASE_*_CACHING) this client holds on the file
	 * through its open or deferred handles: what it may cache.  Kept by
	 * the open, close and break paths, under fs->lock.
	 */
	uint32_t lease_state;
	/*
	 * cache=strict: the change time and size the kernel's cached pages
	 * were read at (valid_pages); an open that finds the same keeps them.
	 */
	bool pages_valid;
	uint64_t pages_ctime, pages_size;
	struct smbfs_inode *open_next, *open_prev; /* fs->open_inodes */
	/* Byte-range locks of this client's processes (ops_lock.c). */
	struct fs_inode_locks *locks;
	struct smb_stat st;
	/* mfsymlinks: length of the link target when the file is one. */
	size_t symlink_target_len;
	/*
	 * cifsacl, directories: the descriptor the last regular file [0] and
	 * the last directory [1] this mount created here were left with,
	 * and whether the group is sent (unix_attr.c); NULL until one was.
	 * Under fs->lock.
	 */
	struct smb_sd *new_sd[2];
	bool new_sd_group[2];
	struct smbfs_inode *hash_next; /* by ino */
	struct smbfs_inode *name_next; /* by (parent, name) */
	bool name_hashed;
};

struct smbfs_handle {
	struct smbfs *fs;
	struct smbfs_inode *inode; /* under fs->lock while being created */
	/* Until inode is set: the path being created, for the pool. */
	const char *creating_path;
	struct pool_file *file; /* NULL for a directory handle */
	int flags; /* open(2) flags */
	bool append;
	bool closing;	   /* its SMB CLOSE is under way: not to be lent */
	/* Released by the kernel, kept open for a reuse (handle lease). */
	bool deferred;
	/*
	 * CLOCK_MONOTONIC ns; 0 until the handle's first deferred close.
	 * Not moved by later ones: a file reopened again and again is
	 * still opened anew every closetimeo, so that what the lease does
	 * not cover (a delete by another client) shows within that time.
	 */
	int64_t deferred_until;
	/* On fs->deferred, due at deferred_until, while deferred. */
	struct smb_timed dl;
	unsigned int lent; /* borrowers of file, under fs->lock */
	struct smbfs_handle *inode_next; /* in->handles, under fs->lock */
	atomic_bool published; /* see fs_handle_publish */
};

/*
 * The kernel passes fi->fh to later requests, on other threads, only
 * after our reply to the open: an order neither the C memory model nor
 * ThreadSanitizer can see through /dev/fuse.  A handle is published with
 * a release store just before that reply and taken with an acquire load,
 * so whatever the open set up is visible to the requests that use it.
 */
static inline void fs_handle_publish(struct smbfs_handle *h)
{
	atomic_store_explicit(&h->published, true, memory_order_release);
}

static inline struct smbfs_handle *
fs_handle_from_fi(const struct fuse_file_info *fi)
{
	struct smbfs_handle *h =
		fi ? (struct smbfs_handle *)(uintptr_t)fi->fh : NULL;

	if (h)
		(void)atomic_load_explicit(&h->published,
					   memory_order_acquire);
	return h;
}

struct smbfs {
	struct smb_pool *pool;
	struct pool_tree *tree;
	struct smbfs_config cfg;
	struct fuse_session *se;
	pthread_mutex_t lock; /* the inode table */
	/* A handle's SMB CLOSE finished, or a borrower gave it back. */
	pthread_cond_t closed;
	struct smbfs_inode **ino_hash;
	struct smbfs_inode **name_hash;
	size_t ino_hash_size; /* both tables, a power of two */
	fuse_ino_t next_ino; /* for noserverino and id collisions */
	struct smbfs_inode *root;
	uint64_t hidden_seq; /* for names of unlinked-but-open files */
	struct smbfs_inode *open_inodes; /* with SMB handles, by open_next */
	struct smb_timed_list deferred; /* deferred handles, by dl */
	struct smb_cache *cache;
	/*
	 * cifsacl: the mount's own SID, learnt from the owner of a file it
	 * created (the server's account SID has no Unix id of its own); it
	 * stands for cfg.uid.  Under lock.
	 */
	bool have_self_sid;
	struct smb_sid self_sid;
	/* The service thread: kernel invalidations, deferred closes. */
	struct fs_service *service;
	atomic_ullong deferred_reused, invalidations, attr_lease_hits;
};

static inline struct smbfs *smbfs_from_req(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/*
 * Starts serving req on this worker thread: a signal to the program that
 * made the request (FUSE_INTERRUPT) then ends the thread's waits for the
 * server with EINTR (see pool_thread_set_interrupt).  Returns the mount.
 */
struct smbfs *fs_begin(fuse_req_t req);

/* --- src/fs/events.c --- */
/* Server events: breaks, directory changes (the pool's event thread). */
void fs_on_pool_event(void *arg, const struct pool_event *ev);
/* Directory changes the cache heard of (the pool's event thread). */
void fs_on_dir_change(void *arg, const char *dir, const char *name,
		      uint32_t action);
int fs_service_start(struct smbfs *fs);
void fs_service_stop(struct smbfs *fs);
/* Wakes the service thread (a deferred close became due). */
void fs_service_kick(struct smbfs *fs);
/* What an oplock level lets a client cache, as SMB2_LEASE_* bits. */
uint32_t fs_oplock_caching(uint8_t level);

/* Whether in's lease lets us cache what bits (SMB2_LEASE_*) say. */
static inline bool fs_inode_leased(struct smbfs *fs, struct smbfs_inode *in,
				   uint32_t bits)
{
	bool leased;

	pthread_mutex_lock(&fs->lock);
	leased = (in->lease_state & bits) == bits;
	pthread_mutex_unlock(&fs->lock);
	return leased;
}

/* --- src/fs/deferred.c: deferred close (handle leases) --- */
/* At release: keeps h open for closetimeo if its lease allows; true if so. */
bool fs_defer_close(struct smbfs *fs, struct smbfs_handle *h);
/* A deferred handle of in that an open with flags may take over, or NULL. */
struct smbfs_handle *fs_reuse_deferred(struct smbfs *fs,
				       struct smbfs_inode *in, int flags);
/* Closes in's deferred handles now (a break, an unlink, a rename). */
void fs_close_deferred(struct smbfs *fs, struct smbfs_inode *in);
/* Closes every deferred handle (before renaming a directory, at unmount). */
void fs_close_all_deferred(struct smbfs *fs);
/* Closes those whose time is up; returns ns until the next one, or 0. */
int64_t fs_close_due(struct smbfs *fs);

/* --- src/fs/stats.c --- */
/* The extended attribute of the root that holds the statistics. */
#define FS_STATS_XATTR "smbfs.stats"
/* The statistics as "key value" lines (malloc'd), or NULL. */
char *fs_stats_format(struct smbfs *fs, size_t *len);

/* --- src/fs/fs.c --- */
/* Stops the threads and closes what is kept open; before the pool goes. */
void smbfs_shutdown(struct smbfs *fs);
int smbfs_init_state(struct smbfs *fs, struct smb_pool *pool,
		     struct pool_tree *t, const struct smbfs_config *cfg);
void smbfs_free_state(struct smbfs *fs);
void smbfs_ops_fill(const struct smbfs_config *cfg,
		    struct fuse_lowlevel_ops *ops);
/*
 * fuse_reply_err with a positive errno from a negative one.  A response
 * the client refused as malformed (EBADMSG) or against the protocol
 * (EPROTO) was logged where it was refused; to programs it is an I/O
 * error, as with any other server failure.
 */
static inline void fs_reply_err(fuse_req_t req, int neg_errno)
{
	int e = neg_errno < 0 ? -neg_errno : neg_errno;

	fuse_reply_err(req, e == EBADMSG || e == EPROTO ? EIO : e);
}
/* EACCES on a share exported read-only becomes EROFS. */
int fs_share_errno(struct smbfs *fs, int rc);
/* Fetches the inode for ino or replies ESTALE and returns NULL. */
struct smbfs_inode *fs_inode_or_reply(fuse_req_t req, fuse_ino_t ino);

/*
 * FUSE operations, one group per file.  Each replies exactly once.
 */
/* src/fs/ops_entry.c */
void smbfs_op_init(void *userdata, struct fuse_conn_info *conn);
void smbfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void smbfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void smbfs_op_forget_multi(fuse_req_t req, size_t count,
			   struct fuse_forget_data *forgets);
void smbfs_op_getattr(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi);
void smbfs_op_statfs(fuse_req_t req, fuse_ino_t ino);
void smbfs_op_access(fuse_req_t req, fuse_ino_t ino, int mask);
/* src/fs/ops_attr.c */
/* The DOS attributes a mode leaves: READONLY follows the owner write bit. */
uint32_t setattr_dos_attributes(uint32_t current, bool is_dir, mode_t mode);
void smbfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		      int to_set, struct fuse_file_info *fi);
/* src/fs/ops_dir.c */
void smbfs_op_opendir(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi);
void smbfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi);
void smbfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi);
void smbfs_op_releasedir(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi);
void smbfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		       struct fuse_file_info *fi);
void smbfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode);
void smbfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
/* src/fs/ops_ns.c */
/* Unlinked-but-open files live under this prefix; readdir hides it. */
#define HIDDEN_PREFIX ".smbfs-deleted-"
void smbfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void smbfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		     fuse_ino_t newparent, const char *newname,
		     unsigned int flags);
void smbfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		   const char *newname);
void smbfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		      const char *name);
void smbfs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void smbfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode, dev_t rdev);
/*
 * Deletes path (FILE_DIRECTORY_FILE or FILE_NON_DIRECTORY_FILE in
 * options) the POSIX way: a DOS read-only attribute, which Windows
 * semantics let block the delete, is cleared and the delete tried again;
 * the attribute is put back if that fails too.
 */
int fs_delete_path(struct smbfs *fs, const char *path, uint32_t options);
/* src/fs/ops_file.c */
/* The final close of a file handle: SMB CLOSE, attributes, free. */
void fs_file_close(struct smbfs *fs, struct smbfs_handle *h);
/* fs_file_close() of n handles (at most POOL_CLOSE_MANY_MAX) at once. */
void fs_file_close_many(struct smbfs *fs, struct smbfs_handle **h, int n);
void smbfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void smbfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, struct fuse_file_info *fi);
void smbfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi);
void smbfs_op_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *buf,
			off_t off, struct fuse_file_info *fi);
void smbfs_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void smbfs_op_release(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi);
void smbfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		    struct fuse_file_info *fi);
void smbfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			off_t offset, off_t length, struct fuse_file_info *fi);
void smbfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in,
			      off_t off_in, struct fuse_file_info *fi_in,
			      fuse_ino_t ino_out, off_t off_out,
			      struct fuse_file_info *fi_out, size_t len,
			      int flags);
void smbfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		    struct fuse_file_info *fi);
/* src/fs/ops_xattr.c */
void smbfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       const char *value, size_t size, int flags);
void smbfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size);
void smbfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void smbfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);
/*
 * Byte-range locks (src/fs/ops_lock.c) are kept per inode; each handle
 * has a small lock state ops_file.c allocates and frees with it.
 */
/*
 * The inode's write lease is being broken (or its last leased handle
 * closes): byte-range locks kept locally under it go to the server now,
 * before the break is acknowledged (src/fs/ops_lock.c).  Call it once
 * in->lease_state holds no SMB2_LEASE_WRITE_CACHING any more (lock
 * requests from then on go to the server themselves), without fs->lock
 * held.  0, or -EAGAIN when a lock could not be sent (logged).
 */
int fs_locks_lease_break(struct smbfs *fs, struct smbfs_inode *in);
struct fs_lock_state;
struct fs_lock_state *fs_lock_state_new(void);
void fs_lock_state_free(struct fs_lock_state *ls);
struct fs_lock_state *fs_handle_lock_state(struct smbfs_handle *h);
/* close(2) by owner (FUSE flush): its POSIX locks on h's file go. */
void fs_locks_release_owner(struct smbfs_handle *h, uint64_t owner);
/*
 * The open file description of h ends (FUSE release), before its SMB
 * CLOSE: its flock and OFD locks go, and if the file's server locks go
 * through h they move to another open handle of the file.
 */
void fs_locks_handle_release(struct smbfs_handle *h);
/* src/fs/ops_lock.c */
void smbfs_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock);
void smbfs_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock, int sleep);
void smbfs_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    int op);

/* --- src/fs/inode.c --- */
struct smbfs_inode *inode_get(struct smbfs *fs, fuse_ino_t ino);
/* Finds or adds the child entry and takes one kernel lookup reference. */
struct smbfs_inode *inode_remember(struct smbfs *fs,
				   struct smbfs_inode *parent,
				   const char *name, const struct smb_stat *st);
void inode_forget(struct smbfs *fs, struct smbfs_inode *in, uint64_t n);
/* Records a rename: whatever was at the target is detached. 0/-ENOMEM. */
int inode_move(struct smbfs *fs, struct smbfs_inode *in,
	       struct smbfs_inode *new_parent, const char *new_name);
/*
 * A name of a file was removed: the link count a lease keeps drops.  in
 * may be NULL; then the file is found by its server id.
 */
void inode_link_dropped(struct smbfs *fs, struct smbfs_inode *in,
			uint64_t file_id);
/* After unlink/rmdir: the name no longer leads to the inode. */
void inode_unlink_name(struct smbfs *fs, struct smbfs_inode *parent,
		       const char *name);
/*
 * Whether the inode known at parent/name (the server's file file_id,
 * when not 0) has its Unix view (cifsacl): a listing entry of it then
 * shows that view (smb_stat_keep_unix), as a lookup of it would.
 */
bool inode_child_has_unix(struct smbfs *fs, struct smbfs_inode *parent,
			  const char *name, uint64_t file_id);
/* The inode currently known at parent/name, or NULL. */
struct smbfs_inode *inode_find_child(struct smbfs *fs,
				     struct smbfs_inode *parent,
				     const char *name);
/*
 * The inode known by the server's file id, under whichever of its names
 * (hard links), or NULL.  Like inode_find_child, only for a file the
 * kernel holds for the call.
 */
struct smbfs_inode *inode_find_server_id(struct smbfs *fs, uint64_t file_id);
/* Stores fresh attributes (under the table lock). */
void inode_set_stat(struct smbfs *fs, struct smbfs_inode *in,
		    const struct smb_stat *st);
/* Open handles keep an inode alive after the kernel forgot it. */
void inode_open_get(struct smbfs *fs, struct smbfs_inode *in);
void inode_open_put(struct smbfs *fs, struct smbfs_inode *in);
/*
 * The open files of an inode, so operations that reach us without a
 * file handle (fstat, futimens) can still act through one: needed for
 * a file that was unlinked while open, and for times, which the server
 * only keeps when set through the handle that wrote (MS-FSA 2.1.5.14.2).
 * inode_handle_add also counts the open.  Releasing is three steps:
 * inode_handle_closing before the SMB CLOSE, inode_handle_remove after
 * it, then inode_open_put.
 */
/*
 * The open inode holding lease key, or the one with an open handle on
 * f, with an open reference (inode_open_put); NULL if none.
 */
struct smbfs_inode *inode_by_lease_key(struct smbfs *fs, const uint8_t key[16]);
struct smbfs_inode *inode_by_file(struct smbfs *fs, struct pool_file *f);
/*
 * The inode a share path names and, if name is not NULL, its child
 * called name (SMB spellings); 0 for what the table does not know.
 */
void inode_ino_of_path(struct smbfs *fs, const char *dir, const char *name,
		       fuse_ino_t *dir_ino, fuse_ino_t *child_ino,
		       char **linux_name);
/* The names of the known children of the inode numbered dir_ino. */
/*
 * Whether the kernel knows child name of dir_ino as a directory; then
 * its server file id and SMB path (to be freed).
 */
bool inode_child_dir(struct smbfs *fs, fuse_ino_t dir_ino, const char *name,
		     uint64_t *file_id, char **smb_path);
int inode_children(struct smbfs *fs, fuse_ino_t dir_ino, char ***names,
		   size_t *n);
/*
 * Another client changed the file numbered ino: its cached pages are
 * stale unless a read lease covers them.  True when they are (dropped).
 */
bool inode_pages_stale(struct smbfs *fs, fuse_ino_t ino);
void inode_handle_add(struct smbfs *fs, struct smbfs_inode *in,
		      struct smbfs_handle *h);
/* Marks h closing and waits until nobody borrows it any more. */
void inode_handle_closing(struct smbfs *fs, struct smbfs_handle *h);
void inode_handle_remove(struct smbfs *fs, struct smbfs_inode *in,
			 struct smbfs_handle *h);
/*
 * Waits until no CLOSE of in's handles is in flight.  FUSE sends RELEASE
 * after close(2) has returned, so a time set by path right after close
 * could otherwise reach the server before that CLOSE, which would then
 * stamp its own time over it (MS-FSA 2.1.5.4).
 */
void inode_wait_closes(struct smbfs *fs, struct smbfs_inode *in);
/*
 * Lends an open handle of in (a writable one if asked) that is not
 * closing: *h stays open until inode_handle_return().  0 or -ENOENT.
 */
int inode_handle_lend(struct smbfs *fs, struct smbfs_inode *in, bool writable,
		      struct smbfs_handle **h);
void inode_handle_return(struct smbfs *fs, struct smbfs_handle *h);
/* The lease key opens of in use (a copy, taken under the lock). */
void inode_lease_key(struct smbfs *fs, struct smbfs_inode *in, uint8_t key[16]);
/* The key for creating parent/name: its inode's if known, else new. */
int inode_child_lease_key(struct smbfs *fs, struct smbfs_inode *parent,
			  const char *name, uint8_t key[16]);
/*
 * h, opened by a create with key, now belongs to in.  An inode with no
 * other open takes the key over, so its later opens share the lease.
 */
void inode_created(struct smbfs *fs, struct smbfs_inode *in,
		   struct smbfs_handle *h, const uint8_t key[16]);
int inode_table_init(struct smbfs *fs, const struct smb_stat *root_st);
void inode_table_free(struct smbfs *fs);
/* Share path of an inode ("" for the root) as malloc'd SMB form. */
char *inode_smb_path(struct smbfs *fs, struct smbfs_inode *in);
/* Share path of parent/name, name mapped for SMB; NULL + errno on error. */
char *inode_child_smb_path(struct smbfs *fs, struct smbfs_inode *parent,
			   const char *name, int *err);

/* --- src/fs/names.c --- */
/* Linux name -> SMB name (mapposix); -EINVAL/-ENAMETOOLONG/-ENOMEM. */
int name_to_smb(const char *name, bool mapposix, char **out);
/* SMB name -> Linux name; -EINVAL for names Linux cannot hold. */
int name_from_smb(const char *name, bool mapposix, char **out);

/* --- src/fs/lookup.c --- */
/*
 * Looks name up in parent on the server.  Returns 0 with *st filled,
 * -ENOENT when nothing by that name exists, -EEXIST when only a name
 * differing in case exists (unless nocase), or another -errno.
 * exact (may be NULL) receives the server's spelling (malloc'd).
 */
int fs_lookup_child(struct smbfs *fs, struct smbfs_inode *parent,
		    const char *name, struct smb_stat *st, char **exact);
/* The same, where the Unix view (cifsacl) may be missing from *st. */
int fs_lookup_child_entry(struct smbfs *fs, struct smbfs_inode *parent,
			  const char *name, struct smb_stat *st, char **exact);
/* Tells the cache what the inode's attributes are now. */
void fs_note_attr(struct smbfs *fs, struct smbfs_inode *in);
/* Refreshes an inode's attributes from the server (by path). */
int fs_refresh_attr(struct smbfs *fs, struct smbfs_inode *in);
/* The same through an open file (works after an unlink too). */
int fs_refresh_attr_file(struct smbfs *fs, struct smbfs_inode *in,
			 struct pool_file *f);
/* Stores attributes the server sent, keeping the id we know if it
 * sent none. */
void fs_store_stat(struct smbfs *fs, struct smbfs_inode *in,
		   const struct smb_stat *st);
/* Remembers the child and answers a lookup/create/mkdir with it. */
void fs_reply_entry(fuse_req_t req, struct smbfs *fs,
		    struct smbfs_inode *parent, const char *name,
		    const struct smb_stat *st);
void fs_entry_param(struct smbfs *fs, struct smbfs_inode *in,
		    struct fuse_entry_param *e);
/* Answers with a just-created entry whose symlink state is known. */
void fs_reply_new_entry(fuse_req_t req, struct smbfs *fs,
			struct smbfs_inode *dir, const char *name,
			const struct smb_stat *st, size_t symlink_len);

/* --- src/fs/symlink.c (mfsymlinks) --- */
#define MFSYMLINK_SIZE 1067
/* Reads path; 0 with *target when it is a Minshall+French symlink. */
int mfsymlink_read(struct smbfs *fs, const char *smb_path, char **target);
int mfsymlink_parse(const uint8_t *buf, size_t len, char **target);
int mfsymlink_format(const char *target, uint8_t buf[MFSYMLINK_SIZE]);

/* --- src/fs/unix_attr.c (cifsacl) --- */
/* The cache's unix_view: st's mode, uid and gid from m (and, with sfu,
 * the special bits from its EA and the type of a SYSTEM file). */
void fs_unix_view(void *arg, const char *path, const struct smb_stat_meta *m,
		  struct smb_stat *st);
/* The EA the view needs (sfu: SETFILEBITS), or NULL. */
const char *fs_unix_ea(const struct smbfs *fs);
/* Which template of a directory (struct smbfs_inode new_sd). */
enum fs_new_kind { FS_NEW_FILE, FS_NEW_DIR };
/*
 * A file or directory this mount just created with mode: learns the
 * mount's SID from its owner and writes the mode when the server chose
 * another one.  f (may be NULL: by path) must allow READ_CONTROL and
 * WRITE_DAC.  *st gets the Unix view.  0 or -errno (the file stays).
 */
int fs_unix_created(struct smbfs *fs, struct pool_file *f, const char *path,
		    mode_t mode, struct smb_stat *st, struct smb_sd *left);
/*
 * The same, where a failure leaves the new file with the server's mode
 * (logged): the file exists either way.  Notes the result in the cache.
 * With dir (the directory it was created in) the descriptor the file was
 * left with becomes dir's template for the next ones of its kind.
 */
void fs_unix_apply_created(struct smbfs *fs, struct smbfs_inode *dir,
			   struct pool_file *f, const char *path, mode_t mode,
			   struct smb_stat *st);
/*
 * The descriptor a new file or directory of mode in dir is to be created
 * with (SMB2_CREATE_SD_BUFFER), made from dir's template: *sd to send,
 * *full the descriptor it will then have.  1 when made (the caller frees
 * both), 0 when dir has no template yet or the mode needs more than a
 * descriptor, -errno.
 */
int fs_unix_new_sd(struct smbfs *fs, struct smbfs_inode *dir,
		   enum fs_new_kind kind, mode_t mode, struct smb_sd *sd,
		   struct smb_sd *full);
/* A file created with the descriptor full: its Unix view in *st (the
 * caller notes it in the cache). */
void fs_unix_created_with(struct smbfs *fs, const char *path, mode_t mode,
			  const struct smb_sd *full, struct smb_stat *st);
/* dir's inheritance may have changed: no template until the next create. */
void fs_unix_forget_template(struct smbfs *fs, struct smbfs_inode *dir,
			     enum fs_new_kind kind);
/*
 * A create that carried dir's template of kind failed with rc: when that
 * is how a server refuses the descriptor, the template goes and true
 * says to create again without one.
 */
bool fs_unix_new_sd_refused(struct smbfs *fs, struct smbfs_inode *dir,
			    enum fs_new_kind kind, int rc);
/* Frees an inode's templates (the inode is going away). */
void fs_unix_forget_templates(struct smbfs_inode *in);
/* chmod(2) / chown(2) ((uid_t)-1, (gid_t)-1: unchanged) by path. */
int fs_unix_chmod(struct smbfs *fs, const char *path, mode_t mode);
int fs_unix_chown(struct smbfs *fs, const char *path, uid_t uid, gid_t gid);

/* --- src/fs/attr.c --- */
void attr_fill(const struct smbfs *fs, const struct smbfs_inode *in,
	       struct stat *stbuf);
uint64_t attr_unix_to_filetime(const struct timespec *ts);
void attr_filetime_to_unix(uint64_t ft, struct timespec *ts);

#endif
