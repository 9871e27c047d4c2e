// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NEGOTIATE response (MS-SMB2 2.2.4) with its 3.1.1 negotiate contexts,
 * and the SPNEGO NegTokenInit2 hint the client reads from it.
 *
 * Input: one whole response message (SMB2 header + body).
 */
#include "fuzz_common.h"
#include "smbfs/spnego.h"
#include "smbfs/wire/smb2_negotiate.h"

static void check_hint(const uint8_t *buf, size_t len)
{
	/* The hint on its own, exactly sized, as the client keeps it. */
	uint8_t *tok = fuzz_copy(buf, len);
	struct spnego_init init;
	int rc = spnego_parse_init(tok, len, &init);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc) {
		FUZZ_CHECK(fuzz_inside(tok, len, init.mech_types_der,
				       init.mech_types_der_len));
		FUZZ_CHECK(fuzz_inside(tok, len, init.mech_token,
				       init.mech_token_len));
		FUZZ_CHECK(!init.offers_ntlmssp || init.mech_count > 0);
	}
	free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb2_negotiate_response rsp, again;
	int rc = smb2_negotiate_response_decode(data, size, &rsp);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	/* Header and the 64 fixed body bytes were there. */
	FUZZ_CHECK(size >= 128);
	FUZZ_CHECK(fuzz_inside(data, size, rsp.security_buffer,
			       rsp.security_buffer_len));
	FUZZ_CHECK(!rsp.security_buffer ||
		   rsp.security_buffer >= data + 128);
	if (rsp.dialect == SMB2_DIALECT_311) {
		/* MS-SMB2 3.2.5.2: the preauth context is mandatory. */
		FUZZ_CHECK(rsp.has_preauth);
		FUZZ_CHECK(rsp.context_count > 0);
		FUZZ_CHECK(fuzz_inside(data, size, rsp.preauth_salt,
				       rsp.preauth_salt_len));
	} else {
		FUZZ_CHECK(!rsp.has_preauth && !rsp.has_cipher &&
			   !rsp.has_signing && rsp.context_count == 0);
	}
	/* Decoding is a function of the bytes alone. */
	FUZZ_CHECK(smb2_negotiate_response_decode(data, size, &again) == 0);
	FUZZ_CHECK(!memcmp(&rsp, &again, sizeof(rsp)));
	if (rsp.security_buffer_len)
		check_hint(rsp.security_buffer, rsp.security_buffer_len);
	return 0;
}
