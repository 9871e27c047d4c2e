// SPDX-License-Identifier: GPL-2.0-or-later
/* SMB2 CREATE and create contexts (MS-SMB2 2.2.13, 2.2.14). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_create_contexts.h"
#include "wire_robustness.h"

static const uint8_t lease_key[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
				      0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
				      0x0c, 0x0d, 0x0e, 0x0f};
static const uint8_t parent_key[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
				       0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
				       0xac, 0xad, 0xae, 0xaf};
static const uint8_t create_guid[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
					0xdd, 0xee, 0xff, 0x00};

static void test_create_request_name(void)
{
	struct smb_wbuf w;
	struct smb2_create_request req = {
		.oplock_level = SMB2_OPLOCK_LEVEL_NONE,
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = FILE_READ_DATA | FILE_READ_ATTRIBUTES |
				  SYNCHRONIZE,
		.file_attributes = FILE_ATTRIBUTE_NORMAL,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.create_disposition = FILE_OPEN,
		.create_options = FILE_NON_DIRECTORY_FILE,
		.name = "a\\b",
		.name_len = 3,
	};

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), 0);
	wire_assert_body(&w, "3900"		/* StructureSize 57 */
			     "00"		/* SecurityFlags */
			     "00"		/* RequestedOplockLevel */
			     "02000000"		/* ImpersonationLevel */
			     "0000000000000000" /* SmbCreateFlags */
			     "0000000000000000" /* Reserved */
			     "81001000"		/* DesiredAccess */
			     "80000000"		/* FileAttributes NORMAL */
			     "07000000"		/* ShareAccess R|W|D */
			     "01000000"		/* CreateDisposition OPEN */
			     "40000000"		/* CreateOptions NON_DIR */
			     "7800"		/* NameOffset 120 */
			     "0600"		/* NameLength 6 */
			     "00000000"		/* CreateContextsOffset */
			     "00000000"		/* CreateContextsLength */
			     "61005c006200");	/* Buffer: "a\b" */
	wbuf_free(&w);
}

/* Matches the share-root open smbclient sent (create_request_1.hex). */
static void test_create_request_root_matches_samba(void)
{
	struct smb_wbuf w;
	struct smb2_create_request req = {
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = FILE_READ_DATA | FILE_READ_ATTRIBUTES,
		.file_attributes = FILE_ATTRIBUTE_DIRECTORY,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE,
		.create_disposition = FILE_OPEN,
		.create_options = FILE_DIRECTORY_FILE,
	};
	size_t len;
	uint8_t *cap = wire_load_vector(SAMBA_VECTOR_DIR "create_request_1.hex",
					&len);

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), 0);
	/* Empty name: NameOffset 120, NameLength 0, one padding byte. */
	wire_assert_body(&w, "3900 00 00 02000000 0000000000000000"
			     "0000000000000000 81000000 10000000 03000000"
			     "01000000 01000000 7800 0000 00000000 00000000"
			     "00");
	CU_ASSERT_PTR_NOT_NULL(cap);
	if (cap) {
		CU_ASSERT_EQUAL(len, w.len);
		if (len == w.len)
			CU_ASSERT_BYTES_EQUAL(cap + SMB2_HEADER_SIZE,
					      w.data + SMB2_HEADER_SIZE,
					      len - SMB2_HEADER_SIZE);
	}
	free(cap);
	wbuf_free(&w);
}

static void test_create_request_bad_args(void)
{
	struct smb_wbuf w;
	struct smb2_create_request req = {.name = "bad\xc0\xaf", .name_len = 5};

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), -EILSEQ);
	wbuf_free(&w);
	req.name = NULL;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
	req.name_len = 0;
	req.num_contexts = 1;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
	/* The header room must be there. */
	wbuf_init(&w);
	req.num_contexts = 0;
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
}

static void test_create_request_contexts(void)
{
	struct smb2_create_ctx ctx[4];
	struct smb2_create_request req = {
		.oplock_level = SMB2_OPLOCK_LEVEL_LEASE,
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = GENERIC_READ,
		.share_access = FILE_SHARE_READ,
		.create_disposition = FILE_OPEN_IF,
		.name = "f",
		.name_len = 1,
		.contexts = ctx,
		.num_contexts = 4,
	};
	struct smb_wbuf w;

	memset(ctx, 0, sizeof(ctx));
	ctx[0].type = SMB2_CREATE_CTX_LEASE;
	ctx[0].u.lease.version = 2;
	memcpy(ctx[0].u.lease.key, lease_key, 16);
	ctx[0].u.lease.state = SMB2_LEASE_READ_CACHING |
			       SMB2_LEASE_HANDLE_CACHING |
			       SMB2_LEASE_WRITE_CACHING;
	ctx[0].u.lease.flags = SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
	memcpy(ctx[0].u.lease.parent_key, parent_key, 16);
	ctx[0].u.lease.epoch = 5;
	ctx[1].type = SMB2_CREATE_CTX_DURABLE_V2;
	ctx[1].u.durable_v2.timeout = 60000;
	ctx[1].u.durable_v2.flags = SMB2_DHANDLE_FLAG_PERSISTENT;
	memcpy(ctx[1].u.durable_v2.create_guid, create_guid, 16);
	ctx[2].type = SMB2_CREATE_CTX_MXAC;
	ctx[3].type = SMB2_CREATE_CTX_QFID;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_create_request_encode(&w, &req), 0);
	wire_assert_body(
		&w,
		"3900 00 ff 02000000 0000000000000000 0000000000000000"
		"00000080"	 /* DesiredAccess GENERIC_READ */
		"00000000"	 /* FileAttributes */
		"01000000"	 /* ShareAccess READ */
		"03000000"	 /* CreateDisposition OPEN_IF */
		"00000000"	 /* CreateOptions */
		"7800 0200"	 /* NameOffset 120, NameLength 2 */
		"80000000"	 /* CreateContextsOffset 128 */
		"b4000000"	 /* CreateContextsLength 180 */
		"6600"		 /* "f" */
		"000000000000"	 /* pad to 8 */
		/* RqLs v2 (MS-SMB2 2.2.13.2.10) */
		"50000000"	 /* Next 80 */
		"1000 0400"	 /* NameOffset 16, NameLength 4 */
		"0000"		 /* Reserved */
		"1800"		 /* DataOffset 24 */
		"34000000"	 /* DataLength 52 */
		"52714c73"	 /* "RqLs" */
		"00000000"	 /* pad */
		"000102030405060708090a0b0c0d0e0f" /* LeaseKey */
		"07000000"	 /* LeaseState RWH */
		"04000000"	 /* Flags PARENT_LEASE_KEY_SET */
		"0000000000000000" /* LeaseDuration */
		"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" /* ParentLeaseKey */
		"0500"		 /* Epoch */
		"0000"		 /* Reserved */
		"00000000"	 /* pad to 8 */
		/* DH2Q (MS-SMB2 2.2.13.2.11) */
		"38000000 1000 0400 0000 1800 20000000"
		"44483251 00000000" /* "DH2Q", pad */
		"60ea0000"	 /* Timeout 60000 */
		"02000000"	 /* Flags PERSISTENT */
		"0000000000000000" /* Reserved */
		"112233445566778899aabbccddeeff00" /* CreateGuid */
		/* MxAc without timestamp (MS-SMB2 2.2.13.2.5) */
		"18000000 1000 0400 0000 0000 00000000"
		"4d784163 00000000" /* "MxAc", pad to the next context */
		/* QFid (MS-SMB2 2.2.13.2.9), last: no padding */
		"00000000 1000 0400 0000 0000 00000000"
		"51466964");
	wbuf_free(&w);
}

/*
 * In the vectors below each SMB2_CREATE_CONTEXT (MS-SMB2 2.2.13.2) starts
 * with Next, NameOffset (16), NameLength (4), Reserved, DataOffset (24,
 * or 0 without data) and DataLength, then the 4-byte name and 4 bytes of
 * padding before the 8-aligned data.
 */
static void test_contexts_encode_each(void)
{
	struct smb2_create_ctx c;
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t off = 99, len = 99;
	uint8_t *want;
	size_t want_len;
	static const uint8_t ea[] = {0xde, 0xad};

	/* RqLs v1 (2.2.13.2.8): flags forced to 0. */
	memset(&c, 0, sizeof(c));
	c.type = SMB2_CREATE_CTX_LEASE;
	c.u.lease.version = 1;
	memcpy(c.u.lease.key, lease_key, 16);
	c.u.lease.state = SMB2_LEASE_READ_CACHING;
	c.u.lease.flags = 0xffffffff;
	CU_ASSERT_EQUAL(smb2_create_contexts_encode(&w, &c, 1, &off, &len), 0);
	want = test_hex("00000000 1000 0400 0000 1800 20000000"
			"52714c73 00000000"
			"000102030405060708090a0b0c0d0e0f" /* LeaseKey */
			"01000000"			   /* LeaseState R */
			"00000000"			   /* LeaseFlags */
			"0000000000000000",		   /* Duration */
			&want_len);
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_EQUAL(len, want_len);
	CU_ASSERT_EQUAL(w.len, want_len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, want_len);
	free(want);

	/* DHnQ (2.2.13.2.3) + DHnC (2.2.13.2.4), appended after 3 bytes. */
	wbuf_reset(&w);
	wbuf_zero(&w, 3);
	{
		struct smb2_create_ctx two[2];

		memset(two, 0, sizeof(two));
		two[0].type = SMB2_CREATE_CTX_DURABLE_V1;
		two[1].type = SMB2_CREATE_CTX_DURABLE_V1_RECONNECT;
		two[1].u.reconnect_fileid.persistent = 0x1122334455667788ull;
		two[1].u.reconnect_fileid.volatile_id = 0x99;
		CU_ASSERT_EQUAL(
			smb2_create_contexts_encode(&w, two, 2, &off, &len), 0);
	}
	want = test_hex("000000 0000000000" /* caller bytes, align to 8 */
			"28000000 1000 0400 0000 1800 10000000"
			"44486e51 00000000"
			"00000000000000000000000000000000" /* reserved */
			"00000000 1000 0400 0000 1800 10000000"
			"44486e43 00000000"
			"8877665544332211 9900000000000000", /* FileId */
			&want_len);
	CU_ASSERT_EQUAL(off, 8);
	CU_ASSERT_EQUAL(len, want_len - 8);
	CU_ASSERT_EQUAL(w.len, want_len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, want_len);
	free(want);

	/* DH2C (2.2.13.2.12), MxAc with timestamp, ExtA raw data. */
	wbuf_reset(&w);
	{
		struct smb2_create_ctx three[3];

		memset(three, 0, sizeof(three));
		three[0].type = SMB2_CREATE_CTX_DURABLE_V2_RECONNECT;
		three[0].u.durable_v2_reconnect.fileid.persistent = 1;
		three[0].u.durable_v2_reconnect.fileid.volatile_id = 2;
		memcpy(three[0].u.durable_v2_reconnect.create_guid,
		       create_guid, 16);
		three[0].u.durable_v2_reconnect.flags =
			SMB2_DHANDLE_FLAG_PERSISTENT;
		three[1].type = SMB2_CREATE_CTX_MXAC;
		three[1].u.mxac.has_timestamp = true;
		three[1].u.mxac.timestamp = 0x01d9000000000001ull;
		three[2].type = SMB2_CREATE_CTX_EA;
		three[2].u.raw.data = ea;
		three[2].u.raw.len = sizeof(ea);
		CU_ASSERT_EQUAL(
			smb2_create_contexts_encode(&w, three, 3, NULL, NULL),
			0);
	}
	want = test_hex("40000000 1000 0400 0000 1800 24000000"
			"44483243 00000000"
			"0100000000000000 0200000000000000" /* FileId */
			"112233445566778899aabbccddeeff00"  /* CreateGuid */
			"02000000"			    /* Flags */
			"00000000"			    /* pad */
			"20000000 1000 0400 0000 1800 08000000"
			"4d784163 00000000"
			"010000000000d901" /* Timestamp */
			"00000000 1000 0400 0000 1800 02000000"
			"45787441 00000000"
			"dead",
			&want_len);
	CU_ASSERT_EQUAL(w.len, want_len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, want_len);
	free(want);

	/* Bad arguments. */
	memset(&c, 0, sizeof(c));
	c.type = SMB2_CREATE_CTX_LEASE;
	c.u.lease.version = 3;
	CU_ASSERT_EQUAL(smb2_create_contexts_encode(&w, &c, 1, NULL, NULL),
			-EINVAL);
	c.type = SMB2_CREATE_CTX_SECD;
	CU_ASSERT_EQUAL(smb2_create_contexts_encode(&w, &c, 1, NULL, NULL),
			-EINVAL);
	c.type = (enum smb2_create_ctx_type)77;
	CU_ASSERT_EQUAL(smb2_create_contexts_encode(&w, &c, 1, NULL, NULL),
			-EINVAL);
	wbuf_free(&w);
}

/* CREATE response (MS-SMB2 2.2.14) with five contexts at offset 152. */
static const char create_rsp_hex[] =
	"5900"		   /* StructureSize 89 */
	"ff"		   /* OplockLevel LEASE */
	"00"		   /* Flags */
	"01000000"	   /* CreateAction OPENED */
	"0100000000000000" /* CreationTime */
	"0200000000000000" /* LastAccessTime */
	"0300000000000000" /* LastWriteTime */
	"0400000000000000" /* ChangeTime */
	"0010000000000000" /* AllocationSize 4096 */
	"1200000000000000" /* EndofFile 18 */
	"20000000"	   /* FileAttributes ARCHIVE */
	"00000000"	   /* Reserved2 */
	"1111111111111111" /* FileId.Persistent */
	"2222222222222222" /* FileId.Volatile */
	"98000000"	   /* CreateContextsOffset 152 */
	"e8000000"	   /* CreateContextsLength 232 */
	/* 152: RqLs v2 response (2.2.14.2.11) */
	"50000000 1000 0400 0000 1800 34000000 52714c73 00000000"
	"000102030405060708090a0b0c0d0e0f" /* LeaseKey */
	"03000000"			   /* LeaseState RH */
	"02000000"			   /* Flags BREAK_IN_PROGRESS */
	"0000000000000000"		   /* LeaseDuration */
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf" /* ParentLeaseKey */
	"0300 0000"			   /* Epoch 3, Reserved */
	"00000000"			   /* pad */
	/* 232: an unknown context, skipped */
	"20000000 1000 0400 0000 1800 08000000 4141504c 00000000"
	"deadbeefdeadbeef"
	/* 264: MxAc response (2.2.14.2.5) */
	"20000000 1000 0400 0000 1800 08000000 4d784163 00000000"
	"00000000"	   /* QueryStatus SUCCESS */
	"ff011f00"	   /* MaximalAccess 0x001f01ff */
	/* 296: DH2Q response (2.2.14.2.12) */
	"20000000 1000 0400 0000 1800 08000000 44483251 00000000"
	"60ea0000"	   /* Timeout 60000 */
	"02000000"	   /* Flags PERSISTENT */
	/* 328: QFid response (2.2.14.2.9), last */
	"00000000 1000 0400 0000 1800 20000000 51466964 00000000"
	"0807060504030201" /* DiskFileId: file id */
	"1817161514131211" /* DiskFileId: volume id */
	"00000000000000000000000000000000";

#define CTX0 152 /* offset of the first context in the message */

static int decode_create(const uint8_t *msg, size_t len)
{
	struct smb2_create_response rsp;

	return smb2_create_response_decode(msg, len, &rsp);
}

static void test_create_response_decode(void)
{
	struct smb2_create_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, 0, create_rsp_hex, &len);
	const struct smb2_create_ctx_response *c = &rsp.contexts;

	CU_ASSERT_EQUAL(len, 384);
	CU_ASSERT_EQUAL(smb2_create_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.oplock_level, SMB2_OPLOCK_LEVEL_LEASE);
	CU_ASSERT_EQUAL(rsp.create_action, FILE_OPENED);
	CU_ASSERT_EQUAL(rsp.creation_time, 1);
	CU_ASSERT_EQUAL(rsp.last_access_time, 2);
	CU_ASSERT_EQUAL(rsp.last_write_time, 3);
	CU_ASSERT_EQUAL(rsp.change_time, 4);
	CU_ASSERT_EQUAL(rsp.allocation_size, 4096);
	CU_ASSERT_EQUAL(rsp.end_of_file, 18);
	CU_ASSERT_EQUAL(rsp.file_attributes, FILE_ATTRIBUTE_ARCHIVE);
	CU_ASSERT_EQUAL(rsp.file_id.persistent, 0x1111111111111111ull);
	CU_ASSERT_EQUAL(rsp.file_id.volatile_id, 0x2222222222222222ull);
	CU_ASSERT_EQUAL(c->present,
			SMB2_CREATE_RSP_LEASE | SMB2_CREATE_RSP_MXAC |
				SMB2_CREATE_RSP_DURABLE_V2 |
				SMB2_CREATE_RSP_QFID);
	CU_ASSERT_EQUAL(c->lease.version, 2);
	CU_ASSERT_BYTES_EQUAL(c->lease.key, lease_key, 16);
	CU_ASSERT_BYTES_EQUAL(c->lease.parent_key, parent_key, 16);
	CU_ASSERT_EQUAL(c->lease.state, 3);
	CU_ASSERT_EQUAL(c->lease.flags, SMB2_LEASE_FLAG_BREAK_IN_PROGRESS);
	CU_ASSERT_EQUAL(c->lease.epoch, 3);
	CU_ASSERT_EQUAL(c->mxac.query_status, 0);
	CU_ASSERT_EQUAL(c->mxac.maximal_access, 0x001f01ff);
	CU_ASSERT_EQUAL(c->durable_v2.timeout, 60000);
	CU_ASSERT_EQUAL(c->durable_v2.flags, SMB2_DHANDLE_FLAG_PERSISTENT);
	CU_ASSERT_EQUAL(c->qfid.disk_file_id, 0x0102030405060708ull);
	CU_ASSERT_EQUAL(c->qfid.volume_id, 0x1112131415161718ull);
	CU_ASSERT_EQUAL(c->qfid.raw[0], 0x08);
	free(msg);
}

static void test_contexts_decode_v1_lease_and_dhnq(void)
{
	struct smb2_create_ctx_response out;
	size_t len;
	uint8_t *buf = test_hex(
		"38000000 1000 0400 0000 1800 20000000 52714c73 00000000"
		"000102030405060708090a0b0c0d0e0f 07000000 00000000"
		"0000000000000000"
		"00000000 1000 0400 0000 1800 08000000 44486e51 00000000"
		"0000000000000000",
		&len);

	CU_ASSERT_EQUAL(smb2_create_contexts_decode(buf, len, &out), 0);
	CU_ASSERT_EQUAL(out.present,
			SMB2_CREATE_RSP_LEASE | SMB2_CREATE_RSP_DURABLE_V1);
	CU_ASSERT_EQUAL(out.lease.version, 1);
	CU_ASSERT_EQUAL(out.lease.state, 7);
	CU_ASSERT_BYTES_EQUAL(out.lease.key, lease_key, 16);
	/* Empty chain. */
	CU_ASSERT_EQUAL(smb2_create_contexts_decode(buf, 0, &out), 0);
	CU_ASSERT_EQUAL(out.present, 0);
	free(buf);
}

static void test_create_response_truncated(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, 0, create_rsp_hex, &len);

	/* The context chain runs to the end, so every prefix is invalid. */
	wire_check_truncations(decode_create, msg, len, len);
	free(msg);
}

static void test_create_response_bad_offsets(void)
{
	static const struct {
		size_t off;
		int width;
		uint32_t value;
	} bad[] = {
		{SMB2_HEADER_SIZE, 2, 88},	     /* StructureSize */
		{SMB2_HEADER_SIZE + 80, 4, 0xfffffff0}, /* ContextsOffset */
		{SMB2_HEADER_SIZE + 80, 4, 64},	     /* inside fixed body */
		{SMB2_HEADER_SIZE + 84, 4, 0xffffffff}, /* ContextsLength */
		{SMB2_HEADER_SIZE + 84, 4, 233},     /* one past the end */
		{CTX0, 4, 81},			     /* Next not aligned */
		{CTX0, 4, 8},			     /* Next < header */
		{CTX0, 4, 0x7ffffff8},		     /* Next past the end */
		{CTX0, 4, 232},			     /* Next == end */
		{CTX0 + 4, 2, 0xffff},		     /* NameOffset */
		{CTX0 + 4, 2, 4},		     /* NameOffset in header */
		{CTX0 + 6, 2, 0xfffc},		     /* NameLength */
		{CTX0 + 10, 2, 0xffff},		     /* DataOffset */
		{CTX0 + 10, 2, 0},		     /* DataOffset in header */
		{CTX0 + 12, 4, 0xffffffff},	     /* DataLength */
		{CTX0 + 12, 4, 57},		     /* DataLength past Next */
		{CTX0 + 12, 4, 40},		     /* bad lease size */
		{CTX0 + 112 + 12, 4, 4},	     /* short MxAc */
		{CTX0 + 144 + 12, 4, 7},	     /* short DH2Q */
		{CTX0 + 176 + 12, 4, 0x1000},	     /* QFid past end */
		{CTX0 + 176 + 12, 4, 16},	     /* short QFid */
	};
	size_t len, i;
	uint8_t *msg = wire_response(SMB2_CREATE, 0, create_rsp_hex, &len);

	CU_ASSERT_EQUAL(decode_create(msg, len), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = wire_decode_patched(decode_create, msg, len,
					     bad[i].off, bad[i].width,
					     bad[i].value);

		CU_ASSERT_EQUAL(rc, -EBADMSG);
		if (rc != -EBADMSG)
			fprintf(stderr, "\n    case %zu: %d\n", i, rc);
	}
	/* Renaming a known context makes it unknown, hence ignored. */
	CU_ASSERT_EQUAL(wire_decode_patched(decode_create, msg, len,
					    CTX0 + 112 + 16, 1, 'X'),
			0);
	free(msg);
}

static void test_create_response_fuzz(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, 0, create_rsp_hex, &len);

	wire_fuzz(decode_create, msg, len, 5000);
	free(msg);
}

static int decode_contexts(const uint8_t *buf, size_t len)
{
	struct smb2_create_ctx_response out;

	return smb2_create_contexts_decode(buf, len, &out);
}

static void test_contexts_decode_fuzz(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_CREATE, 0, create_rsp_hex, &len);
	size_t n;

	wire_fuzz_payload(decode_contexts, msg + CTX0, len - CTX0, 5000);
	/* Only the empty chain is a valid prefix. */
	for (n = 1; n < len - CTX0; n++) {
		uint8_t *copy = malloc(n);

		memcpy(copy, msg + CTX0, n);
		CU_ASSERT_EQUAL(decode_contexts(copy, n), -EBADMSG);
		free(copy);
	}
	free(msg);
}

static void check_samba_create_response(const char *path, const uint8_t *msg,
					size_t len)
{
	struct smb2_create_response rsp;
	int rc = smb2_create_response_decode(msg, len, &rsp);

	CU_ASSERT_EQUAL(rc, 0);
	if (rc)
		fprintf(stderr, "\n    %s: %d\n", path, rc);
	CU_ASSERT(rsp.create_action <= FILE_OVERWRITTEN);
	CU_ASSERT(rsp.creation_time > 116444736000000000ull); /* > 1970 */
	CU_ASSERT_NOT_EQUAL(rsp.file_id.volatile_id, 0);
	CU_ASSERT(rsp.end_of_file <= rsp.allocation_size ||
		  rsp.allocation_size == 0 || rsp.end_of_file < 1 << 20);
	wire_check_truncations(decode_create, msg, len, len);
}

static void test_create_response_samba(void)
{
	CU_ASSERT(wire_for_each_vector("create_response_[0-9]*.hex",
				       check_samba_create_response) > 0);
	CU_ASSERT(wire_for_each_vector("create_response_202_*.hex",
				       check_samba_create_response) > 0);
	CU_ASSERT(wire_for_each_vector("create_response_signed_*.hex",
				       check_samba_create_response) > 0);
}

static void check_samba_create_error(const char *path, const uint8_t *msg,
				     size_t len)
{
	(void)path;
	/* An ERROR body (StructureSize 9) is not a CREATE response. */
	CU_ASSERT_EQUAL(decode_create(msg, len), -EBADMSG);
}

static void test_create_error_response_rejected(void)
{
	CU_ASSERT(wire_for_each_vector("create_response_object_name_*.hex",
				       check_samba_create_error) > 0);
}

static CU_TestInfo create_tests[] = {
	{"request with a name", test_create_request_name},
	{"request for the root matches smbclient",
	 test_create_request_root_matches_samba},
	{"request bad arguments", test_create_request_bad_args},
	{"request with lease v2, DH2Q, MxAc, QFid",
	 test_create_request_contexts},
	{"context encoders", test_contexts_encode_each},
	{"response with contexts", test_create_response_decode},
	{"contexts: lease v1 and DHnQ", test_contexts_decode_v1_lease_and_dhnq},
	{"response truncated", test_create_response_truncated},
	{"response bad offsets", test_create_response_bad_offsets},
	{"response random input", test_create_response_fuzz},
	{"contexts random input", test_contexts_decode_fuzz},
	{"Samba responses", test_create_response_samba},
	{"Samba error response rejected", test_create_error_response_rejected},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"smb2_create", NULL, NULL, NULL, NULL, create_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
