/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SMB2 TREE_CONNECT request and response bodies (MS-SMB2 2.2.9, 2.2.10). */
#ifndef SMBFS_WIRE_SMB2_TREE_CONNECT_H
#define SMBFS_WIRE_SMB2_TREE_CONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* MS-SMB2 2.2.9: request Flags (3.1.1 only) */
#define SMB2_TREE_CONNECT_FLAG_CLUSTER_RECONNECT 0x0001
#define SMB2_TREE_CONNECT_FLAG_REDIRECT_TO_OWNER 0x0002
#define SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT 0x0004

struct smb2_tree_connect_request {
	uint16_t flags; /* SMB2_TREE_CONNECT_FLAG_*, usually 0 */
	/* "\\server\share" as UTF-8, not NUL-terminated */
	const char *path;
	size_t path_len;
};

struct smb2_tree_connect_response {
	uint8_t share_type;	 /* SMB2_SHARE_TYPE_* */
	uint32_t share_flags;	 /* SMB2_SHAREFLAG_* */
	uint32_t capabilities;	 /* SMB2_SHARE_CAP_* */
	uint32_t maximal_access; /* access mask granted on the share */
};

/*
 * Returns 0, -EINVAL (empty path, or longer than 65535 bytes in
 * UTF-16), -EILSEQ (path not UTF-8) or the wbuf error.
 */
int smb2_tree_connect_request_encode(
	struct smb_wbuf *w, const struct smb2_tree_connect_request *req);
/* Returns 0 or -EBADMSG. */
int smb2_tree_connect_response_decode(const uint8_t *msg, size_t len,
				      struct smb2_tree_connect_response *rsp);

#endif
