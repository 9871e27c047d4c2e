// SPDX-License-Identifier: GPL-2.0-or-later
/* Not yet implemented: answers ENOSYS. */
#include <errno.h>

#include "smbfs.h"

void smbfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		      int to_set, struct fuse_file_info *fi)
{
	(void)ino;
	(void)attr;
	(void)to_set;
	(void)fi;
	fuse_reply_err(req, ENOSYS);
}
