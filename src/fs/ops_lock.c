// SPDX-License-Identifier: GPL-2.0-or-later
/* Not yet implemented: answers ENOSYS. */
#include <errno.h>

#include "smbfs.h"

void smbfs_op_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock)
{
	(void)ino;
	(void)fi;
	(void)lock;
	fuse_reply_err(req, ENOSYS);
}

void smbfs_op_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock, int sleep)
{
	(void)ino;
	(void)fi;
	(void)lock;
	(void)sleep;
	fuse_reply_err(req, ENOSYS);
}

void smbfs_op_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    int op)
{
	(void)ino;
	(void)fi;
	(void)op;
	fuse_reply_err(req, ENOSYS);
}
