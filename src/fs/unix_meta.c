// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unix owners, modes and special files as cifs.ko stores them on SMB
 * shares (see unix_meta.h for the options).
 *
 * cifsacl, what cifs.ko writes for chmod (fs/smb/client/cifsacl.c,
 * populate_new_aces()), for owner O, group G and mode bits u/g/o:
 *
 *   [DENY  O  rights u lacks but g or o has]   only when non-empty
 *   [DENY  G  rights g lacks but o has]        here if it spares u's bits
 *   ALLOW O  u | FILE_DELETE_CHILD
 *   [DENY  G  ...]                             here if it overlaps u
 *   ALLOW G  g | FILE_DELETE_CHILD unless S_ISVTX
 *   ALLOW S-1-1-0 (Everyone)  o | FILE_DELETE_CHILD unless S_ISVTX
 *
 * with r = SET_FILE_READ_RIGHTS 0x001F0199, w = SET_FILE_WRITE_RIGHTS
 * 0x001F019E, x = SET_FILE_EXEC_RIGHTS 0x001F01B8, an empty ALLOW
 * becoming SET_MINIMUM_RIGHTS 0x00120088 and a DENY losing those
 * minimum rights.  All ACEs have flags 0.
 *
 * modefromsid: DENY S-1-5-88-3-<mode & 07777> (mask 0, 28 bytes) then
 * ALLOW S-1-5-11 GENERIC_ALL (20 bytes).  idsfromsid: owner
 * S-1-5-88-1-<uid>, group S-1-5-88-2-<gid> (RID layout of the Windows
 * NFS server: S-1-5-88-<kind>-<id>).
 *
 * Samba 4.17 with its defaults maps a DACL onto the POSIX ACL of the
 * file (smbd/posix_acls.c): r for FILE_READ_DATA or FILE_READ_EA, w for
 * FILE_WRITE_DATA, FILE_APPEND_DATA or FILE_WRITE_EA, x for
 * FILE_EXECUTE; the owner keeps r (and rwx on directories); named
 * user/group entries duplicating owner and group and a mask of rwx are
 * added, so stat(2) on the server shows the mask as the group bits.  It
 * reports r as 0x00120089, w as 0x00000116, x as 0x00000020 and rwx as
 * 0x001E01FF (files) or 0x001F01FF (directories), from the POSIX ACL or
 * mode.  It ignores, returning success, a DACL with a DENY after an
 * ALLOW or with any S-1-5-88 SID.
 *
 * sfu (Interix / Services for Unix; cifs.ko 6.12+ cifs_sfu_type() and
 * __cifs_sfu_make_node()): a file with FILE_ATTRIBUTE_SYSTEM holding
 *
 *   character device  "IntxCHR\0", major (le64), minor (le64): 24 bytes
 *   block device      "IntxBLK\0", major (le64), minor (le64): 24 bytes
 *   symlink           "IntxLNK\1", the target in UTF-16LE, no NUL
 *   FIFO              nothing (an empty file)
 *   socket            one zero byte
 *
 * (cifs.ko before 6.12 wrote "LnxFIFO\0" / "LnxSOCK\0" and 16 zero
 * bytes).  setuid, setgid and sticky live in the EA "SETFILEBITS", the
 * mode's 07000 bits as a le32, which cifs.ko reads but never writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "smbfs/smb2.h"
#include "smbfs/utf16.h"
#include "unix_meta.h"

/* MS-DTYP 2.4.2.4 well-known SIDs and the Samba / MS-NFS id ranges. */
static const struct {
	uint64_t authority;
	unsigned int n; /* fixed sub-authorities, the id follows if ided */
	uint32_t sub[2];
	bool ided;
} sid_kinds[] = {
	[UNIX_META_SID_EVERYONE] = { 1, 1, { 0 }, false },
	[UNIX_META_SID_AUTH_USERS] = { 5, 1, { 11 }, false },
	[UNIX_META_SID_UNIX_USER] = { 22, 1, { 1 }, true },
	[UNIX_META_SID_UNIX_GROUP] = { 22, 1, { 2 }, true },
	[UNIX_META_SID_NFS_USER] = { 5, 2, { 88, 1 }, true },
	[UNIX_META_SID_NFS_GROUP] = { 5, 2, { 88, 2 }, true },
	[UNIX_META_SID_NFS_MODE] = { 5, 2, { 88, 3 }, true },
};

void unix_meta_sid(struct smb_sid *sid, enum unix_meta_sid_kind kind,
		   uint32_t id)
{
	uint32_t sub[3];
	unsigned int n = sid_kinds[kind].n;

	memcpy(sub, sid_kinds[kind].sub, n * sizeof(sub[0]));
	if (sid_kinds[kind].ided)
		sub[n++] = id;
	smb_sid_init(sid, sid_kinds[kind].authority, n, sub);
}

bool unix_meta_sid_is(const struct smb_sid *sid, enum unix_meta_sid_kind kind,
		      uint32_t *id)
{
	struct smb_sid want;

	if (!sid_kinds[kind].ided) {
		unix_meta_sid(&want, kind, 0);
		return smb_sid_equal(sid, &want);
	}
	smb_sid_init(&want, sid_kinds[kind].authority, sid_kinds[kind].n,
		     sid_kinds[kind].sub);
	return smb_sid_rid_of(sid, &want, id);
}

/* --- owners --- */

static bool well_known_id(const struct smb_sid *sid, bool group, uint32_t *id)
{
	if (group)
		return unix_meta_sid_is(sid, UNIX_META_SID_UNIX_GROUP, id) ||
		       unix_meta_sid_is(sid, UNIX_META_SID_NFS_GROUP, id);
	return unix_meta_sid_is(sid, UNIX_META_SID_UNIX_USER, id) ||
	       unix_meta_sid_is(sid, UNIX_META_SID_NFS_USER, id);
}

bool unix_meta_sid_to_id(const struct unix_meta_idmap *map,
			 const struct smb_sid *sid, bool group, uint32_t *id)
{
	uint32_t found;

	if (well_known_id(sid, group, &found) && found != UINT32_MAX)
		goto mapped;
	if (!group && map->have_self && smb_sid_equal(sid, &map->self_sid)) {
		found = (uint32_t)map->self_uid;
		goto mapped;
	}
	if (map->lookup && !map->lookup(map->lookup_arg, sid, group, &found) &&
	    found != UINT32_MAX)
		goto mapped;
	*id = group ? (uint32_t)map->fallback_gid : (uint32_t)map->fallback_uid;
	return false;
mapped:
	*id = found;
	return true;
}

void unix_meta_id_to_sid(struct smb_sid *sid, bool nfs_style, bool group,
			 uint32_t id)
{
	enum unix_meta_sid_kind kind;

	if (nfs_style)
		kind = group ? UNIX_META_SID_NFS_GROUP : UNIX_META_SID_NFS_USER;
	else
		kind = group ? UNIX_META_SID_UNIX_GROUP
			     : UNIX_META_SID_UNIX_USER;
	unix_meta_sid(sid, kind, id);
}

/* --- modes from descriptors --- */

/* cifs.ko's masks (fs/smb/client/cifspdu.h, fs/smb/common/smb2pdu.h). */
#define FILE_READ_RIGHTS (FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES)
#define FILE_WRITE_RIGHTS                                     \
	(FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | \
	 FILE_WRITE_ATTRIBUTES)
#define FILE_EXEC_RIGHTS FILE_EXECUTE
#define SET_COMMON_RIGHTS \
	(DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER | SYNCHRONIZE)
#define SET_FILE_READ_RIGHTS                             \
	(FILE_READ_DATA | FILE_READ_EA | FILE_WRITE_EA | \
	 FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SET_COMMON_RIGHTS)
#define SET_FILE_WRITE_RIGHTS                                                \
	(FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_READ_EA | FILE_WRITE_EA | \
	 FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SET_COMMON_RIGHTS)
#define SET_FILE_EXEC_RIGHTS                                                  \
	(FILE_READ_EA | FILE_WRITE_EA | FILE_EXECUTE | FILE_READ_ATTRIBUTES | \
	 FILE_WRITE_ATTRIBUTES | SET_COMMON_RIGHTS)
#define SET_MINIMUM_RIGHTS \
	(FILE_READ_EA | FILE_READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE)

/* What Samba reports for r, w, x (smbd/posix_acls.c UNIX_ACCESS_*). */
#define POSIX_READ_MASK	 (FILE_READ_RIGHTS | READ_CONTROL | SYNCHRONIZE)
#define POSIX_WRITE_MASK FILE_WRITE_RIGHTS
#define POSIX_EXEC_MASK	 FILE_EXECUTE

#define OWNER_BITS 0700
#define GROUP_BITS 0070
#define OTHER_BITS 0007

static bool has_rights(uint32_t mask, uint32_t generic, uint32_t all)
{
	return (mask & generic) || (mask & all) == all;
}

/*
 * One ACE for the class whose rwx bits are "bits" (cifs.ko
 * access_flags_to_mode()): *mode and *denied accumulate in ACE order.
 */
static void ace_to_mode(const struct smb_ace *ace, mode_t bits, mode_t *mode,
			mode_t *denied, unsigned int flags)
{
	uint32_t m = ace->mask;
	mode_t r = has_rights(m, GENERIC_READ, FILE_READ_RIGHTS) ? 0444 : 0;
	mode_t w = has_rights(m, GENERIC_WRITE, FILE_WRITE_RIGHTS) ? 0222 : 0;
	mode_t x = has_rights(m, GENERIC_EXECUTE, FILE_EXEC_RIGHTS) ? 0111 : 0;

	if (ace->type == SMB_ACE_ACCESS_DENIED) {
		/* A bit already allowed stays allowed. */
		if ((m & GENERIC_ALL) && !(*mode & bits))
			*denied |= bits;
		*denied |= (r | w | x) & bits & ~*mode;
		return;
	}
	if ((m & GENERIC_ALL) && !(*denied & bits)) {
		*mode |= bits;
		return;
	}
	*mode |= (r | w | x) & bits & ~*denied;
	if (!(flags & UNIX_META_STICKY_FROM_ACL) || !(m & FILE_DELETE_CHILD) ||
	    (*denied & S_ISVTX))
		return;
	if (bits == OWNER_BITS) {
		*mode |= S_ISVTX;
	} else {
		*mode &= ~(mode_t)S_ISVTX;
		*denied |= S_ISVTX;
	}
}

/* The class an ACE's SID belongs to, or 0. */
static mode_t ace_class(const struct smb_sd *sd, const struct smb_sid *sid)
{
	if (sd->has_owner && smb_sid_equal(sid, &sd->owner))
		return OWNER_BITS;
	if (sd->has_group && smb_sid_equal(sid, &sd->group))
		return GROUP_BITS;
	if (unix_meta_sid_is(sid, UNIX_META_SID_EVERYONE, NULL) ||
	    unix_meta_sid_is(sid, UNIX_META_SID_AUTH_USERS, NULL))
		return OTHER_BITS;
	return 0;
}

mode_t unix_meta_mode_from_sd(const struct smb_sd *sd, mode_t base,
			      unsigned int flags)
{
	mode_t mode = base & ~(mode_t)0777, denied = 0, bits;
	uint32_t sid_mode;
	uint16_t i;

	if (!sd->has_dacl)
		return base;
	for (i = 0; i < sd->dacl.count; i++) {
		const struct smb_ace *ace = &sd->dacl.aces[i];

		if (!smb_ace_is_simple(ace))
			continue;
		/* cifs.ko ORs in the whole sub-authority; keep it to 07777. */
		if ((flags & UNIX_META_MODE_FROM_SID) &&
		    unix_meta_sid_is(&ace->sid, UNIX_META_SID_NFS_MODE,
				     &sid_mode))
			return (base & ~(mode_t)07777) | (sid_mode & 07777);
		bits = ace_class(sd, &ace->sid);
		if (bits)
			ace_to_mode(ace, bits, &mode, &denied, flags);
	}
	return mode;
}

void unix_meta_from_sd(const struct smb_sd *sd,
		       const struct unix_meta_idmap *map, mode_t base,
		       unsigned int flags, struct unix_meta_attr *out)
{
	uint32_t uid = (uint32_t)map->fallback_uid;
	uint32_t gid = (uint32_t)map->fallback_gid;

	out->uid_mapped = sd->has_owner &&
			  unix_meta_sid_to_id(map, &sd->owner, false, &uid);
	out->gid_mapped = sd->has_group &&
			  unix_meta_sid_to_id(map, &sd->group, true, &gid);
	out->uid = (uid_t)uid;
	out->gid = (gid_t)gid;
	out->mode = unix_meta_mode_from_sd(sd, base, flags);
}

/* --- descriptors from modes --- */

/* The rights for the r, w and x bits of one class, in that order. */
static const uint32_t cifs_rwx[3] = { SET_FILE_READ_RIGHTS,
				      SET_FILE_WRITE_RIGHTS,
				      SET_FILE_EXEC_RIGHTS };
static const uint32_t posix_rwx[3] = { POSIX_READ_MASK, POSIX_WRITE_MASK,
				       POSIX_EXEC_MASK };

static uint32_t rwx_mask(mode_t bits, const uint32_t rwx[3])
{
	return ((bits & 0444) ? rwx[0] : 0) | ((bits & 0222) ? rwx[1] : 0) |
	       ((bits & 0111) ? rwx[2] : 0);
}

/* cifs.ko fill_ace_for_sid(): the mask of one ALLOW or DENY ACE. */
static uint32_t cifs_mask(mode_t bits, bool allow, bool delete_child)
{
	uint32_t m = rwx_mask(bits, cifs_rwx);

	if (!allow)
		return m & ~(uint32_t)SET_MINIMUM_RIGHTS;
	if (delete_child)
		m |= FILE_DELETE_CHILD;
	return m ? m : SET_MINIMUM_RIGHTS;
}

static uint32_t posix_mask(mode_t bits, bool delete_child)
{
	uint32_t m = rwx_mask(bits, posix_rwx);

	return delete_child ? m | FILE_DELETE_CHILD : m;
}

struct new_aces {
	const struct smb_sid *owner, *group;
	struct smb_sid everyone;
	mode_t user, grp, other; /* each in its own bit position */
	bool sticky;
};

static int add_ace(struct smb_acl *acl, bool allow, uint32_t mask,
		   const struct smb_sid *sid)
{
	return smb_acl_add(
		acl, allow ? SMB_ACE_ACCESS_ALLOWED : SMB_ACE_ACCESS_DENIED, 0,
		mask, sid);
}

/* cifs.ko populate_new_aces() without modefromsid. */
static int add_cifs_aces(struct smb_acl *acl, const struct new_aces *n)
{
	mode_t deny_user = ~n->user & ((n->grp << 3) | (n->other << 6)) & 0700;
	mode_t deny_group = ~n->grp & (n->other << 3) & 0070;
	bool group_deny_late = deny_group & (n->user >> 3);
	int rc = 0;

	if (deny_user)
		rc = add_ace(acl, false, cifs_mask(deny_user, false, false),
			     n->owner);
	if (!rc && deny_group && !group_deny_late)
		rc = add_ace(acl, false, cifs_mask(deny_group, false, false),
			     n->group);
	if (!rc)
		rc = add_ace(acl, true, cifs_mask(n->user, true, true),
			     n->owner);
	if (!rc && deny_group && group_deny_late)
		rc = add_ace(acl, false, cifs_mask(deny_group, false, false),
			     n->group);
	if (!rc)
		rc = add_ace(acl, true, cifs_mask(n->grp, true, !n->sticky),
			     n->group);
	if (!rc)
		rc = add_ace(acl, true, cifs_mask(n->other, true, !n->sticky),
			     &n->everyone);
	return rc;
}

/* Like cifs.ko's placement of FILE_DELETE_CHILD, with Samba's masks. */
static int add_posix_aces(struct smb_acl *acl, const struct new_aces *n)
{
	int rc;

	rc = add_ace(acl, true, posix_mask(n->user, true), n->owner);
	if (!rc)
		rc = add_ace(acl, true, posix_mask(n->grp, !n->sticky),
			     n->group);
	if (!rc)
		rc = add_ace(acl, true, posix_mask(n->other, !n->sticky),
			     &n->everyone);
	return rc;
}

static int add_mode_sid_aces(struct smb_acl *acl, mode_t mode)
{
	struct smb_sid sid;
	int rc;

	unix_meta_sid(&sid, UNIX_META_SID_NFS_MODE, (uint32_t)(mode & 07777));
	rc = add_ace(acl, false, 0, &sid);
	unix_meta_sid(&sid, UNIX_META_SID_AUTH_USERS, 0);
	return rc ? rc : add_ace(acl, true, GENERIC_ALL, &sid);
}

static int add_new_aces(struct smb_acl *acl, const struct new_aces *n,
			mode_t mode, enum unix_meta_acl_style style)
{
	switch (style) {
	case UNIX_META_ACL_CIFS:
		return add_cifs_aces(acl, n);
	case UNIX_META_ACL_POSIX:
		return add_posix_aces(acl, n);
	case UNIX_META_ACL_MODE_SID:
		return add_mode_sid_aces(acl, mode);
	}
	return -EINVAL;
}

/* The ACEs chmod replaces (cifs.ko set_chmod_dacl()). */
static bool ace_replaced(const struct smb_ace *ace, const struct new_aces *n)
{
	return smb_ace_is_simple(ace) &&
	       (smb_sid_equal(&ace->sid, n->owner) ||
		smb_sid_equal(&ace->sid, n->group) ||
		smb_sid_equal(&ace->sid, &n->everyone) ||
		unix_meta_sid_is(&ace->sid, UNIX_META_SID_AUTH_USERS, NULL) ||
		unix_meta_sid_is(&ace->sid, UNIX_META_SID_NFS_MODE, NULL));
}

int unix_meta_chmod_dacl(const struct smb_acl *old, const struct smb_sid *owner,
			 const struct smb_sid *group, mode_t mode,
			 enum unix_meta_acl_style style, struct smb_acl *out,
			 mode_t *stored)
{
	struct new_aces n = { .owner = owner, .group = group };
	bool added = false;
	uint16_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->revision = old ? old->revision : SMB_ACL_REVISION;
	unix_meta_sid(&n.everyone, UNIX_META_SID_EVERYONE, 0);
	n.user = mode & OWNER_BITS;
	n.grp = mode & GROUP_BITS;
	n.other = mode & OTHER_BITS;
	n.sticky = mode & S_ISVTX;
	if (smb_sid_equal(owner, group)) {
		/* One SID for both classes: it gets what both may do. */
		n.user &= mode << 3;
		n.grp &= mode >> 3;
	}
	if (stored)
		*stored = n.user | n.grp | n.other | (mode & ~(mode_t)0777);
	for (i = 0; old && !rc && i < old->count; i++) {
		const struct smb_ace *ace = &old->aces[i];

		if (!added && (ace->flags & SMB_ACE_FLAG_INHERITED)) {
			rc = add_new_aces(out, &n, mode, style);
			added = true;
		}
		if (!rc && !ace_replaced(ace, &n))
			rc = smb_acl_append(out, ace);
	}
	if (!rc && !added)
		rc = add_new_aces(out, &n, mode, style);
	if (rc)
		smb_acl_free(out);
	return rc;
}

int unix_meta_chmod_sd(const struct smb_sd *old, mode_t mode,
		       enum unix_meta_acl_style style, struct smb_sd *out,
		       mode_t *stored)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!old->has_owner || !old->has_group)
		return -EINVAL;
	out->revision = 1;
	out->control = old->control & ~SMB_SD_SACL_PRESENT;
	rc = unix_meta_chmod_dacl(old->has_dacl ? &old->dacl : NULL,
				  &old->owner, &old->group, mode, style,
				  &out->dacl, stored);
	out->has_dacl = !rc;
	return rc;
}

int unix_meta_chown_sd(const struct smb_sd *old,
		       const struct smb_sid *new_owner,
		       const struct smb_sid *new_group, struct smb_sd *out)
{
	uint16_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!old->has_owner || !old->has_group)
		return -EINVAL;
	out->revision = 1;
	out->control = old->control & ~SMB_SD_SACL_PRESENT;
	out->has_owner = out->has_group = true;
	out->owner = new_owner ? *new_owner : old->owner;
	out->group = new_group ? *new_group : old->group;
	out->has_dacl = old->has_dacl;
	out->dacl.revision = old->dacl.revision;
	for (i = 0; old->has_dacl && !rc && i < old->dacl.count; i++) {
		struct smb_ace ace = old->dacl.aces[i];

		/* cifs.ko replace_sids_and_copy_aces() */
		if (smb_ace_is_simple(&ace)) {
			if (smb_sid_equal(&ace.sid, &old->owner))
				ace.sid = out->owner;
			else if (smb_sid_equal(&ace.sid, &old->group))
				ace.sid = out->group;
		}
		rc = smb_acl_append(&out->dacl, &ace);
	}
	if (rc)
		smb_sd_free(out);
	return rc;
}

int unix_meta_create_sd(mode_t mode, bool ids, uid_t uid, gid_t gid,
			struct smb_sd *out)
{
	struct smb_sid sid;
	int rc;

	memset(out, 0, sizeof(*out));
	out->revision = 1;
	out->control = SMB_SD_DACL_PRESENT;
	out->has_dacl = true;
	out->dacl.revision = SMB_ACL_REVISION;
	if (ids) {
		out->has_owner = out->has_group = true;
		unix_meta_id_to_sid(&out->owner, true, false, (uint32_t)uid);
		unix_meta_id_to_sid(&out->group, true, true, (uint32_t)gid);
	}
	unix_meta_sid(&sid, UNIX_META_SID_NFS_MODE, (uint32_t)(mode & 07777));
	rc = add_ace(&out->dacl, false, 0, &sid);
	if (!rc && ids)
		rc = add_ace(&out->dacl, true, GENERIC_ALL, &out->owner);
	unix_meta_sid(&sid, UNIX_META_SID_AUTH_USERS, 0);
	if (!rc)
		rc = add_ace(&out->dacl, true, GENERIC_ALL, &sid);
	if (rc)
		smb_sd_free(out);
	return rc;
}

/* --- sfu --- */

#define SFU_MAGIC_LEN 8
static const uint8_t sfu_chr[SFU_MAGIC_LEN] = "IntxCHR";
static const uint8_t sfu_blk[SFU_MAGIC_LEN] = "IntxBLK";
static const uint8_t sfu_lnk[SFU_MAGIC_LEN] = "IntxLNK\1";
static const uint8_t sfu_old_fifo[SFU_MAGIC_LEN] = "LnxFIFO";
static const uint8_t sfu_old_sock[SFU_MAGIC_LEN] = "LnxSOCK";

mode_t unix_meta_sfu_type(const uint8_t *head, size_t len, uint64_t size,
			  dev_t *rdev)
{
	bool dev;
	mode_t type;

	*rdev = 0;
	if (size == 0)
		return S_IFIFO;
	if (size == 1)
		return len == 1 && head[0] == 0 ? S_IFSOCK : 0;
	if (size < SFU_MAGIC_LEN || len < SFU_MAGIC_LEN)
		return 0;
	if (!memcmp(head, sfu_lnk, SFU_MAGIC_LEN))
		return S_IFLNK;
	if (!memcmp(head, sfu_old_fifo, SFU_MAGIC_LEN))
		return S_IFIFO;
	if (!memcmp(head, sfu_old_sock, SFU_MAGIC_LEN))
		return S_IFSOCK;
	dev = !memcmp(head, sfu_chr, SFU_MAGIC_LEN);
	type = S_IFCHR;
	if (!dev && !memcmp(head, sfu_blk, SFU_MAGIC_LEN)) {
		dev = true;
		type = S_IFBLK;
	}
	if (!dev)
		return 0;
	/* Without both numbers cifs.ko shows the device as 0:0. */
	if (len >= UNIX_META_SFU_HEAD && size >= UNIX_META_SFU_HEAD)
		*rdev = makedev((unsigned int)le64_get(head + 8),
				(unsigned int)le64_get(head + 16));
	return type;
}

int unix_meta_sfu_link_target(const uint8_t *buf, size_t len, char **target)
{
	size_t n;

	*target = NULL;
	if (len < SFU_MAGIC_LEN || memcmp(buf, sfu_lnk, SFU_MAGIC_LEN))
		return -EINVAL;
	n = len - SFU_MAGIC_LEN;
	if (n == 0 || n % 2)
		return -EILSEQ;
	if (n / 2 > UNIX_META_SFU_LINK_MAX)
		return -ENAMETOOLONG;
	return utf16le_to_utf8(buf + SFU_MAGIC_LEN, n, target);
}

int unix_meta_sfu_encode(struct smb_wbuf *w, mode_t type, dev_t rdev,
			 const char *target)
{
	size_t len;
	long n;

	switch (type & S_IFMT) {
	case S_IFCHR:
	case S_IFBLK:
		wbuf_bytes(w, S_ISCHR(type) ? sfu_chr : sfu_blk, SFU_MAGIC_LEN);
		wbuf_u64(w, major(rdev));
		wbuf_u64(w, minor(rdev));
		break;
	case S_IFIFO:
		break; /* an empty SYSTEM file */
	case S_IFSOCK:
		wbuf_u8(w, 0); /* one zero byte */
		break;
	case S_IFLNK:
		len = target ? strlen(target) : 0;
		if (!len)
			return -EINVAL;
		n = utf8_utf16le_size(target, len);
		if (n < 0)
			return (int)n;
		if ((size_t)n / 2 > UNIX_META_SFU_LINK_MAX)
			return -ENAMETOOLONG;
		wbuf_bytes(w, sfu_lnk, SFU_MAGIC_LEN);
		n = utf8_to_utf16le(w, target, len);
		if (n < 0)
			return (int)n;
		break;
	default:
		return -EINVAL;
	}
	return wbuf_error(w);
}

mode_t unix_meta_sfu_bits_apply(mode_t mode, const uint8_t *value, size_t len)
{
	if (len < 4)
		return mode;
	return (mode & ~(mode_t)UNIX_META_SFU_BITS_MASK) |
	       (le32_get(value) & UNIX_META_SFU_BITS_MASK);
}

void unix_meta_sfu_bits_encode(mode_t mode, uint8_t value[4])
{
	le32_put(value, (uint32_t)(mode & UNIX_META_SFU_BITS_MASK));
}
