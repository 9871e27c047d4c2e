// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * SIDs, ACLs and self-relative security descriptors (MS-DTYP 2.4.2,
 * 2.4.4, 2.4.5, 2.4.6): known answers from the spec and from Samba
 * (tests/vectors/samba/sd_*.hex), byte-exact re-encoding, and hostile
 * input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/smb2.h"
#include "smbfs/wire/security_desc.h"
#include "wire_robustness.h"

/* The SID of MS-DTYP 2.4.2.2's example layout: S-1-5-21-1-2-3-1001. */
static const char sid_hex[] = "01 05 000000000005"
			      "15000000 01000000 02000000 03000000 e9030000";

static void test_sid_codec(void)
{
	struct smb_sid sid, back;
	struct smb_wbuf w = SMB_WBUF_INIT;
	char text[SMB_SID_STRING_MAX];
	size_t len, used;
	uint8_t *buf = test_hex(sid_hex, &len);

	CU_ASSERT_EQUAL_FATAL(smb_sid_decode(buf, len, &sid, &used), 0);
	CU_ASSERT_EQUAL(used, 28);
	CU_ASSERT_EQUAL(smb_sid_size(&sid), 28);
	CU_ASSERT_EQUAL(sid.authority, 5);
	CU_ASSERT_EQUAL(sid.num_auth, 5);
	CU_ASSERT_EQUAL(sid.sub_auth[4], 1001);
	CU_ASSERT_EQUAL(smb_sid_format(&sid, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "S-1-5-21-1-2-3-1001");
	CU_ASSERT_EQUAL(smb_sid_parse(text, &back), 0);
	CU_ASSERT(smb_sid_equal(&sid, &back));
	CU_ASSERT_EQUAL(smb_sid_encode(&w, &sid), 0);
	CU_ASSERT_EQUAL(w.len, len);
	CU_ASSERT_BYTES_EQUAL(w.data, buf, len);
	/* Every shorter prefix and bad header fields are refused. */
	for (used = 0; used < len; used++)
		CU_ASSERT_EQUAL(smb_sid_decode(buf, used, &back, NULL),
				-EBADMSG);
	buf[0] = 2;
	CU_ASSERT_EQUAL(smb_sid_decode(buf, len, &back, NULL), -EBADMSG);
	buf[0] = 1;
	buf[1] = 16;
	CU_ASSERT_EQUAL(smb_sid_decode(buf, 8 + 64, &back, NULL), -EBADMSG);
	wbuf_free(&w);
	free(buf);
}

static void test_sid_strings(void)
{
	static const char *const good[] = {
		"S-1-1-0",
		"S-1-5-11",
		"S-1-22-1-4294967294",
		"S-1-5",
		"S-1-5-88-3-420",
		"S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14",
	};
	static const char *const bad[] = {
		"",
		"S-1",
		"S-1-",
		"S-2-5-1",
		"X-1-5-1",
		"S-1-5-",
		"S-1-5--1",
		"S-1-5-1x",
		"S-1-5-4294967296",
		"S-1-281474976710656",
		"S-1-5-21-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"S-1-0x",
		"S-1-5 ",
	};
	struct smb_sid sid;
	char text[SMB_SID_STRING_MAX];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL(smb_sid_parse(good[i], &sid), 0);
		CU_ASSERT_EQUAL(smb_sid_format(&sid, text, sizeof(text)), 0);
		CU_ASSERT_STRING_EQUAL(text, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(smb_sid_parse(bad[i], &sid), -EINVAL);
	/* MS-DTYP 2.4.2.1: hexadecimal from 2^32 on, either spelling in. */
	CU_ASSERT_EQUAL(smb_sid_parse("S-1-0x100000000-7", &sid), 0);
	CU_ASSERT_EQUAL(sid.authority, 1ull << 32);
	CU_ASSERT_EQUAL(smb_sid_format(&sid, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "S-1-0x000100000000-7");
	CU_ASSERT_EQUAL(smb_sid_parse("s-1-0xFFFFFFFFFFFF", &sid), 0);
	CU_ASSERT_EQUAL(sid.authority, 0xFFFFFFFFFFFFull);
	CU_ASSERT_EQUAL(smb_sid_parse("S-1-0x0A", &sid), 0);
	CU_ASSERT_EQUAL(smb_sid_format(&sid, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "S-1-10");
	/* A buffer too small is an error, not a silent truncation. */
	CU_ASSERT_EQUAL(smb_sid_format(&sid, text, 6), -ENOSPC);
	CU_ASSERT_EQUAL(smb_sid_format(&sid, text, 7), 0);
}

static void test_sid_rid_of(void)
{
	struct smb_sid sid, prefix;
	uint32_t rid = 0;

	smb_sid_parse("S-1-22-1-1001", &sid);
	smb_sid_parse("S-1-22-1", &prefix);
	CU_ASSERT(smb_sid_rid_of(&sid, &prefix, &rid));
	CU_ASSERT_EQUAL(rid, 1001);
	smb_sid_parse("S-1-22-2", &prefix);
	CU_ASSERT(!smb_sid_rid_of(&sid, &prefix, NULL));
	smb_sid_parse("S-1-22", &prefix);
	CU_ASSERT(!smb_sid_rid_of(&sid, &prefix, NULL));
	smb_sid_parse("S-1-5-1", &prefix);
	CU_ASSERT(!smb_sid_rid_of(&sid, &prefix, NULL));
}

static int decode_sd(const uint8_t *buf, size_t len)
{
	struct smb_sd sd;
	int rc = smb_sd_decode(buf, len, &sd);

	if (!rc)
		smb_sd_free(&sd);
	return rc;
}

/* Decoding then encoding gives back the same bytes. */
static void check_reencode(const uint8_t *buf, size_t len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb_sd sd;

	CU_ASSERT_EQUAL_FATAL(smb_sd_decode(buf, len, &sd), 0);
	CU_ASSERT_EQUAL(smb_sd_encode(&w, &sd), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data, buf, len);
	wbuf_free(&w);
	smb_sd_free(&sd);
}

static void sd_vector(const char *path, const uint8_t *buf, size_t len)
{
	(void)path;
	check_reencode(buf, len);
	/* Samba ends the descriptor with its last SID or ACL. */
	wire_check_truncations(decode_sd, buf, len, len);
	wire_fuzz_payload(decode_sd, buf, len, 3000);
}

static void test_samba_vectors(void)
{
	CU_ASSERT(wire_for_each_vector("sd_*.hex", sd_vector) >= 10);
}

/* Samba's descriptor of a file with mode 0640 (sd_file_0640.hex). */
static void test_samba_0640_fields(void)
{
	static const uint32_t masks[] = { 0x0012019f, 0x00120089, 0 };
	static const char *const sids[] = {
		"S-1-5-21-2314019074-2469522541-611054807-1000",
		"S-1-22-2-1002", "S-1-1-0"
	};
	struct smb_sd sd;
	struct smb_sid want;
	size_t len;
	uint8_t *buf =
		wire_load_vector(SAMBA_VECTOR_DIR "sd_file_0640.hex", &len);
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(smb_sd_decode(buf, len, &sd), 0);
	CU_ASSERT_EQUAL(sd.revision, 1);
	/* SELF_RELATIVE | DACL_PROTECTED | DACL_PRESENT */
	CU_ASSERT_EQUAL(sd.control, 0x9004);
	CU_ASSERT(sd.has_owner && sd.has_group && sd.has_dacl);
	CU_ASSERT_PTR_NULL(sd.sacl);
	smb_sid_parse(sids[0], &want);
	CU_ASSERT(smb_sid_equal(&sd.owner, &want));
	smb_sid_parse(sids[1], &want);
	CU_ASSERT(smb_sid_equal(&sd.group, &want));
	CU_ASSERT_EQUAL(sd.dacl.revision, SMB_ACL_REVISION);
	CU_ASSERT_EQUAL_FATAL(sd.dacl.count, 3);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(sd.dacl.aces[i].type, SMB_ACE_ACCESS_ALLOWED);
		CU_ASSERT_EQUAL(sd.dacl.aces[i].flags, 0);
		CU_ASSERT_EQUAL(sd.dacl.aces[i].mask, masks[i]);
		smb_sid_parse(sids[i], &want);
		CU_ASSERT(smb_sid_equal(&sd.dacl.aces[i].sid, &want));
	}
	smb_sd_free(&sd);
	free(buf);
}

/*
 * A descriptor with a SACL, an object ACE (type 5, opaque here) between
 * a DENY and an ALLOW, and a DACL ahead of the owner, as Windows lays
 * them out.
 */
static const char mixed_sd_hex[] =
	"01 00 1488" /* SR | SACL_AUTO_INHERITED | SACL, DACL present */
	"6c000000"   /* OffsetOwner 108 */
	"7c000000"   /* OffsetGroup 124 */
	"14000000"   /* OffsetSacl 20 */
	"30000000"   /* OffsetDacl 48 */
	/* SACL: one audit ACE (type 2), kept opaque */
	"02 00 1c00 0100 0000"
	"02 40 1400 00000100 0101000000000001 00000000"
	/* DACL: 3 ACEs, 60 bytes */
	"04 00 3c00 0300 0000"
	"01 13 1400 16010000 0101000000000001 00000000" /* DENY Everyone */
	"05 00 0c00 00000200 00000000"			/* object ACE */
	"00 10 1400 ff011f00 0101000000000005 0b000000" /* ALLOW S-1-5-11 */
	/* owner S-1-5-32-544, group S-1-5-18 */
	"0102000000000005 20000000 20020000"
	"0101000000000005 12000000";

static void test_opaque_and_sacl_kept(void)
{
	struct smb_sd sd;
	struct smb_sid want;
	size_t len;
	uint8_t *buf = test_hex(mixed_sd_hex, &len);

	CU_ASSERT_EQUAL_FATAL(len, 136);
	CU_ASSERT_EQUAL_FATAL(smb_sd_decode(buf, len, &sd), 0);
	CU_ASSERT_EQUAL(sd.sacl_len, 28);
	CU_ASSERT_EQUAL_FATAL(sd.dacl.count, 3);
	CU_ASSERT_EQUAL(sd.dacl.revision, SMB_ACL_REVISION_DS);
	CU_ASSERT_EQUAL(sd.dacl.aces[0].type, SMB_ACE_ACCESS_DENIED);
	CU_ASSERT_EQUAL(sd.dacl.aces[0].flags, 0x13);
	CU_ASSERT_EQUAL(sd.dacl.aces[0].mask, 0x116);
	CU_ASSERT_EQUAL(sd.dacl.aces[1].type, 5);
	CU_ASSERT_EQUAL(sd.dacl.aces[1].opaque_len, 8);
	CU_ASSERT_EQUAL(sd.dacl.aces[2].flags, SMB_ACE_FLAG_INHERITED);
	smb_sid_parse("S-1-5-11", &want);
	CU_ASSERT(smb_sid_equal(&sd.dacl.aces[2].sid, &want));
	smb_sid_parse("S-1-5-32-544", &want);
	CU_ASSERT(smb_sid_equal(&sd.owner, &want));
	smb_sd_free(&sd);
	/* Re-encoded in Samba's order (owner, group, SACL, DACL): */
	{
		static const char samba_order[] =
			"01 00 1488 14000000 24000000 30000000 4c000000"
			"0102000000000005 20000000 20020000"
			"0101000000000005 12000000"
			"02 00 1c00 0100 0000"
			"02 40 1400 00000100 0101000000000001 00000000"
			"04 00 3c00 0300 0000"
			"01 13 1400 16010000 0101000000000001 00000000"
			"05 00 0c00 00000200 00000000"
			"00 10 1400 ff011f00 0101000000000005 0b000000";
		struct smb_wbuf w = SMB_WBUF_INIT;
		size_t want_len;
		uint8_t *want_buf = test_hex(samba_order, &want_len);

		CU_ASSERT_EQUAL(smb_sd_decode(buf, len, &sd), 0);
		CU_ASSERT_EQUAL(smb_sd_encode(&w, &sd), 0);
		CU_ASSERT_EQUAL(w.len, want_len);
		if (w.len == want_len)
			CU_ASSERT_BYTES_EQUAL(w.data, want_buf, want_len);
		check_reencode(want_buf, want_len);
		wire_check_truncations(decode_sd, want_buf, want_len, want_len);
		wire_fuzz_payload(decode_sd, buf, len, 5000);
		smb_sd_free(&sd);
		wbuf_free(&w);
		free(want_buf);
	}
	free(buf);
}

/* DACL_PRESENT with OffsetDacl 0 is the NULL DACL (MS-DTYP 2.4.6). */
static void test_null_dacl(void)
{
	static const char hex[] = "01 00 0480 00000000 00000000 00000000 "
				  "00000000";
	struct smb_sd sd;
	size_t len;
	uint8_t *buf = test_hex(hex, &len);

	CU_ASSERT_EQUAL_FATAL(smb_sd_decode(buf, len, &sd), 0);
	CU_ASSERT(!sd.has_dacl && !sd.has_owner && !sd.has_group);
	CU_ASSERT(sd.control & SMB_SD_DACL_PRESENT);
	smb_sd_free(&sd);
	check_reencode(buf, len);
	/* A DACL offset without DACL_PRESENT is no DACL. */
	le16_put(buf + 2, SMB_SD_SELF_RELATIVE);
	le32_put(buf + 16, 8);
	CU_ASSERT_EQUAL(smb_sd_decode(buf, len, &sd), 0);
	CU_ASSERT(!sd.has_dacl);
	smb_sd_free(&sd);
	free(buf);
}

/* Every offset, count and size of the 0640 vector, made hostile. */
static void test_hostile_fields(void)
{
	size_t len;
	uint8_t *b =
		wire_load_vector(SAMBA_VECTOR_DIR "sd_file_0640.hex", &len);
	/* owner at 20, group at 48, DACL at 64: ACEs at 72, 108, 132 */
	static const struct {
		size_t off;
		int width;
		uint32_t value;
	} cases[] = {
		{ 0, 1, 2 },   /* Revision */
		{ 4, 4, 4 },   /* owner inside the header */
		{ 4, 4, 152 }, /* owner at the end */
		{ 4, 4, 0xFFFFFFFF },
		{ 8, 4, 150 },	/* group running past the end */
		{ 16, 4, 19 },	/* DACL inside the header */
		{ 16, 4, 148 }, /* DACL header past the end */
		{ 16, 4, 0xFFFFFFF8 },
		{ 20 + 1, 1, 0x80 }, /* owner SubAuthorityCount too big */
		{ 20 + 1, 1, 16 },
		{ 20, 1, 0 },	       /* owner SID revision */
		{ 64 + 2, 2, 7 },      /* AclSize below the header */
		{ 64 + 2, 2, 0xFFFF }, /* AclSize past the end */
		{ 64 + 4, 2, 4 },      /* AceCount beyond the ACL */
		{ 64 + 4, 2, 0xFFFF },
		{ 72 + 2, 2, 3 },      /* AceSize below the header */
		{ 72 + 2, 2, 15 },     /* ALLOW ACE too short for a SID */
		{ 72 + 2, 2, 0xFFFF }, /* AceSize past the ACL */
		{ 72 + 9, 1, 15 },     /* ACE SID longer than the ACE */
		{ 132 + 2, 2, 24 },    /* last ACE past the ACL */
	};
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(len, 152);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = wire_decode_patched(decode_sd, b, len, cases[i].off,
					     cases[i].width, cases[i].value);

		CU_ASSERT_EQUAL(rc, -EBADMSG);
		if (rc != -EBADMSG)
			fprintf(stderr, "\n    case %zu accepted\n", i);
	}
	/* Shrinking the ACE count is fine: the rest is unused padding. */
	CU_ASSERT_EQUAL(wire_decode_patched(decode_sd, b, len, 64 + 4, 2, 2),
			0);
	free(b);
}

static void test_acl_building(void)
{
	static const char want_hex[] =
		"02 00 2400 0200 0000"
		"00 03 1400 a9001200 0101000000000001 00000000"
		"05 00 0800 aabbccdd";
	struct smb_acl acl = { .revision = SMB_ACL_REVISION };
	struct smb_ace opaque = { .type = 5 };
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb_sid everyone;
	uint8_t bytes[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
	size_t len;
	uint8_t *want = test_hex(want_hex, &len);

	smb_sid_parse("S-1-1-0", &everyone);
	CU_ASSERT_EQUAL(smb_acl_add(&acl, SMB_ACE_ACCESS_ALLOWED, 3, 0x001200a9,
				    &everyone),
			0);
	opaque.opaque = bytes;
	opaque.opaque_len = sizeof(bytes);
	CU_ASSERT_EQUAL(smb_acl_append(&acl, &opaque), 0);
	CU_ASSERT_EQUAL(smb_acl_size(&acl), len);
	CU_ASSERT_EQUAL(smb_acl_encode(&w, &acl), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	/* The copy owns its opaque bytes. */
	CU_ASSERT_PTR_NOT_EQUAL(acl.aces[1].opaque, bytes);
	opaque.opaque_len = UINT16_MAX;
	CU_ASSERT_EQUAL(smb_acl_append(&acl, &opaque), -E2BIG);
	smb_acl_free(&acl);
	wbuf_free(&w);
	free(want);
}

/* AceCount and AclSize are 16 bits: the limits are errors, not wraps. */
static void test_acl_limits(void)
{
	struct smb_acl acl = { .revision = SMB_ACL_REVISION };
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb_sid sid;
	unsigned int i;
	int rc = 0;

	smb_sid_parse("S-1-1-0", &sid);
	for (i = 0; i < UINT16_MAX && !rc; i++)
		rc = smb_acl_add(&acl, SMB_ACE_ACCESS_ALLOWED, 0, i, &sid);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_EQUAL(acl.count, UINT16_MAX);
	CU_ASSERT_EQUAL(acl.aces[UINT16_MAX - 1].mask, UINT16_MAX - 1);
	CU_ASSERT_EQUAL(smb_acl_add(&acl, SMB_ACE_ACCESS_ALLOWED, 0, 0, &sid),
			-E2BIG);
	CU_ASSERT_EQUAL(smb_acl_size(&acl), 0);
	CU_ASSERT_EQUAL(smb_acl_encode(&w, &acl), -EOVERFLOW);
	smb_acl_free(&acl);
	wbuf_free(&w);
}

static void test_sd_building(void)
{
	static const char want_hex[] = "01 00 0480 14000000 00000000 00000000 "
				       "20000000"
				       "0101000000000001 00000000"
				       "02 00 0800 0000 0000";
	struct smb_sd sd = { .revision = 1 };
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t len;
	uint8_t *want = test_hex(want_hex, &len);

	sd.has_owner = true;
	smb_sid_parse("S-1-1-0", &sd.owner);
	sd.has_dacl = true;
	sd.dacl.revision = SMB_ACL_REVISION;
	CU_ASSERT_EQUAL(smb_sd_encode(&w, &sd), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	/* Offsets are relative to the descriptor, not to the buffer. */
	wbuf_reset(&w);
	wbuf_zero(&w, 3);
	CU_ASSERT_EQUAL(smb_sd_encode(&w, &sd), 0);
	CU_ASSERT_EQUAL(w.len, len + 3);
	if (w.len == len + 3)
		CU_ASSERT_BYTES_EQUAL(w.data + 3, want, len);
	/* A SID the wire cannot carry is refused. */
	sd.owner.num_auth = SMB_SID_MAX_SUB_AUTH + 1;
	wbuf_reset(&w);
	CU_ASSERT_EQUAL(smb_sd_encode(&w, &sd), -EINVAL);
	wbuf_free(&w);
	free(want);
}

static CU_TestInfo sid_tests[] = {
	{ "binary form", test_sid_codec },
	{ "string form", test_sid_strings },
	{ "prefix and rid", test_sid_rid_of },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo acl_tests[] = {
	{ "building and encoding", test_acl_building },
	{ "16-bit limits", test_acl_limits },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sd_tests[] = {
	{ "Samba vectors: re-encode, truncate, fuzz", test_samba_vectors },
	{ "Samba 0640 fields", test_samba_0640_fields },
	{ "opaque ACEs and SACL kept", test_opaque_and_sacl_kept },
	{ "NULL DACL", test_null_dacl },
	{ "hostile offsets, counts and sizes", test_hostile_fields },
	{ "building and encoding", test_sd_building },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "sid", NULL, NULL, NULL, NULL, sid_tests },
	{ "acl", NULL, NULL, NULL, NULL, acl_tests },
	{ "security_descriptor", NULL, NULL, NULL, NULL, sd_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
