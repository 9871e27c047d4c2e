/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File and file-system information classes carried by QUERY_INFO and
 * SET_INFO (MS-FSCC 2.4, 2.5), extended attribute lists (MS-FSCC 2.4.15)
 * and the owner/group of a self-relative security descriptor
 * (MS-DTYP 2.4.6).
 *
 * Decoders take the output buffer of a QUERY_INFO response and return 0,
 * -EBADMSG for a short or inconsistent buffer, -EILSEQ for a name that is
 * not valid UTF-16, or -ENOMEM.  Strings are malloc'd UTF-8 and the
 * matching *_free() helpers release them; on error nothing is left
 * allocated.  Encoders append one structure to a struct smb_wbuf and
 * return 0 or a negative errno.
 */
#ifndef SMBFS_WIRE_FSCC_INFO_H
#define SMBFS_WIRE_FSCC_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/*
 * Walks lists linked by a 32-bit NextEntryOffset at offset 0 of each entry
 * (MS-FSCC directory, stream, EA and notify records).  Checks that the
 * entry at pos has its fixed bytes inside buf, and that a non-zero
 * NextEntryOffset is a multiple of align, covers the fixed part and points
 * at a position inside buf.  *entry_len receives the bytes the entry may
 * use: NextEntryOffset, or up to the end of buf for the last entry.
 * Returns 1 if another entry follows (at pos + *entry_len), 0 for the last
 * entry, or -EBADMSG.
 */
int fscc_chain_entry(const uint8_t *buf, size_t len, size_t pos, size_t fixed,
		     size_t align, size_t *entry_len);

/* MS-FSCC 2.4.7: special time values for SET_INFO FileBasicInformation. */
#define FSCC_TIME_NO_CHANGE	  0ull
#define FSCC_TIME_STOP_UPDATING	  0xFFFFFFFFFFFFFFFFull /* -1 */
#define FSCC_TIME_RESUME_UPDATING 0xFFFFFFFFFFFFFFFEull /* -2 */

/* FileBasicInformation (MS-FSCC 2.4.7); attributes 0 = no change on set. */
struct fscc_basic_info {
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint32_t file_attributes;
};

/* FileStandardInformation (MS-FSCC 2.4.41) */
struct fscc_standard_info {
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t number_of_links;
	uint8_t delete_pending;
	uint8_t directory;
};

/* FileNetworkOpenInformation (MS-FSCC 2.4.29) */
struct fscc_network_open_info {
	uint64_t creation_time;
	uint64_t last_access_time;
	uint64_t last_write_time;
	uint64_t change_time;
	uint64_t allocation_size;
	uint64_t end_of_file;
	uint32_t file_attributes;
};

/* FileAllInformation (MS-FSCC 2.4.2) */
struct fscc_all_info {
	struct fscc_basic_info basic;
	struct fscc_standard_info standard;
	uint64_t index_number; /* FileInternalInformation */
	uint32_t ea_size;
	uint32_t access_flags;
	uint64_t current_byte_offset;
	uint32_t mode;
	uint32_t alignment_requirement;
	char *name; /* malloc'd UTF-8 */
};

int fscc_basic_info_decode(const uint8_t *buf, size_t len,
			   struct fscc_basic_info *out);
int fscc_standard_info_decode(const uint8_t *buf, size_t len,
			      struct fscc_standard_info *out);
int fscc_internal_info_decode(const uint8_t *buf, size_t len,
			      uint64_t *index_number);
int fscc_ea_info_decode(const uint8_t *buf, size_t len, uint32_t *ea_size);
int fscc_network_open_info_decode(const uint8_t *buf, size_t len,
				  struct fscc_network_open_info *out);
int fscc_all_info_decode(const uint8_t *buf, size_t len,
			 struct fscc_all_info *out);
void fscc_all_info_free(struct fscc_all_info *info);

/* FileStreamInformation (MS-FSCC 2.4.44) */
struct fscc_stream {
	char *name; /* malloc'd UTF-8, e.g. "::$DATA" or ":foo:$DATA" */
	uint64_t size;
	uint64_t allocation_size;
};

/* *streams is a malloc'd array (NULL when *count is 0). */
int fscc_stream_info_decode(const uint8_t *buf, size_t len,
			    struct fscc_stream **streams, size_t *count);
void fscc_streams_free(struct fscc_stream *streams, size_t count);

/* FILE_FULL_EA_INFORMATION (MS-FSCC 2.4.15) */
#define FILE_NEED_EA 0x80

struct fscc_ea {
	uint8_t flags;
	/* Decoded: points into the buffer and is NUL-terminated there. */
	const char *name;
	size_t name_len; /* 1..255 */
	const uint8_t *value;
	size_t value_len; /* 0..65535 */
};

struct fscc_ea_iter {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	int state; /* 0 running, 1 finished, <0 sticky error */
};

void fscc_ea_iter_init(struct fscc_ea_iter *it, const uint8_t *buf, size_t len);
/* 1 for an entry (zero copy), 0 at the end, -EBADMSG (sticky). */
int fscc_ea_next(struct fscc_ea_iter *it, struct fscc_ea *out);
/*
 * The entry named name in a FILE_FULL_EA_INFORMATION list; EA names
 * compare without regard to case (MS-FSCC 2.4.15).  1 with *out set
 * (zero copy), 0 when there is none, -EBADMSG for a malformed list.
 */
int fscc_ea_find(const uint8_t *buf, size_t len, const char *name,
		 struct fscc_ea *out);
/* Encodes a FILE_FULL_EA_INFORMATION list (SET_INFO, ExtA context). */
int fscc_full_ea_encode(struct smb_wbuf *w, const struct fscc_ea *eas,
			size_t n);
/* FILE_GET_EA_INFORMATION list (MS-FSCC 2.4.15.1) for QUERY_INFO input. */
int fscc_get_ea_encode(struct smb_wbuf *w, const char *const *names, size_t n);

/* FileFsSizeInformation (MS-FSCC 2.5.8) */
struct fscc_fs_size_info {
	uint64_t total_units;
	uint64_t available_units;
	uint32_t sectors_per_unit;
	uint32_t bytes_per_sector;
};

/* FileFsFullSizeInformation (MS-FSCC 2.5.4) */
struct fscc_fs_full_size_info {
	uint64_t total_units;
	uint64_t caller_available_units;
	uint64_t actual_available_units;
	uint32_t sectors_per_unit;
	uint32_t bytes_per_sector;
};

/* FileFsVolumeInformation (MS-FSCC 2.5.9) */
struct fscc_fs_volume_info {
	uint64_t creation_time;
	uint32_t serial_number;
	uint8_t supports_objects;
	char *label; /* malloc'd UTF-8 */
};

/* FileFsAttributeInformation (MS-FSCC 2.5.1) */
struct fscc_fs_attribute_info {
	uint32_t attributes; /* FILE_CASE_SENSITIVE_SEARCH, ... */
	int32_t max_component_name_len;
	char *fs_name; /* malloc'd UTF-8, e.g. "NTFS" */
};

int fscc_fs_size_info_decode(const uint8_t *buf, size_t len,
			     struct fscc_fs_size_info *out);
int fscc_fs_full_size_info_decode(const uint8_t *buf, size_t len,
				  struct fscc_fs_full_size_info *out);
int fscc_fs_volume_info_decode(const uint8_t *buf, size_t len,
			       struct fscc_fs_volume_info *out);
void fscc_fs_volume_info_free(struct fscc_fs_volume_info *info);
int fscc_fs_attribute_info_decode(const uint8_t *buf, size_t len,
				  struct fscc_fs_attribute_info *out);
void fscc_fs_attribute_info_free(struct fscc_fs_attribute_info *info);

/* SECURITY_DESCRIPTOR_RELATIVE (MS-DTYP 2.4.6): owner and group only. */
struct fscc_sd_info {
	uint8_t revision;
	uint16_t control;
	char *owner_sid; /* "S-1-5-21-..." or NULL when absent */
	char *group_sid;
};

/* Self-relative control flag (MS-DTYP 2.4.6) */
#define SE_SELF_RELATIVE 0x8000

int fscc_security_descriptor_parse(const uint8_t *buf, size_t len,
				   struct fscc_sd_info *out);
void fscc_sd_info_free(struct fscc_sd_info *info);
/*
 * Formats the SID at buf (MS-DTYP 2.4.2.2) as a malloc'd string
 * (MS-DTYP 2.4.2.1).  *sid_len (may be NULL) receives its wire size.
 */
int fscc_sid_to_string(const uint8_t *buf, size_t len, char **out,
		       size_t *sid_len);

/* SET_INFO encoders (MS-FSCC 2.4.7, 2.4.13, 2.4.4, 2.4.37.2, 2.4.24.2,
 * 2.4.11). */
int fscc_basic_info_encode(struct smb_wbuf *w,
			   const struct fscc_basic_info *info);
int fscc_end_of_file_info_encode(struct smb_wbuf *w, uint64_t end_of_file);
int fscc_allocation_info_encode(struct smb_wbuf *w, uint64_t allocation_size);
/*
 * path is the UTF-8 target path from the share root, with backslashes and
 * no leading backslash.
 */
int fscc_rename_info_encode(struct smb_wbuf *w, int replace_if_exists,
			    const char *path, size_t path_len);
int fscc_link_info_encode(struct smb_wbuf *w, int replace_if_exists,
			  const char *path, size_t path_len);
int fscc_disposition_info_encode(struct smb_wbuf *w, int delete_pending);

#endif
