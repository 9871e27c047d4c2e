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
 * Every call is one related compound (MS-SMB2 3.2.4.1.4): CREATE with
 * FILE_READ_EA or FILE_WRITE_EA and no (non-)directory option, so it
 * serves files and directories alike, QUERY_INFO or SET_INFO, CLOSE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "smbfs.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_query_info.h"
#include "smbfs/wire/smb2_set_info.h"

/* MS-ERREF 2.3.1 statuses the shared table does not carry. */
#define XATTR_STATUS_INVALID_EA_NAME	  0x80000013u
#define XATTR_STATUS_EA_LIST_INCONSISTENT 0x80000014u
#define XATTR_STATUS_EAS_NOT_SUPPORTED	  0xC000004Fu

#define XATTR_USER_PREFIX     "user."
#define XATTR_USER_PREFIX_LEN 5
#define EA_NAME_MAX	      255
#define EA_VALUE_MAX	      65535
/* One FILE_FULL_EA_INFORMATION entry of the largest kind, rounded up. */
#define EA_ONE_MAX (8 + EA_NAME_MAX + 1 + EA_VALUE_MAX + 8)
/* listxattr: first guess, and how far the buffer may grow. */
#define EA_LIST_FIRST (16u << 10)
#define EA_LIST_MAX   (1u << 20)

/* Exported for the unit tests (tests/unit/test_fs_attr.c). */
int xattr_ea_name(const char *name, const char **ea);
int xattr_find_value(const uint8_t *buf, size_t len, const char *ea,
		     const uint8_t **value, size_t *value_len);
ssize_t xattr_list_build(const uint8_t *buf, size_t len, char *out,
			 size_t size);

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
 * Finds ea in a FILE_FULL_EA_INFORMATION list.  EA names compare
 * without regard to case (MS-FSCC 2.4.15).  An entry with an empty
 * value is how Samba answers for an EA that does not exist: -ENODATA.
 */
int xattr_find_value(const uint8_t *buf, size_t len, const char *ea,
		     const uint8_t **value, size_t *value_len)
{
	struct fscc_ea_iter it;
	struct fscc_ea e;
	int rc;

	fscc_ea_iter_init(&it, buf, len);
	while ((rc = fscc_ea_next(&it, &e)) > 0) {
		if (strcasecmp(e.name, ea))
			continue;
		if (!e.value_len)
			return -ENODATA;
		*value = e.value;
		*value_len = e.value_len;
		return 0;
	}
	return rc < 0 ? rc : -ENODATA;
}

/*
 * Turns a FILE_FULL_EA_INFORMATION list into listxattr's "user.a\0
 * user.b\0" form.  Returns the length the whole list needs (and copies
 * it when size allows), or -EBADMSG for a malformed list.
 */
ssize_t xattr_list_build(const uint8_t *buf, size_t len, char *out, size_t size)
{
	struct fscc_ea_iter it;
	struct fscc_ea e;
	size_t need = 0, one;
	int rc;

	fscc_ea_iter_init(&it, buf, len);
	while ((rc = fscc_ea_next(&it, &e)) > 0) {
		if (!e.value_len)
			continue; /* nothing stored under that name */
		one = XATTR_USER_PREFIX_LEN + e.name_len + 1;
		if (out && need + one <= size) {
			memcpy(out + need, XATTR_USER_PREFIX,
			       XATTR_USER_PREFIX_LEN);
			memcpy(out + need + XATTR_USER_PREFIX_LEN, e.name,
			       e.name_len + 1);
		}
		need += one;
	}
	return rc < 0 ? rc : (ssize_t)need;
}

/* An EA call's status as an errno; the EA statuses mapped here first. */
static int ea_result(const struct smb_req *req)
{
	if (!req->err) {
		switch (req->status) {
		case XATTR_STATUS_EAS_NOT_SUPPORTED:
			return -EOPNOTSUPP;
		case XATTR_STATUS_INVALID_EA_NAME:
		case XATTR_STATUS_EA_LIST_INCONSISTENT:
			return -EINVAL;
		}
	}
	return smb_req_result(req, 0);
}

static int ea_create_encode(struct smb_req *req, const char *path,
			    uint32_t access)
{
	struct smb2_create_request cr = {
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = access | FILE_READ_ATTRIBUTES,
		.share_access =
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		.create_disposition = FILE_OPEN,
		.name = path,
		.name_len = strlen(path),
	};

	return smb2_create_request_encode(&req->msg, &cr);
}

/*
 * MS-SMB2 3.3.5.2.7.2: a server may fail the rest of a related chain
 * once one request fails; then the CLOSE never ran and the handle the
 * CREATE returned is closed on its own.
 */
static void ea_close_leftover(struct smbfs *fs, struct smb_req **reqs)
{
	struct smb2_create_response cr;

	if (reqs[2]->err || reqs[2]->status == STATUS_SUCCESS)
		return;
	if (smb2_create_response_decode(reqs[0]->rsp, reqs[0]->rsp_len, &cr) ==
	    0)
		smb_file_close(fs->tree, cr.file_id, NULL);
}

/*
 * Sends CREATE (path, access) + op + CLOSE as one related compound.
 * Returns the CREATE's errno, or 0 with op's outcome left in op.
 */
static int ea_compound(struct smbfs *fs, const char *path, uint32_t access,
		       struct smb_req *op)
{
	struct smb2_close_request cl = { .file_id = smb2_fileid_related() };
	struct smb_req *reqs[3];
	int rc = 0;

	reqs[0] = smb_tree_req_new(fs->tree, SMB2_CREATE);
	reqs[1] = op;
	reqs[2] = smb_tree_req_new(fs->tree, SMB2_CLOSE);
	if (!reqs[0] || !reqs[2])
		rc = -ENOMEM;
	if (!rc)
		rc = ea_create_encode(reqs[0], path, access);
	if (!rc)
		rc = smb2_close_request_encode(&reqs[2]->msg, &cl);
	if (!rc)
		rc = smb_call_compound(fs->tree, reqs, 3, true);
	if (!rc)
		rc = ea_result(reqs[0]);
	if (!rc)
		ea_close_leftover(fs, reqs);
	smb_req_free(reqs[0]);
	smb_req_free(reqs[2]);
	return rc;
}

/* The largest QUERY_INFO output the session allows, up to want. */
static uint32_t ea_max_out(struct smbfs *fs, uint32_t want)
{
	struct smb_session_info si;

	smb_session_get_info(fs->session, &si);
	return si.max_transact && si.max_transact < want ? si.max_transact
							 : want;
}

/*
 * QUERY_INFO FileFullEaInformation: the EA named ea (through a
 * FILE_GET_EA_INFORMATION list, MS-FSCC 2.4.15.1) or, with ea NULL,
 * all of them.  *out is malloc'd.  A list that does not fit is -E2BIG
 * (STATUS_BUFFER_OVERFLOW) or -ERANGE (STATUS_BUFFER_TOO_SMALL).
 */
static int ea_query(struct smbfs *fs, const char *path, const char *ea,
		    uint32_t max_out, uint8_t **out, uint32_t *out_len)
{
	struct smb2_query_info_request qr = {
		.info_type = SMB2_0_INFO_FILE,
		.info_class = FILE_FULL_EA_INFORMATION,
		.output_buffer_length = max_out,
		.flags = SL_RESTART_SCAN,
		.file_id = smb2_fileid_related(),
	};
	struct smb2_query_info_response qi;
	struct smb_wbuf names = SMB_WBUF_INIT;
	struct smb_req *op = smb_tree_req_new(fs->tree, SMB2_QUERY_INFO);
	int rc = op ? 0 : -ENOMEM;

	*out = NULL;
	*out_len = 0;
	if (!rc && ea) {
		rc = fscc_get_ea_encode(&names, &ea, 1);
		qr.input = names.data;
		qr.input_len = names.len;
	}
	if (!rc) {
		op->payload_send = (uint32_t)names.len;
		op->payload_recv = max_out;
		rc = smb2_query_info_request_encode(&op->msg, &qr);
	}
	if (!rc)
		rc = ea_compound(fs, path, FILE_READ_EA, op);
	if (!rc)
		rc = ea_result(op);
	if (!rc)
		rc = smb2_query_info_response_decode(op->rsp, op->rsp_len, &qi);
	if (!rc) {
		*out = malloc(qi.buffer_len ? qi.buffer_len : 1);
		if (!*out)
			rc = -ENOMEM;
	}
	if (!rc && qi.buffer_len)
		memcpy(*out, qi.buffer, qi.buffer_len);
	if (!rc)
		*out_len = qi.buffer_len;
	wbuf_free(&names);
	smb_req_free(op);
	return rc;
}

/* All EAs, growing the buffer while the server says it is too small. */
static int ea_query_all(struct smbfs *fs, const char *path, uint8_t **out,
			uint32_t *out_len)
{
	uint32_t cap = ea_max_out(fs, EA_LIST_MAX);
	uint32_t max = cap < EA_LIST_FIRST ? cap : EA_LIST_FIRST;
	int rc;

	for (;;) {
		rc = ea_query(fs, path, NULL, max, out, out_len);
		if ((rc != -E2BIG && rc != -ERANGE) || max >= cap)
			break;
		max = max > cap / 4 ? cap : max * 4;
	}
	/* STATUS_NO_EAS_ON_FILE: an empty list. */
	if (rc == -ENODATA) {
		*out = malloc(1);
		*out_len = 0;
		rc = *out ? 0 : -ENOMEM;
	}
	return rc;
}

/* 1 when the EA exists, 0 when not, or -errno. */
static int ea_exists(struct smbfs *fs, const char *path, const char *ea)
{
	const uint8_t *value;
	size_t value_len;
	uint8_t *buf;
	uint32_t len;
	int rc = ea_query(fs, path, ea, ea_max_out(fs, EA_ONE_MAX), &buf, &len);

	if (!rc)
		rc = xattr_find_value(buf, len, ea, &value, &value_len);
	free(buf);
	if (rc == -ENODATA)
		return 0;
	return rc < 0 ? rc : 1;
}

/* SET_INFO FileFullEaInformation; a zero-length value deletes the EA. */
static int ea_set(struct smbfs *fs, const char *path, const char *ea,
		  const void *value, size_t size)
{
	struct fscc_ea e = {
		.name = ea,
		.name_len = strlen(ea),
		.value = value,
		.value_len = size,
	};
	struct smb2_set_info_request sr = {
		.info_type = SMB2_0_INFO_FILE,
		.info_class = FILE_FULL_EA_INFORMATION,
		.file_id = smb2_fileid_related(),
	};
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb_req *op = smb_tree_req_new(fs->tree, SMB2_SET_INFO);
	int rc = op ? 0 : -ENOMEM;

	if (!rc)
		rc = fscc_full_ea_encode(&w, &e, 1);
	if (!rc) {
		sr.buffer = w.data;
		sr.buffer_len = w.len;
		op->payload_send = (uint32_t)w.len;
		rc = smb2_set_info_request_encode(&op->msg, &sr);
	}
	if (!rc)
		rc = ea_compound(fs, path, FILE_WRITE_EA, op);
	if (!rc)
		rc = ea_result(op);
	if (!rc)
		rc = smb2_set_info_response_decode(op->rsp, op->rsp_len);
	wbuf_free(&w);
	smb_req_free(op);
	return rc;
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
	struct smbfs *fs = smbfs_from_req(req);
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
	rc = fs_share_errno(fs, ea_set(fs, path, ea, value, size));
out:
	free(path);
	fs_reply_err(req, rc < 0 ? rc : 0);
}

void smbfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	const uint8_t *value;
	size_t value_len;
	uint8_t *buf = NULL;
	uint32_t len;
	const char *ea;
	char *path = NULL;
	int rc;

	if (!in)
		return;
	rc = xattr_ea_name(name, &ea);
	if (rc == -EOPNOTSUPP)
		rc = -ENODATA; /* e.g. security.capability: never stored */
	if (rc < 0)
		goto out;
	path = xattr_path_or_reply(req, fs, in);
	if (!path)
		return;
	rc = ea_query(fs, path, ea, ea_max_out(fs, EA_ONE_MAX), &buf, &len);
	if (rc == -EINVAL)
		rc = -ENODATA; /* a name the server cannot store */
	if (!rc)
		rc = xattr_find_value(buf, len, ea, &value, &value_len);
	if (!rc && size && value_len > size)
		rc = -ERANGE;
	if (rc < 0)
		goto out;
	if (size)
		fuse_reply_buf(req, (const char *)value, value_len);
	else
		fuse_reply_xattr(req, value_len);
	free(buf);
	free(path);
	return;
out:
	free(buf);
	free(path);
	fs_reply_err(req, rc);
}

void smbfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct smbfs *fs = smbfs_from_req(req);
	struct smbfs_inode *in = fs_inode_or_reply(req, ino);
	uint8_t *buf = NULL;
	char *list = NULL, *path;
	uint32_t len = 0;
	ssize_t need;
	int rc;

	if (!in)
		return;
	path = xattr_path_or_reply(req, fs, in);
	if (!path)
		return;
	rc = ea_query_all(fs, path, &buf, &len);
	/* A share without EA support simply has none to list. */
	if (rc == -EOPNOTSUPP) {
		len = 0;
		rc = 0;
	}
	need = rc < 0 ? rc : xattr_list_build(buf, len, NULL, 0);
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
	else if (xattr_list_build(buf, len, list, (size_t)need) == need)
		fuse_reply_buf(req, list, (size_t)need);
	else
		fuse_reply_err(req, EIO); /* cannot happen: same input */
	free(list);
	free(buf);
	free(path);
}

void smbfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct smbfs *fs = smbfs_from_req(req);
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
		rc = fs_share_errno(fs, ea_set(fs, path, ea, NULL, 0));
out:
	free(path);
	fs_reply_err(req, rc < 0 ? rc : 0);
}
