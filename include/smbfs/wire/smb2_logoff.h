/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 LOGOFF request and response (MS-SMB2 2.2.7, 2.2.8).  Both bodies
 * carry nothing but StructureSize, so there is no request or response
 * struct.
 */
#ifndef SMBFS_WIRE_SMB2_LOGOFF_H
#define SMBFS_WIRE_SMB2_LOGOFF_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/* Returns 0 or the wbuf error. */
int smb2_logoff_request_encode(struct smb_wbuf *w);
/* Returns 0 or -EBADMSG. */
int smb2_logoff_response_decode(const uint8_t *msg, size_t len);

#endif
