/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 TREE_DISCONNECT request and response (MS-SMB2 2.2.11, 2.2.12).  Both
 * bodies carry nothing but StructureSize, so there is no request or response
 * struct.
 */
#ifndef SMBFS_WIRE_SMB2_TREE_DISCONNECT_H
#define SMBFS_WIRE_SMB2_TREE_DISCONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* Returns 0 or the wbuf error. */
int smb2_tree_disconnect_request_encode(struct smb_wbuf *w);
/* Returns 0 or -EBADMSG. */
int smb2_tree_disconnect_response_decode(const uint8_t *msg, size_t len);

#endif
