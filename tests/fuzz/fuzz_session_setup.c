// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SESSION_SETUP response (MS-SMB2 2.2.6) and what the client reads from
 * its security buffer: the SPNEGO NegTokenResp and, inside it, the
 * NTLMSSP CHALLENGE_MESSAGE.
 *
 * Input: one whole response message (SMB2 header + body).
 */
#include "fuzz_common.h"
#include "smbfs/ntlmssp.h"
#include "smbfs/spnego.h"
#include "smbfs/wire/smb2_session_setup.h"

static void check_challenge(const uint8_t *buf, size_t len)
{
	uint8_t *msg = fuzz_copy(buf, len);
	struct ntlmssp_challenge c;
	int rc = ntlmssp_parse_challenge(msg, len, &c);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc) {
		FUZZ_CHECK(fuzz_inside(msg, len, c.target_name,
				       c.target_name_len));
		FUZZ_CHECK(fuzz_inside(msg, len, c.target_info,
				       c.target_info_len));
	}
	free(msg);
}

static void check_token(const uint8_t *buf, size_t len)
{
	uint8_t *tok = fuzz_copy(buf, len);
	struct spnego_resp r;
	int rc = spnego_parse_resp(tok, len, &r);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc) {
		FUZZ_CHECK(fuzz_inside(tok, len, r.response_token,
				       r.response_token_len));
		FUZZ_CHECK(fuzz_inside(tok, len, r.mech_list_mic,
				       r.mech_list_mic_len));
		FUZZ_CHECK(r.neg_state >= SPNEGO_NEG_STATE_ABSENT &&
			   r.neg_state <= SPNEGO_REQUEST_MIC);
		if (r.response_token_len)
			check_challenge(r.response_token,
					r.response_token_len);
	}
	free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_session_setup_response rsp;
	int rc = smb2_session_setup_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(size >= 72);
	FUZZ_CHECK(fuzz_inside(data, size, rsp.security_buffer,
			       rsp.security_buffer_len));
	/* The token may not overlap the header or the fixed body. */
	FUZZ_CHECK(!rsp.security_buffer || rsp.security_buffer >= data + 72);
	FUZZ_CHECK(rsp.session_flags == le16_get(data + 66));
	if (rsp.security_buffer_len)
		check_token(rsp.security_buffer, rsp.security_buffer_len);
	return 0;
}
