/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FUSE filesystem: per-mount state, the inode table and the helpers
 * the FUSE operation files share.  Operations reach the mount through
 * fuse_req_userdata(); nothing here is global.
 */
#ifndef SMBFS_FS_SMBFS_H
#define SMBFS_FS_SMBFS_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "smbfs/client.h"

/* How the filesystem presents the share (from the mount options). */
struct smbfs_config {
	uid_t uid;
	gid_t gid;
	mode_t file_mode; /* permission bits for files, e.g. 0755 */
	mode_t dir_mode;
	bool read_only;
	bool serverino; /* inode numbers from the server's file ids */
	bool mfsymlinks; /* Minshall+French symlink files */
	bool nocase; /* accept the server's case-insensitive lookups */
	bool mapposix; /* map \ : * ? " < > | and trailing . / space */
	bool nobrl; /* byte-range locks stay local */
	double attr_timeout; /* seconds attributes and entries are cached */
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
	bool is_dir;
	bool unlinked; /* renamed away to a hidden name while open */
	struct smb_stat st;
	double st_expires; /* monotonic seconds */
	struct smbfs_inode *hash_next;
};

struct smbfs_handle {
	struct smbfs_inode *inode;
	struct smb2_fileid fid;
	int flags; /* open(2) flags */
	bool append;
};

struct smbfs {
	struct smb_session *session;
	struct smb_tree *tree;
	struct smbfs_config cfg;
	struct fuse_session *se;
	pthread_mutex_t lock; /* the inode table */
	struct smbfs_inode **ino_hash;
	size_t ino_hash_size;
	size_t ino_count;
	fuse_ino_t next_ino; /* for noserverino and id collisions */
	struct smbfs_inode *root;
	uint64_t hidden_seq; /* for names of unlinked-but-open files */
};

static inline struct smbfs *smbfs_from_req(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* --- src/fs/fs.c --- */
int smbfs_init_state(struct smbfs *fs, struct smb_session *s,
		     struct smb_tree *t, const struct smbfs_config *cfg);
void smbfs_free_state(struct smbfs *fs);
const struct fuse_lowlevel_ops *smbfs_ops(void);

/* --- src/fs/inode.c --- */
struct smbfs_inode *inode_get(struct smbfs *fs, fuse_ino_t ino);
/* Finds or adds the child entry and takes one kernel lookup reference. */
struct smbfs_inode *inode_remember(struct smbfs *fs,
				   struct smbfs_inode *parent,
				   const char *name, const struct smb_stat *st);
void inode_forget(struct smbfs *fs, struct smbfs_inode *in, uint64_t n);
void inode_move(struct smbfs *fs, struct smbfs_inode *in,
		struct smbfs_inode *new_parent, const char *new_name);
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

/* --- src/fs/attr.c --- */
void attr_fill(const struct smbfs *fs, const struct smbfs_inode *in,
	       struct stat *stbuf);
uint64_t attr_unix_to_filetime(const struct timespec *ts);
void attr_filetime_to_unix(uint64_t ft, struct timespec *ts);

#endif
