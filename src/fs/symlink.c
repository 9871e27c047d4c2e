// SPDX-License-Identifier: GPL-2.0-or-later
/* Minshall+French symlinks: not yet implemented. */
#include <errno.h>

#include "smbfs.h"

int mfsymlink_read(struct smbfs *fs, const char *smb_path, char **target)
{
	(void)fs;
	(void)smb_path;
	*target = NULL;
	return -EINVAL;
}
