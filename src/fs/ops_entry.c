// SPDX-License-Identifier: GPL-2.0-or-later
/* FUSE: init/destroy, lookup, forget, getattr, statfs, access. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "smbfs.h"

/* Largest READ/WRITE the kernel sends us (FUSE allows up to 1 MiB). */
#define SMBFS_MAX_IO (1u << 20)
/* Asynchronous requests (read-ahead, direct I/O) the kernel keeps out. */
#define SMBFS_MAX_BACKGROUND 64

void smbfs_op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct smbfs *fs = userdata;
	struct smb_session_info si;
	uint32_t wmax;

	pool_session_get_info(fs->tree, &si);
	wmax = fs->cfg.wsize ? fs->cfg.wsize : si.max_write;
	if (wmax > SMBFS_MAX_IO)
		wmax = SMBFS_MAX_IO;
	conn->max_write = wmax;
	/*
	 * max_readahead stays what the kernel offered, the most it takes
	 * (its backing device's read-ahead, 128 KiB unless raised in
	 * /sys/class/bdi); the pool reads further ahead by itself.  Writes
	 * return as soon as the pool queued them, so many may be under way
	 * at once: room for them, and for reads, before the kernel holds
	 * back (its defaults are 12 and 9).
	 */
	conn->max_background = SMBFS_MAX_BACKGROUND;
	conn->congestion_threshold = SMBFS_MAX_BACKGROUND * 3 / 4;
	if (conn->capable & FUSE_CAP_ASYNC_READ)
		conn->want |= FUSE_CAP_ASYNC_READ;
	/* open(O_TRUNC) reaches us, so one CREATE can overwrite. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	if (!fs->cfg.nobrl) {
		if (conn->capable & FUSE_CAP_POSIX_LOCKS)
			conn->want |= FUSE_CAP_POSIX_LOCKS;
		if (conn->capable & FUSE_CAP_FLOCK_LOCKS)
			conn->want |= FUSE_CAP_FLOCK_LOCKS;
	}
	/*
	 * Another client may change a file: when the size or mtime the
	 * server reports moves, the kernel drops its cached pages.
	 */
	if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA)
		conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	/* Writeback caching would hide other clients' changes. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

void smbfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *dir = fs_inode_or_reply(req, parent);
	struct fuse_entry_param e;
	struct smb_stat st;
	int rc;

	if (!dir)
		return;
	rc = fs_lookup_child(fs, dir, name, &st, NULL);
	if (rc == -ENOENT || rc == -EEXIST || rc == -EINVAL ||
	    rc == -EILSEQ) {
		/*
		 * A negative entry: nothing by this exact name.  Names SMB
		 * cannot hold cannot exist on the server either.
		 */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = rc == -ENOENT ? fs->cfg.attr_timeout : 0;
		fuse_reply_entry(req, &e);
		return;
	}
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	fs_reply_entry(req, fs, dir, name, &st);
}

void smbfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = inode_get(fs, ino);

	if (in)
		inode_forget(fs, in, nlookup);
	fuse_reply_none(req);
}

void smbfs_op_forget_multi(fuse_req_t req, size_t count,
			   struct fuse_forget_data *forgets)
{
	struct smbfs *fs = fs_begin(req);
	size_t i;

	for (i = 0; i < count; i++) {
		struct smbfs_inode *in = inode_get(fs, forgets[i].ino);

		if (in)
			inode_forget(fs, in, forgets[i].nlookup);
	}
	fuse_reply_none(req);
}

void smbfs_op_getattr(fuse_req_t req, fuse_ino_t ino,
		      struct fuse_file_info *fi)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	struct smbfs_handle *h = fs_handle_from_fi(fi);
	struct smbfs_handle *lent;
	struct stat stbuf;
	bool is_dir, unlinked;
	int rc = -ENOENT;

	if (!in)
		return;
	/* A lookup's answer may be storing new attributes meanwhile. */
	pthread_mutex_lock(&fs->lock);
	is_dir = in->is_dir;
	pthread_mutex_unlock(&fs->lock);
	/*
	 * A read lease means nobody else changed the file: what we know is
	 * current.  Otherwise an open file is asked through a handle (it
	 * still works after the file was unlinked; fstat comes without fi),
	 * and anything else through the cache.
	 */
	if (!is_dir && fs_inode_leased(fs, in, SMB2_LEASE_READ_CACHING)) {
		atomic_fetch_add(&fs->attr_lease_hits, 1);
		rc = 0;
	}
	else if (!is_dir && h && h->file) {
		rc = fs_refresh_attr_file(fs, in, h->file);
	} else if (!is_dir &&
		   inode_handle_lend(fs, in, false, &lent) == 0) {
		rc = fs_refresh_attr_file(fs, in, lent->file);
		inode_handle_return(fs, lent);
	}
	/* No handle, or it was closed meanwhile: go by the path. */
	pthread_mutex_lock(&fs->lock);
	unlinked = in->unlinked;
	pthread_mutex_unlock(&fs->lock);
	if (rc < 0 && !unlinked)
		rc = fs_refresh_attr(fs, in);
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	attr_fill(fs, in, &stbuf);
	pthread_mutex_unlock(&fs->lock);
	fuse_reply_attr(req, &stbuf, fs->cfg.attr_timeout);
}

void smbfs_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct smbfs *fs = fs_begin(req);
	struct smb_fs_size sz;
	struct statvfs sv;
	int rc = pool_tree_statfs(fs->tree, &sz);
	uint64_t unit;

	(void)ino;
	if (rc < 0) {
		fs_reply_err(req, rc);
		return;
	}
	unit = (uint64_t)sz.sectors_per_unit * sz.bytes_per_sector;
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = unit ? unit : 4096;
	sv.f_frsize = sv.f_bsize;
	sv.f_blocks = sz.total_units;
	sv.f_bfree = sz.actual_avail_units;
	sv.f_bavail = sz.caller_avail_units;
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

/*
 * Without default_permissions the server decides at open time; access()
 * answers like cifs.ko from the presented mode bits, and W_OK on a
 * read-only mount is EROFS.
 */
void smbfs_op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	struct stat stbuf;
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	mode_t bits;

	if (!in)
		return;
	if ((mask & W_OK) && fs->cfg.read_only) {
		fuse_reply_err(req, EROFS);
		return;
	}
	pthread_mutex_lock(&fs->lock);
	attr_fill(fs, in, &stbuf);
	pthread_mutex_unlock(&fs->lock);
	/* noperm: the server alone decides, at open time. */
	if (ctx->uid == 0 || mask == F_OK || fs->cfg.noperm) {
		fuse_reply_err(req, 0);
		return;
	}
	bits = ctx->uid == stbuf.st_uid ? (stbuf.st_mode >> 6) & 7
	       : ctx->gid == stbuf.st_gid ? (stbuf.st_mode >> 3) & 7
					  : stbuf.st_mode & 7;
	fuse_reply_err(req, ((mask & bits) == (mask & 7)) ? 0 : EACCES);
}
