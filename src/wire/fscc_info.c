// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File and file-system information classes (MS-FSCC 2.4, 2.5), EA lists
 * (MS-FSCC 2.4.15) and security descriptor owner/group (MS-DTYP 2.4.6).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smbfs/wire/fscc_info.h"

int fscc_chain_entry(const uint8_t *buf, size_t len, size_t pos, size_t fixed,
		     size_t align, size_t *entry_len)
{
	uint32_t next;

	if (fixed < 4 || pos > len || len - pos < fixed)
		return -EBADMSG;
	next = le32_get(buf + pos);
	if (next == 0) {
		*entry_len = len - pos;
		return 0;
	}
	/* Must advance past the fixed part and land inside the buffer. */
	if (next % align || next < fixed || next >= len - pos)
		return -EBADMSG;
	*entry_len = next;
	return 1;
}

/* Converts the UTF-16LE name at buf[off..off+nlen) after a bounds check. */
static int name_at(const uint8_t *buf, size_t len, uint64_t off, uint64_t nlen,
		   char **out)
{
	*out = NULL;
	if (bytes_range_check(len, off, nlen))
		return -EBADMSG;
	return utf16le_to_utf8(buf + off, (size_t)nlen, out);
}

/* MS-FSCC 2.4.7: four FILETIMEs, FileAttributes, Reserved (optional). */
#define BASIC_INFO_SIZE 40
#define BASIC_INFO_MIN	36

static void basic_read(struct smb_rbuf *r, struct fscc_basic_info *out)
{
	out->creation_time = rbuf_u64(r);
	out->last_access_time = rbuf_u64(r);
	out->last_write_time = rbuf_u64(r);
	out->change_time = rbuf_u64(r);
	out->file_attributes = rbuf_u32(r);
}

int fscc_basic_info_decode(const uint8_t *buf, size_t len,
			   struct fscc_basic_info *out)
{
	struct smb_rbuf r;

	if (len < BASIC_INFO_MIN)
		return -EBADMSG;
	rbuf_init(&r, buf, len);
	basic_read(&r, out);
	return rbuf_error(&r);
}

/* MS-FSCC 2.4.41: sizes, links, two flag bytes, Reserved (optional). */
#define STANDARD_INFO_SIZE 24
#define STANDARD_INFO_MIN  22

static void standard_read(struct smb_rbuf *r, struct fscc_standard_info *out)
{
	out->allocation_size = rbuf_u64(r);
	out->end_of_file = rbuf_u64(r);
	out->number_of_links = rbuf_u32(r);
	out->delete_pending = rbuf_u8(r);
	out->directory = rbuf_u8(r);
}

int fscc_standard_info_decode(const uint8_t *buf, size_t len,
			      struct fscc_standard_info *out)
{
	struct smb_rbuf r;

	if (len < STANDARD_INFO_MIN)
		return -EBADMSG;
	rbuf_init(&r, buf, len);
	standard_read(&r, out);
	return rbuf_error(&r);
}

/* MS-FSCC 2.4.22: IndexNumber (8 bytes). */
int fscc_internal_info_decode(const uint8_t *buf, size_t len,
			      uint64_t *index_number)
{
	return bytes_get_u64_at(buf, len, 0, index_number);
}

/* MS-FSCC 2.4.12: EaSize (4 bytes). */
int fscc_ea_info_decode(const uint8_t *buf, size_t len, uint32_t *ea_size)
{
	return bytes_get_u32_at(buf, len, 0, ea_size);
}

/* MS-FSCC 2.4.29: 4 times, AllocationSize, EndOfFile, attributes. */
int fscc_network_open_info_decode(const uint8_t *buf, size_t len,
				  struct fscc_network_open_info *out)
{
	struct smb_rbuf r;

	if (len < 52)
		return -EBADMSG;
	rbuf_init(&r, buf, len);
	out->creation_time = rbuf_u64(&r);
	out->last_access_time = rbuf_u64(&r);
	out->last_write_time = rbuf_u64(&r);
	out->change_time = rbuf_u64(&r);
	out->allocation_size = rbuf_u64(&r);
	out->end_of_file = rbuf_u64(&r);
	out->file_attributes = rbuf_u32(&r);
	return rbuf_error(&r);
}

/*
 * MS-FSCC 2.4.2: Basic (40), Standard (24), Internal (8), Ea (4),
 * Access (4), Position (8), Mode (4), Alignment (4), then
 * FileNameLength (4) and the name at offset 100.
 */
#define ALL_INFO_NAME_OFFSET 100

int fscc_all_info_decode(const uint8_t *buf, size_t len,
			 struct fscc_all_info *out)
{
	struct smb_rbuf r;
	uint32_t name_len;

	memset(out, 0, sizeof(*out));
	rbuf_init(&r, buf, len);
	basic_read(&r, &out->basic);
	rbuf_seek(&r, BASIC_INFO_SIZE);
	standard_read(&r, &out->standard);
	rbuf_seek(&r, BASIC_INFO_SIZE + STANDARD_INFO_SIZE);
	out->index_number = rbuf_u64(&r);
	out->ea_size = rbuf_u32(&r);
	out->access_flags = rbuf_u32(&r);
	out->current_byte_offset = rbuf_u64(&r);
	out->mode = rbuf_u32(&r);
	out->alignment_requirement = rbuf_u32(&r);
	name_len = rbuf_u32(&r);
	if (rbuf_error(&r))
		return -EBADMSG;
	return name_at(buf, len, ALL_INFO_NAME_OFFSET, name_len, &out->name);
}

void fscc_all_info_free(struct fscc_all_info *info)
{
	free(info->name);
	info->name = NULL;
}

/*
 * MS-FSCC 2.4.44: NextEntryOffset, StreamNameLength, StreamSize,
 * StreamAllocationSize, then the name; entries are 8-byte aligned.
 */
#define STREAM_FIXED 24

static int stream_entry(const uint8_t *buf, size_t pos, size_t entry_len,
			struct fscc_stream *s)
{
	const uint8_t *e = buf + pos;
	uint32_t name_len = le32_get(e + 4);

	s->size = le64_get(e + 8);
	s->allocation_size = le64_get(e + 16);
	return name_at(e, entry_len, STREAM_FIXED, name_len, &s->name);
}

int fscc_stream_info_decode(const uint8_t *buf, size_t len,
			    struct fscc_stream **streams, size_t *count)
{
	struct fscc_stream *arr = NULL, *grown;
	size_t n = 0, cap = 0, pos = 0, entry_len;
	int more = len > 0, rc;

	while (more) {
		more = fscc_chain_entry(buf, len, pos, STREAM_FIXED, 8,
					&entry_len);
		if (more < 0) {
			rc = more;
			goto fail;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			grown = realloc(arr, cap * sizeof(*arr));
			if (!grown) {
				rc = -ENOMEM;
				goto fail;
			}
			arr = grown;
		}
		rc = stream_entry(buf, pos, entry_len, &arr[n]);
		if (rc)
			goto fail;
		n++;
		pos += entry_len;
	}
	*streams = arr;
	*count = n;
	return 0;
fail:
	fscc_streams_free(arr, n);
	*streams = NULL;
	*count = 0;
	return rc;
}

void fscc_streams_free(struct fscc_stream *streams, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(streams[i].name);
	free(streams);
}

/*
 * MS-FSCC 2.4.15: NextEntryOffset, Flags, EaNameLength, EaValueLength,
 * EaName plus a NUL (not counted), EaValue; entries are 4-byte aligned.
 */
#define FULL_EA_FIXED 8

void fscc_ea_iter_init(struct fscc_ea_iter *it, const uint8_t *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->pos = 0;
	it->state = len ? 0 : 1;
}

int fscc_ea_next(struct fscc_ea_iter *it, struct fscc_ea *out)
{
	const uint8_t *e;
	size_t entry_len;
	int more;

	if (it->state)
		return it->state < 0 ? it->state : 0;
	more = fscc_chain_entry(it->buf, it->len, it->pos, FULL_EA_FIXED, 4,
				&entry_len);
	if (more < 0)
		goto bad;
	e = it->buf + it->pos;
	out->flags = e[4];
	out->name_len = e[5];
	out->value_len = le16_get(e + 6);
	/* The name is followed by a NUL, so it can be used in place. */
	if (out->name_len == 0 ||
	    FULL_EA_FIXED + out->name_len + 1 + out->value_len > entry_len ||
	    e[FULL_EA_FIXED + out->name_len] != 0 ||
	    memchr(e + FULL_EA_FIXED, 0, out->name_len))
		goto bad;
	out->name = (const char *)e + FULL_EA_FIXED;
	out->value = e + FULL_EA_FIXED + out->name_len + 1;
	if (more)
		it->pos += entry_len;
	else
		it->state = 1;
	return 1;
bad:
	it->state = -EBADMSG;
	return -EBADMSG;
}

int fscc_ea_find(const uint8_t *buf, size_t len, const char *name,
		 struct fscc_ea *out)
{
	struct fscc_ea_iter it;
	int rc;

	fscc_ea_iter_init(&it, buf, len);
	while ((rc = fscc_ea_next(&it, out)) > 0)
		if (!strcasecmp(out->name, name))
			return 1;
	return rc;
}

/* An EA name is 1..255 bytes of 8-bit text without NULs. */
static int ea_name_ok(const char *name, size_t len)
{
	return name && len >= 1 && len <= 255 && !memchr(name, 0, len);
}

int fscc_full_ea_encode(struct smb_wbuf *w, const struct fscc_ea *eas, size_t n)
{
	size_t i, start;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!ea_name_ok(eas[i].name, eas[i].name_len) ||
		    eas[i].value_len > UINT16_MAX ||
		    (eas[i].value_len && !eas[i].value))
			return -EINVAL;
		start = w->len;
		wbuf_u32(w, 0); /* NextEntryOffset, patched below */
		wbuf_u8(w, eas[i].flags);
		wbuf_u8(w, (uint8_t)eas[i].name_len);
		wbuf_u16(w, (uint16_t)eas[i].value_len);
		wbuf_bytes(w, eas[i].name, eas[i].name_len);
		wbuf_u8(w, 0);
		wbuf_bytes(w, eas[i].value, eas[i].value_len);
		if (i + 1 < n) {
			wbuf_align(w, 4);
			wbuf_put_u32_at(w, start, (uint32_t)(w->len - start));
		}
	}
	return wbuf_error(w);
}

/* MS-FSCC 2.4.15.1: NextEntryOffset, EaNameLength, EaName plus NUL. */
int fscc_get_ea_encode(struct smb_wbuf *w, const char *const *names, size_t n)
{
	size_t i, start, name_len;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		name_len = names[i] ? strlen(names[i]) : 0;
		if (!ea_name_ok(names[i], name_len))
			return -EINVAL;
		start = w->len;
		wbuf_u32(w, 0);
		wbuf_u8(w, (uint8_t)name_len);
		wbuf_bytes(w, names[i], name_len + 1);
		if (i + 1 < n) {
			wbuf_align(w, 4);
			wbuf_put_u32_at(w, start, (uint32_t)(w->len - start));
		}
	}
	return wbuf_error(w);
}

/* MS-FSCC 2.5.8: Total, Available, SectorsPerUnit, BytesPerSector. */
int fscc_fs_size_info_decode(const uint8_t *buf, size_t len,
			     struct fscc_fs_size_info *out)
{
	struct smb_rbuf r;

	rbuf_init(&r, buf, len);
	out->total_units = rbuf_u64(&r);
	out->available_units = rbuf_u64(&r);
	out->sectors_per_unit = rbuf_u32(&r);
	out->bytes_per_sector = rbuf_u32(&r);
	return rbuf_error(&r);
}

/* MS-FSCC 2.5.4: Total, CallerAvailable, ActualAvailable, sizes. */
int fscc_fs_full_size_info_decode(const uint8_t *buf, size_t len,
				  struct fscc_fs_full_size_info *out)
{
	struct smb_rbuf r;

	rbuf_init(&r, buf, len);
	out->total_units = rbuf_u64(&r);
	out->caller_available_units = rbuf_u64(&r);
	out->actual_available_units = rbuf_u64(&r);
	out->sectors_per_unit = rbuf_u32(&r);
	out->bytes_per_sector = rbuf_u32(&r);
	return rbuf_error(&r);
}

/*
 * MS-FSCC 2.5.9: VolumeCreationTime, VolumeSerialNumber,
 * VolumeLabelLength, SupportsObjects, Reserved, VolumeLabel at 18.
 */
int fscc_fs_volume_info_decode(const uint8_t *buf, size_t len,
			       struct fscc_fs_volume_info *out)
{
	struct smb_rbuf r;
	uint32_t label_len;

	memset(out, 0, sizeof(*out));
	rbuf_init(&r, buf, len);
	out->creation_time = rbuf_u64(&r);
	out->serial_number = rbuf_u32(&r);
	label_len = rbuf_u32(&r);
	out->supports_objects = rbuf_u8(&r);
	rbuf_skip(&r, 1);
	if (rbuf_error(&r))
		return -EBADMSG;
	return name_at(buf, len, r.pos, label_len, &out->label);
}

void fscc_fs_volume_info_free(struct fscc_fs_volume_info *info)
{
	free(info->label);
	info->label = NULL;
}

/*
 * MS-FSCC 2.5.1: FileSystemAttributes, MaximumComponentNameLength,
 * FileSystemNameLength, FileSystemName at 12.
 */
int fscc_fs_attribute_info_decode(const uint8_t *buf, size_t len,
				  struct fscc_fs_attribute_info *out)
{
	struct smb_rbuf r;
	uint32_t name_len;

	memset(out, 0, sizeof(*out));
	rbuf_init(&r, buf, len);
	out->attributes = rbuf_u32(&r);
	out->max_component_name_len = (int32_t)rbuf_u32(&r);
	name_len = rbuf_u32(&r);
	if (rbuf_error(&r))
		return -EBADMSG;
	return name_at(buf, len, r.pos, name_len, &out->fs_name);
}

void fscc_fs_attribute_info_free(struct fscc_fs_attribute_info *info)
{
	free(info->fs_name);
	info->fs_name = NULL;
}

/*
 * MS-DTYP 2.4.2.2: Revision (1), SubAuthorityCount (<= 15),
 * IdentifierAuthority (6 bytes, big-endian), SubAuthority[] (LE u32).
 * MS-DTYP 2.4.2.1: the authority is printed in decimal below 2^32 and
 * in hex otherwise.
 */
#define SID_MAX_SUB_AUTHORITIES 15
#define SID_STRING_MAX		(4 + 16 + SID_MAX_SUB_AUTHORITIES * 11 + 1)

int fscc_sid_to_string(const uint8_t *buf, size_t len, char **out,
		       size_t *sid_len)
{
	uint64_t authority = 0;
	size_t i, need, o;
	uint8_t count;
	char *s;

	*out = NULL;
	if (len < 8 || buf[0] != 1)
		return -EBADMSG;
	count = buf[1];
	need = 8 + 4 * (size_t)count;
	if (count > SID_MAX_SUB_AUTHORITIES || len < need)
		return -EBADMSG;
	for (i = 2; i < 8; i++)
		authority = authority << 8 | buf[i];
	s = malloc(SID_STRING_MAX);
	if (!s)
		return -ENOMEM;
	if (authority >> 32)
		o = (size_t)snprintf(s, SID_STRING_MAX, "S-1-0x%012" PRIX64,
				     authority);
	else
		o = (size_t)snprintf(s, SID_STRING_MAX, "S-1-%" PRIu64,
				     authority);
	for (i = 0; i < count; i++)
		o += (size_t)snprintf(s + o, SID_STRING_MAX - o, "-%" PRIu32,
				      le32_get(buf + 8 + 4 * i));
	*out = s;
	if (sid_len)
		*sid_len = need;
	return 0;
}

/* Decodes the SID at offset off of the descriptor; 0 means "absent". */
static int sd_sid(const uint8_t *buf, size_t len, uint32_t off, char **out)
{
	*out = NULL;
	if (off == 0)
		return 0;
	if (off >= len)
		return -EBADMSG;
	return fscc_sid_to_string(buf + off, len - off, out, NULL);
}

/*
 * MS-DTYP 2.4.6: Revision, Sbz1, Control, OffsetOwner, OffsetGroup,
 * OffsetSacl, OffsetDacl (offsets from the start of the descriptor).
 */
#define SD_HEADER_SIZE 20

int fscc_security_descriptor_parse(const uint8_t *buf, size_t len,
				   struct fscc_sd_info *out)
{
	uint32_t owner_off, group_off;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < SD_HEADER_SIZE || buf[0] != 1)
		return -EBADMSG;
	out->revision = buf[0];
	out->control = le16_get(buf + 2);
	owner_off = le32_get(buf + 4);
	group_off = le32_get(buf + 8);
	rc = sd_sid(buf, len, owner_off, &out->owner_sid);
	if (!rc)
		rc = sd_sid(buf, len, group_off, &out->group_sid);
	if (rc)
		fscc_sd_info_free(out);
	return rc;
}

void fscc_sd_info_free(struct fscc_sd_info *info)
{
	free(info->owner_sid);
	free(info->group_sid);
	info->owner_sid = NULL;
	info->group_sid = NULL;
}

int fscc_basic_info_encode(struct smb_wbuf *w,
			   const struct fscc_basic_info *info)
{
	wbuf_u64(w, info->creation_time);
	wbuf_u64(w, info->last_access_time);
	wbuf_u64(w, info->last_write_time);
	wbuf_u64(w, info->change_time);
	wbuf_u32(w, info->file_attributes);
	wbuf_u32(w, 0); /* Reserved */
	return wbuf_error(w);
}

/* MS-FSCC 2.4.13: EndOfFile (8 bytes). */
int fscc_end_of_file_info_encode(struct smb_wbuf *w, uint64_t end_of_file)
{
	wbuf_u64(w, end_of_file);
	return wbuf_error(w);
}

/* MS-FSCC 2.4.4: AllocationSize (8 bytes). */
int fscc_allocation_info_encode(struct smb_wbuf *w, uint64_t allocation_size)
{
	wbuf_u64(w, allocation_size);
	return wbuf_error(w);
}

/*
 * MS-FSCC 2.4.37.2 / 2.4.24.2 (the SMB2 forms): ReplaceIfExists (1),
 * Reserved (7), RootDirectory (8, zero for SMB2), FileNameLength (4),
 * FileName.  Servers compare the buffer length with their in-memory
 * structure, whose one-character FileName array is padded to 24 bytes,
 * so a one-character name gets two zero bytes of padding.
 */
#define RENAME_INFO_MIN 24

static int rename_like_encode(struct smb_wbuf *w, int replace_if_exists,
			      const char *path, size_t path_len)
{
	size_t start = w->len, len_off;
	long n;

	if (!path || path_len == 0)
		return -EINVAL;
	wbuf_u8(w, replace_if_exists ? 1 : 0);
	wbuf_zero(w, 7);
	wbuf_u64(w, 0);
	len_off = w->len;
	wbuf_u32(w, 0); /* FileNameLength, patched below */
	n = utf8_to_utf16le(w, path, path_len);
	if (n < 0)
		return (int)n;
	if (n > UINT32_MAX)
		return -EINVAL;
	wbuf_put_u32_at(w, len_off, (uint32_t)n);
	if (w->len - start < RENAME_INFO_MIN)
		wbuf_zero(w, RENAME_INFO_MIN - (w->len - start));
	return wbuf_error(w);
}

int fscc_rename_info_encode(struct smb_wbuf *w, int replace_if_exists,
			    const char *path, size_t path_len)
{
	return rename_like_encode(w, replace_if_exists, path, path_len);
}

int fscc_link_info_encode(struct smb_wbuf *w, int replace_if_exists,
			  const char *path, size_t path_len)
{
	return rename_like_encode(w, replace_if_exists, path, path_len);
}

/* MS-FSCC 2.4.11: DeletePending (1 byte). */
int fscc_disposition_info_encode(struct smb_wbuf *w, int delete_pending)
{
	wbuf_u8(w, delete_pending ? 1 : 0);
	return wbuf_error(w);
}
