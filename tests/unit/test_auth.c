// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DER, SPNEGO and NTLMSSP: [MS-NLMP] 4.2.4 NTLMv2 examples, message
 * layout, MIC, mechListMIC and the whole smb_auth exchange.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "smbfs/asn1.h"
#include "smbfs/auth.h"
#include "smbfs/bytes.h"
#include "smbfs/crypto.h"
#include "smbfs/ntlmssp.h"
#include "smbfs/spnego.h"

/* --- [MS-NLMP] 4.2.1 / 4.2.4 example values --- */

#define SERVER_CHALLENGE   "0123456789abcdef"
#define CLIENT_CHALLENGE   "aaaaaaaaaaaaaaaa"
#define RANDOM_SESSION_KEY "55555555555555555555555555555555"
#define NT_HASH		   "a4f49c406510bdcab6824ee7c30fd852"
#define NTOWFV2		   "0c868a403bfd7a93a3001ef22ef02e3f"
#define SESSION_BASE_KEY   "8de40ccadbc14a82f15cb0ad0de95ca3"
#define LMV2_RESPONSE	   "86c35097ac9cec102554764a57cccc19 aaaaaaaaaaaaaaaa"
#define NT_PROOF_STR	   "68cd0ab851e51c96aabc927bebef6a1c"
#define ENC_SESSION_KEY	   "c5dad2544fc9799094ce1ce90bc9d03e"
/* MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL. */
#define SPEC_AV_PAIRS                      \
	"02000c0044006f006d00610069006e00" \
	"01000c00530065007200760065007200" \
	"00000000"

/* 4.2.4.3 CHALLENGE_MESSAGE. */
static const char spec_challenge_hex[] =
	"4e544c4d53535000 02000000 0c000c00 38000000 33828ae2"
	"0123456789abcdef 0000000000000000 24002400 44000000"
	"0600701700 00000f 530065007200760065007200" SPEC_AV_PAIRS;

/* 4.2.4.3 AUTHENTICATE_MESSAGE (no MIC: the server sent no timestamp). */
static const char spec_authenticate_hex[] =
	"4e544c4d53535000 03000000"
	"18001800 6c000000 54005400 84000000 0c000c00 48000000"
	"08000800 54000000 10001000 5c000000 10001000 d8000000"
	"358288e2 0501280a0000000f"
	"44006f006d00610069006e00 5500730065007200"
	"43004f004d0050005500540045005200" LMV2_RESPONSE NT_PROOF_STR
	"0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa "
	"00000000" SPEC_AV_PAIRS "00000000" ENC_SESSION_KEY;

static uint8_t *hex(const char *s, size_t *len)
{
	uint8_t *p = test_hex(s, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static void assert_hex(const uint8_t *got, size_t got_len, const char *want)
{
	size_t len;
	uint8_t *w = hex(want, &len);

	CU_ASSERT_EQUAL(got_len, len);
	if (got_len == len) {
		CU_ASSERT_BYTES_EQUAL(got, w, len);
	}
	free(w);
}

/* Deterministic generator for the fuzz-style tests. */
static uint32_t prng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* --- DER --- */

static void test_der_lengths(void)
{
	const uint8_t short_form[] = { 0x04, 0x02, 0xaa, 0xbb, 0xff };
	const uint8_t long_form[] = { 0x04, 0x81, 0x01, 0xcc };
	const uint8_t indefinite[] = { 0x30, 0x80, 0x00, 0x00 };
	const uint8_t too_long[] = { 0x04, 0x03, 0xaa, 0xbb };
	const uint8_t five_octets[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0 };
	const uint8_t huge[] = { 0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 0 };
	const uint8_t high_tag[] = { 0xbf, 0x81, 0x00, 0x01, 0x05 };
	const uint8_t bad_high_tag[] = { 0xbf, 0x1e, 0x00 };
	struct asn1_elem e;

	CU_ASSERT_EQUAL(asn1_decode(short_form, sizeof(short_form), &e), 0);
	CU_ASSERT_EQUAL(e.id, ASN1_OCTET_STRING);
	CU_ASSERT_EQUAL(e.len, 2);
	CU_ASSERT_EQUAL(e.total, 4);
	CU_ASSERT_EQUAL(e.val[1], 0xbb);
	CU_ASSERT_EQUAL(asn1_decode(long_form, sizeof(long_form), &e), 0);
	CU_ASSERT_EQUAL(e.len, 1);
	CU_ASSERT_EQUAL(e.val[0], 0xcc);
	CU_ASSERT_EQUAL(asn1_decode(indefinite, sizeof(indefinite), &e),
			-EBADMSG);
	CU_ASSERT_EQUAL(asn1_decode(too_long, sizeof(too_long), &e), -EBADMSG);
	CU_ASSERT_EQUAL(asn1_decode(five_octets, sizeof(five_octets), &e),
			-EBADMSG);
	CU_ASSERT_EQUAL(asn1_decode(huge, sizeof(huge), &e), -EBADMSG);
	CU_ASSERT_EQUAL(asn1_decode(high_tag, sizeof(high_tag), &e), 0);
	CU_ASSERT_EQUAL(e.cls, 2);
	CU_ASSERT_EQUAL(e.number, 128);
	CU_ASSERT_EQUAL(e.len, 1);
	CU_ASSERT_EQUAL(asn1_decode(bad_high_tag, sizeof(bad_high_tag), &e),
			-EBADMSG);
	CU_ASSERT_EQUAL(asn1_decode(short_form, 1, &e), -EBADMSG);
	CU_ASSERT_EQUAL(asn1_decode(NULL, 0, &e), -EBADMSG);
}

static void test_der_nested_and_inner_overrun(void)
{
	/* SEQUENCE { INTEGER 5, [1] { OCTET STRING 'ab' } } */
	const uint8_t good[] = { 0x30, 0x09, 0x02, 0x01, 0x05, 0xa1,
				 0x04, 0x04, 0x02, 'a',	 'b' };
	/* The inner OCTET STRING claims more than its [1] holds. */
	const uint8_t bad[] = { 0x30, 0x09, 0x02, 0x01, 0x05, 0xa1,
				0x04, 0x04, 0x03, 'a',	'b' };
	struct asn1_elem seq, num, tagged, str;
	struct asn1_reader r, inner;
	int32_t v;

	CU_ASSERT_EQUAL_FATAL(asn1_decode(good, sizeof(good), &seq), 0);
	asn1_reader_enter(&r, &seq);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_INTEGER, &num), 0);
	CU_ASSERT_EQUAL(asn1_get_int(&num, &v), 0);
	CU_ASSERT_EQUAL(v, 5);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_CONTEXT(1), &tagged), 0);
	asn1_reader_enter(&inner, &tagged);
	CU_ASSERT_EQUAL(asn1_expect(&inner, ASN1_OCTET_STRING, &str), 0);
	CU_ASSERT_EQUAL(str.len, 2);
	CU_ASSERT_TRUE(asn1_reader_done(&inner));
	CU_ASSERT_EQUAL(asn1_next(&r, &str), 0);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_INTEGER, &num), -EBADMSG);

	CU_ASSERT_EQUAL_FATAL(asn1_decode(bad, sizeof(bad), &seq), 0);
	asn1_reader_enter(&r, &seq);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_INTEGER, &num), 0);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_CONTEXT(1), &tagged), 0);
	asn1_reader_enter(&inner, &tagged);
	CU_ASSERT_EQUAL(asn1_next(&inner, &str), -EBADMSG);
}

static void test_der_oid(void)
{
	const uint32_t ntlm[] = { 1, 3, 6, 1, 4, 1, 311, 2, 2, 10 };
	const uint8_t non_minimal[] = { 0x06, 0x03, 0x2b, 0x80, 0x01 };
	const uint8_t truncated[] = { 0x06, 0x02, 0x2b, 0x82 };
	const uint8_t joint[] = { 0x06, 0x03, 0x88, 0x37, 0x03 };
	uint8_t der[32], wrapped[40];
	uint32_t arcs[ASN1_OID_MAX_ARCS];
	struct asn1_elem e;
	int n;

	n = asn1_oid_encode(ntlm, 10, der, sizeof(der));
	CU_ASSERT_EQUAL_FATAL(n, (int)sizeof(spnego_oid_ntlmssp));
	CU_ASSERT_BYTES_EQUAL(der, spnego_oid_ntlmssp, (size_t)n);
	wrapped[0] = ASN1_OID;
	wrapped[1] = (uint8_t)n;
	memcpy(wrapped + 2, der, (size_t)n);
	CU_ASSERT_EQUAL_FATAL(asn1_decode(wrapped, (size_t)n + 2, &e), 0);
	CU_ASSERT_TRUE(asn1_oid_equal(&e, spnego_oid_ntlmssp, 10));
	CU_ASSERT_FALSE(asn1_oid_equal(&e, spnego_oid_spnego, 6));
	CU_ASSERT_EQUAL(asn1_oid_decode(&e, arcs, ASN1_OID_MAX_ARCS), 10);
	CU_ASSERT_BYTES_EQUAL(arcs, ntlm, sizeof(ntlm));
	CU_ASSERT_EQUAL(asn1_oid_decode(&e, arcs, 5), -E2BIG);
	CU_ASSERT_EQUAL(asn1_oid_encode(ntlm, 10, der, 5), -ENOSPC);
	CU_ASSERT_EQUAL(asn1_oid_encode(ntlm, 1, der, sizeof(der)), -EINVAL);

	CU_ASSERT_EQUAL_FATAL(asn1_decode(non_minimal, 5, &e), 0);
	CU_ASSERT_EQUAL(asn1_oid_decode(&e, arcs, 8), -EBADMSG);
	CU_ASSERT_EQUAL_FATAL(asn1_decode(truncated, 4, &e), 0);
	CU_ASSERT_EQUAL(asn1_oid_decode(&e, arcs, 8), -EBADMSG);
	/* 2.999.3: the first subidentifier can exceed 80. */
	CU_ASSERT_EQUAL_FATAL(asn1_decode(joint, 5, &e), 0);
	CU_ASSERT_EQUAL(asn1_oid_decode(&e, arcs, 8), 3);
	CU_ASSERT_EQUAL(arcs[0], 2);
	CU_ASSERT_EQUAL(arcs[1], 999);
	CU_ASSERT_EQUAL(arcs[2], 3);
}

static void test_der_writer(void)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	uint8_t big[300];
	struct asn1_elem outer, inner;
	struct asn1_reader r;
	size_t a, b;

	memset(big, 0x5a, sizeof(big));
	a = asn1_begin(&w, ASN1_SEQUENCE);
	b = asn1_begin(&w, ASN1_CONTEXT(0));
	asn1_put(&w, ASN1_OCTET_STRING, big, 200);
	asn1_end(&w, b);
	asn1_put(&w, ASN1_OCTET_STRING, big, 300);
	asn1_end(&w, a);
	CU_ASSERT_EQUAL_FATAL(wbuf_error(&w), 0);
	/* 200 -> 81 c8; 203 -> 81 cb; 300 -> 82 01 2c; 206+304 -> 82 01 fe */
	assert_hex(w.data, 4, "308201fe");
	assert_hex(w.data + 4, 5, "a081cb0481");
	CU_ASSERT_EQUAL(w.len, 4 + 510);
	CU_ASSERT_EQUAL_FATAL(
		asn1_decode_only(w.data, w.len, ASN1_SEQUENCE, &outer), 0);
	asn1_reader_enter(&r, &outer);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_CONTEXT(0), &inner), 0);
	CU_ASSERT_EQUAL(inner.len, 203);
	CU_ASSERT_EQUAL(asn1_expect(&r, ASN1_OCTET_STRING, &inner), 0);
	CU_ASSERT_EQUAL(inner.len, 300);
	CU_ASSERT_TRUE(asn1_reader_done(&r));
	wbuf_free(&w);

	asn1_put_int(&w, ASN1_INTEGER, 0);
	asn1_put_int(&w, ASN1_INTEGER, 127);
	asn1_put_int(&w, ASN1_INTEGER, 128);
	asn1_put_int(&w, ASN1_INTEGER, -1);
	asn1_put_int(&w, ASN1_ENUMERATED, -129);
	asn1_put_int(&w, ASN1_INTEGER, 0x12345678);
	CU_ASSERT_EQUAL_FATAL(wbuf_error(&w), 0);
	assert_hex(w.data, w.len,
		   "020100 02017f 02020080 0201ff 0a02ff7f 020412345678");
	wbuf_free(&w);
}

/* --- SPNEGO --- */

/* A real server's NegTokenInit2 hint: krb5, MS-krb5, NTLMSSP, negHints. */
static const char hint_hex[] =
	"605e 06062b0601050502 a054 3052"
	"a024 3022 06092a864886f712010202 06092a864882f712010202"
	"060a2b06010401823702020a"
	"a32a 3028 a026 1b24"
	"6e6f745f646566696e65645f696e5f" /* not_defined_in_ */
	"524643343137384070"		 /* RFC4178@p */
	"6c656173655f69676e6f7265";	 /* lease_ignore */

static void test_spnego_build_init(void)
{
	const uint8_t token[] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };
	uint8_t *out;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(
		spnego_build_init(token, sizeof(token), &out, &len), 0);
	assert_hex(out, len,
		   "6028 06062b0601050502 a01e 301c"
		   "a00e 300c 060a2b06010401823702020a"
		   "a20a 0408 4e544c4d53535000");
	free(out);
}

/* The Kerberos offer: mechTypes [1.2.840.113554.1.2.2] and the AP-REQ. */
static void test_spnego_build_init_krb5(void)
{
	const uint8_t token[] = { 1, 2, 3 };
	const uint8_t *mechs;
	uint8_t *out;
	size_t mechs_len, len;

	mechs = spnego_krb5_mech_types(&mechs_len);
	assert_hex(mechs, mechs_len, "300b 06092a864886f712010202");
	CU_ASSERT_EQUAL_FATAL(spnego_build_init_mechs(mechs, mechs_len, token,
						      sizeof(token), &out,
						      &len),
			      0);
	assert_hex(out, len,
		   "6022 06062b0601050502 a018 3016"
		   "a00d 300b 06092a864886f712010202"
		   "a205 0403010203");
	free(out);
}

static void test_spnego_build_resp(void)
{
	const uint8_t token[] = { 1, 2, 3 };
	const uint8_t mic[] = { 9, 8 };
	uint8_t *out;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(spnego_build_resp(token, sizeof(token), mic,
						sizeof(mic), &out, &len),
			      0);
	assert_hex(out, len, "a10f 300d a205 0403010203 a304 04020908");
	free(out);
	CU_ASSERT_EQUAL_FATAL(spnego_build_resp(NULL, 0, NULL, 0, &out, &len),
			      0);
	assert_hex(out, len, "a1023000");
	free(out);
}

static void test_spnego_parse_hint(void)
{
	struct spnego_init init;
	size_t len;
	uint8_t *buf = hex(hint_hex, &len);

	CU_ASSERT_EQUAL(spnego_parse_init(buf, len, &init), 0);
	CU_ASSERT_EQUAL(init.mech_count, 3);
	CU_ASSERT_TRUE(init.offers_ntlmssp);
	CU_ASSERT_EQUAL(init.mech_types_der_len, 0x24);
	CU_ASSERT_PTR_NULL(init.mech_token);
	/* The bare [0] choice, without GSS-API framing, is accepted too. */
	CU_ASSERT_EQUAL(spnego_parse_init(buf + 10, len - 10, &init), 0);
	CU_ASSERT_EQUAL(init.mech_count, 3);
	/* Wrong framing OID. */
	buf[9] ^= 1;
	CU_ASSERT_EQUAL(spnego_parse_init(buf, len, &init), -EBADMSG);
	free(buf);
}

/* What Samba sends with its CHALLENGE (token shortened to 4 bytes). */
static void test_spnego_parse_resp(void)
{
	struct spnego_resp resp;
	size_t len;
	uint8_t *buf = hex("a11d 301b a0030a0101 a10c060a2b06010401823702020a"
			   "a206 0404deadbeef",
			   &len);

	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(buf, len, &resp), 0);
	CU_ASSERT_EQUAL(resp.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	CU_ASSERT_TRUE(resp.has_supported_mech);
	CU_ASSERT_TRUE(resp.supported_mech_ntlmssp);
	CU_ASSERT_EQUAL(resp.response_token_len, 4);
	CU_ASSERT_EQUAL(resp.response_token[0], 0xde);
	CU_ASSERT_PTR_NULL(resp.mech_list_mic);
	free(buf);

	buf = hex("a11b 3019 a0030a0100"
		  "a312 0410 01000000aabbccddeeff001100000000",
		  &len);
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(buf, len, &resp), 0);
	CU_ASSERT_EQUAL(resp.neg_state, SPNEGO_ACCEPT_COMPLETED);
	CU_ASSERT_FALSE(resp.has_supported_mech);
	CU_ASSERT_PTR_NULL(resp.response_token);
	CU_ASSERT_EQUAL(resp.mech_list_mic_len, 16);
	free(buf);
}

/*
 * A server's Kerberos answer: accept-completed, supportedMech (the
 * Microsoft OID or the standard one), the AP-REP (shortened).
 */
static void test_spnego_parse_resp_krb5(void)
{
	struct spnego_resp resp;
	size_t len;
	uint8_t *buf = hex("a11c 301a a0030a0100 a10b06092a864882f712010202"
			   "a206 0404deadbeef",
			   &len);

	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(buf, len, &resp), 0);
	CU_ASSERT_EQUAL(resp.neg_state, SPNEGO_ACCEPT_COMPLETED);
	CU_ASSERT_TRUE(resp.supported_mech_krb5);
	CU_ASSERT_FALSE(resp.supported_mech_ntlmssp);
	CU_ASSERT_EQUAL(resp.response_token_len, 4);
	buf[16] = 0x86; /* 1.2.840.113554.1.2.2 */
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(buf, len, &resp), 0);
	CU_ASSERT_TRUE(resp.supported_mech_krb5);
	buf[16] = 0x87; /* neither */
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(buf, len, &resp), 0);
	CU_ASSERT_TRUE(resp.has_supported_mech);
	CU_ASSERT_FALSE(resp.supported_mech_krb5);
	free(buf);
}

static void test_spnego_parse_resp_rejects(void)
{
	static const char *const bad[] = {
		"a1053003a0030a0104",		/* negState 4 does not exist */
		"a10a3008a0030a0101a0030a0101", /* repeated field */
		"a10a3008a1030a0101a0030a0101", /* fields out of order */
		"a1073005a2030a0101",	/* responseToken not OCTET STRING */
		"a1053003a0030a01",	/* truncated */
		"a1053003a0040a0101",	/* inner length beyond the field */
		"a0053003a0030a0101",	/* NegTokenInit where Resp is due */
		"a1053003a0030a010100", /* trailing byte */
		"a1023100",		/* SET instead of SEQUENCE */
	};
	struct spnego_resp resp;
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *buf = hex(bad[i], &len);

		CU_ASSERT_EQUAL(spnego_parse_resp(buf, len, &resp), -EBADMSG);
		free(buf);
	}
}

/*
 * Every strict prefix of a valid token is an error, and random or
 * mutated input never makes the parsers read outside the buffer (each
 * prefix is copied into an exact-size allocation so ASan sees overruns).
 */
static void check_truncations(const char *token_hex, bool resp)
{
	struct spnego_resp r;
	struct spnego_init i;
	size_t len, n;
	uint8_t *buf = hex(token_hex, &len);

	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, buf, n);
		if (resp) {
			CU_ASSERT_EQUAL(spnego_parse_resp(copy, n, &r),
					-EBADMSG);
		} else {
			CU_ASSERT_EQUAL(spnego_parse_init(copy, n, &i),
					-EBADMSG);
		}
		free(copy);
	}
	free(buf);
}

static void fuzz_one(const uint8_t *buf, size_t len)
{
	struct spnego_resp r;
	struct spnego_init i;
	struct ntlmssp_challenge c;
	struct asn1_elem e;
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, buf, len);
	ret = spnego_parse_resp(copy, len, &r);
	CU_ASSERT(ret == 0 || ret == -EBADMSG);
	ret = spnego_parse_init(copy, len, &i);
	CU_ASSERT(ret == 0 || ret == -EBADMSG);
	ret = asn1_decode(copy, len, &e);
	CU_ASSERT(ret == 0 || ret == -EBADMSG);
	ret = ntlmssp_parse_challenge(copy, len, &c);
	CU_ASSERT(ret == 0 || ret == -EBADMSG);
	free(copy);
}

static void test_spnego_truncation_and_fuzz(void)
{
	size_t len, n, k;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	uint8_t random[256];
	uint8_t *tokens[2];
	size_t token_len[2];

	check_truncations(hint_hex, false);
	check_truncations("a11b 3019 a0030a0100"
			  "a312 0410 01000000aabbccddeeff001100000000",
			  true);
	tokens[0] = hex(hint_hex, &token_len[0]);
	tokens[1] = hex(spec_challenge_hex, &token_len[1]);
	for (n = 0; n < 20000; n++) {
		len = prng(&seed) % sizeof(random);
		for (k = 0; k < len; k++)
			random[k] = (uint8_t)prng(&seed);
		/* Bias towards plausible DER starts. */
		if (len && (n & 3) == 0)
			random[0] = (n & 4) ? 0xa1 : 0x60;
		fuzz_one(random, len);
	}
	/* Flip bytes of valid tokens (hint, spec CHALLENGE). */
	for (n = 0; n < 20000; n++) {
		size_t t = n & 1, flips = 1 + prng(&seed) % 4;

		len = token_len[t];
		memcpy(random, tokens[t], len);
		for (k = 0; k < flips; k++)
			random[prng(&seed) % len] = (uint8_t)prng(&seed);
		fuzz_one(random, len);
	}
	free(tokens[0]);
	free(tokens[1]);
}

/*
 * One real exchange between smbclient and Samba 4.17 (user "smbfsauth",
 * password "Secret123", domain "WORKGROUP", SMB 3.1.1), taken from the
 * SESSION_SETUP security buffers: the NEGOTIATE response hint, both
 * client tokens and both server tokens.
 */
static const char samba_client_init_hex[] =
	"604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa22a"
	"04284e544c4d5353500001000000158208620000000028000000000000002800"
	"0000060100000000000f";

static const char samba_client_auth_hex[] =
	"a18201903082018ca2820174048201704e544c4d535350000300000018001800"
	"58000000c800c800700000001200120038010000120012004a01000004000400"
	"5c010000100010006001000015820862060100000000000fc2f769992acdccc6"
	"8c14c059b8aa3dde000000000000000000000000000000000000000000000000"
	"1eec62bed398f06e29eac26560ca182d0101000000000000fa58f4817e79dd01"
	"079356af2483318a000000000200040056004d000100040056004d0004000000"
	"0300040076006d0007000800fa58f4817e79dd01060004000200000008003000"
	"30000000000000000000000000000000d6b5ac43e20ee5dd80c2071ef3917c56"
	"95dcb29091425f58a3dc0e04d4583a630a001000000000000000000000000000"
	"0000000009001c0063006900660073002f003100320037002e0030002e003000"
	"2e0031000000000057004f0052004b00470052004f005500500073006d006200"
	"66007300610075007400680056004d00e4eedbd80a2d394c8b50ee3c97e6fb41"
	"a3120410010000006939d04e9137e97c00000000";

static const char samba_hint_hex[] =
	"604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa32a"
	"3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c65"
	"6173655f69676e6f7265";

static const char samba_challenge_resp_hex[] =
	"a18181307fa0030a0101a10c060a2b06010401823702020aa26a04684e544c4d"
	"5353500002000000040004003800000015828a62622d9c57fb0289b300000000"
	"000000002c002c003c000000060100000000000f56004d000200040056004d00"
	"0100040056004d00040000000300040076006d0007000800fa58f4817e79dd01"
	"00000000";

static const char samba_final_hex[] =
	"a11b3019a0030a0100a312041001000000b94fad4584bb6cac00000000";

/* --- NTLMSSP: [MS-NLMP] 4.2.4 --- */

static void test_ntlm_hashes(void)
{
	uint8_t nt[16], v2[16];

	CU_ASSERT_EQUAL_FATAL(ntlmssp_nt_hash("Password", nt), 0);
	assert_hex(nt, 16, NT_HASH);
	CU_ASSERT_EQUAL_FATAL(ntlmssp_ntowfv2(nt, "User", "Domain", v2), 0);
	assert_hex(v2, 16, NTOWFV2);
	/* The user name is upper-cased, the domain is not. */
	CU_ASSERT_EQUAL_FATAL(ntlmssp_ntowfv2(nt, "user", "Domain", v2), 0);
	assert_hex(v2, 16, NTOWFV2);
	CU_ASSERT_EQUAL_FATAL(ntlmssp_ntowfv2(nt, "User", "DOMAIN", v2), 0);
	CU_ASSERT_FALSE(v2[0] == 0x0c && v2[1] == 0x86 && v2[15] == 0x3f);
	CU_ASSERT_EQUAL(ntlmssp_nt_hash("\xff", nt), -EINVAL);
}

static void test_ntlm_parse_spec_challenge(void)
{
	struct ntlmssp_challenge c;
	size_t len;
	uint8_t *msg = hex(spec_challenge_hex, &len);

	CU_ASSERT_EQUAL_FATAL(ntlmssp_parse_challenge(msg, len, &c), 0);
	CU_ASSERT_EQUAL(c.flags, 0xe28a8233);
	assert_hex(c.server_challenge, 8, SERVER_CHALLENGE);
	assert_hex(c.target_name, c.target_name_len,
		   "530065007200760065007200");
	assert_hex(c.target_info, c.target_info_len, SPEC_AV_PAIRS);
	CU_ASSERT_FALSE(c.has_timestamp);
	CU_ASSERT_TRUE(c.has_version);
	assert_hex(c.version, 8, "060070170000000f");
	free(msg);
}

static void test_ntlm_challenge_rejects(void)
{
	struct ntlmssp_challenge c;
	size_t len, n;
	uint8_t *msg = hex(spec_challenge_hex, &len);
	uint8_t *copy;

	/* Any cut inside the header or the payload is refused. */
	for (n = 0; n < len; n++) {
		copy = malloc(n ? n : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, msg, n);
		CU_ASSERT_EQUAL(ntlmssp_parse_challenge(copy, n, &c), -EBADMSG);
		free(copy);
	}
	/* TargetInfo offset past the end, then inside the header. */
	le32_put(msg + 44, (uint32_t)len);
	CU_ASSERT_EQUAL(ntlmssp_parse_challenge(msg, len, &c), -EBADMSG);
	le32_put(msg + 44, 8);
	CU_ASSERT_EQUAL(ntlmssp_parse_challenge(msg, len, &c), -EBADMSG);
	le32_put(msg + 44, 0x44);
	/* An AV pair running past the list, and a list without EOL. */
	le16_put(msg + 0x44 + 2, 0x40);
	CU_ASSERT_EQUAL(ntlmssp_parse_challenge(msg, len, &c), -EBADMSG);
	le16_put(msg + 0x44 + 2, 0x0c);
	le16_put(msg + len - 4, 5);
	CU_ASSERT_EQUAL(ntlmssp_parse_challenge(msg, len, &c), -EBADMSG);
	le16_put(msg + len - 4, 0);
	msg[8] = 3; /* wrong MessageType */
	CU_ASSERT_EQUAL(ntlmssp_parse_challenge(msg, len, &c), -EBADMSG);
	msg[8] = 2;
	CU_ASSERT_EQUAL(ntlmssp_parse_challenge(msg, len, &c), 0);
	free(msg);
}

static void spec_params(struct ntlmssp_auth_params *p, uint8_t *key,
			uint8_t *cc, uint8_t *rsk, uint8_t *version)
{
	size_t n;
	uint8_t *b;

	memset(p, 0, sizeof(*p));
	b = hex(NTOWFV2, &n);
	memcpy(key, b, 16);
	free(b);
	b = hex(CLIENT_CHALLENGE, &n);
	memcpy(cc, b, 8);
	free(b);
	b = hex(RANDOM_SESSION_KEY, &n);
	memcpy(rsk, b, 16);
	free(b);
	b = hex("0501280a0000000f", &n);
	memcpy(version, b, 8);
	free(b);
	p->user = "User";
	p->domain = "Domain";
	p->workstation = "COMPUTER";
	p->response_key = key;
	p->client_challenge = cc;
	p->random_session_key = rsk;
	p->version = version;
	p->now = 0;
	p->negotiate_flags = NTLMSSP_CLIENT_FLAGS;
}

/* 4.2.4.2 and 4.2.4.3: every byte of the AUTHENTICATE_MESSAGE. */
static void test_ntlm_spec_authenticate(void)
{
	struct ntlmssp_auth_params p;
	struct ntlmssp_auth_result r;
	struct ntlmssp_challenge c;
	uint8_t key[16], cc[8], rsk[16], version[8];
	size_t len;
	uint8_t *chal = hex(spec_challenge_hex, &len);

	CU_ASSERT_EQUAL(NTLMSSP_CLIENT_FLAGS, 0xe2888235);
	CU_ASSERT_EQUAL_FATAL(ntlmssp_parse_challenge(chal, len, &c), 0);
	spec_params(&p, key, cc, rsk, version);
	CU_ASSERT_EQUAL_FATAL(ntlmssp_build_authenticate(&p, &c, &r), 0);
	CU_ASSERT_FALSE(r.mic_present);
	CU_ASSERT_EQUAL(r.flags, 0xe2888235);
	assert_hex(r.nt_proof_str, 16, NT_PROOF_STR);
	assert_hex(r.session_base_key, 16, SESSION_BASE_KEY);
	assert_hex(r.exported_session_key, 16, RANDOM_SESSION_KEY);
	assert_hex(r.msg + 0x6c, 24, LMV2_RESPONSE);
	assert_hex(r.msg + 0xd8, 16, ENC_SESSION_KEY);
	assert_hex(r.msg, r.len, spec_authenticate_hex);
	ntlmssp_auth_result_clear(&r);
	CU_ASSERT_PTR_NULL(r.msg);

	/* Without KEY_EXCH the exported key is the session base key. */
	p.negotiate_flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	CU_ASSERT_EQUAL_FATAL(ntlmssp_build_authenticate(&p, &c, &r), 0);
	assert_hex(r.exported_session_key, 16, SESSION_BASE_KEY);
	CU_ASSERT_EQUAL(le16_get(r.msg + 52), 0); /* no encrypted key */
	ntlmssp_auth_result_clear(&r);
	free(chal);
}

/* 4.2.4.4: sealing and signing keys and the sealed message signature. */
static void test_ntlm_spec_seal(void)
{
	const uint8_t plain[] = { 'P', 0,   'l', 0,   'a', 0,	'i', 0,	  'n',
				  0,   't', 0,	 'e', 0,   'x', 0,   't', 0 };
	struct ntlmssp_keys k;
	uint8_t out[sizeof(plain)], sig[16];
	size_t n;
	uint8_t *rsk = hex(RANDOM_SESSION_KEY, &n);

	CU_ASSERT_EQUAL_FATAL(ntlmssp_derive_keys(rsk, 0xe28a8233, &k), 0);
	assert_hex(k.client.seal_key, 16, "59f600973cc4960a25480a7c196e4c58");
	assert_hex(k.client.sign_key, 16, "4788dc861b4782f35d43fd98fe1a2d39");
	CU_ASSERT_NOT_EQUAL(memcmp(k.client.sign_key, k.server.sign_key, 16),
			    0);
	CU_ASSERT_NOT_EQUAL(memcmp(k.client.seal_key, k.server.seal_key, 16),
			    0);
	CU_ASSERT_EQUAL_FATAL(
		ntlmssp_seal(&k.client, plain, sizeof(plain), out, sig), 0);
	assert_hex(out, sizeof(out), "54e50165bf1936dc996020c1811b0f06fb5f");
	assert_hex(sig, 16, "01000000 7fb38ec5c55d4976 00000000");
	CU_ASSERT_EQUAL(k.client.seq, 1);
	CU_ASSERT_EQUAL(ntlmssp_derive_keys(rsk, 0x00000201, &k),
			-EPROTONOSUPPORT);
	free(rsk);
}

static void test_ntlm_sign_verify(void)
{
	const uint8_t msg[] = "mechTypes";
	struct ntlmssp_keys signer, checker;
	uint8_t sig[16], sig2[16];
	size_t n;
	uint8_t *rsk = hex(RANDOM_SESSION_KEY, &n);

	CU_ASSERT_EQUAL_FATAL(ntlmssp_derive_keys(rsk, 0xe2888235, &signer), 0);
	checker = signer;
	CU_ASSERT_EQUAL(ntlmssp_sign(&signer.client, msg, sizeof(msg), sig), 0);
	CU_ASSERT_EQUAL(le32_get(sig), 1);
	CU_ASSERT_EQUAL(le32_get(sig + 12), 0);
	CU_ASSERT_EQUAL(
		ntlmssp_verify(&checker.client, msg, sizeof(msg), sig, 16), 0);
	/* The second signature uses seq 1 and the continued RC4 stream. */
	CU_ASSERT_EQUAL(ntlmssp_sign(&signer.client, msg, sizeof(msg), sig2),
			0);
	CU_ASSERT_EQUAL(le32_get(sig2 + 12), 1);
	CU_ASSERT_EQUAL(
		ntlmssp_verify(&checker.client, msg, sizeof(msg), sig2, 16), 0);
	/* A server-direction key or a changed byte does not verify. */
	checker = signer;
	checker.client.seq = 0;
	checker.client.rc4_pos = 0;
	CU_ASSERT_EQUAL(
		ntlmssp_verify(&checker.server, msg, sizeof(msg), sig, 16),
		-EACCES);
	sig[5] ^= 1;
	CU_ASSERT_EQUAL(
		ntlmssp_verify(&checker.client, msg, sizeof(msg), sig, 16),
		-EACCES);
	CU_ASSERT_EQUAL(
		ntlmssp_verify(&checker.client, msg, sizeof(msg), sig, 15),
		-EACCES);
	free(rsk);
}

/* A CHALLENGE_MESSAGE with the 4.2.4 values plus MsvAvTimestamp. */
static uint8_t *challenge_with_timestamp(uint64_t ts, size_t *len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t n;
	uint8_t *av = hex(SPEC_AV_PAIRS, &n);
	uint8_t *sc = hex(SERVER_CHALLENGE, &n);
	const uint8_t name[] = {
		'S', 0, 'e', 0, 'r', 0, 'v', 0, 'e', 0, 'r', 0
	};
	size_t info_len = 36 - 4 + 12 + 4;

	wbuf_bytes(&w, "NTLMSSP", 8);
	wbuf_u32(&w, 2);
	wbuf_u16(&w, 12);
	wbuf_u16(&w, 12);
	wbuf_u32(&w, 56);
	wbuf_u32(&w, 0xe28a8233);
	wbuf_bytes(&w, sc, 8);
	wbuf_zero(&w, 8);
	wbuf_u16(&w, (uint16_t)info_len);
	wbuf_u16(&w, (uint16_t)info_len);
	wbuf_u32(&w, 56 + 12);
	wbuf_bytes(&w, "\x06\x00\x70\x17\x00\x00\x00\x0f", 8);
	wbuf_bytes(&w, name, 12);
	wbuf_bytes(&w, av, 32); /* the two names, without EOL */
	wbuf_u16(&w, NTLMSSP_AV_TIMESTAMP);
	wbuf_u16(&w, 8);
	wbuf_u64(&w, ts);
	wbuf_u32(&w, 0); /* MsvAvEOL */
	free(av);
	free(sc);
	CU_ASSERT_EQUAL_FATAL(wbuf_error(&w), 0);
	return wbuf_steal(&w, len);
}

/* Field (Len, MaxLen, Offset) at at, checked to lie inside msg. */
static const uint8_t *auth_field(const uint8_t *msg, size_t len, size_t at,
				 size_t *field_len)
{
	uint16_t l = le16_get(msg + at);
	uint32_t off = le32_get(msg + at + 4);

	CU_ASSERT_EQUAL(le16_get(msg + at + 2), l);
	CU_ASSERT_EQUAL_FATAL(bytes_range_check(len, off, l), 0);
	*field_len = l;
	return msg + off;
}

static void check_mic(const uint8_t *neg, size_t neg_len, const uint8_t *chal,
		      size_t chal_len, const uint8_t *auth, size_t auth_len,
		      const uint8_t key[16])
{
	struct smb_iovec iov[3];
	uint8_t *copy = malloc(auth_len), mic[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, auth, auth_len);
	memset(copy + NTLMSSP_AUTH_MIC_OFFSET, 0, 16);
	iov[0].base = neg;
	iov[0].len = neg_len;
	iov[1].base = chal;
	iov[1].len = chal_len;
	iov[2].base = copy;
	iov[2].len = auth_len;
	CU_ASSERT_EQUAL(smb_hmac_md5_vec(key, 16, iov, 3, mic), 0);
	CU_ASSERT_BYTES_EQUAL(auth + NTLMSSP_AUTH_MIC_OFFSET, mic, 16);
	free(copy);
}

static void test_ntlm_authenticate_with_mic(void)
{
	struct ntlmssp_auth_params p;
	struct ntlmssp_auth_result r;
	struct ntlmssp_challenge c;
	uint8_t key[16], cc[8], rsk[16], version[8], zeros[24] = { 0 };
	uint8_t *neg, *chal, proof[16], flags[4];
	size_t neg_len, chal_len, n;
	const uint8_t *f, *val;
	struct smb_iovec iov[2];

	chal = challenge_with_timestamp(0x01d0123456789abcULL, &chal_len);
	CU_ASSERT_EQUAL_FATAL(ntlmssp_parse_challenge(chal, chal_len, &c), 0);
	CU_ASSERT_TRUE(c.has_timestamp);
	CU_ASSERT_EQUAL(c.timestamp, 0x01d0123456789abcULL);
	CU_ASSERT_EQUAL_FATAL(
		ntlmssp_build_negotiate(NTLMSSP_CLIENT_FLAGS, &neg, &neg_len),
		0);
	CU_ASSERT_EQUAL(neg_len, 40);
	CU_ASSERT_EQUAL(le32_get(neg + 8), 1);
	CU_ASSERT_EQUAL(le32_get(neg + 12), NTLMSSP_CLIENT_FLAGS);
	spec_params(&p, key, cc, rsk, version);
	p.version = NULL;
	p.now = 42; /* must be ignored: the server sent a timestamp */
	p.target_name = "cifs/Server";
	p.negotiate_msg = neg;
	p.negotiate_len = neg_len;
	p.challenge_msg = chal;
	p.challenge_len = chal_len;
	CU_ASSERT_EQUAL_FATAL(ntlmssp_build_authenticate(&p, &c, &r), 0);
	CU_ASSERT_TRUE(r.mic_present);
	CU_ASSERT_EQUAL(le32_get(r.msg + 60), 0xe2888235);
	/* Payload after VERSION (64) and MIC (72): domain first, at 88. */
	f = auth_field(r.msg, r.len, 28, &n);
	CU_ASSERT_EQUAL(f - r.msg, 88);
	assert_hex(f, n, "44006f006d00610069006e00");
	f = auth_field(r.msg, r.len, 36, &n);
	assert_hex(f, n, "5500730065007200");
	f = auth_field(r.msg, r.len, 12, &n);
	CU_ASSERT_EQUAL(n, 24);
	CU_ASSERT_BYTES_EQUAL(f, zeros, 24); /* LMv2 is Z(24) with a MIC */
	f = auth_field(r.msg, r.len, 52, &n);
	CU_ASSERT_EQUAL(n, 16);
	/*
	 * NT response: NTProofStr over the blob; the blob carries the
	 * server's timestamp and MsvAvFlags = MIC present.
	 */
	f = auth_field(r.msg, r.len, 20, &n);
	CU_ASSERT_FATAL(n > 16 + 28 + 4);
	CU_ASSERT_EQUAL(le64_get(f + 16 + 8), 0x01d0123456789abcULL);
	CU_ASSERT_BYTES_EQUAL(f + 16 + 16, cc, 8);
	CU_ASSERT_EQUAL(ntlmssp_av_validate(f + 44, n - 44), (int)(n - 48));
	CU_ASSERT_EQUAL(ntlmssp_av_find(f + 44, n - 44, NTLMSSP_AV_FLAGS, &val,
					&neg_len),
			1);
	le32_put(flags, NTLMSSP_AV_FLAG_MIC_PRESENT);
	CU_ASSERT_EQUAL(neg_len, 4);
	CU_ASSERT_BYTES_EQUAL(val, flags, 4);
	CU_ASSERT_EQUAL(ntlmssp_av_find(f + 44, n - 44, NTLMSSP_AV_TARGET_NAME,
					&val, &neg_len),
			1);
	CU_ASSERT_EQUAL(neg_len, 22);
	iov[0].base = c.server_challenge;
	iov[0].len = 8;
	iov[1].base = f + 16;
	iov[1].len = n - 16;
	CU_ASSERT_EQUAL(smb_hmac_md5_vec(key, 16, iov, 2, proof), 0);
	CU_ASSERT_BYTES_EQUAL(f, proof, 16);
	CU_ASSERT_BYTES_EQUAL(r.nt_proof_str, proof, 16);
	check_mic(neg, p.negotiate_len, chal, chal_len, r.msg, r.len,
		  r.exported_session_key);
	ntlmssp_auth_result_clear(&r);
	free(neg);
	free(chal);
}

static void test_ntlm_anonymous_authenticate(void)
{
	struct ntlmssp_auth_params p = { 0 };
	struct ntlmssp_auth_result r;
	struct ntlmssp_challenge c;
	size_t len, n;
	uint8_t *chal = challenge_with_timestamp(1, &len);
	const uint8_t *f;
	uint32_t flags;

	CU_ASSERT_EQUAL_FATAL(ntlmssp_parse_challenge(chal, len, &c), 0);
	p.anonymous = true;
	p.workstation = "WS";
	p.negotiate_flags = NTLMSSP_CLIENT_FLAGS;
	CU_ASSERT_EQUAL_FATAL(ntlmssp_build_authenticate(&p, &c, &r), 0);
	CU_ASSERT_FALSE(r.mic_present);
	CU_ASSERT_FALSE(r.has_session_key);
	flags = le32_get(r.msg + 60);
	CU_ASSERT(flags & NTLMSSP_NEGOTIATE_ANONYMOUS);
	CU_ASSERT_FALSE(flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	f = auth_field(r.msg, r.len, 12, &n); /* LM: one zero byte */
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(f[0], 0);
	auth_field(r.msg, r.len, 20, &n);
	CU_ASSERT_EQUAL(n, 0);
	auth_field(r.msg, r.len, 28, &n);
	CU_ASSERT_EQUAL(n, 0);
	auth_field(r.msg, r.len, 36, &n);
	CU_ASSERT_EQUAL(n, 0);
	auth_field(r.msg, r.len, 52, &n);
	CU_ASSERT_EQUAL(n, 0);
	f = auth_field(r.msg, r.len, 44, &n); /* no MIC: payload at 72 */
	CU_ASSERT_EQUAL(f - r.msg, 72);
	assert_hex(f, n, "57005300");
	ntlmssp_auth_result_clear(&r);
	free(chal);
}

/* --- smb_auth end to end --- */

/* The server side of the exchange, as the test plays it. */
struct fake_server {
	uint8_t *challenge;
	size_t challenge_len;
	uint8_t exported[16];
	struct ntlmssp_keys keys;
};

static uint8_t *wrap_challenge(const uint8_t *chal, size_t len, int state,
			       size_t *out_len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t a, b, c;

	a = asn1_begin(&w, ASN1_CONTEXT(1));
	b = asn1_begin(&w, ASN1_SEQUENCE);
	c = asn1_begin(&w, ASN1_CONTEXT(0));
	asn1_put_int(&w, ASN1_ENUMERATED, state);
	asn1_end(&w, c);
	c = asn1_begin(&w, ASN1_CONTEXT(1));
	asn1_put(&w, ASN1_OID, spnego_oid_ntlmssp, 10);
	asn1_end(&w, c);
	c = asn1_begin(&w, ASN1_CONTEXT(2));
	asn1_put(&w, ASN1_OCTET_STRING, chal, len);
	asn1_end(&w, c);
	asn1_end(&w, b);
	asn1_end(&w, a);
	CU_ASSERT_EQUAL_FATAL(wbuf_error(&w), 0);
	return wbuf_steal(&w, out_len);
}

static uint8_t *final_token(int state, const uint8_t *mic, size_t *out_len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t a, b, c;

	a = asn1_begin(&w, ASN1_CONTEXT(1));
	b = asn1_begin(&w, ASN1_SEQUENCE);
	c = asn1_begin(&w, ASN1_CONTEXT(0));
	asn1_put_int(&w, ASN1_ENUMERATED, state);
	asn1_end(&w, c);
	if (mic) {
		c = asn1_begin(&w, ASN1_CONTEXT(3));
		asn1_put(&w, ASN1_OCTET_STRING, mic, 16);
		asn1_end(&w, c);
	}
	asn1_end(&w, b);
	asn1_end(&w, a);
	CU_ASSERT_EQUAL_FATAL(wbuf_error(&w), 0);
	return wbuf_steal(&w, out_len);
}

static struct smb_auth *new_auth(bool anonymous)
{
	struct smb_auth_creds creds = { 0 };
	struct smb_auth *a = NULL;

	creds.anonymous = anonymous;
	if (!anonymous) {
		creds.user = "User";
		creds.domain = "Domain";
		creds.password = "Password";
	}
	CU_ASSERT_EQUAL_FATAL(smb_auth_ntlmssp_new(&creds, &a), 0);
	return a;
}

/* Round 1 and 2; returns the AUTHENTICATE token's SPNEGO wrapper. */
static uint8_t *run_to_authenticate(struct smb_auth *a, int chal_state,
				    const uint8_t *hint, size_t hint_len,
				    struct spnego_resp *resp, size_t *out_len)
{
	struct spnego_init init;
	uint8_t *out, *in;
	size_t len, in_len;

	CU_ASSERT_EQUAL_FATAL(smb_auth_step(a, hint, hint_len, &out, &len), 1);
	CU_ASSERT_EQUAL_FATAL(spnego_parse_init(out, len, &init), 0);
	CU_ASSERT_TRUE(init.offers_ntlmssp);
	CU_ASSERT_EQUAL(init.mech_count, 1);
	CU_ASSERT_EQUAL_FATAL(init.mech_token_len, 40);
	CU_ASSERT_EQUAL(le32_get(init.mech_token + 8), 1);
	free(out);

	{
		size_t cl;
		uint8_t *chal =
			challenge_with_timestamp(0x01d5aaaaaaaaaaaaULL, &cl);

		in = wrap_challenge(chal, cl, chal_state, &in_len);
		free(chal);
	}
	CU_ASSERT_EQUAL_FATAL(smb_auth_step(a, in, in_len, &out, &len), 1);
	free(in);
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(out, len, resp), 0);
	*out_len = len;
	return out;
}

/*
 * Checks the AUTHENTICATE the way a server would and returns the
 * exported session key and keys.
 */
static void server_check_authenticate(const struct spnego_resp *resp,
				      struct fake_server *s)
{
	const uint8_t *auth = resp->response_token, *f, *nt;
	size_t len = resp->response_token_len, n, nt_len;
	uint8_t key[16], proof[16], base[16];
	struct smb_iovec iov[2];
	size_t k;
	uint8_t *b, *sc = hex(SERVER_CHALLENGE, &k);

	b = hex(NTOWFV2, &k);
	memcpy(key, b, 16);
	free(b);
	CU_ASSERT_FATAL(auth && len > 88);
	CU_ASSERT_EQUAL(le32_get(auth + 8), 3);
	f = auth_field(auth, len, 36, &n);
	assert_hex(f, n, "5500730065007200");
	f = auth_field(auth, len, 28, &n);
	assert_hex(f, n, "44006f006d00610069006e00");
	nt = auth_field(auth, len, 20, &nt_len);
	CU_ASSERT_FATAL(nt_len > 16);
	iov[0].base = sc;
	iov[0].len = 8;
	iov[1].base = nt + 16;
	iov[1].len = nt_len - 16;
	CU_ASSERT_EQUAL(smb_hmac_md5_vec(key, 16, iov, 2, proof), 0);
	CU_ASSERT_BYTES_EQUAL(nt, proof, 16);
	CU_ASSERT_EQUAL(smb_hmac_md5(key, 16, proof, 16, base), 0);
	f = auth_field(auth, len, 52, &n);
	CU_ASSERT_EQUAL_FATAL(n, 16);
	CU_ASSERT_EQUAL(smb_rc4(base, 16, f, s->exported, 16), 0);
	CU_ASSERT_EQUAL(
		ntlmssp_derive_keys(s->exported, le32_get(auth + 60), &s->keys),
		0);
	free(sc);
}

static void test_auth_end_to_end(void)
{
	struct smb_auth *a = new_auth(false);
	struct fake_server s;
	struct spnego_resp resp;
	uint8_t *out, *in, key[16], server_mic[16];
	size_t len, in_len, mt_len;
	const uint8_t *mech_types = spnego_ntlmssp_mech_types(&mt_len);
	size_t hint_len;
	uint8_t *hint = hex(hint_hex, &hint_len);

	CU_ASSERT_FALSE(smb_auth_is_anonymous(a));
	CU_ASSERT_EQUAL(smb_auth_session_key(a, key), -ENOKEY);
	out = run_to_authenticate(a, SPNEGO_ACCEPT_INCOMPLETE, hint, hint_len,
				  &resp, &len);
	server_check_authenticate(&resp, &s);
	/* The client's mechListMIC covers its mechTypes, seq 0. */
	CU_ASSERT_EQUAL_FATAL(resp.mech_list_mic_len, 16);
	CU_ASSERT_EQUAL(ntlmssp_verify(&s.keys.client, mech_types, mt_len,
				       resp.mech_list_mic, 16),
			0);
	free(out);

	CU_ASSERT_EQUAL(
		ntlmssp_sign(&s.keys.server, mech_types, mt_len, server_mic),
		0);
	in = final_token(SPNEGO_ACCEPT_COMPLETED, server_mic, &in_len);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), 0);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(smb_auth_session_key(a, key), 0);
	CU_ASSERT_BYTES_EQUAL(key, s.exported, 16);
	/* Nothing more to do once done. */
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), -EINVAL);
	free(in);
	free(hint);
	smb_auth_free(a);
}

static void test_auth_bad_server_mic(void)
{
	struct smb_auth *a = new_auth(false);
	struct fake_server s;
	struct spnego_resp resp;
	uint8_t *out, *in, mic[16];
	size_t len, in_len, mt_len;
	const uint8_t *mech_types = spnego_ntlmssp_mech_types(&mt_len);

	out = run_to_authenticate(a, SPNEGO_ACCEPT_INCOMPLETE, NULL, 0, &resp,
				  &len);
	server_check_authenticate(&resp, &s);
	free(out);
	/* Signed with the client-direction key: must not verify. */
	CU_ASSERT_EQUAL(ntlmssp_sign(&s.keys.client, mech_types, mt_len, mic),
			0);
	in = final_token(SPNEGO_ACCEPT_COMPLETED, mic, &in_len);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), -EACCES);
	free(in);
	smb_auth_free(a);
}

static void test_auth_missing_server_mic(void)
{
	struct smb_auth *a = new_auth(false);
	struct spnego_resp resp;
	uint8_t *out, *in;
	size_t len, in_len;

	/* Not requested: a bare accept-completed is enough. */
	out = run_to_authenticate(a, SPNEGO_ACCEPT_INCOMPLETE, NULL, 0, &resp,
				  &len);
	free(out);
	in = final_token(SPNEGO_ACCEPT_COMPLETED, NULL, &in_len);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), 0);
	smb_auth_free(a);

	/* Requested (negState request-mic): its absence is refused. */
	a = new_auth(false);
	out = run_to_authenticate(a, SPNEGO_REQUEST_MIC, NULL, 0, &resp, &len);
	CU_ASSERT_PTR_NOT_NULL(resp.mech_list_mic);
	free(out);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), -EACCES);
	free(in);
	smb_auth_free(a);
}

static void test_auth_reject_and_malformed(void)
{
	struct smb_auth *a = new_auth(false);
	struct spnego_resp resp;
	uint8_t *out, *in, junk[] = { 0x30, 0x03, 0x01 };
	size_t len, in_len;

	out = run_to_authenticate(a, SPNEGO_ACCEPT_INCOMPLETE, NULL, 0, &resp,
				  &len);
	free(out);
	in = final_token(SPNEGO_REJECT, NULL, &in_len);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), -EACCES);
	CU_ASSERT_PTR_NULL(out);
	smb_auth_free(a);

	/* Rejected at the CHALLENGE round. */
	a = new_auth(false);
	CU_ASSERT_EQUAL(smb_auth_step(a, NULL, 0, &out, &len), 1);
	free(out);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), -EACCES);
	free(in);
	smb_auth_free(a);

	/* A malformed hint, and a malformed CHALLENGE round token. */
	a = new_auth(false);
	CU_ASSERT_EQUAL(smb_auth_step(a, junk, sizeof(junk), &out, &len),
			-EBADMSG);
	smb_auth_free(a);
	a = new_auth(false);
	CU_ASSERT_EQUAL(smb_auth_step(a, NULL, 0, &out, &len), 1);
	free(out);
	CU_ASSERT_EQUAL(smb_auth_step(a, junk, sizeof(junk), &out, &len),
			-EBADMSG);
	smb_auth_free(a);
}

static void test_auth_anonymous(void)
{
	struct smb_auth *a = new_auth(true);
	struct spnego_resp resp;
	uint8_t *out, *in, key[16], zeros[16] = { 0 };
	size_t len, in_len;

	CU_ASSERT_TRUE(smb_auth_is_anonymous(a));
	out = run_to_authenticate(a, SPNEGO_ACCEPT_INCOMPLETE, NULL, 0, &resp,
				  &len);
	CU_ASSERT_PTR_NULL(resp.mech_list_mic);
	CU_ASSERT_FATAL(resp.response_token_len >= 72);
	CU_ASSERT(le32_get(resp.response_token + 60) &
		  NTLMSSP_NEGOTIATE_ANONYMOUS);
	CU_ASSERT_EQUAL(le16_get(resp.response_token + 20), 0);
	free(out);
	in = final_token(SPNEGO_ACCEPT_COMPLETED, NULL, &in_len);
	CU_ASSERT_EQUAL(smb_auth_step(a, in, in_len, &out, &len), 0);
	memset(key, 0xee, sizeof(key));
	CU_ASSERT_EQUAL(smb_auth_session_key(a, key), -ENOKEY);
	CU_ASSERT_BYTES_EQUAL(key, zeros, 16);
	free(in);
	smb_auth_free(a);
}

static void test_auth_bad_creds(void)
{
	struct smb_auth_creds creds = { 0 };
	struct smb_auth *a = (struct smb_auth *)1;

	CU_ASSERT_EQUAL(smb_auth_ntlmssp_new(&creds, &a), -EINVAL);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_EQUAL(smb_auth_ntlmssp_new(NULL, &a), -EINVAL);
	smb_auth_free(NULL);
}

/*
 * Kerberos without a ticket, or with a keytab that is not there: the
 * mechanism refuses to start, with one line naming the cure.  Runs the
 * real library against a private krb5.conf; no KDC is contacted.
 */
static void test_auth_krb5_no_credentials(void)
{
	static const char conf_text[] =
		"[libdefaults]\n\tdefault_realm = EXAMPLE.TEST\n"
		"\tdns_lookup_kdc = false\n";
	struct smb_krb5_creds kc = { .host = "fs.example.test" };
	struct smb_auth *a = (struct smb_auth *)1;
	char conf[] = "/tmp/smbfs-krb5-conf.XXXXXX";
	char err[512] = "";
	int fd = mkstemp(conf);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, conf_text, strlen(conf_text)),
			(ssize_t)strlen(conf_text));
	close(fd);
	setenv("KRB5_CONFIG", conf, 1);
	setenv("KRB5CCNAME", "FILE:/nonexistent-smbfs-test/cc", 1);
	CU_ASSERT_EQUAL(smb_auth_krb5_new(&kc, &a, err, sizeof(err)),
			-EKEYEXPIRED);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Kerberos: no credential cache"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "run kinit"));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));

	kc.keytab = "/nonexistent-smbfs-test/user.keytab";
	kc.principal = "user@EXAMPLE.TEST";
	err[0] = '\0';
	CU_ASSERT(smb_auth_krb5_new(&kc, &a, err, sizeof(err)) < 0);
	CU_ASSERT_PTR_NULL(a);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "Kerberos: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, kc.keytab));
	CU_ASSERT_EQUAL(smb_auth_krb5_new(NULL, &a, err, sizeof(err)), -EINVAL);
	unsetenv("KRB5CCNAME");
	unsetenv("KRB5_CONFIG");
	unlink(conf);
}

/*
 * Interoperability with a real peer: recompute smbclient's NTLMv2
 * response, MIC and mechListMIC from the password, and verify Samba's
 * mechListMIC with the server-to-client keys derived here.
 */
static void test_samba_capture_interop(void)
{
	struct spnego_init init;
	struct spnego_resp chal_resp, auth_resp, fin;
	struct ntlmssp_challenge c;
	struct ntlmssp_keys k;
	uint8_t *cinit, *cauth, *hint, *sresp, *sfin;
	size_t cinit_len, cauth_len, hint_len, sresp_len, sfin_len, n, nt_len;
	size_t mt_len;
	const uint8_t *mech_types = spnego_ntlmssp_mech_types(&mt_len);
	const uint8_t *auth, *f, *nt;
	uint8_t hash[16], key[16], proof[16], base[16], exported[16];
	struct smb_iovec iov[2];

	hint = hex(samba_hint_hex, &hint_len);
	cinit = hex(samba_client_init_hex, &cinit_len);
	sresp = hex(samba_challenge_resp_hex, &sresp_len);
	cauth = hex(samba_client_auth_hex, &cauth_len);
	sfin = hex(samba_final_hex, &sfin_len);

	CU_ASSERT_EQUAL(spnego_parse_init(hint, hint_len, &init), 0);
	CU_ASSERT_EQUAL(init.mech_count, 1);
	CU_ASSERT_TRUE(init.offers_ntlmssp);
	/* smbclient's NegTokenInit is byte-identical in shape to ours. */
	CU_ASSERT_EQUAL_FATAL(spnego_parse_init(cinit, cinit_len, &init), 0);
	CU_ASSERT_EQUAL(init.mech_types_der_len, mt_len);
	CU_ASSERT_BYTES_EQUAL(init.mech_types_der, mech_types, mt_len);

	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(sresp, sresp_len, &chal_resp),
			      0);
	CU_ASSERT_EQUAL(chal_resp.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	CU_ASSERT_TRUE(chal_resp.supported_mech_ntlmssp);
	CU_ASSERT_EQUAL_FATAL(
		ntlmssp_parse_challenge(chal_resp.response_token,
					chal_resp.response_token_len, &c),
		0);
	CU_ASSERT_EQUAL(c.flags, 0x628a8215);
	CU_ASSERT_TRUE(c.has_timestamp);
	CU_ASSERT_EQUAL(c.timestamp, 0x01dd797e81f458faULL);
	assert_hex(c.target_name, c.target_name_len, "56004d00");

	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(cauth, cauth_len, &auth_resp),
			      0);
	auth = auth_resp.response_token;
	n = auth_resp.response_token_len;
	f = auth_field(auth, n, 28, &nt_len);
	assert_hex(f, nt_len, "57004f0052004b00470052004f0055005000");
	CU_ASSERT_EQUAL_FATAL(ntlmssp_nt_hash("Secret123", hash), 0);
	CU_ASSERT_EQUAL_FATAL(
		ntlmssp_ntowfv2(hash, "smbfsauth", "WORKGROUP", key), 0);
	nt = auth_field(auth, n, 20, &nt_len);
	CU_ASSERT_FATAL(nt_len > 16);
	iov[0].base = c.server_challenge;
	iov[0].len = 8;
	iov[1].base = nt + 16;
	iov[1].len = nt_len - 16;
	CU_ASSERT_EQUAL(smb_hmac_md5_vec(key, 16, iov, 2, proof), 0);
	CU_ASSERT_BYTES_EQUAL(nt, proof, 16);
	CU_ASSERT_EQUAL(smb_hmac_md5(key, 16, proof, 16, base), 0);
	f = auth_field(auth, n, 52, &nt_len);
	CU_ASSERT_EQUAL_FATAL(nt_len, 16);
	CU_ASSERT_EQUAL(smb_rc4(base, 16, f, exported, 16), 0);
	check_mic(init.mech_token, init.mech_token_len,
		  chal_resp.response_token, chal_resp.response_token_len, auth,
		  n, exported);

	CU_ASSERT_EQUAL_FATAL(
		ntlmssp_derive_keys(exported, le32_get(auth + 60), &k), 0);
	CU_ASSERT_EQUAL(ntlmssp_verify(&k.client, mech_types, mt_len,
				       auth_resp.mech_list_mic,
				       auth_resp.mech_list_mic_len),
			0);
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(sfin, sfin_len, &fin), 0);
	CU_ASSERT_EQUAL(fin.neg_state, SPNEGO_ACCEPT_COMPLETED);
	CU_ASSERT_EQUAL(ntlmssp_verify(&k.server, mech_types, mt_len,
				       fin.mech_list_mic,
				       fin.mech_list_mic_len),
			0);
	free(hint);
	free(cinit);
	free(sresp);
	free(cauth);
	free(sfin);
}

/* Our client answering Samba's real CHALLENGE, checked as Samba would. */
static void test_samba_challenge_answered(void)
{
	struct smb_auth_creds creds = { 0 };
	struct smb_auth *a;
	struct spnego_resp resp, chal_resp;
	struct ntlmssp_challenge c;
	uint8_t *hint, *sresp, *out, hash[16], key[16], proof[16];
	size_t hint_len, sresp_len, len, n, nt_len;
	const uint8_t *nt, *val;
	struct smb_iovec iov[2];

	creds.user = "smbfsauth";
	creds.domain = "WORKGROUP";
	creds.password = "Secret123";
	CU_ASSERT_EQUAL_FATAL(smb_auth_ntlmssp_new(&creds, &a), 0);
	hint = hex(samba_hint_hex, &hint_len);
	sresp = hex(samba_challenge_resp_hex, &sresp_len);
	CU_ASSERT_EQUAL_FATAL(smb_auth_step(a, hint, hint_len, &out, &len), 1);
	free(out);
	CU_ASSERT_EQUAL_FATAL(smb_auth_step(a, sresp, sresp_len, &out, &len),
			      1);
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(out, len, &resp), 0);
	CU_ASSERT_EQUAL(resp.mech_list_mic_len, 16);
	CU_ASSERT_EQUAL_FATAL(spnego_parse_resp(sresp, sresp_len, &chal_resp),
			      0);
	CU_ASSERT_EQUAL_FATAL(
		ntlmssp_parse_challenge(chal_resp.response_token,
					chal_resp.response_token_len, &c),
		0);
	n = resp.response_token_len;
	/* Flags: what both asked for (Samba did not offer 56). */
	CU_ASSERT_EQUAL(le32_get(resp.response_token + 60),
			(NTLMSSP_CLIENT_FLAGS & 0x628a8215) |
				NTLMSSP_REQUEST_TARGET);
	nt = auth_field(resp.response_token, n, 20, &nt_len);
	CU_ASSERT_FATAL(nt_len > 48);
	CU_ASSERT_EQUAL(le64_get(nt + 24), c.timestamp);
	CU_ASSERT_EQUAL(ntlmssp_av_find(nt + 44, nt_len - 44, NTLMSSP_AV_FLAGS,
					&val, &len),
			1);
	CU_ASSERT_EQUAL(ntlmssp_nt_hash("Secret123", hash), 0);
	CU_ASSERT_EQUAL(ntlmssp_ntowfv2(hash, "SMBFSAUTH", "WORKGROUP", key),
			0);
	iov[0].base = c.server_challenge;
	iov[0].len = 8;
	iov[1].base = nt + 16;
	iov[1].len = nt_len - 16;
	CU_ASSERT_EQUAL(smb_hmac_md5_vec(key, 16, iov, 2, proof), 0);
	CU_ASSERT_BYTES_EQUAL(nt, proof, 16);
	free(out);
	free(hint);
	free(sresp);
	smb_auth_free(a);
}

static CU_TestInfo der_tests[] = {
	{ "lengths: short, long, indefinite, overrun", test_der_lengths },
	{ "nested elements stay inside their parent",
	  test_der_nested_and_inner_overrun },
	{ "OID encode/decode and malformed OIDs", test_der_oid },
	{ "writer: long-form fix-up and integers", test_der_writer },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo spnego_tests[] = {
	{ "NegTokenInit matches hand-assembled DER", test_spnego_build_init },
	{ "Kerberos NegTokenInit matches hand-assembled DER",
	  test_spnego_build_init_krb5 },
	{ "NegTokenResp matches hand-assembled DER", test_spnego_build_resp },
	{ "NegTokenInit2 hint with negHints", test_spnego_parse_hint },
	{ "server NegTokenResp fields", test_spnego_parse_resp },
	{ "server NegTokenResp choosing Kerberos", test_spnego_parse_resp_krb5 },
	{ "malformed NegTokenResp rejected", test_spnego_parse_resp_rejects },
	{ "truncations fail, fuzz stays in bounds",
	  test_spnego_truncation_and_fuzz },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo ntlm_tests[] = {
	{ "NT hash and NTOWFv2 (4.2.1, 4.2.4.1.1)", test_ntlm_hashes },
	{ "parse 4.2.4.3 CHALLENGE", test_ntlm_parse_spec_challenge },
	{ "CHALLENGE bounds and AV pair checks", test_ntlm_challenge_rejects },
	{ "4.2.4 AUTHENTICATE byte for byte", test_ntlm_spec_authenticate },
	{ "4.2.4.4 keys and sealed signature", test_ntlm_spec_seal },
	{ "sign/verify with sequence and RC4 stream", test_ntlm_sign_verify },
	{ "AUTHENTICATE with timestamp: layout and MIC",
	  test_ntlm_authenticate_with_mic },
	{ "anonymous AUTHENTICATE", test_ntlm_anonymous_authenticate },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo auth_tests[] = {
	{ "three rounds, mechListMIC both ways", test_auth_end_to_end },
	{ "wrong server mechListMIC is -EACCES", test_auth_bad_server_mic },
	{ "missing server mechListMIC", test_auth_missing_server_mic },
	{ "reject and malformed tokens", test_auth_reject_and_malformed },
	{ "anonymous exchange", test_auth_anonymous },
	{ "invalid credentials", test_auth_bad_creds },
	{ "Kerberos without a ticket or keytab", test_auth_krb5_no_credentials },
	{ "captured smbclient/Samba exchange verifies",
	  test_samba_capture_interop },
	{ "answer to Samba's real CHALLENGE", test_samba_challenge_answered },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "der", NULL, NULL, NULL, NULL, der_tests },
	{ "spnego", NULL, NULL, NULL, NULL, spnego_tests },
	{ "ntlmssp", NULL, NULL, NULL, NULL, ntlm_tests },
	{ "auth", NULL, NULL, NULL, NULL, auth_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
