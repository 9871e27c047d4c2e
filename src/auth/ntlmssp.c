// SPDX-License-Identifier: GPL-2.0-or-later
/* NTLMSSP client side, NTLMv2 ([MS-NLMP]). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/bytes.h"
#include "smbfs/crypto.h"
#include "smbfs/ntlmssp.h"
#include "smbfs/utf16.h"

static const uint8_t ntlmssp_signature[8] = { 'N', 'T', 'L', 'M',
					      'S', 'S', 'P', 0 };

/*
 * MS-NLMP 2.2.2.10 VERSION: reported for debugging only.  6.1 build
 * 7600, NTLMSSP_REVISION_W2K3 (15).
 */
static const uint8_t client_version[8] = { 6, 1, 0xb0, 0x1d, 0, 0, 0, 0x0f };

#define NTLMSSP_NEGOTIATE    1
#define NTLMSSP_CHALLENGE    2
#define NTLMSSP_AUTHENTICATE 3

#define CHALLENGE_HEADER_LEN  48 /* up to and including TargetInfoFields */
#define CHALLENGE_VERSION_END 56

uint64_t ntlmssp_filetime(int64_t unix_seconds)
{
	/* Seconds from 1601-01-01 to 1970-01-01, then 100 ns ticks. */
	return (uint64_t)(unix_seconds + 11644473600LL) * 10000000ULL;
}

/* --- AV pairs (MS-NLMP 2.2.2.1) --- */

int ntlmssp_av_validate(const uint8_t *info, size_t len)
{
	size_t pos = 0;
	uint16_t id, av_len;

	for (;;) {
		if (bytes_range_check(len, pos, 4))
			return -EBADMSG;
		id = le16_get(info + pos);
		av_len = le16_get(info + pos + 2);
		pos += 4;
		if (bytes_range_check(len, pos, av_len))
			return -EBADMSG;
		if (id == NTLMSSP_AV_EOL)
			return av_len == 0 ? (int)pos : -EBADMSG;
		pos += av_len;
	}
}

int ntlmssp_av_find(const uint8_t *info, size_t len, uint16_t id,
		    const uint8_t **val, size_t *val_len)
{
	size_t pos = 0;
	uint16_t cur, av_len;

	for (;;) {
		if (bytes_range_check(len, pos, 4))
			return -EBADMSG;
		cur = le16_get(info + pos);
		av_len = le16_get(info + pos + 2);
		pos += 4;
		if (bytes_range_check(len, pos, av_len))
			return -EBADMSG;
		if (cur == NTLMSSP_AV_EOL)
			return 0;
		if (cur == id) {
			*val = info + pos;
			*val_len = av_len;
			return 1;
		}
		pos += av_len;
	}
}

/* --- CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) --- */

/* A (Len, MaxLen, BufferOffset) field, checked against the message. */
static int get_payload_field(const uint8_t *msg, size_t len, size_t at,
			     size_t header_len, const uint8_t **p,
			     size_t *p_len)
{
	uint16_t f_len = le16_get(msg + at);
	uint32_t f_off = le32_get(msg + at + 4);

	*p = NULL;
	*p_len = 0;
	if (f_len == 0)
		return 0;
	/* Payload may not overlap the fixed header, nor leave the message. */
	if (f_off < header_len || bytes_range_check(len, f_off, f_len))
		return -EBADMSG;
	*p = msg + f_off;
	*p_len = f_len;
	return 0;
}

static int parse_target_info(struct ntlmssp_challenge *c)
{
	const uint8_t *ts;
	size_t ts_len;
	int ret;

	if (!c->target_info_len)
		return 0;
	ret = ntlmssp_av_validate(c->target_info, c->target_info_len);
	if (ret < 0)
		return ret;
	/* Only what precedes MsvAvEOL is target info. */
	c->target_info_len = (size_t)ret;
	ret = ntlmssp_av_find(c->target_info, c->target_info_len,
			      NTLMSSP_AV_TIMESTAMP, &ts, &ts_len);
	if (ret < 0)
		return ret;
	if (ret == 1) {
		if (ts_len != 8)
			return -EBADMSG;
		c->has_timestamp = true;
		c->timestamp = le64_get(ts);
	}
	return 0;
}

int ntlmssp_parse_challenge(const uint8_t *msg, size_t len,
			    struct ntlmssp_challenge *c)
{
	size_t header_len = CHALLENGE_HEADER_LEN;
	int ret;

	memset(c, 0, sizeof(*c));
	if (!msg || len < CHALLENGE_HEADER_LEN ||
	    memcmp(msg, ntlmssp_signature, 8) != 0 ||
	    le32_get(msg + 8) != NTLMSSP_CHALLENGE)
		return -EBADMSG;
	c->flags = le32_get(msg + 20);
	memcpy(c->server_challenge, msg + 24, 8);
	if ((c->flags & NTLMSSP_NEGOTIATE_VERSION) &&
	    len >= CHALLENGE_VERSION_END) {
		c->has_version = true;
		memcpy(c->version, msg + 48, 8);
		header_len = CHALLENGE_VERSION_END;
	}
	ret = get_payload_field(msg, len, 12, header_len, &c->target_name,
				&c->target_name_len);
	if (!ret)
		ret = get_payload_field(msg, len, 40, header_len,
					&c->target_info, &c->target_info_len);
	if (!ret)
		ret = parse_target_info(c);
	if (ret)
		memset(c, 0, sizeof(*c));
	return ret;
}

/* --- NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1) --- */

static int steal_or_error(struct smb_wbuf *w, uint8_t **out, size_t *out_len)
{
	int ret = wbuf_error(w);

	if (ret) {
		wbuf_free(w);
		return ret;
	}
	*out = wbuf_steal(w, out_len);
	return 0;
}

int ntlmssp_build_negotiate(uint32_t flags, uint8_t **out, size_t *out_len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	uint32_t end = (flags & NTLMSSP_NEGOTIATE_VERSION) ? 40 : 32;

	*out = NULL;
	*out_len = 0;
	wbuf_bytes(&w, ntlmssp_signature, 8);
	wbuf_u32(&w, NTLMSSP_NEGOTIATE);
	wbuf_u32(&w, flags);
	/* Empty DomainNameFields and WorkstationFields. */
	wbuf_u16(&w, 0);
	wbuf_u16(&w, 0);
	wbuf_u32(&w, end);
	wbuf_u16(&w, 0);
	wbuf_u16(&w, 0);
	wbuf_u32(&w, end);
	if (flags & NTLMSSP_NEGOTIATE_VERSION)
		wbuf_bytes(&w, client_version, 8);
	return steal_or_error(&w, out, out_len);
}

/* --- NTOWF (MS-NLMP 3.3.1, 3.3.2) --- */

/*
 * Upper-cases one UTF-16 code unit the way Windows' case table does for
 * the scripts user names commonly use (ASCII, Latin-1, Latin
 * Extended-A, Greek, Cyrillic); others are left as they are.
 */
static uint16_t upcase_unit(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 0x20;
	if (c < 0x80)
		return c;
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7)
		return c - 0x20;
	if (c == 0xff)
		return 0x178;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
		return c & ~1u;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (c & 1) ? c : c - 1;
	if (c == 0x3c2)
		return 0x3a3;
	if (c >= 0x3b1 && c <= 0x3c9)
		return c - 0x20;
	if (c >= 0x430 && c <= 0x44f)
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45f)
		return c - 0x50;
	return c;
}

static int put_utf16(struct smb_wbuf *w, const char *s)
{
	if (!s)
		return 0;
	if (utf8_to_utf16le(w, s, strlen(s)) < 0)
		return wbuf_error(w) ? wbuf_error(w) : -EINVAL;
	return wbuf_error(w);
}

static void wipe_wbuf(struct smb_wbuf *w)
{
	if (w->data)
		smb_secure_zero(w->data, w->cap);
	wbuf_free(w);
}

int ntlmssp_nt_hash(const char *password, uint8_t out[16])
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int ret;

	ret = put_utf16(&w, password ? password : "");
	if (!ret)
		ret = smb_md4(w.data ? w.data : (const uint8_t *)"", w.len,
			      out);
	wipe_wbuf(&w);
	return ret;
}

int ntlmssp_ntowfv2(const uint8_t nt_hash[16], const char *user,
		    const char *domain, uint8_t out[16])
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t i;
	int ret;

	ret = put_utf16(&w, user);
	if (!ret) {
		for (i = 0; i + 1 < w.len; i += 2)
			le16_put(w.data + i, upcase_unit(le16_get(w.data + i)));
		ret = put_utf16(&w, domain);
	}
	if (!ret)
		ret = smb_hmac_md5(nt_hash, 16,
				   w.data ? w.data : (const uint8_t *)"", w.len,
				   out);
	wipe_wbuf(&w);
	return ret;
}

/* --- AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3, 3.1.5.1.2) --- */

/* The variable parts of one AUTHENTICATE_MESSAGE. */
struct auth_parts {
	struct smb_wbuf domain, user, workstation;
	struct smb_wbuf lm, nt;
	uint8_t enc_key[16];
	size_t enc_key_len;
};

static void auth_parts_free(struct auth_parts *a)
{
	wbuf_free(&a->domain);
	wbuf_free(&a->user);
	wbuf_free(&a->workstation);
	wipe_wbuf(&a->lm);
	wipe_wbuf(&a->nt);
	smb_secure_zero(a->enc_key, sizeof(a->enc_key));
}

static void put_av(struct smb_wbuf *w, uint16_t id, const void *val, size_t len)
{
	wbuf_u16(w, id);
	wbuf_u16(w, (uint16_t)len);
	wbuf_bytes(w, val, len);
}

/*
 * The AV pairs of the NTLMv2 client challenge (MS-NLMP 3.1.5.1.2): the
 * server's pairs, with MsvAvFlags carrying the MIC bit when a MIC is
 * sent, and the optional MsvAvTargetName, then MsvAvEOL.
 */
static int put_client_av_pairs(struct smb_wbuf *w,
			       const struct ntlmssp_challenge *c, bool mic,
			       const char *target_name)
{
	const uint8_t *info = c->target_info;
	uint32_t av_flags = mic ? NTLMSSP_AV_FLAG_MIC_PRESENT : 0;
	bool have_flags = mic;
	size_t pos = 0;
	uint16_t id, len;
	uint8_t flag_bytes[4];
	struct smb_wbuf spn = SMB_WBUF_INIT;
	int ret;

	/* c->target_info was validated by ntlmssp_parse_challenge(). */
	while (pos + 4 <= c->target_info_len) {
		id = le16_get(info + pos);
		len = le16_get(info + pos + 2);
		if (id == NTLMSSP_AV_EOL)
			break;
		if (id == NTLMSSP_AV_FLAGS && len == 4) {
			av_flags |= le32_get(info + pos + 4);
			have_flags = true;
		} else if (id != NTLMSSP_AV_TARGET_NAME || !target_name) {
			put_av(w, id, info + pos + 4, len);
		}
		pos += 4 + (size_t)len;
	}
	if (have_flags) {
		le32_put(flag_bytes, av_flags);
		put_av(w, NTLMSSP_AV_FLAGS, flag_bytes, 4);
	}
	if (target_name) {
		ret = put_utf16(&spn, target_name);
		if (!ret && spn.len > UINT16_MAX)
			ret = -EINVAL;
		if (ret) {
			wbuf_free(&spn);
			return ret;
		}
		put_av(w, NTLMSSP_AV_TARGET_NAME, spn.data, spn.len);
		wbuf_free(&spn);
	}
	put_av(w, NTLMSSP_AV_EOL, NULL, 0);
	return wbuf_error(w);
}

/*
 * MS-NLMP 3.3.2: temp = 0x01 0x01 Z(6) Time ClientChallenge Z(4)
 * ServerName Z(4); NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge
 * || temp); NtChallengeResponse = NTProofStr || temp.
 */
static int build_nt_response(const struct ntlmssp_auth_params *p,
			     const struct ntlmssp_challenge *c, bool mic,
			     struct smb_wbuf *nt, uint8_t nt_proof[16])
{
	static const uint8_t resp_type[8] = { 1, 1, 0, 0, 0, 0, 0, 0 };
	struct smb_iovec iov[2];
	int ret;

	wbuf_zero(nt, 16); /* NTProofStr, filled in below */
	wbuf_bytes(nt, resp_type, 8);
	wbuf_u64(nt, c->has_timestamp ? c->timestamp : p->now);
	wbuf_bytes(nt, p->client_challenge, 8);
	wbuf_u32(nt, 0);
	ret = put_client_av_pairs(nt, c, mic, p->target_name);
	wbuf_u32(nt, 0);
	if (!ret)
		ret = wbuf_error(nt);
	if (ret)
		return ret;
	iov[0].base = c->server_challenge;
	iov[0].len = 8;
	iov[1].base = nt->data + 16;
	iov[1].len = nt->len - 16;
	ret = smb_hmac_md5_vec(p->response_key, 16, iov, 2, nt_proof);
	if (!ret)
		memcpy(nt->data, nt_proof, 16);
	return ret;
}

/* MS-NLMP 3.3.2: LMv2 = HMAC_MD5(ResponseKeyLM, SC || CC) || CC. */
static int build_lm_response(const struct ntlmssp_auth_params *p,
			     const struct ntlmssp_challenge *c, bool mic,
			     struct smb_wbuf *lm)
{
	struct smb_iovec iov[2];
	uint8_t mac[16];
	int ret;

	/* 3.1.5.1.2: with a MIC (server timestamp) send Z(24) instead. */
	if (mic) {
		wbuf_zero(lm, 24);
		return wbuf_error(lm);
	}
	iov[0].base = c->server_challenge;
	iov[0].len = 8;
	iov[1].base = p->client_challenge;
	iov[1].len = 8;
	ret = smb_hmac_md5_vec(p->response_key, 16, iov, 2, mac);
	if (ret)
		return ret;
	wbuf_bytes(lm, mac, 16);
	wbuf_bytes(lm, p->client_challenge, 8);
	smb_secure_zero(mac, sizeof(mac));
	return wbuf_error(lm);
}

/* NTLMv2 responses and keys (MS-NLMP 3.3.2, 3.4.5.1, 3.1.5.1.2). */
static int compute_v2(const struct ntlmssp_auth_params *p,
		      const struct ntlmssp_challenge *c,
		      struct ntlmssp_auth_result *r, struct auth_parts *a)
{
	int ret;

	if (!p->response_key || !p->client_challenge)
		return -EINVAL;
	ret = build_nt_response(p, c, r->mic_present, &a->nt, r->nt_proof_str);
	if (!ret)
		ret = build_lm_response(p, c, r->mic_present, &a->lm);
	if (!ret)
		ret = smb_hmac_md5(p->response_key, 16, r->nt_proof_str, 16,
				   r->session_base_key);
	if (ret)
		return ret;
	r->has_session_key = true;
	/* NTLMv2: KeyExchangeKey = SessionBaseKey. */
	if (!(r->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)) {
		memcpy(r->exported_session_key, r->session_base_key, 16);
		return 0;
	}
	if (!p->random_session_key)
		return -EINVAL;
	memcpy(r->exported_session_key, p->random_session_key, 16);
	a->enc_key_len = 16;
	return smb_rc4(r->session_base_key, 16, r->exported_session_key,
		       a->enc_key, 16);
}

static void put_field(struct smb_wbuf *w, size_t len, size_t *offset)
{
	wbuf_u16(w, (uint16_t)len);
	wbuf_u16(w, (uint16_t)len);
	wbuf_u32(w, (uint32_t)*offset);
	*offset += len;
}

static int assemble_auth(const struct ntlmssp_auth_params *p,
			 const struct ntlmssp_auth_result *r,
			 const struct auth_parts *a, struct smb_wbuf *w)
{
	size_t payload = NTLMSSP_AUTH_MIC_OFFSET +
			 (r->mic_present ? NTLMSSP_MIC_LEN : 0);
	size_t off = payload;

	if (a->domain.len > UINT16_MAX || a->user.len > UINT16_MAX ||
	    a->workstation.len > UINT16_MAX || a->nt.len > UINT16_MAX)
		return -EOVERFLOW;
	wbuf_bytes(w, ntlmssp_signature, 8);
	wbuf_u32(w, NTLMSSP_AUTHENTICATE);
	/* Payload order: domain, user, workstation, LM, NT, session key. */
	off += a->domain.len + a->user.len + a->workstation.len;
	put_field(w, a->lm.len, &off);
	put_field(w, a->nt.len, &off);
	off = payload;
	put_field(w, a->domain.len, &off);
	put_field(w, a->user.len, &off);
	put_field(w, a->workstation.len, &off);
	off += a->lm.len + a->nt.len;
	put_field(w, a->enc_key_len, &off);
	wbuf_u32(w, r->flags);
	wbuf_bytes(w, p->version ? p->version : client_version, 8);
	if (r->mic_present)
		wbuf_zero(w, NTLMSSP_MIC_LEN);
	wbuf_bytes(w, a->domain.data, a->domain.len);
	wbuf_bytes(w, a->user.data, a->user.len);
	wbuf_bytes(w, a->workstation.data, a->workstation.len);
	wbuf_bytes(w, a->lm.data, a->lm.len);
	wbuf_bytes(w, a->nt.data, a->nt.len);
	wbuf_bytes(w, a->enc_key, a->enc_key_len);
	return wbuf_error(w);
}

/*
 * MS-NLMP 3.1.5.1.2: MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE ||
 * CHALLENGE || AUTHENTICATE), the last with its MIC field zeroed.
 */
static int put_mic(const struct ntlmssp_auth_params *p,
		   struct ntlmssp_auth_result *r, struct smb_wbuf *w)
{
	struct smb_iovec iov[3];
	uint8_t mic[16];
	int ret;

	if (!p->negotiate_msg || !p->challenge_msg)
		return -EINVAL;
	iov[0].base = p->negotiate_msg;
	iov[0].len = p->negotiate_len;
	iov[1].base = p->challenge_msg;
	iov[1].len = p->challenge_len;
	iov[2].base = w->data;
	iov[2].len = w->len;
	ret = smb_hmac_md5_vec(r->exported_session_key, 16, iov, 3, mic);
	if (!ret)
		memcpy(w->data + NTLMSSP_AUTH_MIC_OFFSET, mic, 16);
	return ret;
}

/* Flags of the AUTHENTICATE_MESSAGE: what both sides asked for. */
static uint32_t negotiated_flags(const struct ntlmssp_auth_params *p,
				 const struct ntlmssp_challenge *c)
{
	uint32_t flags = p->negotiate_flags & c->flags;

	/* REQUEST_TARGET is a request only; the server need not echo it. */
	flags |= p->negotiate_flags & NTLMSSP_REQUEST_TARGET;
	if (p->anonymous) {
		/* No session key to exchange (MS-NLMP 3.2.5.1.2). */
		flags |= NTLMSSP_NEGOTIATE_ANONYMOUS;
		flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	}
	return flags;
}

static int fill_parts(const struct ntlmssp_auth_params *p,
		      const struct ntlmssp_challenge *c,
		      struct ntlmssp_auth_result *r, struct auth_parts *a)
{
	int ret;

	ret = put_utf16(&a->workstation, p->workstation);
	if (ret)
		return ret;
	if (p->anonymous) {
		/* Z(1) LM response, empty NT response, no user/domain. */
		wbuf_zero(&a->lm, 1);
		return wbuf_error(&a->lm);
	}
	ret = put_utf16(&a->domain, p->domain);
	if (!ret)
		ret = put_utf16(&a->user, p->user);
	if (!ret)
		ret = compute_v2(p, c, r, a);
	return ret;
}

int ntlmssp_build_authenticate(const struct ntlmssp_auth_params *p,
			       const struct ntlmssp_challenge *c,
			       struct ntlmssp_auth_result *r)
{
	struct auth_parts a;
	struct smb_wbuf w = SMB_WBUF_INIT;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&a, 0, sizeof(a));
	if (!(c->flags & NTLMSSP_NEGOTIATE_UNICODE))
		return -EBADMSG;
	r->flags = negotiated_flags(p, c);
	if (!p->anonymous &&
	    !(r->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		return -EPROTONOSUPPORT;
	/* 3.1.5.1.2: a server timestamp means the client sends a MIC. */
	r->mic_present = !p->anonymous && c->has_timestamp;
	ret = fill_parts(p, c, r, &a);
	if (!ret)
		ret = assemble_auth(p, r, &a, &w);
	if (!ret && r->mic_present)
		ret = put_mic(p, r, &w);
	auth_parts_free(&a);
	if (!ret)
		ret = steal_or_error(&w, &r->msg, &r->len);
	if (ret) {
		wbuf_free(&w);
		ntlmssp_auth_result_clear(r);
	}
	return ret;
}

void ntlmssp_auth_result_clear(struct ntlmssp_auth_result *r)
{
	if (r->msg) {
		smb_secure_zero(r->msg, r->len);
		free(r->msg);
	}
	smb_secure_zero(r, sizeof(*r));
}

/* --- Signing and sealing keys (MS-NLMP 3.4.5.2, 3.4.5.3) --- */

static const char client_sign_magic[] =
	"session key to client-to-server signing key magic constant";
static const char server_sign_magic[] =
	"session key to server-to-client signing key magic constant";
static const char client_seal_magic[] =
	"session key to client-to-server sealing key magic constant";
static const char server_seal_magic[] =
	"session key to server-to-client sealing key magic constant";

/* MD5(key || magic), the magic constant's terminating NUL included. */
static int md5_with_magic(const uint8_t *key, size_t key_len, const char *magic,
			  uint8_t out[16])
{
	uint8_t buf[16 + 64];
	size_t magic_len = strlen(magic) + 1;
	int ret;

	if (key_len > 16 || magic_len > sizeof(buf) - 16)
		return -EINVAL;
	memcpy(buf, key, key_len);
	memcpy(buf + key_len, magic, magic_len);
	ret = smb_md5(buf, key_len + magic_len, out);
	smb_secure_zero(buf, sizeof(buf));
	return ret;
}

static int derive_dir(const uint8_t key[16], size_t seal_len,
		      const char *sign_magic, const char *seal_magic,
		      bool key_exch, struct ntlmssp_dir_keys *d)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->key_exch = key_exch;
	ret = md5_with_magic(key, 16, sign_magic, d->sign_key);
	if (!ret)
		ret = md5_with_magic(key, seal_len, seal_magic, d->seal_key);
	return ret;
}

int ntlmssp_derive_keys(const uint8_t exported_session_key[16], uint32_t flags,
			struct ntlmssp_keys *k)
{
	bool key_exch = (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0;
	size_t seal_len;
	int ret;

	memset(k, 0, sizeof(*k));
	if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		return -EPROTONOSUPPORT;
	/* 3.4.5.3: the sealing key is weakened unless 128 is negotiated. */
	if (flags & NTLMSSP_NEGOTIATE_128)
		seal_len = 16;
	else if (flags & NTLMSSP_NEGOTIATE_56)
		seal_len = 7;
	else
		seal_len = 5;
	ret = derive_dir(exported_session_key, seal_len, client_sign_magic,
			 client_seal_magic, key_exch, &k->client);
	if (!ret)
		ret = derive_dir(exported_session_key, seal_len,
				 server_sign_magic, server_seal_magic, key_exch,
				 &k->server);
	if (ret)
		smb_secure_zero(k, sizeof(*k));
	return ret;
}

/* --- Message signatures (MS-NLMP 3.4.3, 3.4.4.2) --- */

/*
 * XORs buf with the next n bytes of the direction's RC4 key stream.
 * smb_rc4() is one-shot, so the stream is regenerated from its start;
 * SPNEGO needs only a handful of bytes, and the cap bounds the cost.
 */
static int rc4_continue(struct ntlmssp_dir_keys *d, uint8_t *buf, size_t n)
{
	size_t total, i;
	uint8_t *stream;
	int ret;

	if (n > NTLMSSP_RC4_STREAM_MAX ||
	    d->rc4_pos > NTLMSSP_RC4_STREAM_MAX - n)
		return -E2BIG;
	total = d->rc4_pos + n;
	stream = calloc(1, total ? total : 1);
	if (!stream)
		return -ENOMEM;
	ret = smb_rc4(d->seal_key, 16, stream, stream, total);
	if (!ret) {
		for (i = 0; i < n; i++)
			buf[i] ^= stream[d->rc4_pos + i];
		d->rc4_pos = total;
	}
	smb_secure_zero(stream, total);
	free(stream);
	return ret;
}

/* HMAC_MD5(SigningKey, SeqNum || Message)[0..7]. */
static int checksum(const struct ntlmssp_dir_keys *d, const uint8_t *msg,
		    size_t len, uint8_t out[8])
{
	struct smb_iovec iov[2];
	uint8_t seq[4], mac[16];
	int ret;

	le32_put(seq, d->seq);
	iov[0].base = seq;
	iov[0].len = 4;
	iov[1].base = msg;
	iov[1].len = len;
	ret = smb_hmac_md5_vec(d->sign_key, 16, iov, 2, mac);
	if (!ret)
		memcpy(out, mac, 8);
	smb_secure_zero(mac, sizeof(mac));
	return ret;
}

/* Completes NTLMSSP_MESSAGE_SIGNATURE from the plain checksum. */
static int finish_signature(struct ntlmssp_dir_keys *d, uint8_t cksum[8],
			    uint8_t sig[NTLMSSP_SIGNATURE_LEN])
{
	int ret = 0;

	if (d->key_exch)
		ret = rc4_continue(d, cksum, 8);
	if (ret)
		return ret;
	le32_put(sig, 1); /* Version */
	memcpy(sig + 4, cksum, 8);
	le32_put(sig + 12, d->seq);
	d->seq++;
	return 0;
}

int ntlmssp_sign(struct ntlmssp_dir_keys *d, const uint8_t *msg, size_t len,
		 uint8_t sig[NTLMSSP_SIGNATURE_LEN])
{
	uint8_t cksum[8];
	int ret = checksum(d, msg, len, cksum);

	if (!ret)
		ret = finish_signature(d, cksum, sig);
	smb_secure_zero(cksum, sizeof(cksum));
	return ret;
}

int ntlmssp_verify(struct ntlmssp_dir_keys *d, const uint8_t *msg, size_t len,
		   const uint8_t *sig, size_t sig_len)
{
	uint8_t expect[NTLMSSP_SIGNATURE_LEN];
	uint8_t diff = 0;
	size_t i;
	int ret;

	if (sig_len != NTLMSSP_SIGNATURE_LEN)
		return -EACCES;
	ret = ntlmssp_sign(d, msg, len, expect);
	if (ret)
		return ret;
	/* Constant time: the comparison does not reveal where it differs. */
	for (i = 0; i < NTLMSSP_SIGNATURE_LEN; i++)
		diff |= expect[i] ^ sig[i];
	return diff ? -EACCES : 0;
}

int ntlmssp_seal(struct ntlmssp_dir_keys *d, const uint8_t *msg, size_t len,
		 uint8_t *out, uint8_t sig[NTLMSSP_SIGNATURE_LEN])
{
	uint8_t cksum[8];
	int ret;

	/* The checksum covers the plaintext; the data uses the stream first. */
	ret = checksum(d, msg, len, cksum);
	if (!ret && out != msg)
		memmove(out, msg, len);
	if (!ret)
		ret = rc4_continue(d, out, len);
	if (!ret)
		ret = finish_signature(d, cksum, sig);
	smb_secure_zero(cksum, sizeof(cksum));
	return ret;
}
