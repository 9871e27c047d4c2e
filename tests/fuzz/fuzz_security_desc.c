// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Self-relative security descriptors (MS-DTYP 2.4.6) as QUERY_INFO
 * returns them for SMB2_0_INFO_SECURITY, with their SIDs and ACLs, and
 * what src/fs/unix_meta.c derives from them (owner, group, mode) and
 * writes back for chmod.
 *
 * Input: the descriptor bytes.
 */
#include <sys/stat.h>

#include "fuzz_common.h"
#include "smbfs/wire/security_desc.h"
#include "unix_meta.h"

static bool acl_equal(const struct smb_acl *a, const struct smb_acl *b)
{
	uint16_t i;

	if (a->revision != b->revision || a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		const struct smb_ace *x = &a->aces[i], *y = &b->aces[i];

		if (x->type != y->type || x->flags != y->flags)
			return false;
		if (smb_ace_is_simple(x)) {
			if (x->mask != y->mask || !smb_sid_equal(&x->sid, &y->sid))
				return false;
		} else if (x->opaque_len != y->opaque_len ||
			   (x->opaque_len &&
			    memcmp(x->opaque, y->opaque, x->opaque_len))) {
			return false;
		}
	}
	return true;
}

static bool sd_equal(const struct smb_sd *a, const struct smb_sd *b)
{
	return a->revision == b->revision && a->sbz1 == b->sbz1 &&
	       a->has_owner == b->has_owner && a->has_group == b->has_group &&
	       (!a->has_owner || smb_sid_equal(&a->owner, &b->owner)) &&
	       (!a->has_group || smb_sid_equal(&a->group, &b->group)) &&
	       a->has_dacl == b->has_dacl &&
	       (!a->has_dacl || acl_equal(&a->dacl, &b->dacl)) &&
	       a->sacl_len == b->sacl_len &&
	       (!a->sacl_len || !memcmp(a->sacl, b->sacl, a->sacl_len));
}

/* String form and back (MS-DTYP 2.4.2.1) give the same SID. */
static void check_sid_string(const struct smb_sid *sid)
{
	char s[SMB_SID_STRING_MAX];
	struct smb_sid back;

	FUZZ_CHECK(smb_sid_format(sid, s, sizeof(s)) == 0);
	FUZZ_CHECK(smb_sid_parse(s, &back) == 0);
	FUZZ_CHECK(smb_sid_equal(sid, &back));
}

/* Encoding what was decoded and decoding it again changes nothing. */
static void check_round_trip(const struct smb_sd *sd)
{
	struct smb_wbuf w1 = SMB_WBUF_INIT, w2 = SMB_WBUF_INIT;
	struct smb_sd back;

	FUZZ_CHECK(smb_sd_encode(&w1, sd) == 0);
	FUZZ_CHECK(smb_sd_decode(w1.data, w1.len, &back) == 0);
	FUZZ_CHECK(sd_equal(sd, &back));
	FUZZ_CHECK(back.control ==
		   (sd->control | SMB_SD_SELF_RELATIVE |
		    (sd->has_dacl ? SMB_SD_DACL_PRESENT : 0) |
		    (sd->sacl ? SMB_SD_SACL_PRESENT : 0)));
	FUZZ_CHECK(smb_sd_encode(&w2, &back) == 0);
	FUZZ_CHECK(w1.len == w2.len && !memcmp(w1.data, w2.data, w1.len));
	smb_sd_free(&back);
	wbuf_free(&w1);
	wbuf_free(&w2);
}

/* What the file system layer makes of a server's descriptor. */
static void check_unix_meta(const struct smb_sd *sd, mode_t base)
{
	struct unix_meta_idmap map = {.fallback_uid = 65534,
				      .fallback_gid = 65534};
	struct unix_meta_attr attr;
	struct smb_sd out;
	mode_t stored = 0;
	int rc;

	unix_meta_from_sd(sd, &map, base,
			  UNIX_META_MODE_FROM_SID | UNIX_META_STICKY_FROM_ACL,
			  &attr);
	FUZZ_CHECK((attr.mode & S_IFMT) == (base & S_IFMT));
	FUZZ_CHECK(!(attr.mode & ~(mode_t)(S_IFMT | 07777)));
	FUZZ_CHECK(attr.uid_mapped || attr.uid == 65534);
	FUZZ_CHECK(attr.gid_mapped || attr.gid == 65534);
	/* chmod rewrites the server's DACL: the result must encode. */
	rc = unix_meta_chmod_sd(sd, base & 07777, UNIX_META_ACL_CIFS, &out,
				&stored);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG);
	FUZZ_CHECK(rc != -EINVAL || !sd->has_owner || !sd->has_group);
	if (!rc) {
		check_round_trip(&out);
		smb_sd_free(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smb_sd sd;
	uint16_t i;
	int rc = smb_sd_decode(data, size, &sd);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(size >= SMB_SD_HEADER_SIZE && sd.revision == 1);
	FUZZ_CHECK(sd.sacl_len <= size && (sd.sacl_len == 0) == !sd.sacl);
	if (sd.has_owner)
		check_sid_string(&sd.owner);
	if (sd.has_group)
		check_sid_string(&sd.group);
	for (i = 0; sd.has_dacl && i < sd.dacl.count; i++) {
		FUZZ_CHECK(sd.dacl.aces[i].opaque_len < size);
		if (smb_ace_is_simple(&sd.dacl.aces[i]))
			check_sid_string(&sd.dacl.aces[i].sid);
	}
	check_round_trip(&sd);
	/* The mode bits to start from come from the descriptor's bytes. */
	check_unix_meta(&sd, (size & 1 ? S_IFDIR : S_IFREG) |
				     (le16_get(data + 2) & 07777));
	smb_sd_free(&sd);
	return 0;
}
