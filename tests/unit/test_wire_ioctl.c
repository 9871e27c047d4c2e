// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 IOCTL (MS-SMB2 2.2.31, 2.2.32) and FSCTL payloads. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/wire/smb2_fsctl.h"
#include "smbfs/wire/smb2_ioctl.h"
#include "wire_robustness.h"

#define FSCTL_SRV_ENUMERATE_SNAPSHOTS 0x00144064u

/* Every strict prefix (1..len-1) of a payload must be rejected. */
static void check_payload_prefixes(int (*fn)(const uint8_t *, size_t),
				   const uint8_t *valid, size_t len,
				   size_t from)
{
	size_t n;

	for (n = from; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, valid, n);
		CU_ASSERT(fn(copy, n) < 0);
		free(copy);
	}
}

static void test_ioctl_request_dfs_referral(void)
{
	struct smb_wbuf in = SMB_WBUF_INIT, w;
	const char *path = "\\127.0.0.1\\plain";
	struct smb2_ioctl_request req = {
		.ctl_code = FSCTL_DFS_GET_REFERRALS,
		.file_id = smb2_ioctl_no_fileid(),
		.max_output_response = 0xffff,
		.flags = SMB2_0_IOCTL_IS_FSCTL,
	};
	size_t cap_len;
	uint8_t *cap = wire_load_vector(
		SAMBA_VECTOR_DIR "ioctl_dfs_get_referrals_request_1.hex",
		&cap_len);

	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_request_encode(
				&in, 3, path, strlen(path)),
			0);
	req.input = in.data;
	req.input_len = in.len;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_ioctl_request_encode(&w, &req), 0);
	wire_assert_body(
		&w, "3900"			     /* StructureSize 57 */
		    "0000"			     /* Reserved */
		    "94010600"			     /* CtlCode */
		    "ffffffffffffffffffffffffffffffff" /* FileId: none */
		    "78000000"			     /* InputOffset 120 */
		    "24000000"			     /* InputCount 36 */
		    "00000000"			     /* MaxInputResponse */
		    "00000000"			     /* OutputOffset */
		    "00000000"			     /* OutputCount */
		    "ffff0000"			     /* MaxOutputResponse */
		    "01000000"			     /* Flags IS_FSCTL */
		    "00000000"			     /* Reserved2 */
		    /* REQ_GET_DFS_REFERRAL (MS-DFSC 2.2.2) */
		    "0300"			     /* MaxReferralLevel 3 */
		    "5c003100320037002e0030002e0030002e0031005c0070006c00"
		    "610069006e00"		     /* RequestFileName */
		    "0000");			     /* NUL */
	/* smbclient sent the same payload (it sets OutputOffset to 120). */
	CU_ASSERT_PTR_NOT_NULL(cap);
	if (cap && cap_len == w.len) {
		CU_ASSERT_BYTES_EQUAL(cap + 120, w.data + 120, in.len);
		CU_ASSERT_BYTES_EQUAL(cap + 64, w.data + 64, 36);
	} else {
		CU_FAIL("capture length differs");
	}
	free(cap);
	wbuf_free(&w);
	wbuf_free(&in);
}

/* Without input: InputOffset 0 and one padding byte, as smbclient sent. */
static void test_ioctl_request_no_input_matches_samba(void)
{
	struct smb_wbuf w;
	size_t cap_len;
	uint8_t *cap = wire_load_vector(
		SAMBA_VECTOR_DIR "ioctl_srv_enumerate_snapshots_request.hex",
		&cap_len);
	struct smb2_ioctl_request req = {
		.ctl_code = FSCTL_SRV_ENUMERATE_SNAPSHOTS,
		.max_output_response = 16,
		.flags = SMB2_0_IOCTL_IS_FSCTL,
	};

	CU_ASSERT_PTR_NOT_NULL_FATAL(cap);
	req.file_id.persistent = le64_get(cap + SMB2_HEADER_SIZE + 8);
	req.file_id.volatile_id = le64_get(cap + SMB2_HEADER_SIZE + 16);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_ioctl_request_encode(&w, &req), 0);
	CU_ASSERT_EQUAL(w.len, cap_len);
	if (w.len == cap_len)
		CU_ASSERT_BYTES_EQUAL(w.data + 64, cap + 64, cap_len - 64);
	CU_ASSERT_EQUAL(le32_get(w.data + 64 + 24), 0); /* InputOffset */
	CU_ASSERT_EQUAL(w.data[w.len - 1], 0);		/* padding byte */
	free(cap);
	wbuf_free(&w);
	/* Bad arguments. */
	req.input_len = 4;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_ioctl_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
}

/* IOCTL response (2.2.32) carrying a SRV_REQUEST_RESUME_KEY output. */
static const char ioctl_rsp_hex[] =
	"3100"				   /* StructureSize 49 */
	"0000"				   /* Reserved */
	"78001400"			   /* CtlCode RESUME_KEY */
	"0100000000000000 0200000000000000" /* FileId */
	"70000000"			   /* InputOffset 112 */
	"00000000"			   /* InputCount */
	"70000000"			   /* OutputOffset 112 */
	"20000000"			   /* OutputCount 32 */
	"00000000"			   /* Flags */
	"00000000"			   /* Reserved2 */
	/* SRV_REQUEST_RESUME_KEY (2.2.32.3) */
	"000102030405060708090a0b0c0d0e0f1011121314151617" /* ResumeKey */
	"00000000"					   /* ContextLength */
	"00000000";					   /* Context/pad */

static int decode_ioctl(const uint8_t *msg, size_t len)
{
	struct smb2_ioctl_response rsp;
	int rc = smb2_ioctl_response_decode(msg, len, &rsp);

	if (!rc && (!wire_ptr_inside(msg, len, rsp.output, rsp.output_len) ||
		    !wire_ptr_inside(msg, len, rsp.input, rsp.input_len)))
		return WIRE_ESCAPED_POINTER;
	return rc;
}

static void test_ioctl_response_decode(void)
{
	struct smb2_ioctl_response rsp;
	uint8_t key[SMB2_RESUME_KEY_SIZE];
	size_t len, i;
	uint8_t *msg = wire_response(SMB2_IOCTL, 0, ioctl_rsp_hex, &len);

	CU_ASSERT_EQUAL(smb2_ioctl_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.ctl_code, FSCTL_SRV_REQUEST_RESUME_KEY);
	CU_ASSERT_EQUAL(rsp.file_id.persistent, 1);
	CU_ASSERT_EQUAL(rsp.file_id.volatile_id, 2);
	CU_ASSERT_PTR_NULL(rsp.input);
	CU_ASSERT_PTR_EQUAL(rsp.output, msg + 112);
	CU_ASSERT_EQUAL(rsp.output_len, 32);
	CU_ASSERT_EQUAL(smb2_fsctl_resume_key_decode(rsp.output,
						     rsp.output_len, key),
			0);
	for (i = 0; i < sizeof(key); i++)
		CU_ASSERT_EQUAL(key[i], i);
	CU_ASSERT_EQUAL(smb2_fsctl_resume_key_decode(rsp.output, 23, key),
			-EBADMSG);
	wire_check_truncations(decode_ioctl, msg, len, len);
	free(msg);
}

static void test_ioctl_response_bad_offsets(void)
{
	static const struct {
		size_t off;
		int width;
		uint32_t value;
		int want;
	} cases[] = {
		{64, 2, 48, -EBADMSG},		    /* StructureSize */
		{64 + 32, 4, 0xffffffff, -EBADMSG}, /* OutputOffset */
		{64 + 32, 4, 0xfffffff8, -EBADMSG},
		{64 + 32, 4, 8, -EBADMSG},	    /* inside the header */
		{64 + 36, 4, 33, -EBADMSG},	    /* OutputCount */
		{64 + 36, 4, 0xffffffff, -EBADMSG},
		{64 + 28, 4, 0xffffffff, -EBADMSG}, /* InputCount */
		{64 + 28, 4, 1, 0},		    /* legal overlap */
		{64 + 24, 4, 0xffffffff, 0},	    /* ignored: count 0 */
	};
	size_t len, i;
	uint8_t *msg = wire_response(SMB2_IOCTL, 0, ioctl_rsp_hex, &len);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(wire_decode_patched(decode_ioctl, msg, len,
						    cases[i].off,
						    cases[i].width,
						    cases[i].value),
				cases[i].want);
	wire_fuzz(decode_ioctl, msg, len, 5000);
	free(msg);
}

static void check_samba_ioctl_error(const char *path, const uint8_t *msg,
				    size_t len)
{
	(void)path;
	CU_ASSERT_EQUAL(decode_ioctl(msg, len), -EBADMSG);
}

static void check_samba_validate_negotiate(const char *path,
					   const uint8_t *msg, size_t len)
{
	struct smb2_ioctl_response rsp;

	(void)path;
	CU_ASSERT_EQUAL(smb2_ioctl_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.ctl_code, FSCTL_VALIDATE_NEGOTIATE_INFO);
	CU_ASSERT_EQUAL(rsp.file_id.persistent, SMB2_IOCTL_NO_FILEID);
	/* VALIDATE_NEGOTIATE_INFO response: 24 bytes. */
	CU_ASSERT_EQUAL(rsp.output_len, 24);
	CU_ASSERT(wire_ptr_inside(msg, len, rsp.output, rsp.output_len));
	wire_check_truncations(decode_ioctl, msg, len, len);
}

static void test_ioctl_samba(void)
{
	CU_ASSERT(wire_for_each_vector("ioctl_*_response_not_found*.hex",
				       check_samba_ioctl_error) > 0);
	CU_ASSERT(wire_for_each_vector("ioctl_*_invalid_device_request*.hex",
				       check_samba_ioctl_error) > 0);
	CU_ASSERT(wire_for_each_vector(
			  "ioctl_validate_negotiate_info_response_*.hex",
			  check_samba_validate_negotiate) > 0);
}

static void test_copychunk_encode_and_result(void)
{
	static const uint8_t key[24] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
					23, 24};
	struct smb2_copychunk chunks[2] = {
		{0, 0x100000, 0x100000},
		{0x100000, 0x200000, 0x1000},
	};
	struct smb2_copychunk_result res;
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t want_len;
	uint8_t *want = test_hex(
		/* SourceKey */
		"0102030405060708090a0b0c0d0e0f101112131415161718"
		"02000000"		       /* ChunkCount */
		"00000000"		       /* Reserved */
		"0000000000000000"	       /* SourceOffset */
		"0000100000000000"	       /* TargetOffset */
		"00001000"		       /* Length */
		"00000000"		       /* Reserved */
		"0000100000000000 0000200000000000 00100000 00000000",
		&want_len);
	size_t rsp_len;
	uint8_t *rsp = test_hex("02000000"  /* ChunksWritten */
				"00100000"  /* ChunkBytesWritten */
				"00101000", /* TotalBytesWritten */
				&rsp_len);

	CU_ASSERT_EQUAL(smb2_fsctl_copychunk_encode(&w, key, chunks, 2), 0);
	CU_ASSERT_EQUAL(w.len, want_len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, want_len);
	CU_ASSERT_EQUAL(smb2_fsctl_copychunk_encode(&w, key, NULL, 1), -EINVAL);
	CU_ASSERT_EQUAL(rsp_len, 12);
	CU_ASSERT_EQUAL(smb2_fsctl_copychunk_result_decode(rsp, 12, &res), 0);
	CU_ASSERT_EQUAL(res.chunks_written, 2);
	CU_ASSERT_EQUAL(res.chunk_bytes_written, 0x1000);
	CU_ASSERT_EQUAL(res.total_bytes_written, 0x101000);
	CU_ASSERT_EQUAL(smb2_fsctl_copychunk_result_decode(rsp, 11, &res),
			-EBADMSG);
	free(want);
	free(rsp);
	wbuf_free(&w);
}

static int decode_copychunk_result(const uint8_t *buf, size_t len)
{
	struct smb2_copychunk_result res;

	return smb2_fsctl_copychunk_result_decode(buf, len, &res);
}

static int decode_resume_key(const uint8_t *buf, size_t len)
{
	uint8_t key[SMB2_RESUME_KEY_SIZE];

	return smb2_fsctl_resume_key_decode(buf, len, key);
}

static void test_small_payloads_robust(void)
{
	uint8_t valid[32];
	size_t i;

	for (i = 0; i < sizeof(valid); i++)
		valid[i] = (uint8_t)i;
	check_payload_prefixes(decode_copychunk_result, valid, 12, 0);
	check_payload_prefixes(decode_resume_key, valid, 24, 0);
	wire_fuzz_payload(decode_copychunk_result, valid, 12, 1000);
	wire_fuzz_payload(decode_resume_key, valid, 32, 1000);
}

static void test_sparse_zero_data_ranges(void)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_alloc_range range = {0x1000, 0x2000}, *out = NULL;
	size_t n = 99, want_len;
	uint8_t *want = test_hex("01"		    /* SetSparse TRUE */
				 "0010000000000000" /* FileOffset */
				 "0030000000000000" /* BeyondFinalZero */
				 "0010000000000000" /* range FileOffset */
				 "0020000000000000", /* range Length */
				 &want_len);

	CU_ASSERT_EQUAL(smb2_fsctl_set_sparse_encode(&w, 7), 0);
	CU_ASSERT_EQUAL(smb2_fsctl_zero_data_encode(&w, 0x1000, 0x3000), 0);
	CU_ASSERT_EQUAL(smb2_fsctl_alloc_range_encode(&w, &range), 0);
	CU_ASSERT_EQUAL(w.len, want_len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, want_len);
	/* Two ranges decoded from the output. */
	CU_ASSERT_EQUAL(smb2_fsctl_alloc_ranges_decode(want + 17, 16, &out,
						       &n),
			0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(out[0].offset, 0x1000);
	CU_ASSERT_EQUAL(out[0].length, 0x2000);
	free(out);
	CU_ASSERT_EQUAL(smb2_fsctl_alloc_ranges_decode(want + 1, 32, &out, &n),
			0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(out[1].offset, 0x1000);
	free(out);
	CU_ASSERT_EQUAL(smb2_fsctl_alloc_ranges_decode(want, 0, &out, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(out);
	for (n = 1; n < 32; n++) {
		size_t cnt;

		if (n == 16)
			continue;
		CU_ASSERT_EQUAL(smb2_fsctl_alloc_ranges_decode(want, n, &out,
							       &cnt),
				-EBADMSG);
	}
	free(want);
	wbuf_free(&w);
}

/*
 * Random output buffers, half of them a whole number of records: each
 * decodes to exactly len / 16 ranges holding the bytes as sent, any
 * other length is refused with nothing allocated.
 */
static void test_alloc_ranges_fuzz(void)
{
	uint32_t seed = 0x9E3779B9;
	unsigned int round;

	for (round = 0; round < 1000; round++) {
		size_t len = wire_xorshift32(&seed) % 100, n = 99, i;
		struct smb2_alloc_range *r = (void *)1;
		uint8_t *buf;
		int rc;

		if (round & 1)
			len -= len % 16;
		buf = malloc(len ? len : 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)wire_xorshift32(&seed);
		rc = smb2_fsctl_alloc_ranges_decode(buf, len, &r, &n);
		if (len % 16) {
			CU_ASSERT_EQUAL(rc, -EBADMSG);
			CU_ASSERT_PTR_NULL(r);
			CU_ASSERT_EQUAL(n, 0);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			CU_ASSERT_EQUAL(n, len / 16);
			CU_ASSERT_EQUAL(n == 0, r == NULL);
		}
		for (i = 0; !rc && i < n; i++) {
			CU_ASSERT_EQUAL(r[i].offset, le64_get(buf + 16 * i));
			CU_ASSERT_EQUAL(r[i].length, le64_get(buf + 16 * i + 8));
		}
		if (!rc)
			free(r);
		free(buf);
	}
}

/*
 * RESP_GET_DFS_REFERRAL (MS-DFSC 2.2.4) with two DFS_REFERRAL_V3 entries
 * (2.2.5.3.1); string offsets are relative to each entry.
 */
static const char dfs_rsp_hex[] =
	"2400"	   /* PathConsumed 36 */
	"0200"	   /* NumberOfReferrals */
	"03000000" /* ReferralHeaderFlags R|S */
	/* entry 1 at 8 */
	"0300"	   /* VersionNumber 3 */
	"2200"	   /* Size 34 */
	"0100"	   /* ServerType root */
	"0000"	   /* ReferralEntryFlags */
	"2c010000" /* TimeToLive 300 */
	"4400"	   /* DFSPathOffset 68 -> 76 */
	"4400"	   /* DFSAlternatePathOffset */
	"4e00"	   /* NetworkAddressOffset 78 -> 86 */
	"00000000000000000000000000000000" /* ServiceSiteGuid */
	/* entry 2 at 42 */
	"0300 2200 0100 0000 2c010000"
	"2200"	   /* DFSPathOffset 34 -> 76 */
	"2200"	   /* DFSAlternatePathOffset */
	"3800"	   /* NetworkAddressOffset 56 -> 98 */
	"00000000000000000000000000000000"
	/* string buffer at 76 */
	"5c0061005c0062000000"	       /* "\a\b" */
	"5c00730031005c0078000000"     /* "\s1\x" */
	"5c00730032005c0078000000";    /* "\s2\x" */

static void test_dfs_referral_decode(void)
{
	struct smb2_dfs_referral_response rsp;
	size_t len;
	uint8_t *buf = test_hex(dfs_rsp_hex, &len);

	CU_ASSERT_EQUAL(len, 110);
	CU_ASSERT_EQUAL_FATAL(
		smb2_fsctl_dfs_referral_response_decode(buf, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.path_consumed, 36);
	CU_ASSERT_EQUAL(rsp.header_flags,
			DFS_REFERRAL_SERVERS | DFS_STORAGE_SERVERS);
	CU_ASSERT_EQUAL_FATAL(rsp.count, 2);
	CU_ASSERT_EQUAL(rsp.referrals[0].version, 3);
	CU_ASSERT_EQUAL(rsp.referrals[0].server_type, 1);
	CU_ASSERT_EQUAL(rsp.referrals[0].ttl, 300);
	CU_ASSERT_STRING_EQUAL(rsp.referrals[0].path, "\\a\\b");
	CU_ASSERT_STRING_EQUAL(rsp.referrals[0].network_address, "\\s1\\x");
	CU_ASSERT_STRING_EQUAL(rsp.referrals[1].path, "\\a\\b");
	CU_ASSERT_STRING_EQUAL(rsp.referrals[1].network_address, "\\s2\\x");
	smb2_fsctl_dfs_referral_response_free(&rsp);
	CU_ASSERT_PTR_NULL(rsp.referrals);
	/* V4 entries have the same layout. */
	buf[8] = 4;
	buf[42] = 4;
	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_response_decode(buf, len, &rsp),
			0);
	CU_ASSERT_EQUAL(rsp.referrals[1].version, 4);
	smb2_fsctl_dfs_referral_response_free(&rsp);
	/* V1 is not supported. */
	buf[8] = 1;
	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_response_decode(buf, len, &rsp),
			-EPROTONOSUPPORT);
	CU_ASSERT_PTR_NULL(rsp.referrals);
	free(buf);
}

static void test_dfs_referral_name_list_and_v2(void)
{
	struct smb2_dfs_referral_response rsp;
	size_t len;
	/* A domain referral (2.2.5.3.2): special name + expanded names. */
	uint8_t *buf = test_hex("0000 0100 00000000"
				"0300"	   /* VersionNumber */
				"1200"	   /* Size 18 */
				"0000"	   /* ServerType */
				"0200"	   /* NameListReferral */
				"58020000" /* TimeToLive 600 */
				"1200"	   /* SpecialNameOffset 18 */
				"0100"	   /* NumberOfExpandedNames */
				"1a00"	   /* ExpandedNameOffset 26 */
				"44004f004d000000"  /* "DOM" */
				"6400630031000000", /* "dc1" */
				&len);

	CU_ASSERT_EQUAL_FATAL(
		smb2_fsctl_dfs_referral_response_decode(buf, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.count, 1);
	CU_ASSERT_EQUAL(rsp.referrals[0].ttl, 600);
	CU_ASSERT_STRING_EQUAL(rsp.referrals[0].path, "DOM");
	CU_ASSERT_STRING_EQUAL(rsp.referrals[0].network_address, "dc1");
	smb2_fsctl_dfs_referral_response_free(&rsp);
	free(buf);

	/* DFS_REFERRAL_V2 (2.2.5.2). */
	buf = test_hex("0000 0100 00000000"
		       "0200 1600 0000 0000" /* Version 2, Size 22 */
		       "00000000"	     /* Proximity */
		       "78000000"	     /* TimeToLive 120 */
		       "1600 1600 1e00"	     /* path 22, alt 22, addr 30 */
		       "7000310000000000" /* "p1" + NUL, pad */
		       "6e000000 00",	  /* "n" + NUL, odd tail */
		       &len);
	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_response_decode(buf, len - 1,
								&rsp),
			0);
	CU_ASSERT_EQUAL(rsp.referrals[0].ttl, 120);
	CU_ASSERT_STRING_EQUAL(rsp.referrals[0].path, "p1");
	CU_ASSERT_STRING_EQUAL(rsp.referrals[0].network_address, "n");
	smb2_fsctl_dfs_referral_response_free(&rsp);
	/* Without the final NUL the string is unterminated. */
	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_response_decode(buf, len - 2,
								&rsp),
			-EBADMSG);
	free(buf);
}

static int decode_dfs(const uint8_t *buf, size_t len)
{
	struct smb2_dfs_referral_response rsp;
	int rc = smb2_fsctl_dfs_referral_response_decode(buf, len, &rsp);

	if (!rc)
		smb2_fsctl_dfs_referral_response_free(&rsp);
	return rc;
}

static void test_dfs_referral_robust(void)
{
	static const struct {
		size_t off;
		uint16_t value;
	} bad[] = {
		{2, 3},	     /* NumberOfReferrals past the entries */
		{2, 0xffff}, {10, 0},	    /* Size 0 */
		{10, 0xffff},		    /* Size past the end */
		{10, 17},		    /* Size below the V3 fields */
		{20, 0xffff},		    /* DFSPathOffset */
		{24, 0xffff},		    /* NetworkAddressOffset */
		{24, 101},		    /* odd: no NUL before the end */
		{58, 68},		    /* entry 2 address at the end */
	};
	size_t len, i;
	uint8_t *buf = test_hex(dfs_rsp_hex, &len);

	check_payload_prefixes(decode_dfs, buf, len, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *copy = malloc(len);

		memcpy(copy, buf, len);
		le16_put(copy + bad[i].off, bad[i].value);
		CU_ASSERT_EQUAL(decode_dfs(copy, len), -EBADMSG);
		free(copy);
	}
	wire_fuzz_payload(decode_dfs, buf, len, 5000);
	free(buf);
}

/*
 * A last entry whose Size (4) covers only VersionNumber and Size, at the
 * very end of the buffer: ServerType and ReferralEntryFlags lie outside
 * it and must not be read (found by tests/fuzz/fuzz_ioctl).
 */
static void test_dfs_referral_short_last_entry(void)
{
	static const uint8_t rsp[] = {
		0x22, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, /* header */
		0x03, 0x00, 0x04, 0x00, /* V3, Size 4, and nothing more */
	};
	uint8_t *copy = malloc(sizeof(rsp));
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	for (n = 0; n < 3; n++) {
		/* Every version, each exactly as long as the message. */
		memcpy(copy, rsp, sizeof(rsp));
		copy[8] = (uint8_t)(2 + n);
		CU_ASSERT_EQUAL(decode_dfs(copy, sizeof(rsp)), -EBADMSG);
	}
	copy[8] = 1; /* V1: not supported, still not read past the end */
	CU_ASSERT_EQUAL(decode_dfs(copy, sizeof(rsp)), -EPROTONOSUPPORT);
	free(copy);
}

/* Appends one NETWORK_INTERFACE_INFO (MS-SMB2 2.2.32.5) field by field. */
static void put_iface(struct smb_wbuf *w, uint32_t next, uint32_t index,
		      uint16_t family, const uint8_t *addr, size_t addr_len)
{
	size_t start = w->len;

	wbuf_u32(w, next);	     /* Next */
	wbuf_u32(w, index);	     /* IfIndex */
	wbuf_u32(w, 1);		     /* Capability RSS */
	wbuf_u32(w, 0);		     /* Reserved */
	wbuf_u64(w, 10000000000ull); /* LinkSpeed 10 Gb/s */
	wbuf_u16(w, family);	     /* SockAddr_Storage.Family */
	wbuf_u16(w, 0);		     /* Port */
	if (family == 0x17)
		wbuf_u32(w, 0); /* FlowInfo */
	wbuf_bytes(w, addr, addr_len);
	if (family == 0x17)
		wbuf_u32(w, 5); /* ScopeId */
	wbuf_zero(w, 152 - (w->len - start)); /* Reserved */
}

static void test_net_ifaces_decode(void)
{
	static const uint8_t v4[4] = {127, 0, 0, 1};
	static const uint8_t v6[16] = {0xfe, 0x80, [15] = 1};
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_net_iface *ifs = NULL;
	const struct sockaddr_in *in;
	const struct sockaddr_in6 *in6;
	size_t n = 0;

	put_iface(&w, 152, 1, 0x02, v4, 4);
	put_iface(&w, 152, 2, 0x99, v4, 4); /* unknown family: skipped */
	put_iface(&w, 0, 3, 0x17, v6, 16);
	CU_ASSERT_EQUAL_FATAL(
		smb2_fsctl_net_ifaces_decode(w.data, w.len, &ifs, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(ifs[0].if_index, 1);
	CU_ASSERT_EQUAL(ifs[0].capability, SMB2_IFACE_RSS_CAPABLE);
	CU_ASSERT_EQUAL(ifs[0].link_speed, 10000000000ull);
	in = (const struct sockaddr_in *)&ifs[0].addr;
	CU_ASSERT_EQUAL(in->sin_family, AF_INET);
	CU_ASSERT_EQUAL(in->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	in6 = (const struct sockaddr_in6 *)&ifs[1].addr;
	CU_ASSERT_EQUAL(ifs[1].if_index, 3);
	CU_ASSERT_EQUAL(in6->sin6_family, AF_INET6);
	CU_ASSERT_BYTES_EQUAL(&in6->sin6_addr, v6, 16);
	CU_ASSERT_EQUAL(in6->sin6_scope_id, 5);
	free(ifs);

	/* Next not 8-aligned, too small, or past the end. */
	le32_put(w.data, 151);
	CU_ASSERT_EQUAL(smb2_fsctl_net_ifaces_decode(w.data, w.len, &ifs, &n),
			-EBADMSG);
	le32_put(w.data, 8);
	CU_ASSERT_EQUAL(smb2_fsctl_net_ifaces_decode(w.data, w.len, &ifs, &n),
			-EBADMSG);
	le32_put(w.data, 0xfffffff8);
	CU_ASSERT_EQUAL(smb2_fsctl_net_ifaces_decode(w.data, w.len, &ifs, &n),
			-EBADMSG);
	CU_ASSERT_PTR_NULL(ifs);
	le32_put(w.data, 152);
	CU_ASSERT_EQUAL(smb2_fsctl_net_ifaces_decode(w.data, 0, &ifs, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	wbuf_free(&w);
}

static int decode_ifaces(const uint8_t *buf, size_t len)
{
	struct smb2_net_iface *ifs;
	size_t n;
	int rc = smb2_fsctl_net_ifaces_decode(buf, len, &ifs, &n);

	if (!rc)
		free(ifs);
	return rc;
}

static void test_net_ifaces_robust(void)
{
	static const uint8_t v4[4] = {10, 0, 0, 1};
	struct smb_wbuf w = SMB_WBUF_INIT;

	put_iface(&w, 152, 1, 0x02, v4, 4);
	put_iface(&w, 0, 2, 0x02, v4, 4);
	/* 1..151 and 153..303 bytes are malformed; 152 is one entry... */
	check_payload_prefixes(decode_ifaces, w.data, 152, 1);
	/* ...but only if its Next is 0. */
	CU_ASSERT_EQUAL(decode_ifaces(w.data, 152), -EBADMSG);
	check_payload_prefixes(decode_ifaces, w.data, w.len, 153);
	wire_fuzz_payload(decode_ifaces, w.data, w.len, 3000);
	wbuf_free(&w);
}

static void test_dfs_request_bad_args(void)
{
	struct smb_wbuf w = SMB_WBUF_INIT;

	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_request_encode(&w, 4, "", 0),
			-EINVAL);
	CU_ASSERT_EQUAL(
		smb2_fsctl_dfs_referral_request_encode(&w, 4, "a\0b", 3),
		-EINVAL);
	wbuf_reset(&w);
	CU_ASSERT_EQUAL(
		smb2_fsctl_dfs_referral_request_encode(&w, 4, "\xff", 1),
		-EILSEQ);
	wbuf_free(&w);
}

static CU_TestInfo ioctl_tests[] = {
	{"request: DFS referral", test_ioctl_request_dfs_referral},
	{"request without input matches smbclient",
	 test_ioctl_request_no_input_matches_samba},
	{"response with resume key", test_ioctl_response_decode},
	{"response bad offsets and random input",
	 test_ioctl_response_bad_offsets},
	{"Samba responses", test_ioctl_samba},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo fsctl_tests[] = {
	{"copychunk", test_copychunk_encode_and_result},
	{"small payloads robust", test_small_payloads_robust},
	{"sparse, zero data, allocated ranges", test_sparse_zero_data_ranges},
	{"allocated ranges random input", test_alloc_ranges_fuzz},
	{"DFS referral V3/V4", test_dfs_referral_decode},
	{"DFS referral name list and V2", test_dfs_referral_name_list_and_v2},
	{"DFS referral robustness", test_dfs_referral_robust},
	{"DFS referral entry shorter than its fields",
	 test_dfs_referral_short_last_entry},
	{"DFS request bad arguments", test_dfs_request_bad_args},
	{"network interfaces", test_net_ifaces_decode},
	{"network interfaces robustness", test_net_ifaces_robust},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"smb2_ioctl", NULL, NULL, NULL, NULL, ioctl_tests},
	{"smb2_fsctl", NULL, NULL, NULL, NULL, fsctl_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
