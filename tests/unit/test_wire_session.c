// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Session-level SMB2 bodies: NEGOTIATE (with 3.1.1 contexts),
 * VALIDATE_NEGOTIATE_INFO payloads, SESSION_SETUP, LOGOFF, TREE_CONNECT,
 * TREE_DISCONNECT, ECHO, CANCEL and the ERROR response.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/ntstatus.h"
#include "smbfs/utf16.h"
#include "smbfs/wire/smb2_cancel.h"
#include "smbfs/wire/smb2_echo.h"
#include "smbfs/wire/smb2_error.h"
#include "smbfs/wire/smb2_logoff.h"
#include "smbfs/wire/smb2_negotiate.h"
#include "smbfs/wire/smb2_session_setup.h"
#include "smbfs/wire/smb2_tree_connect.h"
#include "smbfs/wire/smb2_tree_disconnect.h"
#include "smbfs/wire/smb2_validate_negotiate.h"
#include "wire_robustness.h"

#define FUZZ_ROUNDS 4000

static const uint16_t all_dialects[] = {SMB2_DIALECT_202, SMB2_DIALECT_210,
					SMB2_DIALECT_300, SMB2_DIALECT_302,
					SMB2_DIALECT_311};

/* ---------------------------------------------------------------- */
/* NEGOTIATE request                                                 */

static void fill_negotiate_request(struct smb2_negotiate_request *req)
{
	static const uint16_t ciphers[] = {SMB2_ENCRYPTION_AES128_GCM,
					   SMB2_ENCRYPTION_AES128_CCM};
	static const uint16_t signing[] = {SMB2_SIGNING_AES_GMAC,
					   SMB2_SIGNING_AES_CMAC,
					   SMB2_SIGNING_HMAC_SHA256};
	int i;

	memset(req, 0, sizeof(*req));
	req->dialects = all_dialects;
	req->dialect_count = 5;
	req->security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
	req->capabilities = 0x47;
	for (i = 0; i < SMB2_GUID_SIZE; i++)
		req->client_guid[i] = (uint8_t)i;
	for (i = 0; i < SMB2_PREAUTH_SALT_SIZE; i++)
		req->preauth_salt[i] = (uint8_t)(0x40 + i);
	req->ciphers = ciphers;
	req->cipher_count = 2;
	req->signing_algos = signing;
	req->signing_algo_count = 3;
	req->netname = "srv";
	req->netname_len = 3;
}

static void test_negotiate_request_311(void)
{
	struct smb2_negotiate_request req;
	struct smb_wbuf w;

	fill_negotiate_request(&req);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_negotiate_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"2400"		/* StructureSize 36 */
		"0500"		/* DialectCount */
		"0100"		/* SecurityMode: signing enabled */
		"0000"		/* Reserved */
		"47000000"	/* Capabilities */
		"000102030405060708090a0b0c0d0e0f" /* ClientGuid */
		"70000000"	/* NegotiateContextOffset 112 */
		"0400"		/* NegotiateContextCount */
		"0000"		/* Reserved2 */
		"0202 1002 0003 0203 1103" /* Dialects */
		"0000"		/* pad to 8 (offset 112) */
		/* PREAUTH_INTEGRITY_CAPABILITIES */
		"0100 2600 00000000"	/* type, DataLength 38, Reserved */
		"0100 2000 0100"	/* 1 hash, salt 32, SHA-512 */
		"404142434445464748494a4b4c4d4e4f"
		"505152535455565758595a5b5c5d5e5f"
		"0000"			/* pad to 160 */
		/* ENCRYPTION_CAPABILITIES */
		"0200 0600 00000000 0200 0200 0100"
		"0000"			/* pad to 176 */
		/* SIGNING_CAPABILITIES */
		"0800 0800 00000000 0300 0200 0100 0000"
		/* NETNAME_NEGOTIATE_CONTEXT_ID "srv" */
		"0500 0600 00000000 7300 7200 7600");
	wbuf_free(&w);
}

static void test_negotiate_request_2x_has_no_contexts(void)
{
	static const uint16_t dialects[] = {SMB2_DIALECT_202,
					    SMB2_DIALECT_210};
	struct smb2_negotiate_request req;
	struct smb_wbuf w;

	fill_negotiate_request(&req);
	req.dialects = dialects;
	req.dialect_count = 2;
	req.security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED;
	req.capabilities = 0;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_negotiate_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"2400 0200 0200 0000 00000000"
		"000102030405060708090a0b0c0d0e0f"
		"0000000000000000"	/* ClientStartTime */
		"0202 1002");
	wbuf_free(&w);
}

static void test_negotiate_request_bad_arguments(void)
{
	struct smb2_negotiate_request req;
	struct smb_wbuf w;

	fill_negotiate_request(&req);
	req.dialect_count = 0;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_negotiate_request_encode(&w, &req), -EINVAL);
	fill_negotiate_request(&req);
	req.netname = "\xff\xfe";
	req.netname_len = 2;
	CU_ASSERT_EQUAL(smb2_negotiate_request_encode(&w, &req), -EILSEQ);
	wbuf_free(&w);

	/* The encoder needs exactly the header room in front of it. */
	fill_negotiate_request(&req);
	wbuf_init(&w);
	CU_ASSERT_EQUAL(smb2_negotiate_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
}

/* Re-encode Samba's own 3.1.1 NEGOTIATE and get the same bytes. */
static void samba_negotiate_request(const char *path, const uint8_t *msg,
				    size_t len)
{
	struct smb2_negotiate_request req;
	struct smb_wbuf w;
	uint16_t dialects[16], ciphers[8], signing[8];
	const uint8_t *b = msg + SMB2_HEADER_SIZE;
	uint32_t ctx_off;
	size_t pos;
	int i, n;
	char *netname = NULL;

	CU_ASSERT_FATAL(len > SMB2_HEADER_SIZE + 36);
	memset(&req, 0, sizeof(req));
	req.dialect_count = le16_get(b + 2);
	CU_ASSERT_FATAL(req.dialect_count <= 16);
	req.security_mode = le16_get(b + 4);
	req.capabilities = le32_get(b + 8);
	memcpy(req.client_guid, b + 12, 16);
	for (i = 0; i < req.dialect_count; i++)
		dialects[i] = le16_get(b + 36 + 2 * i);
	req.dialects = dialects;
	ctx_off = le32_get(b + 28);
	n = le16_get(b + 32);
	pos = ctx_off;
	for (i = 0; i < n && ctx_off; i++) {
		uint16_t type = le16_get(msg + pos);
		uint16_t dlen = le16_get(msg + pos + 2);
		const uint8_t *d = msg + pos + 8;
		int k;

		CU_ASSERT_FATAL(pos + 8 + dlen <= len);
		if (type == SMB2_PREAUTH_INTEGRITY_CAPABILITIES) {
			memcpy(req.preauth_salt, d + 6, 32);
		} else if (type == SMB2_ENCRYPTION_CAPABILITIES) {
			req.cipher_count = le16_get(d);
			for (k = 0; k < req.cipher_count && k < 8; k++)
				ciphers[k] = le16_get(d + 2 + 2 * k);
			req.ciphers = ciphers;
		} else if (type == SMB2_SIGNING_CAPABILITIES) {
			req.signing_algo_count = le16_get(d);
			for (k = 0; k < req.signing_algo_count && k < 8; k++)
				signing[k] = le16_get(d + 2 + 2 * k);
			req.signing_algos = signing;
		} else if (type == SMB2_NETNAME_NEGOTIATE_CONTEXT_ID) {
			CU_ASSERT_EQUAL(utf16le_to_utf8(d, dlen, &netname), 0);
			req.netname = netname;
			req.netname_len = netname ? strlen(netname) : 0;
		}
		pos = (pos + 8 + dlen + 7) & ~(size_t)7;
	}
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_negotiate_request_encode(&w, &req), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data + SMB2_HEADER_SIZE,
				      msg + SMB2_HEADER_SIZE,
				      len - SMB2_HEADER_SIZE);
	if (w.len != len)
		fprintf(stderr, "%s: %zu bytes, encoded %zu\n", path, len,
			w.len);
	free(netname);
	wbuf_free(&w);
}

static void test_negotiate_request_matches_samba(void)
{
	CU_ASSERT(wire_for_each_vector("negotiate_request_*.hex",
				       samba_negotiate_request) > 0);
}

/* ---------------------------------------------------------------- */
/* NEGOTIATE response                                                */

static const char negotiate_response_311[] =
	"4100"		/* StructureSize 65 */
	"0100"		/* SecurityMode */
	"1103"		/* DialectRevision 3.1.1 */
	"0400"		/* NegotiateContextCount */
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" /* ServerGuid */
	"07000000"	/* Capabilities */
	"00008000 00008000 00008000" /* MaxTransact/Read/WriteSize 8 MiB */
	"78563412 0000d901" /* SystemTime */
	"00000000 00000000" /* ServerStartTime */
	"8000"		/* SecurityBufferOffset 128 */
	"0600"		/* SecurityBufferLength */
	"88000000"	/* NegotiateContextOffset 136 */
	"600401020304"	/* security buffer */
	"0000"		/* pad to 136 */
	/* preauth: 1 hash, 32-byte salt, SHA-512 */
	"0100 2600 00000000 0100 2000 0100"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
	"d0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"0000"		/* pad to 184 */
	/* encryption: AES-128-GCM */
	"0200 0400 00000000 0100 0200"
	"00000000"	/* pad to 200 */
	/* compression: not interpreted, skipped */
	"0300 0a00 00000000 0100 0000 00000000 0100"
	"000000000000"	/* pad to 224 */
	/* signing: AES-GMAC */
	"0800 0400 00000000 0100 0200";

#define NEG_SEC_OFF (SMB2_HEADER_SIZE + 56)
#define NEG_SEC_LEN (SMB2_HEADER_SIZE + 58)
#define NEG_CTX_OFF (SMB2_HEADER_SIZE + 60)
#define NEG_CTX_COUNT (SMB2_HEADER_SIZE + 6)
#define NEG_PREAUTH 136
#define NEG_CIPHER 184
#define NEG_SIGNING 224

static int negotiate_decode(const uint8_t *msg, size_t len)
{
	struct smb2_negotiate_response rsp;
	int err = smb2_negotiate_response_decode(msg, len, &rsp);

	if (!err &&
	    (!wire_ptr_inside(msg, len, rsp.security_buffer,
			      rsp.security_buffer_len) ||
	     !wire_ptr_inside(msg, len, rsp.preauth_salt,
			      rsp.preauth_salt_len)))
		return WIRE_ESCAPED_POINTER;
	return err;
}

static void test_negotiate_response_311(void)
{
	struct smb2_negotiate_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_NEGOTIATE, 0, negotiate_response_311,
				     &len);

	CU_ASSERT_EQUAL(len, 236);
	CU_ASSERT_EQUAL(smb2_negotiate_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.security_mode, 1);
	CU_ASSERT_EQUAL(rsp.dialect, SMB2_DIALECT_311);
	CU_ASSERT_EQUAL(rsp.server_guid[0], 0xa0);
	CU_ASSERT_EQUAL(rsp.server_guid[15], 0xaf);
	CU_ASSERT_EQUAL(rsp.capabilities, 7);
	CU_ASSERT_EQUAL(rsp.max_transact_size, 0x800000);
	CU_ASSERT_EQUAL(rsp.max_read_size, 0x800000);
	CU_ASSERT_EQUAL(rsp.max_write_size, 0x800000);
	CU_ASSERT_EQUAL(rsp.system_time, 0x01d9000012345678ull);
	CU_ASSERT_EQUAL(rsp.server_start_time, 0);
	CU_ASSERT_PTR_EQUAL(rsp.security_buffer, msg + 128);
	CU_ASSERT_EQUAL(rsp.security_buffer_len, 6);
	CU_ASSERT_EQUAL(rsp.context_count, 4);
	CU_ASSERT(rsp.has_preauth);
	CU_ASSERT_EQUAL(rsp.preauth_hash, SMB2_PREAUTH_INTEGRITY_SHA512);
	CU_ASSERT_EQUAL(rsp.preauth_salt_len, 32);
	CU_ASSERT_PTR_EQUAL(rsp.preauth_salt, msg + NEG_PREAUTH + 14);
	CU_ASSERT(rsp.has_cipher);
	CU_ASSERT_EQUAL(rsp.cipher, SMB2_ENCRYPTION_AES128_GCM);
	CU_ASSERT(rsp.has_signing);
	CU_ASSERT_EQUAL(rsp.signing_algo, SMB2_SIGNING_AES_GMAC);
	free(msg);
}

static void test_negotiate_response_210_ignores_context_fields(void)
{
	struct smb2_negotiate_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_NEGOTIATE, 0, negotiate_response_311,
				     &len);

	le16_put(msg + SMB2_HEADER_SIZE + 4, SMB2_DIALECT_210);
	le32_put(msg + NEG_CTX_OFF, 0xFFFFFFFF); /* reserved for 2.1 */
	CU_ASSERT_EQUAL(smb2_negotiate_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.dialect, SMB2_DIALECT_210);
	CU_ASSERT_FALSE(rsp.has_preauth);
	CU_ASSERT_FALSE(rsp.has_cipher);
	CU_ASSERT_EQUAL(rsp.context_count, 0);
	/* Without a token the pointer is NULL whatever the offset says. */
	le16_put(msg + NEG_SEC_LEN, 0);
	le16_put(msg + NEG_SEC_OFF, 0xFFFF);
	CU_ASSERT_EQUAL(smb2_negotiate_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_PTR_NULL(rsp.security_buffer);
	free(msg);
}

static void test_negotiate_response_context_rules(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_NEGOTIATE, 0, negotiate_response_311,
				     &len);

	/* HashAlgorithmCount must be 1 */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_PREAUTH + 8, 2, 2), -EBADMSG);
	/* Salt longer than the context */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_PREAUTH + 10, 2, 33), -EBADMSG);
	/* CipherCount must be 1 */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CIPHER + 8, 2, 2), -EBADMSG);
	/* SigningAlgorithmCount must be 1 */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_SIGNING + 8, 2, 0), -EBADMSG);
	/* A second ENCRYPTION context (the signing one retyped) */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_SIGNING, 2, 2), -EBADMSG);
	/* A second PREAUTH context */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CIPHER, 2, 1), -EBADMSG);
	/* No PREAUTH context at all (it becomes an unknown type) */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_PREAUTH, 2, 0x99), -EBADMSG);
	/* Only the first two contexts: still valid, no signing */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CTX_COUNT, 2, 2), 0);
	/* No context at all for 3.1.1 */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CTX_COUNT, 2, 0), -EBADMSG);
	/* One more context than the message holds */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CTX_COUNT, 2, 5), -EBADMSG);
	/* Unknown context types are skipped */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    200, 2, 0x7777), 0);
	free(msg);
}

static void test_negotiate_response_bad_offsets(void)
{
	static const uint32_t big[] = {0xFFFF, 0xFFF8, 237, 1000};
	size_t len, i;
	uint8_t *msg = wire_response(SMB2_NEGOTIATE, 0, negotiate_response_311,
				     &len);

	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
						    NEG_SEC_OFF, 2, big[i]),
				-EBADMSG);
		CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
						    NEG_SEC_LEN, 2, big[i]),
				-EBADMSG);
	}
	/* Security buffer overlapping the fixed part */
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_SEC_OFF, 2, 64), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CTX_OFF, 4, 0xFFFFFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CTX_OFF, 4, 0xFFFFFFF8),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_CTX_OFF, 4, 0), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_SIGNING + 2, 2, 0xFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    NEG_SIGNING + 2, 2, 5), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(negotiate_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 64),
			-EBADMSG);
	free(msg);
}

static void test_negotiate_response_robustness(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_NEGOTIATE, 0, negotiate_response_311,
				     &len);

	wire_check_truncations(negotiate_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(negotiate_decode, msg, len, FUZZ_ROUNDS) > 0);
	free(msg);
}

static void samba_negotiate_response(const char *path, const uint8_t *msg,
				     size_t len)
{
	struct smb2_negotiate_response rsp;

	CU_ASSERT_EQUAL(smb2_negotiate_response_decode(msg, len, &rsp), 0);
	CU_ASSERT(smb2_dialect_name(rsp.dialect) != NULL);
	CU_ASSERT(rsp.max_read_size >= 65536);
	CU_ASSERT(rsp.security_buffer_len > 0);
	CU_ASSERT(rsp.capabilities & SMB2_GLOBAL_CAP_DFS);
	if (rsp.dialect == SMB2_DIALECT_311) {
		CU_ASSERT(rsp.has_preauth);
		CU_ASSERT_EQUAL(rsp.preauth_hash,
				SMB2_PREAUTH_INTEGRITY_SHA512);
		CU_ASSERT_EQUAL(rsp.preauth_salt_len, 32);
		CU_ASSERT(rsp.has_cipher);
		CU_ASSERT(rsp.has_signing);
	}
	if (strstr(path, "_202_"))
		CU_ASSERT_EQUAL(rsp.dialect, SMB2_DIALECT_202);
	wire_check_truncations(negotiate_decode, msg, len, len);
}

static void test_negotiate_response_samba(void)
{
	CU_ASSERT(wire_for_each_vector("negotiate_response_*.hex",
				       samba_negotiate_response) > 0);
}

/* ---------------------------------------------------------------- */
/* VALIDATE_NEGOTIATE_INFO                                           */

static void test_validate_negotiate_payloads(void)
{
	static const uint16_t dialects[] = {SMB2_DIALECT_300,
					    SMB2_DIALECT_302};
	struct smb2_validate_negotiate_request req = {
		.capabilities = 0x47,
		.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
		.dialects = dialects,
		.dialect_count = 2,
	};
	struct smb2_validate_negotiate_response rsp;
	struct smb2_negotiate_response neg;
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t n, len;
	uint8_t *want, *out;
	int i;

	for (i = 0; i < SMB2_GUID_SIZE; i++)
		req.guid[i] = (uint8_t)(0x10 + i);
	CU_ASSERT_EQUAL(smb2_validate_negotiate_request_encode(&w, &req), 0);
	want = test_hex("47000000"	/* Capabilities */
			"101112131415161718191a1b1c1d1e1f" /* Guid */
			"0100"		/* SecurityMode */
			"0200"		/* DialectCount */
			"0003 0203",	/* Dialects */
			&n);
	CU_ASSERT_EQUAL(w.len, n);
	CU_ASSERT_BYTES_EQUAL(w.data, want, n);
	free(want);
	wbuf_free(&w);
	req.dialect_count = 0;
	CU_ASSERT_EQUAL(smb2_validate_negotiate_request_encode(&w, &req),
			-EINVAL);

	out = test_hex("07000000 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf 0100 0203",
		       &len);
	CU_ASSERT_EQUAL(len, SMB2_VALIDATE_NEGOTIATE_RESPONSE_SIZE);
	CU_ASSERT_EQUAL(smb2_validate_negotiate_response_decode(out, len, &rsp),
			0);
	CU_ASSERT_EQUAL(rsp.capabilities, 7);
	CU_ASSERT_EQUAL(rsp.guid[3], 0xa3);
	CU_ASSERT_EQUAL(rsp.security_mode, 1);
	CU_ASSERT_EQUAL(rsp.dialect, SMB2_DIALECT_302);
	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, out, n);
		CU_ASSERT_EQUAL(smb2_validate_negotiate_response_decode(
					copy, n, &rsp),
				-EBADMSG);
		free(copy);
	}

	/* The check compares with what NEGOTIATE said. */
	CU_ASSERT_EQUAL(smb2_validate_negotiate_response_decode(out, len, &rsp),
			0);
	memset(&neg, 0, sizeof(neg));
	neg.capabilities = 7;
	memcpy(neg.server_guid, out + 4, 16);
	neg.security_mode = 1;
	neg.dialect = SMB2_DIALECT_302;
	CU_ASSERT_EQUAL(smb2_validate_negotiate_check(&rsp, &neg), 0);
	neg.dialect = SMB2_DIALECT_300;
	CU_ASSERT_EQUAL(smb2_validate_negotiate_check(&rsp, &neg), -EACCES);
	neg.dialect = SMB2_DIALECT_302;
	neg.server_guid[15] ^= 1;
	CU_ASSERT_EQUAL(smb2_validate_negotiate_check(&rsp, &neg), -EACCES);
	neg.server_guid[15] ^= 1;
	neg.security_mode = 3;
	CU_ASSERT_EQUAL(smb2_validate_negotiate_check(&rsp, &neg), -EACCES);
	neg.security_mode = 1;
	neg.capabilities = 0x47;
	CU_ASSERT_EQUAL(smb2_validate_negotiate_check(&rsp, &neg), -EACCES);
	free(out);
}

/* ---------------------------------------------------------------- */
/* SESSION_SETUP                                                     */

static void test_session_setup_request(void)
{
	static const uint8_t token[] = {0xa1, 0xa2, 0xa3};
	struct smb2_session_setup_request req = {
		.flags = 0,
		.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
		.capabilities = SMB2_GLOBAL_CAP_DFS,
		.previous_session_id = 0x1122334455667788ull,
		.security_buffer = token,
		.security_buffer_len = sizeof(token),
	};
	struct smb_wbuf w;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_session_setup_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"1900"		/* StructureSize 25 */
		"00"		/* Flags */
		"01"		/* SecurityMode */
		"01000000"	/* Capabilities */
		"00000000"	/* Channel */
		"5800"		/* SecurityBufferOffset 88 */
		"0300"		/* SecurityBufferLength */
		"8877665544332211" /* PreviousSessionId */
		"a1a2a3");
	wbuf_free(&w);

	/* An empty token still sends the one byte of Buffer. */
	req.flags = SMB2_SESSION_FLAG_BINDING;
	req.security_buffer = NULL;
	req.security_buffer_len = 0;
	req.previous_session_id = 0;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_session_setup_request_encode(&w, &req), 0);
	wire_assert_body(&w, "1900 01 01 01000000 00000000 5800 0000"
			     "0000000000000000 00");
	wbuf_free(&w);

	req.security_buffer = token;
	req.security_buffer_len = 65536;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_session_setup_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
}

static void samba_session_setup_request(const char *path,
					const uint8_t *msg, size_t len)
{
	const uint8_t *b = msg + SMB2_HEADER_SIZE;
	struct smb2_session_setup_request req;
	struct smb_wbuf w;

	(void)path;
	CU_ASSERT_FATAL(len >= SMB2_HEADER_SIZE + 24);
	memset(&req, 0, sizeof(req));
	req.flags = b[2];
	req.security_mode = b[3];
	req.capabilities = le32_get(b + 4);
	req.security_buffer_len = le16_get(b + 14);
	req.previous_session_id = le64_get(b + 16);
	CU_ASSERT_EQUAL_FATAL(le16_get(b + 12), 88);
	CU_ASSERT_FATAL(88 + req.security_buffer_len <= len);
	req.security_buffer = msg + 88;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_session_setup_request_encode(&w, &req), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data + SMB2_HEADER_SIZE, b,
				      len - SMB2_HEADER_SIZE);
	wbuf_free(&w);
}

static void test_session_setup_request_matches_samba(void)
{
	CU_ASSERT(wire_for_each_vector("session_setup_request_*.hex",
				       samba_session_setup_request) > 0);
}

static const char session_setup_response[] =
	"0900"		/* StructureSize 9 */
	"0100"		/* SessionFlags: IS_GUEST */
	"4800"		/* SecurityBufferOffset 72 */
	"0400"		/* SecurityBufferLength */
	"a1b2c3d4";

static int session_setup_decode(const uint8_t *msg, size_t len)
{
	struct smb2_session_setup_response rsp;
	int err = smb2_session_setup_response_decode(msg, len, &rsp);

	if (!err && !wire_ptr_inside(msg, len, rsp.security_buffer,
				     rsp.security_buffer_len))
		return WIRE_ESCAPED_POINTER;
	return err;
}

static void test_session_setup_response(void)
{
	struct smb2_session_setup_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_SESSION_SETUP, 0,
				     session_setup_response, &len);

	CU_ASSERT_EQUAL(smb2_session_setup_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.session_flags, SMB2_SESSION_FLAG_IS_GUEST);
	CU_ASSERT_PTR_EQUAL(rsp.security_buffer, msg + 72);
	CU_ASSERT_EQUAL(rsp.security_buffer_len, 4);

	CU_ASSERT_EQUAL(wire_decode_patched(session_setup_decode, msg, len,
					    SMB2_HEADER_SIZE + 4, 2, 0xFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(session_setup_decode, msg, len,
					    SMB2_HEADER_SIZE + 6, 2, 0xFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(session_setup_decode, msg, len,
					    SMB2_HEADER_SIZE + 6, 2, 5),
			-EBADMSG);
	/* A token inside the fixed part is malformed. */
	CU_ASSERT_EQUAL(wire_decode_patched(session_setup_decode, msg, len,
					    SMB2_HEADER_SIZE + 4, 2, 66),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(session_setup_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 8),
			-EBADMSG);
	wire_check_truncations(session_setup_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(session_setup_decode, msg, len, FUZZ_ROUNDS) > 0);
	free(msg);
}

static void samba_session_setup_response(const char *path,
					 const uint8_t *msg, size_t len)
{
	struct smb2_session_setup_response rsp;
	struct smb2_header h;

	CU_ASSERT_EQUAL_FATAL(smb2_header_decode(msg, len, &h), 0);
	if (strstr(path, "logon_failure")) {
		CU_ASSERT_EQUAL(h.status, STATUS_LOGON_FAILURE);
		return; /* an ERROR body, tested with the error decoder */
	}
	CU_ASSERT_EQUAL(smb2_session_setup_response_decode(msg, len, &rsp), 0);
	if (h.status == STATUS_MORE_PROCESSING_REQUIRED)
		CU_ASSERT(rsp.security_buffer_len > 0);
	wire_check_truncations(session_setup_decode, msg, len,
			       SMB2_HEADER_SIZE + 8 + rsp.security_buffer_len);
}

static void test_session_setup_response_samba(void)
{
	CU_ASSERT(wire_for_each_vector("session_setup_response_*.hex",
				       samba_session_setup_response) > 0);
}

/* ---------------------------------------------------------------- */
/* LOGOFF, TREE_DISCONNECT, ECHO, CANCEL                             */

static void test_empty_bodies(void)
{
	int (*encoders[])(struct smb_wbuf *) = {
		smb2_logoff_request_encode, smb2_tree_disconnect_request_encode,
		smb2_echo_request_encode, smb2_cancel_request_encode};
	wire_decode_fn decoders[] = {smb2_logoff_response_decode,
				     smb2_tree_disconnect_response_decode,
				     smb2_echo_response_decode};
	struct smb_wbuf w;
	size_t i, len;
	uint8_t *msg = wire_response(SMB2_ECHO, 0, "0400 0000", &len);

	for (i = 0; i < 4; i++) {
		wire_request_start(&w);
		CU_ASSERT_EQUAL(encoders[i](&w), 0);
		wire_assert_body(&w, "0400 0000");
		wbuf_free(&w);
		wbuf_init(&w); /* no header room: refused */
		CU_ASSERT_EQUAL(encoders[i](&w), -EINVAL);
	}
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(decoders[i](msg, len), 0);
		CU_ASSERT_EQUAL(wire_decode_patched(decoders[i], msg, len,
						    SMB2_HEADER_SIZE, 2, 9),
				-EBADMSG);
		wire_check_truncations(decoders[i], msg, len, len);
		wire_fuzz(decoders[i], msg, len, 200);
	}
	free(msg);
}

static void samba_empty_response(const char *path, const uint8_t *msg,
				 size_t len)
{
	struct smb2_header h;

	CU_ASSERT_EQUAL_FATAL(smb2_header_decode(msg, len, &h), 0);
	if (h.status != STATUS_SUCCESS) /* c00000c9 error bodies */
		return;
	if (strstr(path, "logoff")) {
		CU_ASSERT_EQUAL(smb2_logoff_response_decode(msg, len), 0);
	} else if (strstr(path, "echo")) {
		CU_ASSERT_EQUAL(smb2_echo_response_decode(msg, len), 0);
	} else {
		CU_ASSERT_EQUAL(smb2_tree_disconnect_response_decode(msg, len),
				0);
	}
}

static void samba_empty_request(const char *path, const uint8_t *msg,
				size_t len)
{
	struct smb_wbuf w;

	(void)path;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_echo_request_encode(&w), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data + SMB2_HEADER_SIZE,
				      msg + SMB2_HEADER_SIZE, 4);
	wbuf_free(&w);
}

static void test_empty_bodies_samba(void)
{
	CU_ASSERT(wire_for_each_vector("logoff_response*.hex",
				       samba_empty_response) > 0);
	CU_ASSERT(wire_for_each_vector("echo_response*.hex",
				       samba_empty_response) > 0);
	CU_ASSERT(wire_for_each_vector("tree_disconnect_response_*.hex",
				       samba_empty_response) > 0);
	CU_ASSERT(wire_for_each_vector("logoff_request*.hex",
				       samba_empty_request) > 0);
	CU_ASSERT(wire_for_each_vector("echo_request*.hex",
				       samba_empty_request) > 0);
	CU_ASSERT(wire_for_each_vector("tree_disconnect_request_*.hex",
				       samba_empty_request) > 0);
}

/* ---------------------------------------------------------------- */
/* TREE_CONNECT                                                      */

static void test_tree_connect_request(void)
{
	struct smb2_tree_connect_request req = {
		.path = "\\\\srv\\sh",
		.path_len = 8,
	};
	struct smb_wbuf w;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_tree_connect_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"0900"		/* StructureSize 9 */
		"0000"		/* Flags */
		"4800"		/* PathOffset 72 */
		"1000"		/* PathLength 16 */
		"5c005c00730072007600 5c0073006800"); /* \\srv\sh */
	wbuf_free(&w);

	req.path = "\\\\srv\\\xc3";
	req.path_len = 7;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_tree_connect_request_encode(&w, &req), -EILSEQ);
	wbuf_free(&w);
	req.path_len = 0;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_tree_connect_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
}

static void samba_tree_connect_request(const char *path, const uint8_t *msg,
				       size_t len)
{
	const uint8_t *b = msg + SMB2_HEADER_SIZE;
	struct smb2_tree_connect_request req;
	struct smb_wbuf w;
	char *share = NULL;
	uint16_t off = le16_get(b + 4), plen = le16_get(b + 6);

	(void)path;
	CU_ASSERT_FATAL((size_t)off + plen <= len);
	CU_ASSERT_EQUAL_FATAL(utf16le_to_utf8(msg + off, plen, &share), 0);
	memset(&req, 0, sizeof(req));
	req.flags = le16_get(b + 2);
	req.path = share;
	req.path_len = strlen(share);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_tree_connect_request_encode(&w, &req), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data + SMB2_HEADER_SIZE, b,
				      len - SMB2_HEADER_SIZE);
	free(share);
	wbuf_free(&w);
}

static int tree_connect_decode(const uint8_t *msg, size_t len)
{
	struct smb2_tree_connect_response rsp;

	return smb2_tree_connect_response_decode(msg, len, &rsp);
}

static void test_tree_connect_response(void)
{
	struct smb2_tree_connect_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_TREE_CONNECT, 0,
				     "1000"	/* StructureSize 16 */
				     "01"	/* ShareType: disk */
				     "00"	/* Reserved */
				     "00800000" /* ShareFlags: ENCRYPT_DATA */
				     "08000000" /* Capabilities: DFS */
				     "ff011f00", /* MaximalAccess */
				     &len);

	CU_ASSERT_EQUAL(smb2_tree_connect_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.share_type, SMB2_SHARE_TYPE_DISK);
	CU_ASSERT_EQUAL(rsp.share_flags, SMB2_SHAREFLAG_ENCRYPT_DATA);
	CU_ASSERT_EQUAL(rsp.capabilities, SMB2_SHARE_CAP_DFS);
	CU_ASSERT_EQUAL(rsp.maximal_access, 0x001f01ff);
	CU_ASSERT_EQUAL(wire_decode_patched(tree_connect_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 9),
			-EBADMSG);
	wire_check_truncations(tree_connect_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(tree_connect_decode, msg, len, FUZZ_ROUNDS) > 0);
	free(msg);
}

static void samba_tree_connect_response(const char *path,
					const uint8_t *msg, size_t len)
{
	struct smb2_tree_connect_response rsp;

	if (strstr(path, "bad_network_name"))
		return; /* an ERROR body */
	CU_ASSERT_EQUAL(smb2_tree_connect_response_decode(msg, len, &rsp), 0);
	CU_ASSERT(rsp.share_type == SMB2_SHARE_TYPE_DISK ||
		  rsp.share_type == SMB2_SHARE_TYPE_PIPE);
	CU_ASSERT(rsp.maximal_access != 0);
}

static void test_tree_connect_samba(void)
{
	CU_ASSERT(wire_for_each_vector("tree_connect_request_*.hex",
				       samba_tree_connect_request) > 0);
	CU_ASSERT(wire_for_each_vector("tree_connect_response_*.hex",
				       samba_tree_connect_response) > 0);
}

/* ---------------------------------------------------------------- */
/* ERROR                                                             */

/*
 * Symbolic Link Error Response (MS-SMB2 2.2.2.2.1) for a relative link
 * "dir\t", 48 bytes.
 */
#define SYMLINK_ERROR_DATA \
	"2c000000"	/* SymLinkLength 44 */ \
	"5359 4d4c"	/* SymLinkErrorTag "SYML" */ \
	"0c0000a0"	/* ReparseTag IO_REPARSE_TAG_SYMLINK */ \
	"2000"		/* ReparseDataLength 32 */ \
	"0a00"		/* UnparsedPathLength 10 */ \
	"0000 0a00"	/* SubstituteNameOffset 0, Length 10 */ \
	"0a00 0a00"	/* PrintNameOffset 10, Length 10 */ \
	"01000000"	/* Flags: SYMLINK_FLAG_RELATIVE */ \
	"640069007200 5c007400"	/* "dir\t" */ \
	"640069007200 5c007400"

static const char symlink_error_plain[] =
	"0900 00 00"	/* StructureSize, ErrorContextCount 0, Reserved */
	"30000000"	/* ByteCount 48 */
	SYMLINK_ERROR_DATA;

/* 3.1.1 form: a share-redirect context first, then the default one. */
static const char symlink_error_contexts[] =
	"0900 02 00"	/* two error contexts */
	"48000000"	/* ByteCount 72 */
	"04000000 53526472"	/* ErrorDataLength 4, SHARE_REDIRECT */
	"deadbeef 00000000"	/* data, pad to 8 */
	"30000000 00000000"	/* ErrorDataLength 48, DEFAULT */
	SYMLINK_ERROR_DATA;

#define ERR_BYTE_COUNT (SMB2_HEADER_SIZE + 4)
#define ERR_DATA (SMB2_HEADER_SIZE + 8)

static int error_decode(const uint8_t *msg, size_t len)
{
	struct smb2_error_response rsp;
	int err = smb2_error_response_decode(msg, len, &rsp);

	if (!err && (!wire_ptr_inside(msg, len, rsp.error_data,
				      rsp.error_data_len) ||
		     !wire_ptr_inside(msg, len, rsp.data, rsp.data_len)))
		return WIRE_ESCAPED_POINTER;
	return err;
}

static int symlink_decode(const uint8_t *msg, size_t len)
{
	struct smb2_symlink_error sl;
	int err = smb2_symlink_error_decode(msg, len, &sl);

	if (!err)
		smb2_symlink_error_free(&sl);
	return err;
}

static void test_error_response_plain(void)
{
	struct smb2_error_response rsp;
	uint32_t need;
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, STATUS_ACCESS_DENIED,
				     "0900 00 00 00000000 00", &len);

	CU_ASSERT_EQUAL(smb2_error_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.byte_count, 0);
	CU_ASSERT_PTR_NULL(rsp.error_data);
	CU_ASSERT_PTR_NULL(rsp.data);
	/* Without the spec's one padding byte it is still accepted. */
	CU_ASSERT_EQUAL(smb2_error_response_decode(msg, len - 1, &rsp), 0);
	wire_check_truncations(error_decode, msg, len, len - 1);
	CU_ASSERT_EQUAL(smb2_error_buffer_too_small_decode(msg, len, &need),
			-ENODATA);
	/* A context claimed with no data */
	CU_ASSERT_EQUAL(wire_decode_patched(error_decode, msg, len,
					    SMB2_HEADER_SIZE + 2, 1, 1),
			-EBADMSG);
	free(msg);

	msg = wire_response(SMB2_QUERY_INFO, STATUS_BUFFER_TOO_SMALL,
			    "0900 00 00 04000000 10010000", &len);
	CU_ASSERT_EQUAL(smb2_error_buffer_too_small_decode(msg, len, &need), 0);
	CU_ASSERT_EQUAL(need, 0x110);
	le32_put(msg + ERR_BYTE_COUNT, 2);
	CU_ASSERT_EQUAL(smb2_error_buffer_too_small_decode(msg, len, &need),
			-EBADMSG);
	free(msg);
}

static void test_error_symlink(void)
{
	struct smb2_symlink_error sl;
	struct smb2_error_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, STATUS_STOPPED_ON_SYMLINK,
				     symlink_error_plain, &len);

	CU_ASSERT_EQUAL(smb2_error_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.byte_count, 48);
	CU_ASSERT_PTR_EQUAL(rsp.data, msg + ERR_DATA);
	CU_ASSERT_EQUAL(rsp.data_len, 48);
	CU_ASSERT_EQUAL(smb2_symlink_error_decode(msg, len, &sl), 0);
	CU_ASSERT_STRING_EQUAL(sl.substitute_name, "dir\\t");
	CU_ASSERT_STRING_EQUAL(sl.print_name, "dir\\t");
	CU_ASSERT_EQUAL(sl.flags, SYMLINK_FLAG_RELATIVE);
	CU_ASSERT_EQUAL(sl.unparsed_path_length, 10);
	smb2_symlink_error_free(&sl);
	CU_ASSERT_PTR_NULL(sl.substitute_name);

	/* ByteCount past the end, near UINT32_MAX */
	CU_ASSERT_EQUAL(wire_decode_patched(error_decode, msg, len,
					    ERR_BYTE_COUNT, 4, 0xFFFFFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(error_decode, msg, len,
					    ERR_BYTE_COUNT, 4, 49),
			-EBADMSG);
	/* SymLinkLength past the data */
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA, 4, 0xFFFFFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA, 4, 45), -EBADMSG);
	/* Wrong tags */
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 4, 4, 0x4C4D5954),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 8, 4, 0xA0000003),
			-EBADMSG);
	/* Names outside PathBuffer, odd, or empty substitute name */
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 16, 2, 0xFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 18, 2, 0xFFFE),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 20, 2, 11), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 22, 2, 12), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 18, 2, 0), -EBADMSG);
	/* An unpaired surrogate in the name */
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    ERR_DATA + 28, 2, 0xD800),
			-EILSEQ);
	wire_check_truncations(error_decode, msg, len, len);
	wire_check_truncations(symlink_decode, msg, len, len);
	wire_fuzz(error_decode, msg, len, FUZZ_ROUNDS);
	wire_fuzz(symlink_decode, msg, len, FUZZ_ROUNDS);
	free(msg);
}

static void test_error_contexts(void)
{
	struct smb2_symlink_error sl;
	struct smb2_error_response rsp;
	const uint8_t *data;
	uint32_t data_len;
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, STATUS_STOPPED_ON_SYMLINK,
				     symlink_error_contexts, &len);

	CU_ASSERT_EQUAL(smb2_error_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.error_context_count, 2);
	CU_ASSERT_EQUAL(rsp.error_data_len, 72);
	CU_ASSERT_PTR_EQUAL(rsp.data, msg + ERR_DATA + 24);
	CU_ASSERT_EQUAL(rsp.data_len, 48);
	CU_ASSERT_EQUAL(smb2_error_context_find(&rsp,
						SMB2_ERROR_ID_SHARE_REDIRECT,
						&data, &data_len),
			0);
	CU_ASSERT_PTR_EQUAL(data, msg + ERR_DATA + 8);
	CU_ASSERT_EQUAL(data_len, 4);
	CU_ASSERT_EQUAL(smb2_error_context_find(&rsp, 0x1234, &data,
						&data_len),
			-ENOENT);
	CU_ASSERT_EQUAL(smb2_symlink_error_decode(msg, len, &sl), 0);
	CU_ASSERT_STRING_EQUAL(sl.substitute_name, "dir\\t");
	smb2_symlink_error_free(&sl);

	/* Context lengths past ErrorData */
	CU_ASSERT_EQUAL(wire_decode_patched(error_decode, msg, len, ERR_DATA,
					    4, 0xFFFFFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(error_decode, msg, len,
					    ERR_DATA + 16, 4, 49),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(error_decode, msg, len,
					    SMB2_HEADER_SIZE + 2, 1, 3),
			-EBADMSG);
	/* Only a share-redirect context: no symbolic link data */
	CU_ASSERT_EQUAL(wire_decode_patched(symlink_decode, msg, len,
					    SMB2_HEADER_SIZE + 2, 1, 1),
			-ENODATA);
	wire_check_truncations(error_decode, msg, len, len);
	wire_fuzz(error_decode, msg, len, FUZZ_ROUNDS);
	wire_fuzz(symlink_decode, msg, len, FUZZ_ROUNDS);
	free(msg);
}

static int samba_error_count;

/*
 * Every captured response with an error status, and every interim
 * STATUS_PENDING response, carries an ERROR body.  (SESSION_SETUP's
 * STATUS_MORE_PROCESSING_REQUIRED carries a SESSION_SETUP body.)
 */
static void samba_error_response(const char *path, const uint8_t *msg,
				 size_t len)
{
	struct smb2_error_response rsp;
	struct smb2_header h;

	CU_ASSERT_EQUAL_FATAL(smb2_header_decode(msg, len, &h), 0);
	if (h.status == STATUS_MORE_PROCESSING_REQUIRED ||
	    (!nt_status_is_error(h.status) && h.status != STATUS_PENDING &&
	     h.status != STATUS_NO_MORE_FILES))
		return;
	samba_error_count++;
	CU_ASSERT(nt_status_to_errno(h.status) < 0 ||
		  h.status == STATUS_PENDING);
	CU_ASSERT_EQUAL(smb2_error_response_decode(msg, len, &rsp), 0);
	if (smb2_error_response_decode(msg, len, &rsp))
		fprintf(stderr, "%s not decoded\n", path);
	CU_ASSERT_EQUAL(rsp.error_context_count, 0);
	wire_check_truncations(error_decode, msg, len, SMB2_HEADER_SIZE + 8);
}

static void test_error_response_samba(void)
{
	samba_error_count = 0;
	CU_ASSERT(wire_for_each_vector("*response*.hex",
				       samba_error_response) > 0);
	CU_ASSERT(samba_error_count > 0);
}

static CU_TestInfo negotiate_tests[] = {
	{"3.1.1 request with all contexts", test_negotiate_request_311},
	{"2.x request has ClientStartTime, no contexts",
	 test_negotiate_request_2x_has_no_contexts},
	{"request argument errors", test_negotiate_request_bad_arguments},
	{"requests match Samba's bytes", test_negotiate_request_matches_samba},
	{"3.1.1 response with contexts", test_negotiate_response_311},
	{"2.1 response ignores context fields",
	 test_negotiate_response_210_ignores_context_fields},
	{"response context rules", test_negotiate_response_context_rules},
	{"response offsets past the end", test_negotiate_response_bad_offsets},
	{"response truncation and fuzz", test_negotiate_response_robustness},
	{"Samba responses decode", test_negotiate_response_samba},
	{"validate negotiate payloads", test_validate_negotiate_payloads},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo session_tests[] = {
	{"session setup request", test_session_setup_request},
	{"session setup requests match Samba's bytes",
	 test_session_setup_request_matches_samba},
	{"session setup response", test_session_setup_response},
	{"Samba session setup responses decode",
	 test_session_setup_response_samba},
	{"logoff, tree disconnect, echo, cancel", test_empty_bodies},
	{"Samba logoff/echo/tree disconnect", test_empty_bodies_samba},
	{"tree connect request", test_tree_connect_request},
	{"tree connect response", test_tree_connect_response},
	{"Samba tree connect", test_tree_connect_samba},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo error_tests[] = {
	{"plain error and buffer too small", test_error_response_plain},
	{"symbolic link error", test_error_symlink},
	{"3.1.1 error contexts", test_error_contexts},
	{"Samba error responses decode", test_error_response_samba},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"negotiate", NULL, NULL, NULL, NULL, negotiate_tests},
	{"session", NULL, NULL, NULL, NULL, session_tests},
	{"error", NULL, NULL, NULL, NULL, error_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
