// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SMB2 NEGOTIATE (MS-SMB2 2.2.3, 2.2.4) with the SMB 3.1.1 negotiate
 * contexts (2.2.3.1, 2.2.4.1).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smbfs/wire/smb2_negotiate.h"
#include "smb2_body_check.h"

#define NEGOTIATE_REQUEST_STRUCTURE_SIZE  36
#define NEGOTIATE_RESPONSE_STRUCTURE_SIZE 65
/* Fixed part of the response body, up to the Buffer field. */
#define NEGOTIATE_RESPONSE_FIXED 64
/* ContextType, DataLength, Reserved */
#define NEGOTIATE_CONTEXT_HEADER 8
/* Largest list whose count and entries fit a 16-bit DataLength. */
#define NEGOTIATE_CONTEXT_MAX_IDS ((UINT16_MAX - 2) / 2)

static bool dialects_have_311(const struct smb2_negotiate_request *req)
{
	uint16_t i;

	for (i = 0; i < req->dialect_count; i++)
		if (req->dialects[i] == SMB2_DIALECT_311)
			return true;
	return false;
}

/*
 * Every context but the first starts 8-byte aligned (from the header
 * start, which is offset 0 of w); DataLength excludes the padding.
 */
static void context_begin(struct smb_wbuf *w, uint16_t type, uint16_t data_len)
{
	wbuf_align(w, 8);
	wbuf_u16(w, type);
	wbuf_u16(w, data_len);
	wbuf_u32(w, 0);
}

/* ENCRYPTION_CAPABILITIES and SIGNING_CAPABILITIES: a count and a list. */
static void context_id_list(struct smb_wbuf *w, uint16_t type,
			    const uint16_t *ids, uint16_t count)
{
	uint16_t i;

	context_begin(w, type, (uint16_t)(2 + 2 * count));
	wbuf_u16(w, count);
	for (i = 0; i < count; i++)
		wbuf_u16(w, ids[i]);
}

static int check_request(const struct smb2_negotiate_request *req)
{
	if (!req->dialect_count || !req->dialects)
		return -EINVAL;
	if (req->cipher_count && !req->ciphers)
		return -EINVAL;
	if (req->signing_algo_count && !req->signing_algos)
		return -EINVAL;
	if (req->cipher_count > NEGOTIATE_CONTEXT_MAX_IDS ||
	    req->signing_algo_count > NEGOTIATE_CONTEXT_MAX_IDS)
		return -EINVAL;
	if (req->netname_len && !req->netname)
		return -EINVAL;
	return 0;
}

/*
 * Appends the 3.1.1 contexts and returns how many were written, or a
 * negative errno.
 */
static int encode_contexts(struct smb_wbuf *w,
			   const struct smb2_negotiate_request *req)
{
	int count = 0;
	long name_len;

	/* MS-SMB2 2.2.3.1.1: one hash (SHA-512) and the client's salt. */
	context_begin(w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES,
		      2 + 2 + 2 + SMB2_PREAUTH_SALT_SIZE);
	wbuf_u16(w, 1); /* HashAlgorithmCount */
	wbuf_u16(w, SMB2_PREAUTH_SALT_SIZE);
	wbuf_u16(w, SMB2_PREAUTH_INTEGRITY_SHA512);
	wbuf_bytes(w, req->preauth_salt, SMB2_PREAUTH_SALT_SIZE);
	count++;

	if (req->cipher_count) { /* 2.2.3.1.2 */
		context_id_list(w, SMB2_ENCRYPTION_CAPABILITIES, req->ciphers,
				req->cipher_count);
		count++;
	}
	if (req->signing_algo_count) { /* 2.2.3.1.7 */
		context_id_list(w, SMB2_SIGNING_CAPABILITIES,
				req->signing_algos, req->signing_algo_count);
		count++;
	}
	if (req->netname_len) { /* 2.2.3.1.4: UTF-16LE, no terminator */
		name_len = utf8_utf16le_size(req->netname, req->netname_len);
		if (name_len < 0)
			return (int)name_len;
		if (name_len > UINT16_MAX)
			return -EINVAL;
		context_begin(w, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID,
			      (uint16_t)name_len);
		name_len = utf8_to_utf16le(w, req->netname, req->netname_len);
		if (name_len < 0)
			return (int)name_len;
		count++;
	}
	return count;
}

int smb2_negotiate_request_encode(struct smb_wbuf *w,
				  const struct smb2_negotiate_request *req)
{
	size_t ctx_field;
	uint16_t i;
	int err, count;

	err = smb2_body_encode_start(w);
	if (!err)
		err = check_request(req);
	if (err)
		return err;

	wbuf_u16(w, NEGOTIATE_REQUEST_STRUCTURE_SIZE);
	wbuf_u16(w, req->dialect_count);
	wbuf_u16(w, req->security_mode);
	wbuf_u16(w, 0); /* Reserved */
	wbuf_u32(w, req->capabilities);
	wbuf_bytes(w, req->client_guid, SMB2_GUID_SIZE);
	/*
	 * NegotiateContextOffset, NegotiateContextCount, Reserved2 with
	 * 3.1.1; otherwise ClientStartTime, which must be 0.
	 */
	ctx_field = w->len;
	wbuf_u64(w, 0);
	for (i = 0; i < req->dialect_count; i++)
		wbuf_u16(w, req->dialects[i]);
	if (!dialects_have_311(req))
		return wbuf_error(w);

	/* The first context follows the dialects at an 8-byte boundary. */
	wbuf_align(w, 8);
	wbuf_put_u32_at(w, ctx_field, (uint32_t)w->len);
	count = encode_contexts(w, req);
	if (count < 0)
		return count;
	wbuf_put_u16_at(w, ctx_field + 4, (uint16_t)count);
	return wbuf_error(w);
}

/* MS-SMB2 2.2.4.1.1: the server names exactly one hash algorithm. */
static int decode_preauth(const uint8_t *msg, size_t data_off,
			  uint16_t data_len,
			  struct smb2_negotiate_response *rsp)
{
	const uint8_t *p = msg + data_off;
	uint16_t hash_count, salt_len;

	if (rsp->has_preauth || data_len < 6)
		return -EBADMSG;
	hash_count = le16_get(p);
	salt_len = le16_get(p + 2);
	if (hash_count != 1 || 6u + salt_len > data_len)
		return -EBADMSG;
	rsp->has_preauth = true;
	rsp->preauth_hash = le16_get(p + 4);
	rsp->preauth_salt_len = salt_len;
	rsp->preauth_salt = salt_len ? p + 6 : NULL;
	return 0;
}

/*
 * MS-SMB2 2.2.4.1.2 / 2.2.4.1.7: ENCRYPTION and SIGNING contexts in a
 * response carry a count of exactly 1 and the chosen id.
 */
static int decode_single_id(const uint8_t *msg, size_t data_off,
			    uint16_t data_len, bool *seen, uint16_t *id)
{
	const uint8_t *p = msg + data_off;

	if (*seen || data_len < 4 || le16_get(p) != 1)
		return -EBADMSG;
	*seen = true;
	*id = le16_get(p + 2);
	return 0;
}

static int decode_context(const uint8_t *msg, uint16_t type, size_t data_off,
			  uint16_t data_len,
			  struct smb2_negotiate_response *rsp)
{
	switch (type) {
	case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
		return decode_preauth(msg, data_off, data_len, rsp);
	case SMB2_ENCRYPTION_CAPABILITIES:
		return decode_single_id(msg, data_off, data_len,
					&rsp->has_cipher, &rsp->cipher);
	case SMB2_SIGNING_CAPABILITIES:
		return decode_single_id(msg, data_off, data_len,
					&rsp->has_signing, &rsp->signing_algo);
	default:
		/* Compression, transport, RDMA, unknown: not used here. */
		return 0;
	}
}

static int decode_contexts(const uint8_t *msg, size_t len, uint32_t offset,
			   struct smb2_negotiate_response *rsp)
{
	uint64_t pos = offset;
	uint16_t i, type, data_len;
	int err;

	if (offset < SMB2_HEADER_SIZE + NEGOTIATE_RESPONSE_FIXED)
		return -EBADMSG;
	for (i = 0; i < rsp->context_count; i++) {
		if (i > 0)
			pos = (pos + 7) & ~(uint64_t)7;
		if (bytes_range_check(len, pos, NEGOTIATE_CONTEXT_HEADER))
			return -EBADMSG;
		type = le16_get(msg + pos);
		data_len = le16_get(msg + pos + 2);
		pos += NEGOTIATE_CONTEXT_HEADER;
		if (bytes_range_check(len, pos, data_len))
			return -EBADMSG;
		err = decode_context(msg, type, (size_t)pos, data_len, rsp);
		if (err)
			return err;
		pos += data_len;
	}
	/* MS-SMB2 3.2.5.2: the preauth context is mandatory in 3.1.1. */
	return rsp->has_preauth ? 0 : -EBADMSG;
}

int smb2_negotiate_response_decode(const uint8_t *msg, size_t len,
				   struct smb2_negotiate_response *rsp)
{
	struct smb_rbuf r;
	uint16_t sec_off, ctx_count;
	uint32_t ctx_off;
	int err;

	memset(rsp, 0, sizeof(*rsp));
	err = smb2_body_check(msg, len, NEGOTIATE_RESPONSE_STRUCTURE_SIZE,
			      NEGOTIATE_RESPONSE_FIXED);
	if (err)
		return err;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE + 2);
	rsp->security_mode = rbuf_u16(&r);
	rsp->dialect = rbuf_u16(&r);
	ctx_count = rbuf_u16(&r);
	rbuf_bytes(&r, rsp->server_guid, SMB2_GUID_SIZE);
	rsp->capabilities = rbuf_u32(&r);
	rsp->max_transact_size = rbuf_u32(&r);
	rsp->max_read_size = rbuf_u32(&r);
	rsp->max_write_size = rbuf_u32(&r);
	rsp->system_time = rbuf_u64(&r);
	rsp->server_start_time = rbuf_u64(&r);
	sec_off = rbuf_u16(&r);
	rsp->security_buffer_len = rbuf_u16(&r);
	ctx_off = rbuf_u32(&r);
	if (rbuf_error(&r))
		return -EBADMSG;

	if (rsp->security_buffer_len) {
		if (sec_off < SMB2_HEADER_SIZE + NEGOTIATE_RESPONSE_FIXED ||
		    bytes_range_check(len, sec_off, rsp->security_buffer_len))
			return -EBADMSG;
		rsp->security_buffer = msg + sec_off;
	}
	if (rsp->dialect != SMB2_DIALECT_311)
		return 0; /* the context fields are reserved */
	rsp->context_count = ctx_count;
	return decode_contexts(msg, len, ctx_off, rsp);
}
