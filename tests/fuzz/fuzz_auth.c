// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The client's SPNEGO/NTLMSSP exchange (src/auth/auth.c) driven by
 * server tokens: the NEGOTIATE response's hint, the CHALLENGE in the
 * first NegTokenResp and the server's final NegTokenResp.
 *
 * Input: a flags byte (bit 0: anonymous), then up to three server
 * tokens, each a 16-bit little-endian length and that many bytes (a
 * short last token takes what is left).
 */
#include "fuzz_common.h"
#include "smbfs/auth.h"

static bool known_error(int rc)
{
	return rc == -EBADMSG || rc == -EACCES || rc == -EPROTONOSUPPORT ||
	       rc == -EOVERFLOW || rc == -EINVAL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t flags = fuzz_take_u8(&data, &size), key[16];
	struct smb_auth_creds creds = {.user = "smbfsuser",
				       .domain = "WORKGROUP",
				       .password = "smbfs-vector-pw",
				       .anonymous = flags & 1};
	struct smb_auth *a = NULL;
	int round, rc = 1, last = 1;

	FUZZ_CHECK(smb_auth_ntlmssp_new(&creds, &a) == 0);
	for (round = 0; round < 3 && a; round++) {
		uint8_t *tok, *out = (uint8_t *)1;
		size_t out_len = 99, n = fuzz_take_token(&data, &size, &tok);

		rc = smb_auth_step(a, tok, n, &out, &out_len);
		free(tok);
		FUZZ_CHECK(rc == 1 || rc == 0 || known_error(rc));
		/* Once failed or done, a mechanism takes no more rounds. */
		FUZZ_CHECK(last == 1 || rc == -EINVAL);
		/* A token to send exactly while another round is expected. */
		FUZZ_CHECK(rc == 1 ? out && out_len : !out && !out_len);
		/* Done only after the third round. */
		FUZZ_CHECK(rc != 0 || round == 2);
		free(out);
		if (rc != 1)
			last = rc;
	}
	/* A key only after a successful, non-anonymous exchange. */
	rc = smb_auth_session_key(a, key);
	FUZZ_CHECK(rc == 0 || rc == -ENOKEY);
	FUZZ_CHECK(rc || (last == 0 && !(flags & 1)));
	FUZZ_CHECK(smb_auth_is_anonymous(a) == (flags & 1));
	smb_auth_free(a);
	return 0;
}
