// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Security descriptors (MS-DTYP 2.4.6) with their SIDs (2.4.2) and ACLs
 * (2.4.5, 2.4.4).
 *
 * Self-relative layout, all integers little-endian except the SID
 * authority:
 *
 *   SECURITY_DESCRIPTOR  Revision(1)=1 Sbz1(1) Control(2) OffsetOwner(4)
 *                        OffsetGroup(4) OffsetSacl(4) OffsetDacl(4)
 *                        -- offsets from the descriptor start, 0: absent
 *   SID                  Revision(1)=1 SubAuthorityCount(1)<=15
 *                        IdentifierAuthority(6, big-endian)
 *                        SubAuthority(4 each)
 *   ACL                  AclRevision(1) Sbz1(1) AclSize(2) AceCount(2)
 *                        Sbz2(2), then AceCount ACEs within AclSize
 *   ACE                  AceType(1) AceFlags(1) AceSize(2), then for
 *                        ACCESS_ALLOWED(0) / ACCESS_DENIED(1):
 *                        Mask(4) Sid
 *
 * Samba 4.17 writes owner, group, then DACL after the header (it has no
 * SACL to return without SeSecurityPrivilege); the encoder uses the same
 * order so that a descriptor read from Samba encodes back to its bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/wire/security_desc.h"

#define SID_AUTHORITY_MAX ((1ull << 48) - 1)

void smb_sid_init(struct smb_sid *sid, uint64_t authority, unsigned int n,
		  const uint32_t *sub)
{
	memset(sid, 0, sizeof(*sid));
	sid->revision = 1;
	if (n > SMB_SID_MAX_SUB_AUTH)
		n = SMB_SID_MAX_SUB_AUTH;
	sid->num_auth = (uint8_t)n;
	sid->authority = authority & SID_AUTHORITY_MAX;
	if (n)
		memcpy(sid->sub_auth, sub, n * sizeof(*sub));
}

size_t smb_sid_size(const struct smb_sid *sid)
{
	return SMB_SID_MIN_SIZE + 4 * (size_t)sid->num_auth;
}

bool smb_sid_equal(const struct smb_sid *a, const struct smb_sid *b)
{
	return a->revision == b->revision && a->num_auth == b->num_auth &&
	       a->authority == b->authority &&
	       !memcmp(a->sub_auth, b->sub_auth,
		       a->num_auth * sizeof(a->sub_auth[0]));
}

bool smb_sid_rid_of(const struct smb_sid *sid, const struct smb_sid *prefix,
		    uint32_t *rid)
{
	if (sid->revision != prefix->revision ||
	    sid->authority != prefix->authority ||
	    sid->num_auth != prefix->num_auth + 1 ||
	    memcmp(sid->sub_auth, prefix->sub_auth,
		   prefix->num_auth * sizeof(sid->sub_auth[0])))
		return false;
	if (rid)
		*rid = sid->sub_auth[prefix->num_auth];
	return true;
}

int smb_sid_decode(const uint8_t *buf, size_t len, struct smb_sid *sid,
		   size_t *used)
{
	size_t need, i;

	memset(sid, 0, sizeof(*sid));
	if (len < SMB_SID_MIN_SIZE || buf[0] != 1 ||
	    buf[1] > SMB_SID_MAX_SUB_AUTH)
		return -EBADMSG;
	need = SMB_SID_MIN_SIZE + 4 * (size_t)buf[1];
	if (len < need)
		return -EBADMSG;
	sid->revision = buf[0];
	sid->num_auth = buf[1];
	for (i = 2; i < SMB_SID_MIN_SIZE; i++)
		sid->authority = sid->authority << 8 | buf[i];
	for (i = 0; i < sid->num_auth; i++)
		sid->sub_auth[i] = le32_get(buf + SMB_SID_MIN_SIZE + 4 * i);
	if (used)
		*used = need;
	return 0;
}

int smb_sid_encode(struct smb_wbuf *w, const struct smb_sid *sid)
{
	unsigned int i;

	if (sid->num_auth > SMB_SID_MAX_SUB_AUTH ||
	    sid->authority > SID_AUTHORITY_MAX)
		return -EINVAL;
	wbuf_u8(w, sid->revision);
	wbuf_u8(w, sid->num_auth);
	for (i = 0; i < 6; i++)
		wbuf_u8(w, (uint8_t)(sid->authority >> (40 - 8 * i)));
	for (i = 0; i < sid->num_auth; i++)
		wbuf_u32(w, sid->sub_auth[i]);
	return wbuf_error(w);
}

int smb_sid_format(const struct smb_sid *sid, char *buf, size_t size)
{
	size_t used;
	unsigned int i;
	int n;

	/* MS-DTYP 2.4.2.1: hexadecimal only from 2^32 on. */
	if (sid->authority >> 32)
		n = snprintf(buf, size, "S-%u-0x%012" PRIX64, sid->revision,
			     sid->authority);
	else
		n = snprintf(buf, size, "S-%u-%" PRIu64, sid->revision,
			     sid->authority);
	for (i = 0; n >= 0 && (size_t)n < size && i < sid->num_auth; i++) {
		used = (size_t)n;
		n = snprintf(buf + used, size - used, "-%" PRIu32,
			     sid->sub_auth[i]);
		if (n >= 0)
			n += (int)used;
	}
	return n >= 0 && (size_t)n < size ? 0 : -ENOSPC;
}

/* Reads an unsigned number in base 10 or (with 0x) 16, at most max. */
static int parse_number(const char **sp, uint64_t max, uint64_t *out)
{
	const char *s = *sp;
	unsigned int base = 10;
	uint64_t v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			break;
		if (v > (max - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (!digits)
		return -EINVAL;
	*sp = s;
	*out = v;
	return 0;
}

int smb_sid_parse(const char *s, struct smb_sid *sid)
{
	uint64_t v;

	memset(sid, 0, sizeof(*sid));
	if ((s[0] != 'S' && s[0] != 's') || strncmp(s + 1, "-1-", 3))
		return -EINVAL;
	s += 4;
	sid->revision = 1;
	if (parse_number(&s, SID_AUTHORITY_MAX, &sid->authority))
		return -EINVAL;
	while (*s == '-') {
		s++;
		if (sid->num_auth == SMB_SID_MAX_SUB_AUTH ||
		    parse_number(&s, UINT32_MAX, &v))
			return -EINVAL;
		sid->sub_auth[sid->num_auth++] = (uint32_t)v;
	}
	return *s ? -EINVAL : 0;
}

static int ace_copy_opaque(struct smb_ace *dst, const uint8_t *p, size_t n)
{
	dst->opaque = NULL;
	dst->opaque_len = n;
	if (!n)
		return 0;
	dst->opaque = malloc(n);
	if (!dst->opaque)
		return -ENOMEM;
	memcpy(dst->opaque, p, n);
	return 0;
}

/*
 * ACE arrays hold a power of two of entries (at least 4), so that
 * appending one ACE at a time stays linear.
 */
static size_t acl_capacity(size_t count)
{
	size_t cap = 4;

	while (cap < count)
		cap *= 2;
	return cap;
}

/* Room for one more ACE; AceCount is 16 bits. */
static int acl_grow(struct smb_acl *acl)
{
	size_t cap = acl_capacity((size_t)acl->count + 1);
	struct smb_ace *aces;

	if (acl->count == UINT16_MAX)
		return -E2BIG;
	if (acl->aces && cap == acl_capacity(acl->count))
		return 0;
	aces = realloc(acl->aces, cap * sizeof(*aces));
	if (!aces)
		return -ENOMEM;
	acl->aces = aces;
	return 0;
}

int smb_acl_append(struct smb_acl *acl, const struct smb_ace *ace)
{
	struct smb_ace *dst;
	int rc;

	if (!smb_ace_is_simple(ace) &&
	    ace->opaque_len > UINT16_MAX - SMB_ACE_HEADER_SIZE)
		return -E2BIG;
	rc = acl_grow(acl);
	if (rc)
		return rc;
	dst = &acl->aces[acl->count];
	*dst = *ace;
	rc = ace_copy_opaque(dst, ace->opaque, ace->opaque_len);
	if (rc)
		return rc;
	acl->count++;
	return 0;
}

int smb_acl_add(struct smb_acl *acl, uint8_t type, uint8_t flags, uint32_t mask,
		const struct smb_sid *sid)
{
	struct smb_ace ace;

	memset(&ace, 0, sizeof(ace));
	ace.type = type;
	ace.flags = flags;
	ace.mask = mask;
	ace.sid = *sid;
	return smb_acl_append(acl, &ace);
}

void smb_acl_free(struct smb_acl *acl)
{
	uint16_t i;

	for (i = 0; i < acl->count; i++)
		free(acl->aces[i].opaque);
	free(acl->aces);
	acl->aces = NULL;
	acl->count = 0;
}

static size_t ace_size(const struct smb_ace *ace)
{
	if (smb_ace_is_simple(ace))
		return SMB_ACE_HEADER_SIZE + 4 + smb_sid_size(&ace->sid);
	return SMB_ACE_HEADER_SIZE + ace->opaque_len;
}

size_t smb_acl_size(const struct smb_acl *acl)
{
	size_t size = SMB_ACL_HEADER_SIZE;
	uint16_t i;

	for (i = 0; i < acl->count; i++)
		size += ace_size(&acl->aces[i]);
	return size > UINT16_MAX ? 0 : size;
}

int smb_acl_encode(struct smb_wbuf *w, const struct smb_acl *acl)
{
	size_t size = smb_acl_size(acl);
	uint16_t i;
	int rc;

	if (!size)
		return -EOVERFLOW;
	wbuf_u8(w, acl->revision);
	wbuf_u8(w, 0); /* Sbz1 */
	wbuf_u16(w, (uint16_t)size);
	wbuf_u16(w, acl->count);
	wbuf_u16(w, 0); /* Sbz2 */
	for (i = 0; i < acl->count; i++) {
		const struct smb_ace *ace = &acl->aces[i];

		wbuf_u8(w, ace->type);
		wbuf_u8(w, ace->flags);
		wbuf_u16(w, (uint16_t)ace_size(ace));
		if (!smb_ace_is_simple(ace)) {
			wbuf_bytes(w, ace->opaque, ace->opaque_len);
			continue;
		}
		wbuf_u32(w, ace->mask);
		rc = smb_sid_encode(w, &ace->sid);
		if (rc)
			return rc;
	}
	return wbuf_error(w);
}

/*
 * One ACE at buf[0..room): fills *ace and *size.  ALLOWED and DENIED
 * ACEs must hold the mask and a whole SID inside AceSize.
 */
static int ace_decode(const uint8_t *buf, size_t room, struct smb_ace *ace,
		      size_t *size)
{
	uint16_t ace_len;

	memset(ace, 0, sizeof(*ace));
	if (room < SMB_ACE_HEADER_SIZE)
		return -EBADMSG;
	ace->type = buf[0];
	ace->flags = buf[1];
	ace_len = le16_get(buf + 2);
	if (ace_len < SMB_ACE_HEADER_SIZE || ace_len > room)
		return -EBADMSG;
	*size = ace_len;
	if (!smb_ace_is_simple(ace))
		return ace_copy_opaque(ace, buf + SMB_ACE_HEADER_SIZE,
				       ace_len - SMB_ACE_HEADER_SIZE);
	if (ace_len < SMB_ACE_MIN_SIZE)
		return -EBADMSG;
	ace->mask = le32_get(buf + SMB_ACE_HEADER_SIZE);
	return smb_sid_decode(buf + SMB_ACE_HEADER_SIZE + 4,
			      ace_len - SMB_ACE_HEADER_SIZE - 4, &ace->sid,
			      NULL);
}

/* The ACL header at off: checks AclSize against the buffer. */
static int acl_header(const uint8_t *buf, size_t len, uint32_t off,
		      uint16_t *size, uint16_t *count)
{
	if (bytes_range_check(len, off, SMB_ACL_HEADER_SIZE))
		return -EBADMSG;
	*size = le16_get(buf + off + 2);
	*count = le16_get(buf + off + 4);
	if (*size < SMB_ACL_HEADER_SIZE || bytes_range_check(len, off, *size))
		return -EBADMSG;
	return 0;
}

static int acl_decode(const uint8_t *buf, size_t len, uint32_t off,
		      struct smb_acl *acl)
{
	uint16_t size, count, i;
	size_t pos, used = 0;
	int rc;

	memset(acl, 0, sizeof(*acl));
	rc = acl_header(buf, len, off, &size, &count);
	if (rc)
		return rc;
	/* Every ACE takes at least its header: refuse absurd counts early. */
	if (count > (size - SMB_ACL_HEADER_SIZE) / SMB_ACE_HEADER_SIZE)
		return -EBADMSG;
	acl->revision = buf[off];
	if (count) {
		acl->aces = calloc(acl_capacity(count), sizeof(*acl->aces));
		if (!acl->aces)
			return -ENOMEM;
	}
	pos = (size_t)off + SMB_ACL_HEADER_SIZE;
	for (i = 0; i < count; i++, pos += used) {
		rc = ace_decode(buf + pos, (size_t)off + size - pos,
				&acl->aces[i], &used);
		acl->count = i + 1; /* so that smb_acl_free sees it */
		if (rc) {
			smb_acl_free(acl);
			return rc;
		}
	}
	return 0;
}

/* The SID at off (0: absent), which must lie after the header. */
static int sd_sid(const uint8_t *buf, size_t len, uint32_t off, bool *has,
		  struct smb_sid *sid)
{
	*has = off != 0;
	if (!off)
		return 0;
	if (off < SMB_SD_HEADER_SIZE || off >= len)
		return -EBADMSG;
	return smb_sid_decode(buf + off, len - off, sid, NULL);
}

static int sd_sacl(const uint8_t *buf, size_t len, uint32_t off,
		   struct smb_sd *sd)
{
	uint16_t size, count;
	int rc;

	if (!off || !(sd->control & SMB_SD_SACL_PRESENT))
		return 0;
	if (off < SMB_SD_HEADER_SIZE)
		return -EBADMSG;
	rc = acl_header(buf, len, off, &size, &count);
	if (rc)
		return rc;
	sd->sacl = malloc(size);
	if (!sd->sacl)
		return -ENOMEM;
	memcpy(sd->sacl, buf + off, size);
	sd->sacl_len = size;
	return 0;
}

int smb_sd_decode(const uint8_t *buf, size_t len, struct smb_sd *sd)
{
	uint32_t owner_off, group_off, sacl_off, dacl_off;
	int rc;

	memset(sd, 0, sizeof(*sd));
	if (len < SMB_SD_HEADER_SIZE || buf[0] != 1)
		return -EBADMSG;
	sd->revision = buf[0];
	sd->sbz1 = buf[1];
	sd->control = le16_get(buf + 2);
	owner_off = le32_get(buf + 4);
	group_off = le32_get(buf + 8);
	sacl_off = le32_get(buf + 12);
	dacl_off = le32_get(buf + 16);
	rc = sd_sid(buf, len, owner_off, &sd->has_owner, &sd->owner);
	if (!rc)
		rc = sd_sid(buf, len, group_off, &sd->has_group, &sd->group);
	if (!rc)
		rc = sd_sacl(buf, len, sacl_off, sd);
	if (!rc && dacl_off && (sd->control & SMB_SD_DACL_PRESENT)) {
		rc = dacl_off < SMB_SD_HEADER_SIZE
			     ? -EBADMSG
			     : acl_decode(buf, len, dacl_off, &sd->dacl);
		sd->has_dacl = !rc;
	}
	if (rc)
		smb_sd_free(sd);
	return rc;
}

/* Writes the current length (relative to start) at the offset field. */
static void sd_patch_offset(struct smb_wbuf *w, size_t start, size_t field)
{
	wbuf_put_u32_at(w, start + field, (uint32_t)(w->len - start));
}

int smb_sd_encode(struct smb_wbuf *w, const struct smb_sd *sd)
{
	size_t start = w->len;
	uint16_t control = sd->control | SMB_SD_SELF_RELATIVE;
	int rc = 0;

	if (sd->has_dacl)
		control |= SMB_SD_DACL_PRESENT;
	if (sd->sacl)
		control |= SMB_SD_SACL_PRESENT;
	wbuf_u8(w, sd->revision);
	wbuf_u8(w, sd->sbz1);
	wbuf_u16(w, control);
	wbuf_zero(w, 16); /* the four offsets, patched below */
	if (wbuf_error(w))
		return wbuf_error(w);
	if (sd->has_owner) {
		sd_patch_offset(w, start, 4);
		rc = smb_sid_encode(w, &sd->owner);
	}
	if (!rc && sd->has_group) {
		sd_patch_offset(w, start, 8);
		rc = smb_sid_encode(w, &sd->group);
	}
	if (!rc && sd->sacl) {
		sd_patch_offset(w, start, 12);
		wbuf_bytes(w, sd->sacl, sd->sacl_len);
	}
	if (!rc && sd->has_dacl) {
		sd_patch_offset(w, start, 16);
		rc = smb_acl_encode(w, &sd->dacl);
	}
	return rc ? rc : wbuf_error(w);
}

void smb_sd_free(struct smb_sd *sd)
{
	smb_acl_free(&sd->dacl);
	free(sd->sacl);
	sd->sacl = NULL;
	sd->sacl_len = 0;
	sd->has_dacl = false;
}
