// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The NTLMSSP CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2) with its AV pairs
 * (2.2.2.1), and the AUTHENTICATE_MESSAGE the client builds from it
 * (3.1.5.1.2): the server's AV pairs are copied into the NTLMv2 response,
 * so the builder reads server bytes too.
 *
 * Input: the CHALLENGE_MESSAGE.
 */
#include "fuzz_common.h"
#include "smbfs/bytes.h"
#include "smbfs/ntlmssp.h"

/* The message's (Len, MaxLen, Offset) fields point inside it. */
static bool field_ok(const uint8_t *msg, size_t len, size_t at)
{
	uint16_t n = le16_get(msg + at);
	uint32_t off = le32_get(msg + at + 4);

	return off <= len && n <= len - off;
}

static void check_authenticate(const uint8_t *msg, size_t len,
			       const struct ntlmssp_challenge *c, bool anon)
{
	static const uint8_t key[16] = "0123456789abcdef";
	static const uint8_t cc[8] = "clientcc";
	static const uint8_t rsk[16] = "random-sess-key!";
	uint8_t *neg = NULL;
	size_t neg_len = 0;
	struct ntlmssp_auth_params p = {
		.user = "user",
		.domain = "DOMAIN",
		.workstation = "ws",
		.anonymous = anon,
		.response_key = key,
		.client_challenge = cc,
		.now = 0x01d0000000000000ull,
		.random_session_key = rsk,
		.target_name = anon ? NULL : "cifs/server",
		.negotiate_flags = NTLMSSP_CLIENT_FLAGS,
		.challenge_msg = msg,
		.challenge_len = len,
	};
	struct ntlmssp_auth_result r;
	size_t i;
	int rc;

	FUZZ_CHECK(ntlmssp_build_negotiate(NTLMSSP_CLIENT_FLAGS, &neg,
					   &neg_len) == 0);
	p.negotiate_msg = neg;
	p.negotiate_len = neg_len;
	rc = ntlmssp_build_authenticate(&p, c, &r);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EPROTONOSUPPORT ||
		   rc == -EOVERFLOW);
	FUZZ_CHECK(rc != -EBADMSG || !(c->flags & NTLMSSP_NEGOTIATE_UNICODE));
	if (!rc) {
		FUZZ_CHECK(r.len >= NTLMSSP_AUTH_MIC_OFFSET);
		FUZZ_CHECK(!memcmp(r.msg, "NTLMSSP\0\3\0\0\0", 12));
		/* LM, NT, domain, user, workstation, session key fields. */
		for (i = 12; i <= 52; i += 8)
			FUZZ_CHECK(field_ok(r.msg, r.len, i));
		FUZZ_CHECK(r.mic_present == (!anon && c->has_timestamp));
		FUZZ_CHECK(r.has_session_key == !anon);
	}
	ntlmssp_auth_result_clear(&r);
	free(neg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ntlmssp_challenge c;
	const uint8_t *val;
	size_t val_len;
	int rc = ntlmssp_parse_challenge(data, size, &c);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(size >= 48 && le32_get(data + 8) == 2);
	FUZZ_CHECK(fuzz_inside(data, size, c.target_name, c.target_name_len));
	FUZZ_CHECK(fuzz_inside(data, size, c.target_info, c.target_info_len));
	if (c.target_info_len) {
		/* Validated, and cut just after MsvAvEOL. */
		FUZZ_CHECK(ntlmssp_av_validate(c.target_info,
					       c.target_info_len) ==
			   (int)c.target_info_len);
		FUZZ_CHECK(le16_get(c.target_info + c.target_info_len - 4) ==
				   NTLMSSP_AV_EOL &&
			   le16_get(c.target_info + c.target_info_len - 2) == 0);
		rc = ntlmssp_av_find(c.target_info, c.target_info_len,
				     NTLMSSP_AV_TIMESTAMP, &val, &val_len);
		FUZZ_CHECK(rc == (c.has_timestamp ? 1 : 0));
		FUZZ_CHECK(!rc || (val_len == 8 &&
				   le64_get(val) == c.timestamp));
	} else {
		FUZZ_CHECK(!c.has_timestamp);
	}
	check_authenticate(data, size, &c, false);
	check_authenticate(data, size, &c, true);
	return 0;
}
