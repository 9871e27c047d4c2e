// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 CANCEL (MS-SMB2 2.2.30): StructureSize 4 and Reserved.  What is
 * cancelled is named by the header; no response is ever sent.
 */
#include "smbfs/wire/smb2_cancel.h"
#include "smb2_body_check.h"

int smb2_cancel_request_encode(struct smb_wbuf *w)
{
	return smb2_body_encode_empty(w);
}
