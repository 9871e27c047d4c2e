/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 CANCEL request body (MS-SMB2 2.2.30).  The request that is
 * cancelled is named by the header (MessageId or AsyncId), which the
 * connection builds; the server sends no response to CANCEL.
 */
#ifndef SMBFS_WIRE_SMB2_CANCEL_H
#define SMBFS_WIRE_SMB2_CANCEL_H

#include "smbfs/smb2.h"

/* Returns 0 or the wbuf error. */
int smb2_cancel_request_encode(struct smb_wbuf *w);

#endif
