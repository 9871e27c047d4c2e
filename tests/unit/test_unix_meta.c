// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unix modes, owners and special files as cifs.ko stores them: round
 * trips of every mode, cifs.ko's DACL layouts byte for byte (from
 * fs/smb/client/cifsacl.c), Samba's descriptors against the modes they
 * were captured for, and sfu file contents.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../src/fs/unix_meta.h"
#include "cunit_main.h"
#include "smbfs/smb2.h"
#include "wire_robustness.h"

#define OWNER_SID "S-1-5-21-1-2-3-1001"
#define GROUP_SID "S-1-22-2-1001"
/* Their wire forms, and Everyone's (S-1-1-0). */
#define OWNER_HEX \
	"0105000000000005 15000000 01000000 02000000 03000000 e9030000"
#define GROUP_HEX "0102000000000016 02000000 e9030000"
#define WORLD_HEX "0101000000000001 00000000"

static struct smb_sid sid_of(const char *text)
{
	struct smb_sid sid;

	CU_ASSERT_EQUAL(smb_sid_parse(text, &sid), 0);
	return sid;
}

/* A descriptor with owner and group SIDs and an empty DACL. */
static struct smb_sd owned_sd(void)
{
	struct smb_sd sd = { .revision = 1,
			     .has_owner = true,
			     .has_group = true,
			     .has_dacl = true };

	sd.owner = sid_of(OWNER_SID);
	sd.group = sid_of(GROUP_SID);
	return sd;
}

/* A descriptor with owner, group and the DACL chmod builds for mode. */
static int chmod_sd(const char *owner, const char *group, mode_t mode,
		    enum unix_meta_acl_style style, struct smb_sd *sd,
		    mode_t *stored)
{
	memset(sd, 0, sizeof(*sd));
	sd->revision = 1;
	sd->has_owner = sd->has_group = true;
	sd->owner = sid_of(owner);
	sd->group = sid_of(group);
	sd->has_dacl = true;
	return unix_meta_chmod_dacl(NULL, &sd->owner, &sd->group, mode, style,
				    &sd->dacl, stored);
}

/* Encodes sd, decodes it again and reads its mode. */
static mode_t mode_over_wire(const struct smb_sd *sd, unsigned int flags)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb_sd back;
	mode_t mode = (mode_t)-1;

	CU_ASSERT_EQUAL(smb_sd_encode(&w, sd), 0);
	if (!smb_sd_decode(w.data, w.len, &back)) {
		mode = unix_meta_mode_from_sd(&back, S_IFREG, flags);
		smb_sd_free(&back);
	}
	wbuf_free(&w);
	return mode;
}

static void round_trip(enum unix_meta_acl_style style, mode_t last,
		       unsigned int flags)
{
	struct smb_sd sd;
	mode_t m, stored, got;
	int bad = 0;

	for (m = 0; m <= last; m++) {
		CU_ASSERT_EQUAL_FATAL(
			chmod_sd(OWNER_SID, GROUP_SID, m, style, &sd, &stored),
			0);
		CU_ASSERT_EQUAL(stored, m);
		got = mode_over_wire(&sd, flags);
		if (got != (S_IFREG | m) && bad++ < 5)
			fprintf(stderr, "\n    mode %04o read as %04o", m,
				got & 07777);
		smb_sd_free(&sd);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_round_trip_cifs(void)
{
	round_trip(UNIX_META_ACL_CIFS, 0777, 0);
	/* With cifs.ko's FILE_DELETE_CHILD rule the sticky bit survives. */
	round_trip(UNIX_META_ACL_CIFS, 01777, UNIX_META_STICKY_FROM_ACL);
}

static void test_round_trip_posix(void)
{
	round_trip(UNIX_META_ACL_POSIX, 0777, 0);
	round_trip(UNIX_META_ACL_POSIX, 01777, UNIX_META_STICKY_FROM_ACL);
}

static void test_round_trip_mode_sid(void)
{
	round_trip(UNIX_META_ACL_MODE_SID, 07777, UNIX_META_MODE_FROM_SID);
}

/* One SID for owner and group: each class keeps what both may do. */
static void test_same_sid(void)
{
	struct smb_sd sd;
	mode_t stored;

	CU_ASSERT_EQUAL_FATAL(chmod_sd(OWNER_SID, OWNER_SID, 0754,
				       UNIX_META_ACL_CIFS, &sd, &stored),
			      0);
	CU_ASSERT_EQUAL(stored, 0554);
	/* Both ACEs count for the owner, as in cifs.ko's parse_dacl(). */
	CU_ASSERT_EQUAL(mode_over_wire(&sd, 0), S_IFREG | 0504);
	smb_sd_free(&sd);
}

static void check_acl_bytes(const struct smb_acl *acl, const char *hex)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t len;
	uint8_t *want = test_hex(hex, &len);

	CU_ASSERT_EQUAL(smb_acl_encode(&w, acl), 0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	wbuf_free(&w);
	free(want);
}

static void check_layout(mode_t mode, enum unix_meta_acl_style style,
			 const char *hex)
{
	struct smb_sd sd;

	CU_ASSERT_EQUAL_FATAL(
		chmod_sd(OWNER_SID, GROUP_SID, mode, style, &sd, NULL), 0);
	check_acl_bytes(&sd.dacl, hex);
	smb_sd_free(&sd);
}

/*
 * cifs.ko's populate_new_aces(): r 0x001F0199, w 0x001F019E,
 * x 0x001F01B8, FILE_DELETE_CHILD 0x40, minimum 0x00120088.
 */
static void test_cifs_layouts(void)
{
	/* 0644: three ALLOW ACEs, delete-child everywhere. */
	check_layout(0644, UNIX_META_ACL_CIFS,
		     "02 00 5800 0300 0000"
		     "00 00 2400 df011f00" OWNER_HEX
		     "00 00 1800 d9011f00" GROUP_HEX
		     "00 00 1400 d9011f00" WORLD_HEX);
	/*
	 * 0604: the group DENY overlaps the owner's bits, so it comes after
	 * the owner's ALLOW; the empty group ALLOW keeps only delete-child.
	 */
	check_layout(0604, UNIX_META_ACL_CIFS,
		     "02 00 7000 0400 0000"
		     "00 00 2400 df011f00" OWNER_HEX
		     "01 00 1800 11010d00" GROUP_HEX
		     "00 00 1800 40000000" GROUP_HEX
		     "00 00 1400 d9011f00" WORLD_HEX);
	/* 0070: the owner DENY first, without the minimum rights. */
	check_layout(0070, UNIX_META_ACL_CIFS,
		     "02 00 7c00 0400 0000"
		     "01 00 2400 37010d00" OWNER_HEX
		     "00 00 2400 40000000" OWNER_HEX
		     "00 00 1800 ff011f00" GROUP_HEX
		     "00 00 1400 40000000" WORLD_HEX);
	/* 01777: sticky, so no delete-child for group and Everyone. */
	check_layout(01777, UNIX_META_ACL_CIFS,
		     "02 00 5800 0300 0000"
		     "00 00 2400 ff011f00" OWNER_HEX
		     "00 00 1800 bf011f00" GROUP_HEX
		     "00 00 1400 bf011f00" WORLD_HEX);
	/* 0000 with sticky: nothing but the minimum rights. */
	check_layout(01000, UNIX_META_ACL_CIFS,
		     "02 00 5800 0300 0000"
		     "00 00 2400 40000000" OWNER_HEX
		     "00 00 1800 88001200" GROUP_HEX
		     "00 00 1400 88001200" WORLD_HEX);
	/* modefromsid: DENY S-1-5-88-3-0644 (28 bytes), ALLOW S-1-5-11. */
	check_layout(0644, UNIX_META_ACL_MODE_SID,
		     "02 00 3800 0200 0000"
		     "01 00 1c00 00000000"
		     "0103000000000005 58000000 03000000 a4010000"
		     "00 00 1400 00000010 0101000000000005 0b000000");
	/* Samba's own masks: r 0x120089, w 0x116, x 0x20. */
	check_layout(0640, UNIX_META_ACL_POSIX,
		     "02 00 5800 0300 0000"
		     "00 00 2400 df011200" OWNER_HEX
		     "00 00 1800 c9001200" GROUP_HEX
		     "00 00 1400 40000000" WORLD_HEX);
	check_layout(01751, UNIX_META_ACL_POSIX,
		     "02 00 5800 0300 0000"
		     "00 00 2400 ff011200" OWNER_HEX
		     "00 00 1800 a9001200" GROUP_HEX
		     "00 00 1400 20000000" WORLD_HEX);
}

/* cifs.ko create_sd_buf() with modefromsid and idsfromsid. */
static void test_create_sd(void)
{
	static const char with_ids[] =
		"01 00 0480 14000000 28000000 00000000 3c000000"
		"0103000000000005 58000000 01000000 e8030000"
		"0103000000000005 58000000 02000000 64000000"
		"02 00 5400 0300 0000"
		"01 00 1c00 00000000"
		"0103000000000005 58000000 03000000 ed010000"
		"00 00 1c00 00000010"
		"0103000000000005 58000000 01000000 e8030000"
		"00 00 1400 00000010 0101000000000005 0b000000";
	static const char mode_only[] =
		"01 00 0480 00000000 00000000 00000000 14000000"
		"02 00 3800 0200 0000"
		"01 00 1c00 00000000"
		"0103000000000005 58000000 03000000 ed010000"
		"00 00 1400 00000010 0101000000000005 0b000000";
	const char *hex[] = { mode_only, with_ids };
	int ids;

	for (ids = 0; ids < 2; ids++) {
		struct smb_wbuf w = SMB_WBUF_INIT;
		struct smb_sd sd;
		size_t len;
		uint8_t *want = test_hex(hex[ids], &len);

		CU_ASSERT_EQUAL_FATAL(
			unix_meta_create_sd(0755, ids, 1000, 100, &sd), 0);
		CU_ASSERT_EQUAL(smb_sd_encode(&w, &sd), 0);
		CU_ASSERT_EQUAL(w.len, len);
		if (w.len == len)
			CU_ASSERT_BYTES_EQUAL(w.data, want, len);
		CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, S_IFREG,
						       UNIX_META_MODE_FROM_SID),
				S_IFREG | 0755);
		smb_sd_free(&sd);
		wbuf_free(&w);
		free(want);
	}
}

/*
 * chmod keeps foreign ACEs, drops those it replaces and puts its own
 * before the first inherited ACE (cifs.ko set_chmod_dacl()).
 */
static void test_chmod_keeps_other_aces(void)
{
	struct smb_sid owner = sid_of(OWNER_SID), group = sid_of(GROUP_SID);
	struct smb_sid other = sid_of("S-1-5-21-9-9-9-500");
	struct smb_sid inherited = sid_of("S-1-5-32-545");
	struct smb_sid mode_sid = sid_of("S-1-5-88-3-511");
	struct smb_sid world = sid_of("S-1-1-0");
	struct smb_acl old = { .revision = SMB_ACL_REVISION }, acl;
	struct smb_ace opaque = { .type = 5 };
	uint8_t body[4] = { 1, 2, 3, 4 };
	mode_t stored;

	opaque.opaque = body;
	opaque.opaque_len = sizeof(body);
	smb_acl_add(&old, SMB_ACE_ACCESS_ALLOWED, 0, 0x1f01ff, &other);
	smb_acl_add(&old, SMB_ACE_ACCESS_ALLOWED, 0, 0x1f01ff, &owner);
	smb_acl_add(&old, SMB_ACE_ACCESS_DENIED, 0, 0x116, &world);
	smb_acl_add(&old, SMB_ACE_ACCESS_DENIED, 0, 0, &mode_sid);
	smb_acl_append(&old, &opaque);
	smb_acl_add(&old, SMB_ACE_ACCESS_ALLOWED, SMB_ACE_FLAG_INHERITED,
		    0x1200a9, &inherited);
	smb_acl_add(&old, SMB_ACE_ACCESS_ALLOWED, SMB_ACE_FLAG_INHERITED,
		    0x1200a9, &group);
	CU_ASSERT_EQUAL_FATAL(unix_meta_chmod_dacl(&old, &owner, &group, 0750,
						   UNIX_META_ACL_POSIX, &acl,
						   &stored),
			      0);
	CU_ASSERT_EQUAL(stored, 0750);
	CU_ASSERT_EQUAL_FATAL(acl.count, 6);
	CU_ASSERT(smb_sid_equal(&acl.aces[0].sid, &other));
	CU_ASSERT_EQUAL(acl.aces[1].type, 5);
	CU_ASSERT_EQUAL(acl.aces[1].opaque_len, 4);
	CU_ASSERT(smb_sid_equal(&acl.aces[2].sid, &owner));
	CU_ASSERT_EQUAL(acl.aces[2].mask, 0x1201ff);
	CU_ASSERT(smb_sid_equal(&acl.aces[3].sid, &group));
	CU_ASSERT_EQUAL(acl.aces[3].mask, 0x1200e9);
	CU_ASSERT(smb_sid_equal(&acl.aces[4].sid, &world));
	CU_ASSERT_EQUAL(acl.aces[4].mask, 0x40);
	CU_ASSERT(smb_sid_equal(&acl.aces[5].sid, &inherited));
	CU_ASSERT_EQUAL(acl.aces[5].flags, SMB_ACE_FLAG_INHERITED);
	smb_acl_free(&acl);
	smb_acl_free(&old);
}

static void test_chmod_and_chown_sd(void)
{
	struct smb_sd old, sd;
	struct smb_sid new_owner = sid_of("S-1-22-1-0");
	mode_t stored;

	CU_ASSERT_EQUAL_FATAL(chmod_sd(OWNER_SID, GROUP_SID, 0644,
				       UNIX_META_ACL_POSIX, &old, NULL),
			      0);
	old.control = SMB_SD_SELF_RELATIVE | SMB_SD_DACL_PRESENT |
		      SMB_SD_DACL_PROTECTED | SMB_SD_SACL_PRESENT;
	/* chmod: DACL only, the old control word without SACL_PRESENT. */
	CU_ASSERT_EQUAL_FATAL(unix_meta_chmod_sd(&old, 0600,
						 UNIX_META_ACL_POSIX, &sd,
						 &stored),
			      0);
	CU_ASSERT(!sd.has_owner && !sd.has_group && sd.has_dacl);
	CU_ASSERT_EQUAL(sd.control, SMB_SD_SELF_RELATIVE | SMB_SD_DACL_PRESENT |
					    SMB_SD_DACL_PROTECTED);
	CU_ASSERT_EQUAL(sd.dacl.count, 3);
	CU_ASSERT_EQUAL(stored, 0600);
	smb_sd_free(&sd);
	/* chown: the owner's ACEs follow the new owner. */
	CU_ASSERT_EQUAL_FATAL(unix_meta_chown_sd(&old, &new_owner, NULL, &sd),
			      0);
	CU_ASSERT(smb_sid_equal(&sd.owner, &new_owner));
	CU_ASSERT(smb_sid_equal(&sd.group, &old.group));
	CU_ASSERT_EQUAL_FATAL(sd.dacl.count, 3);
	CU_ASSERT(smb_sid_equal(&sd.dacl.aces[0].sid, &new_owner));
	CU_ASSERT(smb_sid_equal(&sd.dacl.aces[1].sid, &old.group));
	CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, 0, 0), 0644);
	smb_sd_free(&sd);
	/* Without owner or group there is nothing to build on. */
	old.has_group = false;
	CU_ASSERT_EQUAL(
		unix_meta_chmod_sd(&old, 0600, UNIX_META_ACL_POSIX, &sd, NULL),
		-EINVAL);
	CU_ASSERT_EQUAL(unix_meta_chown_sd(&old, &new_owner, NULL, &sd),
			-EINVAL);
	smb_sd_free(&old);
}

/* cifs.ko access_flags_to_mode(): order, generic rights, partial masks. */
static void test_mode_rules(void)
{
	struct smb_sid owner = sid_of(OWNER_SID), group = sid_of(GROUP_SID);
	struct smb_sid world = sid_of("S-1-1-0"), auth = sid_of("S-1-5-11");
	struct smb_sid stranger = sid_of("S-1-5-21-7-7-7-7");
	struct smb_sd sd = owned_sd();

	/* DENY then ALLOW: the denied bit stays clear. */
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_DENIED, 0, GENERIC_WRITE, &owner);
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, GENERIC_ALL, &owner);
	/* ALLOW then DENY: the allowed bit stays set. */
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, FILE_EXECUTE, &group);
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_DENIED, 0, GENERIC_ALL, &group);
	/* Read needs READ_DATA, READ_EA and READ_ATTRIBUTES together. */
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0,
		    FILE_READ_DATA | FILE_READ_EA, &world);
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, GENERIC_READ, &auth);
	/* Other SIDs do not count. */
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, GENERIC_ALL,
		    &stranger);
	/*
	 * Owner: GENERIC_ALL after a denied bit grants nothing at all.
	 * Group: x, kept by the later DENY.  Other: r from Authenticated
	 * Users only.  Type and setuid come from base.
	 */
	CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, S_IFDIR | 04000, 0),
			S_IFDIR | 04000 | 0014);
	smb_acl_free(&sd.dacl);
	/* An empty DACL grants nothing; no DACL leaves base as it is. */
	CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, S_IFREG | 0755, 0),
			S_IFREG);
	sd.has_dacl = false;
	CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, S_IFREG | 0755, 0),
			S_IFREG | 0755);
}

static void test_sticky_rule(void)
{
	struct smb_sid owner = sid_of(OWNER_SID), group = sid_of(GROUP_SID);
	struct smb_sd sd = owned_sd();

	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, FILE_DELETE_CHILD,
		    &owner);
	CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, 0, 0), 0);
	CU_ASSERT_EQUAL(
		unix_meta_mode_from_sd(&sd, 0, UNIX_META_STICKY_FROM_ACL),
		01000);
	/* A later group ACE with delete-child clears and blocks it. */
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, FILE_DELETE_CHILD,
		    &group);
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, FILE_DELETE_CHILD,
		    &owner);
	CU_ASSERT_EQUAL(
		unix_meta_mode_from_sd(&sd, 01000, UNIX_META_STICKY_FROM_ACL),
		0);
	smb_acl_free(&sd.dacl);
}

/* modefromsid: the S-1-5-88-3 ACE wins wherever it is. */
static void test_mode_sid_wins(void)
{
	struct smb_sid owner = sid_of(OWNER_SID);
	struct smb_sid mode_sid = sid_of("S-1-5-88-3-4589"); /* 010755 */
	struct smb_sd sd = owned_sd();

	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_ALLOWED, 0, GENERIC_ALL, &owner);
	smb_acl_add(&sd.dacl, SMB_ACE_ACCESS_DENIED, 0, 0, &mode_sid);
	CU_ASSERT_EQUAL(
		unix_meta_mode_from_sd(&sd, S_IFREG, UNIX_META_MODE_FROM_SID),
		S_IFREG | 0755);
	CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd, S_IFREG, 0),
			S_IFREG | 0700);
	smb_acl_free(&sd.dacl);
}

static int lookup_stub(void *arg, const struct smb_sid *sid, bool group,
		       uint32_t *id)
{
	struct smb_sid known = sid_of("S-1-5-21-4-4-4-1105");

	(void)arg;
	if (group || !smb_sid_equal(sid, &known))
		return -ENOENT;
	*id = 2001;
	return 0;
}

static void test_sid_to_id(void)
{
	struct unix_meta_idmap map = { .fallback_uid = 65534,
				       .fallback_gid = 65533 };
	struct smb_sid sid;
	uint32_t id;

	CU_ASSERT(unix_meta_sid_to_id(&map, &(struct smb_sid){ 0 }, false,
				      &id) == false);
	CU_ASSERT_EQUAL(id, 65534);
	sid = sid_of("S-1-22-1-1000");
	CU_ASSERT(unix_meta_sid_to_id(&map, &sid, false, &id));
	CU_ASSERT_EQUAL(id, 1000);
	/* A user SID is no group (cifs.ko is_well_known_sid()). */
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, true, &id));
	CU_ASSERT_EQUAL(id, 65533);
	sid = sid_of("S-1-22-2-100");
	CU_ASSERT(unix_meta_sid_to_id(&map, &sid, true, &id));
	CU_ASSERT_EQUAL(id, 100);
	sid = sid_of("S-1-5-88-1-0");
	CU_ASSERT(unix_meta_sid_to_id(&map, &sid, false, &id));
	CU_ASSERT_EQUAL(id, 0);
	sid = sid_of("S-1-5-88-2-7");
	CU_ASSERT(unix_meta_sid_to_id(&map, &sid, true, &id));
	CU_ASSERT_EQUAL(id, 7);
	/* (uid_t)-1 is not an id; nor are longer or shorter SIDs. */
	sid = sid_of("S-1-22-1-4294967295");
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, false, &id));
	sid = sid_of("S-1-22-1-5-6");
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, false, &id));
	sid = sid_of("S-1-5-88-1");
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, false, &id));
	/* The mount's own SID, then the lookup. */
	sid = sid_of("S-1-5-21-4-4-4-1000");
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, false, &id));
	map.have_self = true;
	map.self_sid = sid;
	map.self_uid = 1234;
	CU_ASSERT(unix_meta_sid_to_id(&map, &sid, false, &id));
	CU_ASSERT_EQUAL(id, 1234);
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, true, &id));
	map.lookup = lookup_stub;
	sid = sid_of("S-1-5-21-4-4-4-1105");
	CU_ASSERT(unix_meta_sid_to_id(&map, &sid, false, &id));
	CU_ASSERT_EQUAL(id, 2001);
	CU_ASSERT(!unix_meta_sid_to_id(&map, &sid, true, &id));
	/* chown's SIDs */
	unix_meta_id_to_sid(&sid, false, false, 1001);
	CU_ASSERT(unix_meta_sid_is(&sid, UNIX_META_SID_UNIX_USER, &id));
	CU_ASSERT_EQUAL(id, 1001);
	unix_meta_id_to_sid(&sid, true, true, 50);
	CU_ASSERT(unix_meta_sid_is(&sid, UNIX_META_SID_NFS_GROUP, &id));
	CU_ASSERT_EQUAL(id, 50);
}

/*
 * Samba 4.17's descriptors (tests/vectors/samba/sd_*.hex) and the modes
 * the files had on the server's disk.  The passdb user smbfsuser (uid
 * 1002) shows as S-1-5-21-...-1000; unix users outside passdb as
 * S-1-22-1-<uid>, groups as S-1-22-2-<gid>.
 */
static const struct {
	const char *file;
	mode_t type, mode;
	uid_t uid; /* 99: the fallback */
	gid_t gid;
	mode_t sticky_mode; /* with cifs.ko's FILE_DELETE_CHILD rule */
} samba[] = {
	{ "sd_file_0644.hex", S_IFREG, 0644, 99, 1002, 0644 },
	{ "sd_file_0640.hex", S_IFREG, 0640, 99, 1002, 0640 },
	{ "sd_file_0600.hex", S_IFREG, 0600, 99, 1002, 0600 },
	{ "sd_file_0000.hex", S_IFREG, 0000, 99, 1002, 0000 },
	/* Samba grants delete-child with rwx: cifs.ko shows these sticky. */
	{ "sd_file_0755.hex", S_IFREG, 0755, 99, 1002, 01755 },
	{ "sd_file_0777.hex", S_IFREG, 0777, 99, 1002, 0777 },
	{ "sd_dir_0755.hex", S_IFDIR, 0755, 99, 1002, 01755 },
	{ "sd_file_root_0644.hex", S_IFREG, 0644, 0, 0, 0644 },
	{ "sd_file_unixuser_0664.hex", S_IFREG, 0664, 1001, 1001, 0664 },
	/* After a DACL was set: a POSIX ACL with mask rwx on disk. */
	{ "sd_file_posixacl_0640.hex", S_IFREG, 0640, 99, 1002, 0640 },
	/* Owner and group only: no DACL, the base mode stays. */
	{ "sd_file_0640_owner_group.hex", S_IFREG, 0111, 99, 1002, 0111 },
};

static void test_samba_known_answers(void)
{
	struct unix_meta_idmap map = { .fallback_uid = 99, .fallback_gid = 99 };
	struct smb_sid self =
		sid_of("S-1-5-21-2314019074-2469522541-611054807-1000");
	size_t i;

	for (i = 0; i < sizeof(samba) / sizeof(samba[0]); i++) {
		char path[128];
		struct unix_meta_attr a;
		struct smb_sd sd;
		size_t len;
		uint8_t *buf;

		snprintf(path, sizeof(path), SAMBA_VECTOR_DIR "%s",
			 samba[i].file);
		buf = wire_load_vector(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
		CU_ASSERT_EQUAL_FATAL(smb_sd_decode(buf, len, &sd), 0);
		unix_meta_from_sd(&sd, &map, samba[i].type | 0111, 0, &a);
		CU_ASSERT_EQUAL(a.mode, samba[i].type | samba[i].mode);
		CU_ASSERT_EQUAL(a.uid, samba[i].uid);
		CU_ASSERT_EQUAL(a.uid_mapped, samba[i].uid != 99);
		CU_ASSERT_EQUAL(a.gid, samba[i].gid);
		CU_ASSERT(a.gid_mapped);
		CU_ASSERT_EQUAL(
			unix_meta_mode_from_sd(&sd, samba[i].type | 0111,
					       UNIX_META_STICKY_FROM_ACL),
			samba[i].type | samba[i].sticky_mode);
		/* modefromsid reads the same when there is no mode ACE. */
		CU_ASSERT_EQUAL(unix_meta_mode_from_sd(&sd,
						       samba[i].type | 0111,
						       UNIX_META_MODE_FROM_SID),
				samba[i].type | samba[i].mode);
		/* The owner SID of a file the mount made maps to its uid. */
		map.have_self = true;
		map.self_sid = self;
		map.self_uid = 1002;
		unix_meta_from_sd(&sd, &map, 0, 0, &a);
		CU_ASSERT_EQUAL(a.uid,
				samba[i].uid == 99 ? 1002 : samba[i].uid);
		map.have_self = false;
		smb_sd_free(&sd);
		free(buf);
	}
}

/* chmod of a Samba descriptor keeps nothing stale: 5 ACEs become 3. */
static void test_chmod_samba_descriptor(void)
{
	struct smb_sd old, sd;
	size_t len;
	uint8_t *buf = wire_load_vector(
		SAMBA_VECTOR_DIR "sd_file_posixacl_0640.hex", &len);
	mode_t stored;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(smb_sd_decode(buf, len, &old), 0);
	CU_ASSERT_EQUAL(old.dacl.count, 5);
	CU_ASSERT_EQUAL_FATAL(unix_meta_chmod_sd(&old, 0755,
						 UNIX_META_ACL_POSIX, &sd,
						 &stored),
			      0);
	CU_ASSERT_EQUAL(sd.dacl.count, 3);
	CU_ASSERT_EQUAL(sd.control, old.control);
	sd.has_owner = sd.has_group = true;
	sd.owner = old.owner;
	sd.group = old.group;
	CU_ASSERT_EQUAL(mode_over_wire(&sd, 0), S_IFREG | 0755);
	smb_sd_free(&sd);
	smb_sd_free(&old);
	free(buf);
}

/* --- sfu --- */

static void check_sfu(const char *hex, mode_t type, mode_t want_type,
		      unsigned int maj, unsigned int min)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t len;
	uint8_t *want = test_hex(hex, &len);
	dev_t rdev = 1;

	if (type) {
		CU_ASSERT_EQUAL(
			unix_meta_sfu_encode(&w, type, makedev(maj, min), NULL),
			0);
		CU_ASSERT_EQUAL(w.len, len);
		if (w.len == len && len)
			CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	}
	CU_ASSERT_EQUAL(unix_meta_sfu_type(want,
					   len < UNIX_META_SFU_HEAD
						   ? len
						   : UNIX_META_SFU_HEAD,
					   len, &rdev),
			want_type);
	CU_ASSERT_EQUAL(rdev, want_type == S_IFCHR || want_type == S_IFBLK
				      ? makedev(maj, min)
				      : 0);
	wbuf_free(&w);
	free(want);
}

static void test_sfu_special_files(void)
{
	/* mknod c 1 3 (/dev/null) */
	check_sfu("49 6e 74 78 43 48 52 00"
		  "01 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00",
		  S_IFCHR, S_IFCHR, 1, 3);
	/* mknod b 8 1 (/dev/sda1) */
	check_sfu("49 6e 74 78 42 4c 4b 00"
		  "08 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00",
		  S_IFBLK, S_IFBLK, 8, 1);
	check_sfu("49 6e 74 78 43 48 52 00"
		  "ff ff ff 0f 00 00 00 00 ff ff ff ff 00 00 00 00",
		  S_IFCHR, S_IFCHR, 0x0fffffff, 0xffffffff);
	check_sfu("", S_IFIFO, S_IFIFO, 0, 0);	   /* FIFO: empty */
	check_sfu("00", S_IFSOCK, S_IFSOCK, 0, 0); /* socket: one zero */
	/* What cifs.ko wrote before 6.12 still reads. */
	check_sfu("4c 6e 78 46 49 46 4f 00 0000000000000000 0000000000000000",
		  0, S_IFIFO, 0, 0);
	check_sfu("4c 6e 78 53 4f 43 4b 00 0000000000000000 0000000000000000",
		  0, S_IFSOCK, 0, 0);
	/* Devices without both numbers read as 0:0. */
	check_sfu("49 6e 74 78 42 4c 4b 00", 0, S_IFBLK, 0, 0);
	/* Ordinary files that merely have the SYSTEM attribute. */
	check_sfu("01", 0, 0, 0, 0);
	check_sfu("00 00", 0, 0, 0, 0);
	check_sfu("49 6e 74 78 43 48 52", 0, 0, 0, 0);
	check_sfu("49 6e 74 78 43 48 52 01 00", 0, 0, 0, 0);
	check_sfu("49 6e 74 78 4c 4e 4b 00 6100", 0, 0, 0, 0);
	CU_ASSERT_EQUAL(unix_meta_sfu_encode(&(struct smb_wbuf)SMB_WBUF_INIT,
					     S_IFREG, 0, NULL),
			-EINVAL);
}

static void test_sfu_symlinks(void)
{
	static const char link_hex[] = "49 6e 74 78 4c 4e 4b 01"
				       "2e 00 2e 00 2f 00 e9 00 3d d8 00 de";
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t len;
	uint8_t *want = test_hex(link_hex, &len);
	char *target, *longer;
	dev_t rdev;

	CU_ASSERT_EQUAL(unix_meta_sfu_encode(&w, S_IFLNK, 0,
					     "../\xc3\xa9\xf0\x9f\x98\x80"),
			0);
	CU_ASSERT_EQUAL(w.len, len);
	if (w.len == len)
		CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	CU_ASSERT_EQUAL(
		unix_meta_sfu_type(want, UNIX_META_SFU_HEAD, len, &rdev),
		S_IFLNK);
	CU_ASSERT_EQUAL_FATAL(unix_meta_sfu_link_target(want, len, &target), 0);
	CU_ASSERT_STRING_EQUAL(target, "../\xc3\xa9\xf0\x9f\x98\x80");
	free(target);
	/* Odd, empty, NUL inside, unpaired surrogate, wrong magic. */
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(want, len - 1, &target),
			-EILSEQ);
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(want, 8, &target), -EILSEQ);
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(want, len - 2, &target),
			-EILSEQ);
	want[10] = 0;
	want[11] = 0;
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(want, len, &target), -EILSEQ);
	want[7] = 0;
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(want, len, &target), -EINVAL);
	CU_ASSERT_PTR_NULL(target);
	/* Length limits, both ways. */
	longer = malloc(UNIX_META_SFU_LINK_MAX + 2);
	memset(longer, 'a', UNIX_META_SFU_LINK_MAX + 1);
	longer[UNIX_META_SFU_LINK_MAX + 1] = 0;
	wbuf_reset(&w);
	CU_ASSERT_EQUAL(unix_meta_sfu_encode(&w, S_IFLNK, 0, longer),
			-ENAMETOOLONG);
	longer[UNIX_META_SFU_LINK_MAX] = 0;
	CU_ASSERT_EQUAL(unix_meta_sfu_encode(&w, S_IFLNK, 0, longer), 0);
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(w.data, w.len, &target), 0);
	free(target);
	wbuf_u16(&w, 'a');
	CU_ASSERT_EQUAL(unix_meta_sfu_link_target(w.data, w.len, &target),
			-ENAMETOOLONG);
	wbuf_reset(&w);
	CU_ASSERT_EQUAL(unix_meta_sfu_encode(&w, S_IFLNK, 0, ""), -EINVAL);
	CU_ASSERT_EQUAL(unix_meta_sfu_encode(&w, S_IFLNK, 0, "\xff"), -EILSEQ);
	free(longer);
	wbuf_free(&w);
	free(want);
}

static void test_sfu_setfilebits(void)
{
	uint8_t value[4];
	static const uint8_t all[4] = { 0xff, 0xff, 0xff, 0xff };

	unix_meta_sfu_bits_encode(S_IFREG | 04755, value);
	CU_ASSERT_EQUAL(le32_get(value), 04000);
	CU_ASSERT_EQUAL(unix_meta_sfu_bits_apply(S_IFREG | 01644, value, 4),
			S_IFREG | 04644);
	/* Only setuid, setgid and sticky come from the EA. */
	CU_ASSERT_EQUAL(unix_meta_sfu_bits_apply(S_IFDIR | 0700, all, 4),
			S_IFDIR | 07700);
	CU_ASSERT_EQUAL(unix_meta_sfu_bits_apply(S_IFDIR | 02700, all, 3),
			S_IFDIR | 02700);
}

static CU_TestInfo mode_tests[] = {
	{ "cifs layout: every mode round-trips", test_round_trip_cifs },
	{ "posix layout: every mode round-trips", test_round_trip_posix },
	{ "mode SID: every mode round-trips", test_round_trip_mode_sid },
	{ "owner and group one SID", test_same_sid },
	{ "cifs.ko layouts byte for byte", test_cifs_layouts },
	{ "cifs.ko create descriptor", test_create_sd },
	{ "chmod keeps other ACEs", test_chmod_keeps_other_aces },
	{ "chmod and chown descriptors", test_chmod_and_chown_sd },
	{ "ACE rules", test_mode_rules },
	{ "sticky from delete-child", test_sticky_rule },
	{ "mode SID wins", test_mode_sid_wins },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo id_tests[] = {
	{ "SID to uid and gid", test_sid_to_id },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo samba_tests[] = {
	{ "descriptors against the modes on disk", test_samba_known_answers },
	{ "chmod of a Samba descriptor", test_chmod_samba_descriptor },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sfu_tests[] = {
	{ "devices, FIFO, socket", test_sfu_special_files },
	{ "symlinks", test_sfu_symlinks },
	{ "SETFILEBITS", test_sfu_setfilebits },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "unix_meta_modes", NULL, NULL, NULL, NULL, mode_tests },
	{ "unix_meta_ids", NULL, NULL, NULL, NULL, id_tests },
	{ "unix_meta_samba", NULL, NULL, NULL, NULL, samba_tests },
	{ "unix_meta_sfu", NULL, NULL, NULL, NULL, sfu_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
