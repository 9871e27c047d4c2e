/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Security identifiers, access control lists and self-relative security
 * descriptors (MS-DTYP 2.4.2, 2.4.4, 2.4.5, 2.4.6): the buffer QUERY_INFO
 * and SET_INFO carry for SMB2_0_INFO_SECURITY.
 *
 * smb_sd_decode() turns a descriptor into a struct whose owner, group and
 * DACL can be read and changed; smb_sd_encode() writes it back.  ACCESS
 * ALLOWED and ACCESS DENIED ACEs are decoded into mask and SID; every
 * other ACE type, and the SACL, are kept as opaque bytes so that a
 * descriptor can be rewritten without losing what this code does not
 * interpret.  Every offset, count and size taken from the buffer is
 * checked; a hostile descriptor yields -EBADMSG, never a read outside it.
 */
#ifndef SMBFS_WIRE_SECURITY_DESC_H
#define SMBFS_WIRE_SECURITY_DESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/bytes.h"

/* MS-DTYP 2.4.2.2: at most 15 sub-authorities. */
#define SMB_SID_MAX_SUB_AUTH 15
#define SMB_SID_MIN_SIZE     8
#define SMB_SID_MAX_SIZE     (SMB_SID_MIN_SIZE + 4 * SMB_SID_MAX_SUB_AUTH)
/* "S-1-" + 48-bit authority in hex + 15 * "-4294967295" + NUL */
#define SMB_SID_STRING_MAX (4 + 2 + 12 + SMB_SID_MAX_SUB_AUTH * 11 + 1)

struct smb_sid {
	uint8_t revision;   /* 1 */
	uint8_t num_auth;   /* SubAuthorityCount, <= SMB_SID_MAX_SUB_AUTH */
	uint64_t authority; /* 48-bit IdentifierAuthority */
	uint32_t sub_auth[SMB_SID_MAX_SUB_AUTH];
};

/* Builds S-1-<authority>-<sub[0]>-...; n <= SMB_SID_MAX_SUB_AUTH. */
void smb_sid_init(struct smb_sid *sid, uint64_t authority, unsigned int n,
		  const uint32_t *sub);
/* The SID's size on the wire: 8 + 4 * num_auth. */
size_t smb_sid_size(const struct smb_sid *sid);
bool smb_sid_equal(const struct smb_sid *a, const struct smb_sid *b);
/*
 * True when sid is prefix plus exactly one more sub-authority; *rid (may
 * be NULL) receives it.  S-1-22-1-1000 is S-1-22-1 plus rid 1000.
 */
bool smb_sid_rid_of(const struct smb_sid *sid, const struct smb_sid *prefix,
		    uint32_t *rid);
/* Decodes the SID at buf; *used (may be NULL) gets its size.  -EBADMSG. */
int smb_sid_decode(const uint8_t *buf, size_t len, struct smb_sid *sid,
		   size_t *used);
int smb_sid_encode(struct smb_wbuf *w, const struct smb_sid *sid);
/*
 * MS-DTYP 2.4.2.1 string form into buf (SMB_SID_STRING_MAX is always
 * enough); the authority is decimal below 2^32, else 0x + 12 hex digits.
 * Returns 0 or -ENOSPC.
 */
int smb_sid_format(const struct smb_sid *sid, char *buf, size_t size);
/* Parses "S-1-5-21-..." (revision 1 only); 0 or -EINVAL. */
int smb_sid_parse(const char *s, struct smb_sid *sid);

/* ACE types (MS-DTYP 2.4.4.1) and flags */
#define SMB_ACE_ACCESS_ALLOWED	       0x00
#define SMB_ACE_ACCESS_DENIED	       0x01
#define SMB_ACE_FLAG_OBJECT_INHERIT    0x01
#define SMB_ACE_FLAG_CONTAINER_INHERIT 0x02
#define SMB_ACE_FLAG_NO_PROPAGATE      0x04
#define SMB_ACE_FLAG_INHERIT_ONLY      0x08
#define SMB_ACE_FLAG_INHERITED	       0x10

/* ACE header (type, flags, size) plus mask plus the smallest SID */
#define SMB_ACE_HEADER_SIZE 4
#define SMB_ACE_MIN_SIZE    (SMB_ACE_HEADER_SIZE + 4 + SMB_SID_MIN_SIZE)

struct smb_ace {
	uint8_t type;
	uint8_t flags;
	/* ACCESS_ALLOWED / ACCESS_DENIED (MS-DTYP 2.4.4.2, 2.4.4.4) */
	uint32_t mask;
	struct smb_sid sid;
	/* Any other type: the AceSize - 4 bytes after the header, as read. */
	uint8_t *opaque;
	size_t opaque_len;
};

static inline bool smb_ace_is_simple(const struct smb_ace *ace)
{
	return ace->type == SMB_ACE_ACCESS_ALLOWED ||
	       ace->type == SMB_ACE_ACCESS_DENIED;
}

/* MS-DTYP 2.4.5: AclRevision 2 for these ACE types, 4 with object ACEs. */
#define SMB_ACL_REVISION    2
#define SMB_ACL_REVISION_DS 4
#define SMB_ACL_HEADER_SIZE 8

struct smb_acl {
	uint8_t revision;
	uint16_t count;
	struct smb_ace *aces;
};

/* Appends a copy of ace (opaque bytes included); 0, -ENOMEM, -E2BIG. */
int smb_acl_append(struct smb_acl *acl, const struct smb_ace *ace);
/* Adds an ACCESS_ALLOWED / ACCESS_DENIED ACE. */
int smb_acl_add(struct smb_acl *acl, uint8_t type, uint8_t flags, uint32_t mask,
		const struct smb_sid *sid);
void smb_acl_free(struct smb_acl *acl);
/* The ACL's size on the wire, or 0 if it would not fit AclSize. */
size_t smb_acl_size(const struct smb_acl *acl);
int smb_acl_encode(struct smb_wbuf *w, const struct smb_acl *acl);

/* Security descriptor control flags (MS-DTYP 2.4.6) */
#define SMB_SD_OWNER_DEFAULTED	   0x0001
#define SMB_SD_GROUP_DEFAULTED	   0x0002
#define SMB_SD_DACL_PRESENT	   0x0004
#define SMB_SD_DACL_DEFAULTED	   0x0008
#define SMB_SD_SACL_PRESENT	   0x0010
#define SMB_SD_DACL_AUTO_INHERITED 0x0400
#define SMB_SD_SACL_AUTO_INHERITED 0x0800
#define SMB_SD_DACL_PROTECTED	   0x1000
#define SMB_SD_SACL_PROTECTED	   0x2000
#define SMB_SD_SELF_RELATIVE	   0x8000

#define SMB_SD_HEADER_SIZE 20

struct smb_sd {
	uint8_t revision; /* 1 */
	uint8_t sbz1;	  /* resource manager control bits, kept */
	uint16_t control;
	bool has_owner, has_group;
	struct smb_sid owner, group;
	/*
	 * has_dacl: the descriptor carries a DACL (DACL_PRESENT and a
	 * non-zero offset).  DACL_PRESENT without one is the NULL DACL that
	 * grants everyone everything: has_dacl false, control keeps the bit.
	 */
	bool has_dacl;
	struct smb_acl dacl;
	uint8_t *sacl; /* the whole SACL as read, or NULL */
	size_t sacl_len;
};

/*
 * Decodes a self-relative descriptor (MS-DTYP 2.4.6).  Returns 0,
 * -EBADMSG for a malformed one or -ENOMEM; on error *sd holds nothing
 * to free.
 */
int smb_sd_decode(const uint8_t *buf, size_t len, struct smb_sd *sd);
/*
 * Appends the self-relative form: header, owner, group, SACL, DACL.
 * The control word is written as stored, with SELF_RELATIVE set and
 * DACL_PRESENT / SACL_PRESENT following has_dacl / sacl (a NULL DACL
 * keeps DACL_PRESENT as the caller left it).
 */
int smb_sd_encode(struct smb_wbuf *w, const struct smb_sd *sd);
void smb_sd_free(struct smb_sd *sd);

#endif
