// SPDX-License-Identifier: GPL-2.0-or-later
/* Not yet implemented: answers ENOSYS. */
#include <errno.h>

#include "smbfs.h"

void smbfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	(void)parent;
	(void)name;
	fuse_reply_err(req, ENOSYS);
}

void smbfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		     fuse_ino_t newparent, const char *newname,
		     unsigned int flags)
{
	(void)parent;
	(void)name;
	(void)newparent;
	(void)newname;
	(void)flags;
	fuse_reply_err(req, ENOSYS);
}

void smbfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		   const char *newname)
{
	(void)ino;
	(void)newparent;
	(void)newname;
	fuse_reply_err(req, ENOSYS);
}

void smbfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		      const char *name)
{
	(void)link;
	(void)parent;
	(void)name;
	fuse_reply_err(req, ENOSYS);
}

void smbfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	(void)ino;
	fuse_reply_err(req, ENOSYS);
}
