// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-mount state and the FUSE operation table.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"

static int fs_cache_start(struct smbfs *fs);

int smbfs_init_state(struct smbfs *fs, struct smb_pool *pool,
		     struct pool_tree *t, const struct smbfs_config *cfg)
{
	struct smb_stat root_st;
	const char *sub = cfg->subdir ? cfg->subdir : "";
	int rc;

	memset(fs, 0, sizeof(*fs));
	fs->pool = pool;
	fs->tree = t;
	fs->cfg = *cfg;
	if (pthread_mutex_init(&fs->lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&fs->closed, NULL)) {
		pthread_mutex_destroy(&fs->lock);
		return -ENOMEM;
	}
	rc = pool_path_stat(t, sub, &root_st);
	if (rc < 0)
		return rc;
	if (!(root_st.attributes & FILE_ATTRIBUTE_DIRECTORY))
		return -ENOTDIR;
	rc = inode_table_init(fs, &root_st);
	if (rc == 0)
		rc = fs_cache_start(fs);
	return rc;
}

/* The cache, the service thread, and the pool's events for us. */
static int fs_cache_start(struct smbfs *fs)
{
	struct smb_cache_config cc = {
		.file_ttl_ms = fs->cfg.acregmax_ms,
		.dir_ttl_ms = fs->cfg.acdirmax_ms,
		.nocase = fs->cfg.nocase,
		.max_watches = fs->cfg.dirwatch,
	};
	int rc = smb_cache_new(fs->tree, &cc, fs_on_dir_change, fs, &fs->cache);

	if (rc == 0)
		rc = fs_service_start(fs);
	if (rc == 0)
		smb_pool_set_event_handler(fs->pool, fs_on_pool_event, fs);
	return rc;
}

void smbfs_shutdown(struct smbfs *fs)
{
	if (fs->pool)
		smb_pool_set_event_handler(fs->pool, NULL, NULL);
	fs_service_stop(fs);
	if (fs->root)
		fs_close_all_deferred(fs);
	smb_cache_free(fs->cache);
	fs->cache = NULL;
}

void smbfs_free_state(struct smbfs *fs)
{
	inode_table_free(fs);
	pthread_cond_destroy(&fs->closed);
	pthread_mutex_destroy(&fs->lock);
}

/*
 * The interrupt flag of the request this worker thread serves.  Per
 * thread by nature: libfuse serves one request at a time on a thread,
 * and the pool reads the flag of the thread that waits.
 */
static __thread atomic_int fs_thread_interrupted;

static void fs_interrupted(fuse_req_t req, void *data)
{
	(void)req;
	atomic_store((atomic_int *)data, 1);
}

struct smbfs *fs_begin(fuse_req_t req)
{
	atomic_store(&fs_thread_interrupted, 0);
	pool_thread_set_interrupt(&fs_thread_interrupted);
	/* Calls fs_interrupted at once if the kernel already asked. */
	fuse_req_interrupt_func(req, fs_interrupted, &fs_thread_interrupted);
	return fuse_req_userdata(req);
}

struct smbfs_inode *fs_inode_or_reply(fuse_req_t req, fuse_ino_t ino)
{
	struct smbfs_inode *in = inode_get(smbfs_from_req(req), ino);

	if (!in)
		fuse_reply_err(req, ESTALE);
	return in;
}

/*
 * MS-SMB2 2.2.10: a share exported read-only grants no write access in
 * its MaximalAccess, and the server answers ACCESS_DENIED; to Linux that
 * is a read-only file system.
 */
int fs_share_errno(struct smbfs *fs, int rc)
{
	const uint32_t write = FILE_WRITE_DATA | FILE_APPEND_DATA |
			       FILE_WRITE_ATTRIBUTES | FILE_WRITE_EA;
	struct smb_tree_info ti;

	if (rc != -EACCES)
		return rc;
	pool_tree_get_info(fs->tree, &ti);
	return ti.maximal_access && !(ti.maximal_access & write) ? -EROFS : rc;
}

static const struct fuse_lowlevel_ops smbfs_ops_all = {
	.init = smbfs_op_init,
	.lookup = smbfs_op_lookup,
	.forget = smbfs_op_forget,
	.forget_multi = smbfs_op_forget_multi,
	.getattr = smbfs_op_getattr,
	.setattr = smbfs_op_setattr,
	.statfs = smbfs_op_statfs,
	.access = smbfs_op_access,
	.opendir = smbfs_op_opendir,
	.readdir = smbfs_op_readdir,
	.readdirplus = smbfs_op_readdirplus,
	.releasedir = smbfs_op_releasedir,
	.fsyncdir = smbfs_op_fsyncdir,
	.mkdir = smbfs_op_mkdir,
	.rmdir = smbfs_op_rmdir,
	.unlink = smbfs_op_unlink,
	.rename = smbfs_op_rename,
	.link = smbfs_op_link,
	.symlink = smbfs_op_symlink,
	.readlink = smbfs_op_readlink,
	.open = smbfs_op_open,
	.create = smbfs_op_create,
	.read = smbfs_op_read,
	.write = smbfs_op_write,
	.flush = smbfs_op_flush,
	.release = smbfs_op_release,
	.fsync = smbfs_op_fsync,
	.fallocate = smbfs_op_fallocate,
	.copy_file_range = smbfs_op_copy_file_range,
	.lseek = smbfs_op_lseek,
	.setxattr = smbfs_op_setxattr,
	.getxattr = smbfs_op_getxattr,
	.listxattr = smbfs_op_listxattr,
	.removexattr = smbfs_op_removexattr,
	.getlk = smbfs_op_getlk,
	.setlk = smbfs_op_setlk,
	.flock = smbfs_op_flock,
};

/*
 * Copies the operation table for this mount.  With nobrl the lock
 * operations are left out, so the kernel keeps byte-range locks local.
 */
void smbfs_ops_fill(const struct smbfs_config *cfg,
		    struct fuse_lowlevel_ops *ops)
{
	*ops = smbfs_ops_all;
	if (cfg->nobrl) {
		ops->getlk = NULL;
		ops->setlk = NULL;
		ops->flock = NULL;
	}
}
