// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Extended attributes: the Linux "user." namespace maps onto SMB
 * extended attributes (EAs), "user.foo" <-> EA "foo" (MS-FSCC 2.4.15),
 * as cifs.ko does.  Other namespaces (security., system., trusted.)
 * have no SMB counterpart: reading them finds nothing (ENODATA), which
 * keeps the kernel's security.capability checks and cp -a / rsync -X
 * quiet, and writing them is EOPNOTSUPP.
 *
 * Semantics inherited from SMB and documented for users:
 *   - EA names are case-insensitive ASCII; Windows stores them upper
 *     case, Samba keeps the spelling given.
 *   - A zero-length EA value deletes the EA (MS-FSA 2.1.5.15.5), so
 *     setxattr with an empty value removes the attribute, as on cifs.ko.
 *   - A file's EAs together are limited to 64 KiB - 5 bytes on Windows
 *     (STATUS_EA_TOO_LARGE -> E2BIG).
 *
 * Each call is one pool call on the inode's path, one compound on the
 * wire (smb_path_get_ea and its siblings).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "smbfs.h"

#define XATTR_USER_PREFIX     "user."
#define XATTR_USER_PREFIX_LEN 5
#define EA_NAME_MAX	      255
#define EA_VALUE_MAX	      65535

/* Exported for the unit tests (tests/unit/test_fs_attr.c). */
int xattr_ea_name(const char *name, const char **ea);
size_t xattr_list_build(const char *names, size_t len, char *out, size_t size);

/*
 * The EA name behind a Linux xattr name.  Returns 0 with *ea pointing
 * into name, -EOPNOTSUPP for a namespace SMB cannot hold, -EINVAL for
 * "user." alone, -ERANGE for a name longer than an EA name can be.
 */
int xattr_ea_name(const char *name, const char **ea)
{
	size_t len;

	if (strncmp(name, XATTR_USER_PREFIX, XATTR_USER_PREFIX_LEN))
		return -EOPNOTSUPP;
	*ea = name + XATTR_USER_PREFIX_LEN;
	len = strlen(*ea);
	if (len == 0)
		return -EINVAL;
	if (len > EA_NAME_MAX)
		return -ERANGE;
	return 0;
}

/*
 * Turns EA names ("a\0b\0", len bytes) into listxattr's "user.a\0
 * user.b\0" form.  Returns the length the whole list needs, and copies
 * it when size allows.
 */
size_t xattr_list_build(const char *names, size_t len, char *out, size_t size)
{
	size_t need = 0, pos = 0, n, one;

	while (pos < len) {
		n = strnlen(names + pos, len - pos);
		one = XATTR_USER_PREFIX_LEN + n + 1;
		if (out && need + one <= size) {
			memcpy(out + need, XATTR_USER_PREFIX,
			       XATTR_USER_PREFIX_LEN);
			memcpy(out + need + XATTR_USER_PREFIX_LEN, names + pos,
			       n);
			out[need + one - 1] = '\0';
		}
		need += one;
		pos += n + 1;
	}
	return need;
}

/* 1 when the EA exists, 0 when not, or -errno. */
static int ea_exists(struct smbfs *fs, const char *path, const char *ea)
{
	size_t len;
	int rc = pool_path_get_ea(fs->tree, path, ea, NULL, &len);

	if (rc == -ENODATA)
		return 0;
	return rc < 0 ? rc : 1;
}

/* Share path of the inode, or NULL after replying with the error. */
static char *xattr_path_or_reply(fuse_req_t req, struct smbfs *fs,
				 struct smbfs_inode *in)
{
	char *path = inode_smb_path(fs, in);

	if (!path)
		fs_reply_err(req, errno ? -errno : -ENOMEM);
	return path;
}

void smbfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       const char *value, size_t size, int flags)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	const char *ea;
	char *path = NULL;
	int rc;

	if (!in)
		return;
	rc = fs->cfg.read_only ? -EROFS : xattr_ea_name(name, &ea);
	if (!rc && size > EA_VALUE_MAX)
		rc = -E2BIG;
	if (rc < 0)
		goto out;
	path = xattr_path_or_reply(req, fs, in);
	if (!path)
		return;
	if (flags & (XATTR_CREATE | XATTR_REPLACE)) {
		rc = ea_exists(fs, path, ea);
		if (rc < 0)
			goto out;
		if ((flags & XATTR_CREATE) && rc == 1) {
			rc = -EEXIST;
			goto out;
		}
		if ((flags & XATTR_REPLACE) && rc == 0) {
			rc = -ENODATA;
			goto out;
		}
	}
	/* An empty value removes the EA (see the top of this file). */
	rc = fs_share_errno(fs,
			    pool_path_set_ea(fs->tree, path, ea, value, size));
out:
	free(path);
	fs_reply_err(req, rc < 0 ? rc : 0);
}

/*
 * The mount's statistics, for whoever mounted it (or root): not an EA on
 * the server, and left out of listxattr so copies do not carry it.
 */
static void xattr_reply_stats(fuse_req_t req, struct smbfs *fs, size_t size)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	size_t len = 0;
	char *text;

	if (ctx->uid != 0 && ctx->uid != fs->cfg.uid) {
		fuse_reply_err(req, EACCES);
		return;
	}
	text = fs_stats_format(fs, &len);
	if (!text)
		fuse_reply_err(req, ENOMEM);
	else if (!size)
		fuse_reply_xattr(req, len);
	else if (len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, text, len);
	free(text);
}

void smbfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	uint8_t *value = NULL;
	size_t value_len = 0;
	const char *ea;
	char *path = NULL;
	int rc;

	if (!in)
		return;
	if (in == fs->root && !strcmp(name, FS_STATS_XATTR)) {
		xattr_reply_stats(req, fs, size);
		return;
	}
	rc = xattr_ea_name(name, &ea);
	if (rc == -EOPNOTSUPP)
		rc = -ENODATA; /* e.g. security.capability: never stored */
	if (rc < 0)
		goto out;
	path = xattr_path_or_reply(req, fs, in);
	if (!path)
		return;
	rc = pool_path_get_ea(fs->tree, path, ea, size ? &value : NULL,
			      &value_len);
	if (rc == -EINVAL)
		rc = -ENODATA; /* a name the server cannot store */
	if (!rc && size && value_len > size)
		rc = -ERANGE;
	if (rc < 0)
		goto out;
	if (size)
		fuse_reply_buf(req, (const char *)value, value_len);
	else
		fuse_reply_xattr(req, value_len);
	free(value);
	free(path);
	return;
out:
	free(value);
	free(path);
	fs_reply_err(req, rc);
}

void smbfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	char *names = NULL, *list = NULL, *path;
	size_t len = 0;
	ssize_t need;
	int rc;

	if (!in)
		return;
	path = xattr_path_or_reply(req, fs, in);
	if (!path)
		return;
	rc = pool_path_list_eas(fs->tree, path, &names, &len);
	/* A share without EA support simply has none to list. */
	if (rc == -EOPNOTSUPP) {
		len = 0;
		rc = 0;
	}
	need = rc < 0 ? rc : (ssize_t)xattr_list_build(names, len, NULL, 0);
	if (need >= 0 && size && (size_t)need > size)
		need = -ERANGE;
	if (need >= 0 && size) {
		list = malloc(need ? (size_t)need : 1);
		if (!list)
			need = -ENOMEM;
	}
	if (need < 0)
		fs_reply_err(req, (int)need);
	else if (!size)
		fuse_reply_xattr(req, (size_t)need);
	else if (xattr_list_build(names, len, list, (size_t)need) ==
		 (size_t)need)
		fuse_reply_buf(req, list, (size_t)need);
	else
		fuse_reply_err(req, EIO); /* cannot happen: same input */
	free(list);
	free(names);
	free(path);
}

void smbfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct smbfs *fs = fs_begin(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	const char *ea;
	char *path = NULL;
	int rc;

	if (!in)
		return;
	rc = fs->cfg.read_only ? -EROFS : xattr_ea_name(name, &ea);
	if (rc < 0)
		goto out;
	path = xattr_path_or_reply(req, fs, in);
	if (!path)
		return;
	/* Deleting an absent EA succeeds on the wire; Linux says ENODATA. */
	rc = ea_exists(fs, path, ea);
	if (rc == 0)
		rc = -ENODATA;
	if (rc == 1)
		rc = fs_share_errno(
			fs, pool_path_set_ea(fs->tree, path, ea, NULL, 0));
out:
	free(path);
	fs_reply_err(req, rc < 0 ? rc : 0);
}
