// SPDX-License-Identifier: GPL-2.0-or-later
/* SPNEGO tokens for the SMB client ([MS-SPNG], RFC 4178 4.2). */
#include <errno.h>
#include <string.h>

#include "smbfs/asn1.h"
#include "smbfs/spnego.h"

const uint8_t spnego_oid_spnego[6] = { 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };
const uint8_t spnego_oid_ntlmssp[10] = { 0x2b, 0x06, 0x01, 0x04, 0x01,
					 0x82, 0x37, 0x02, 0x02, 0x0a };
const uint8_t spnego_oid_krb5[9] = { 0x2a, 0x86, 0x48, 0x86, 0xf7,
				     0x12, 0x01, 0x02, 0x02 };
const uint8_t spnego_oid_ms_krb5[9] = { 0x2a, 0x86, 0x48, 0x82, 0xf7,
					0x12, 0x01, 0x02, 0x02 };

/* MechTypeList ::= SEQUENCE OF MechType, here just NTLMSSP. */
static const uint8_t ntlmssp_mech_types[] = {
	ASN1_SEQUENCE, 0x0c, ASN1_OID, 0x0a, 0x2b, 0x06, 0x01,
	0x04,	       0x01, 0x82,     0x37, 0x02, 0x02, 0x0a,
};

/* MechTypeList with the Kerberos V5 OID alone (RFC 4121 1). */
static const uint8_t krb5_mech_types[] = {
	ASN1_SEQUENCE, 0x0b, ASN1_OID, 0x09, 0x2a, 0x86, 0x48,
	0x86,	       0xf7, 0x12,     0x01, 0x02, 0x02,
};

const uint8_t *spnego_ntlmssp_mech_types(size_t *len)
{
	*len = sizeof(ntlmssp_mech_types);
	return ntlmssp_mech_types;
}

const uint8_t *spnego_krb5_mech_types(size_t *len)
{
	*len = sizeof(krb5_mech_types);
	return krb5_mech_types;
}

static int finish(struct smb_wbuf *w, uint8_t **out, size_t *out_len)
{
	int ret = wbuf_error(w);

	if (ret) {
		wbuf_free(w);
		return ret;
	}
	*out = wbuf_steal(w, out_len);
	return 0;
}

int spnego_build_init_mechs(const uint8_t *mech_types, size_t mech_types_len,
			    const uint8_t *mech_token, size_t mech_token_len,
			    uint8_t **out, size_t *out_len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t gss, choice, seq, mechs, tok;

	*out = NULL;
	*out_len = 0;
	/* RFC 2743 3.1: InitialContextToken framing. */
	gss = asn1_begin(&w, ASN1_APPLICATION(0));
	asn1_put(&w, ASN1_OID, spnego_oid_spnego, sizeof(spnego_oid_spnego));
	choice = asn1_begin(&w, ASN1_CONTEXT(0)); /* negTokenInit */
	seq = asn1_begin(&w, ASN1_SEQUENCE);
	mechs = asn1_begin(&w, ASN1_CONTEXT(0)); /* mechTypes */
	wbuf_bytes(&w, mech_types, mech_types_len);
	asn1_end(&w, mechs);
	if (mech_token) {
		tok = asn1_begin(&w, ASN1_CONTEXT(2)); /* mechToken */
		asn1_put(&w, ASN1_OCTET_STRING, mech_token, mech_token_len);
		asn1_end(&w, tok);
	}
	asn1_end(&w, seq);
	asn1_end(&w, choice);
	asn1_end(&w, gss);
	return finish(&w, out, out_len);
}

int spnego_build_init(const uint8_t *mech_token, size_t mech_token_len,
		      uint8_t **out, size_t *out_len)
{
	return spnego_build_init_mechs(ntlmssp_mech_types,
				       sizeof(ntlmssp_mech_types), mech_token,
				       mech_token_len, out, out_len);
}

int spnego_build_resp(const uint8_t *token, size_t token_len,
		      const uint8_t *mic, size_t mic_len, uint8_t **out,
		      size_t *out_len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t choice, seq, field;

	*out = NULL;
	*out_len = 0;
	choice = asn1_begin(&w, ASN1_CONTEXT(1)); /* negTokenResp */
	seq = asn1_begin(&w, ASN1_SEQUENCE);
	if (token) {
		field = asn1_begin(&w, ASN1_CONTEXT(2)); /* responseToken */
		asn1_put(&w, ASN1_OCTET_STRING, token, token_len);
		asn1_end(&w, field);
	}
	if (mic) {
		field = asn1_begin(&w, ASN1_CONTEXT(3)); /* mechListMIC */
		asn1_put(&w, ASN1_OCTET_STRING, mic, mic_len);
		asn1_end(&w, field);
	}
	asn1_end(&w, seq);
	asn1_end(&w, choice);
	return finish(&w, out, out_len);
}

/*
 * Walks the SEQUENCE of [n] EXPLICIT fields that fills e exactly.
 * Returns 1 with the next field's number and its single inner element,
 * 0 at the end, -EBADMSG.  Numbers must increase (DER field order), so
 * a repeated field is refused.
 */
static int next_field(struct asn1_reader *r, int64_t *last, uint32_t *number,
		      struct asn1_elem *inner)
{
	struct asn1_elem tagged;
	int ret = asn1_next(r, &tagged);

	if (ret <= 0)
		return ret;
	if (tagged.cls != 2 || !tagged.constructed ||
	    (int64_t)tagged.number <= *last)
		return -EBADMSG;
	*last = tagged.number;
	*number = tagged.number;
	ret = asn1_decode(tagged.val, tagged.len, inner);
	if (ret)
		return ret;
	if (inner->total != tagged.len)
		return -EBADMSG;
	return 1;
}

static int enter_sequence(const uint8_t *buf, size_t len, struct asn1_reader *r)
{
	struct asn1_elem seq;
	int ret = asn1_decode_only(buf, len, ASN1_SEQUENCE, &seq);

	if (ret)
		return ret;
	asn1_reader_enter(r, &seq);
	return 0;
}

/*
 * Hands each [n] field of the SEQUENCE inside choice to field(), in
 * order; on any error the half-filled *out (size bytes) is wiped.
 */
static int parse_fields(const struct asn1_elem *choice,
			int (*field)(uint32_t, const struct asn1_elem *, void *),
			void *out, size_t size)
{
	struct asn1_elem inner;
	struct asn1_reader r;
	uint32_t number;
	int64_t last = -1;
	int ret = enter_sequence(choice->val, choice->len, &r);

	if (ret)
		return ret;
	while ((ret = next_field(&r, &last, &number, &inner)) > 0) {
		ret = field(number, &inner, out);
		if (ret)
			break;
	}
	if (ret)
		memset(out, 0, size);
	return ret;
}

static int resp_field(uint32_t number, const struct asn1_elem *e, void *arg)
{
	struct spnego_resp *out = arg;
	int32_t v;

	switch (number) {
	case 0: /* negState ENUMERATED */
		if (e->id != ASN1_ENUMERATED || asn1_get_int(e, &v) ||
		    v < SPNEGO_ACCEPT_COMPLETED || v > SPNEGO_REQUEST_MIC)
			return -EBADMSG;
		out->neg_state = v;
		return 0;
	case 1: /* supportedMech */
		if (e->id != ASN1_OID)
			return -EBADMSG;
		out->has_supported_mech = true;
		out->supported_mech_ntlmssp = asn1_oid_equal(
			e, spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp));
		out->supported_mech_krb5 =
			asn1_oid_equal(e, spnego_oid_krb5,
				       sizeof(spnego_oid_krb5)) ||
			asn1_oid_equal(e, spnego_oid_ms_krb5,
				       sizeof(spnego_oid_ms_krb5));
		return 0;
	case 2: /* responseToken */
	case 3: /* mechListMIC */
		if (e->id != ASN1_OCTET_STRING)
			return -EBADMSG;
		if (number == 2) {
			out->response_token = e->val;
			out->response_token_len = e->len;
		} else {
			out->mech_list_mic = e->val;
			out->mech_list_mic_len = e->len;
		}
		return 0;
	default: /* an extension this client does not know */
		return 0;
	}
}

int spnego_parse_resp(const uint8_t *buf, size_t len, struct spnego_resp *out)
{
	struct asn1_elem choice;
	int ret;

	memset(out, 0, sizeof(*out));
	out->neg_state = SPNEGO_NEG_STATE_ABSENT;
	ret = asn1_decode_only(buf, len, ASN1_CONTEXT(1), &choice);
	if (ret)
		return ret;
	return parse_fields(&choice, resp_field, out, sizeof(*out));
}

static int parse_mech_types(const struct asn1_elem *list,
			    struct spnego_init *out)
{
	struct asn1_elem oid;
	struct asn1_reader r;
	int ret;

	if (list->id != ASN1_SEQUENCE)
		return -EBADMSG;
	out->mech_types_der = list->start;
	out->mech_types_der_len = list->total;
	asn1_reader_enter(&r, list);
	while ((ret = asn1_next(&r, &oid)) > 0) {
		if (oid.id != ASN1_OID || oid.len == 0)
			return -EBADMSG;
		out->mech_count++;
		if (asn1_oid_equal(&oid, spnego_oid_ntlmssp,
				   sizeof(spnego_oid_ntlmssp)))
			out->offers_ntlmssp = true;
	}
	return ret;
}

static int init_field(uint32_t number, const struct asn1_elem *e, void *arg)
{
	struct spnego_init *out = arg;

	switch (number) {
	case 0: /* mechTypes */
		return parse_mech_types(e, out);
	case 2: /* mechToken */
		if (e->id != ASN1_OCTET_STRING)
			return -EBADMSG;
		out->mech_token = e->val;
		out->mech_token_len = e->len;
		return 0;
	default: /* reqFlags [1], negHints [3], mechListMIC [3]/[4]: unused */
		return 0;
	}
}

/* Unwraps the optional RFC 2743 framing down to the [0] choice. */
static int unwrap_init(const uint8_t *buf, size_t len, struct asn1_elem *choice)
{
	struct asn1_elem gss, oid;
	struct asn1_reader r;
	int ret;

	ret = asn1_decode_only(buf, len, buf && len ? buf[0] : 0, &gss);
	if (ret)
		return ret;
	if (gss.id == ASN1_CONTEXT(0)) {
		*choice = gss;
		return 0;
	}
	if (gss.id != ASN1_APPLICATION(0))
		return -EBADMSG;
	asn1_reader_enter(&r, &gss);
	ret = asn1_expect(&r, ASN1_OID, &oid);
	if (ret)
		return ret;
	if (!asn1_oid_equal(&oid, spnego_oid_spnego, sizeof(spnego_oid_spnego)))
		return -EBADMSG;
	ret = asn1_expect(&r, ASN1_CONTEXT(0), choice);
	if (ret)
		return ret;
	return asn1_reader_done(&r) ? 0 : -EBADMSG;
}

int spnego_parse_init(const uint8_t *buf, size_t len, struct spnego_init *out)
{
	struct asn1_elem choice;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = unwrap_init(buf, len, &choice);
	if (ret)
		return ret;
	return parse_fields(&choice, init_field, out, sizeof(*out));
}
