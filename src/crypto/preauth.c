// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB 3.1.1 preauthentication integrity (MS-SMB2 3.2.5.2, 3.2.5.3.1):
 * a running SHA-512 over every NEGOTIATE and SESSION_SETUP message, so a
 * tampered negotiation yields different session keys on the two ends.
 */
#include <errno.h>
#include <string.h>

#include "crypto_internal.h"

int smb_preauth_update(uint8_t hash[SMB_SHA512_LEN], const uint8_t *msg,
		       size_t len)
{
	struct smb_iovec iov[2];
	uint8_t next[SMB_SHA512_LEN];
	int ret;

	if (!hash || (len && !msg))
		return -EINVAL;
	/* PreauthIntegrityHashValue = SHA-512(previous value || message) */
	iov[0] = (struct smb_iovec){ hash, SMB_SHA512_LEN };
	iov[1] = (struct smb_iovec){ msg, len };
	ret = smb_sha512_vec(iov, 2, next);
	if (!ret)
		memcpy(hash, next, SMB_SHA512_LEN);
	return ret;
}
