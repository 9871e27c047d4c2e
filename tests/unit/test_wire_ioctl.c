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

/* Reproducible random and mutated payloads that have no SMB2 header. */
static void fuzz_payload(int (*fn)(const uint8_t *, size_t),
			 const uint8_t *valid, size_t valid_len,
			 unsigned int rounds)
{
	uint32_t seed = 0x9E3779B9;
	unsigned int i;

	for (i = 0; i < rounds; i++) {
		size_t len = wire_xorshift32(&seed) % (valid_len + 64), j;
		uint8_t *buf = malloc(len ? len : 1);

		if (!buf)
			abort();
		for (j = 0; j < len; j++)
			buf[j] = j < valid_len && (i & 1)
					 ? valid[j]
					 : (uint8_t)wire_xorshift32(&seed);
		if ((i & 1) && len) {
			unsigned int k;

			for (k = 0; k < 3; k++)
				buf[wire_xorshift32(&seed) % len] =
					(uint8_t)wire_xorshift32(&seed);
		}
		fn(buf, len);
		free(buf);
	}
}

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
		.max_output_response = 0x10000,
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
	} bad[] = {
		{64, 2, 48},	      {64 + 32, 4, 0xffffffff},
		{64 + 32, 4, 0xfffffff8}, {64 + 32, 4, 8},
		{64 + 36, 4, 33},     {64 + 36, 4, 0xffffffff},
		{64 + 28, 4, 1},      /* InputCount 1 at the output */
		{64 + 24, 4, 0xffffffff},
	};
	size_t len, i;
	uint8_t *msg = wire_response(SMB2_IOCTL, 0, ioctl_rsp_hex, &len);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = wire_decode_patched(decode_ioctl, msg, len,
					     bad[i].off, bad[i].width,
					     bad[i].value);

		/* InputCount 1 at offset 112 is legal; 0xffffffff is not. */
		if (bad[i].off == 64 + 28)
			CU_ASSERT_EQUAL(rc, 0);
		else
			CU_ASSERT_EQUAL(rc, -EBADMSG);
	}
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
