// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SPNEGO tokens from the server ([MS-SPNG], RFC 4178): the NegTokenInit2
 * hint of the NEGOTIATE response and the NegTokenResp of SESSION_SETUP,
 * and the DER reader under them (X.690).
 *
 * Input: a selector byte (modulo 3), then a token: 0 NegTokenInit,
 * 1 NegTokenResp, 2 any DER, walked element by element.
 */
#include "fuzz_common.h"
#include "smbfs/asn1.h"
#include "smbfs/spnego.h"

#define MAX_DEPTH 16

/* An OID that decodes encodes back to the same contents. */
static void check_oid(const struct asn1_elem *e)
{
	uint32_t arcs[ASN1_OID_MAX_ARCS];
	uint8_t back[ASN1_OID_MAX_ARCS * 5];
	int n = asn1_oid_decode(e, arcs, ASN1_OID_MAX_ARCS), len;

	FUZZ_CHECK(n >= 2 || n == -EBADMSG || n == -E2BIG);
	if (n < 2)
		return;
	len = asn1_oid_encode(arcs, (size_t)n, back, sizeof(back));
	FUZZ_CHECK(len > 0 && (size_t)len == e->len &&
		   !memcmp(back, e->val, e->len));
}

/* Every element lies inside its parent; constructed ones are entered. */
static void walk(const uint8_t *buf, size_t len, int depth)
{
	struct asn1_reader r;
	struct asn1_elem e;
	int32_t v;
	int rc;

	asn1_reader_init(&r, buf, len);
	while ((rc = asn1_next(&r, &e)) > 0) {
		FUZZ_CHECK(e.start >= buf && e.total <= len &&
			   (size_t)(e.start - buf) <= len - e.total);
		FUZZ_CHECK(e.val >= e.start && e.val + e.len == e.start + e.total);
		FUZZ_CHECK(e.cls == e.id >> 6);
		if (e.id == ASN1_OID)
			check_oid(&e);
		if (e.id == ASN1_INTEGER || e.id == ASN1_ENUMERATED)
			FUZZ_CHECK(asn1_get_int(&e, &v) ==
				   (e.len >= 1 && e.len <= 4 ? 0 : -EBADMSG));
		if (e.constructed && depth < MAX_DEPTH)
			walk(e.val, e.len, depth + 1);
	}
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	FUZZ_CHECK(rc || r.pos == len);
}

static void check_init(const uint8_t *tok, size_t len)
{
	struct spnego_init init, back;
	uint8_t *built = NULL;
	size_t built_len = 0;
	int rc = spnego_parse_init(tok, len, &init);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return;
	FUZZ_CHECK(fuzz_inside(tok, len, init.mech_types_der,
			       init.mech_types_der_len));
	FUZZ_CHECK(fuzz_inside(tok, len, init.mech_token, init.mech_token_len));
	FUZZ_CHECK(!init.offers_ntlmssp || init.mech_count > 0);
	if (!init.mech_token)
		return;
	/* The client's own NegTokenInit carrying that token parses back. */
	FUZZ_CHECK(spnego_build_init(init.mech_token, init.mech_token_len,
				     &built, &built_len) == 0);
	FUZZ_CHECK(spnego_parse_init(built, built_len, &back) == 0);
	FUZZ_CHECK(back.offers_ntlmssp && back.mech_count == 1);
	FUZZ_CHECK(back.mech_token_len == init.mech_token_len &&
		   !memcmp(back.mech_token, init.mech_token,
			   init.mech_token_len));
	free(built);
}

static void check_resp(const uint8_t *tok, size_t len)
{
	struct spnego_resp r, back;
	uint8_t *built = NULL;
	size_t built_len = 0;
	int rc = spnego_parse_resp(tok, len, &r);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return;
	FUZZ_CHECK(fuzz_inside(tok, len, r.response_token,
			       r.response_token_len));
	FUZZ_CHECK(fuzz_inside(tok, len, r.mech_list_mic, r.mech_list_mic_len));
	FUZZ_CHECK(!r.supported_mech_ntlmssp || r.has_supported_mech);
	/* Token and MIC sent back in the client's NegTokenResp parse back. */
	FUZZ_CHECK(spnego_build_resp(r.response_token, r.response_token_len,
				     r.mech_list_mic, r.mech_list_mic_len,
				     &built, &built_len) == 0);
	FUZZ_CHECK(spnego_parse_resp(built, built_len, &back) == 0);
	FUZZ_CHECK(back.neg_state == SPNEGO_NEG_STATE_ABSENT);
	FUZZ_CHECK(back.response_token_len == r.response_token_len &&
		   (!r.response_token_len ||
		    !memcmp(back.response_token, r.response_token,
			    r.response_token_len)));
	FUZZ_CHECK(back.mech_list_mic_len == r.mech_list_mic_len &&
		   (!r.mech_list_mic_len ||
		    !memcmp(back.mech_list_mic, r.mech_list_mic,
			    r.mech_list_mic_len)));
	free(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size) % 3;
	uint8_t *tok = fuzz_copy(data, size);

	if (sel == 0)
		check_init(tok, size);
	else if (sel == 1)
		check_resp(tok, size);
	else
		walk(tok, size, 0);
	free(tok);
	return 0;
}
