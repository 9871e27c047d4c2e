// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QUERY_INFO response (MS-SMB2 2.2.38) and the information classes
 * smbfs decodes from it (MS-FSCC 2.4, 2.5), extended attribute lists
 * (2.4.15) and the owner/group reader of security descriptors.
 *
 * Input: a selector byte, then data.  Selector bits 0-6 (modulo 13)
 * pick the decoder: 0 FileAll, 1 FileBasic, 2 FileStandard,
 * 3 FileInternal, 4 FileEa, 5 FileNetworkOpen, 6 FileStream,
 * 7 FILE_FULL_EA_INFORMATION list, 8 FileFsSize, 9 FileFsFullSize,
 * 10 FileFsVolume, 11 FileFsAttribute, 12 security descriptor
 * owner/group.  Bit 7 set: data is a whole response message whose output
 * buffer is decoded; clear: data is the buffer alone.
 */
#include "fuzz_common.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_query_info.h"

static void check_basic(const uint8_t *buf, size_t len)
{
	struct fscc_basic_info b, again;
	struct smb_wbuf w = SMB_WBUF_INIT;
	int rc = fscc_basic_info_decode(buf, len, &b);

	FUZZ_CHECK(rc == (len >= 36 ? 0 : -EBADMSG));
	if (rc)
		return;
	/* SET_INFO sends what QUERY_INFO returned: a round trip. */
	FUZZ_CHECK(fscc_basic_info_encode(&w, &b) == 0 && w.len == 40);
	FUZZ_CHECK(fscc_basic_info_decode(w.data, w.len, &again) == 0);
	FUZZ_CHECK(b.creation_time == again.creation_time &&
		   b.last_access_time == again.last_access_time &&
		   b.last_write_time == again.last_write_time &&
		   b.change_time == again.change_time &&
		   b.file_attributes == again.file_attributes);
	FUZZ_CHECK(!memcmp(w.data, buf, 36));
	wbuf_free(&w);
}

static void check_fixed(int sel, const uint8_t *buf, size_t len)
{
	struct fscc_standard_info st;
	struct fscc_network_open_info no;
	struct fscc_fs_size_info fs;
	struct fscc_fs_full_size_info ffs;
	uint64_t u64;
	uint32_t u32;

	switch (sel) {
	case 2:
		FUZZ_CHECK(fscc_standard_info_decode(buf, len, &st) ==
			   (len >= 22 ? 0 : -EBADMSG));
		break;
	case 3:
		FUZZ_CHECK(fscc_internal_info_decode(buf, len, &u64) ==
			   (len >= 8 ? 0 : -EBADMSG));
		FUZZ_CHECK(len < 8 || u64 == le64_get(buf));
		break;
	case 4:
		FUZZ_CHECK(fscc_ea_info_decode(buf, len, &u32) ==
			   (len >= 4 ? 0 : -EBADMSG));
		break;
	case 5:
		FUZZ_CHECK(fscc_network_open_info_decode(buf, len, &no) ==
			   (len >= 52 ? 0 : -EBADMSG));
		FUZZ_CHECK(len < 52 || no.end_of_file == le64_get(buf + 40));
		break;
	case 8:
		FUZZ_CHECK(fscc_fs_size_info_decode(buf, len, &fs) ==
			   (len >= 24 ? 0 : -EBADMSG));
		break;
	case 9:
		FUZZ_CHECK(fscc_fs_full_size_info_decode(buf, len, &ffs) ==
			   (len >= 32 ? 0 : -EBADMSG));
		FUZZ_CHECK(len < 32 || ffs.bytes_per_sector == le32_get(buf + 28));
		break;
	}
}

static void check_all(const uint8_t *buf, size_t len)
{
	struct fscc_all_info a;
	int rc = fscc_all_info_decode(buf, len, &a);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EILSEQ);
	FUZZ_CHECK(rc ? a.name == NULL : fuzz_utf8_valid(a.name));
	/* The name sits at offset 100 and its length is at 96. */
	FUZZ_CHECK(rc || len >= 100 + (size_t)le32_get(buf + 96));
	fscc_all_info_free(&a);
}

static void check_streams(const uint8_t *buf, size_t len)
{
	struct fscc_stream *s = NULL;
	size_t n = 99, i;
	int rc = fscc_stream_info_decode(buf, len, &s, &n);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EILSEQ);
	if (rc) {
		FUZZ_CHECK(s == NULL && n == 0);
		return;
	}
	/* Entries of at least 24 bytes each. */
	FUZZ_CHECK(n * 24 <= len);
	FUZZ_CHECK((n == 0) == (s == NULL));
	for (i = 0; i < n; i++)
		FUZZ_CHECK(fuzz_utf8_valid(s[i].name));
	fscc_streams_free(s, n);
}

/* EA lists: walk, re-encode what was read, walk again: same entries. */
static void check_eas(const uint8_t *buf, size_t len)
{
	struct fscc_ea eas[64], e;
	struct fscc_ea_iter it;
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t n = 0, i;
	int rc;

	fscc_ea_iter_init(&it, buf, len);
	while ((rc = fscc_ea_next(&it, &e)) > 0) {
		FUZZ_CHECK(e.name_len >= 1 && e.name_len <= 255);
		FUZZ_CHECK(strlen(e.name) == e.name_len);
		FUZZ_CHECK(fuzz_inside(buf, len, e.name, e.name_len + 1));
		FUZZ_CHECK(fuzz_inside(buf, len, e.value, e.value_len));
		if (n < sizeof(eas) / sizeof(eas[0]))
			eas[n++] = e;
	}
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	FUZZ_CHECK(fscc_ea_next(&it, &e) == rc);
	if (rc || !n || n == sizeof(eas) / sizeof(eas[0]))
		return;
	/* A name found by the walk is found by a lookup, ignoring case. */
	FUZZ_CHECK(fscc_ea_find(buf, len, eas[n - 1].name, &e) == 1);
	FUZZ_CHECK(fscc_full_ea_encode(&w, eas, n) == 0);
	fscc_ea_iter_init(&it, w.data, w.len);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(fscc_ea_next(&it, &e) == 1);
		FUZZ_CHECK(e.flags == eas[i].flags &&
			   e.name_len == eas[i].name_len &&
			   e.value_len == eas[i].value_len);
		FUZZ_CHECK(!memcmp(e.name, eas[i].name, e.name_len));
		FUZZ_CHECK(!memcmp(e.value, eas[i].value, e.value_len));
	}
	FUZZ_CHECK(fscc_ea_next(&it, &e) == 0);
	wbuf_free(&w);
}

static void check_named(int sel, const uint8_t *buf, size_t len)
{
	struct fscc_fs_volume_info v;
	struct fscc_fs_attribute_info a;
	int rc;

	if (sel == 10) {
		rc = fscc_fs_volume_info_decode(buf, len, &v);
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EILSEQ);
		FUZZ_CHECK(rc ? v.label == NULL : fuzz_utf8_valid(v.label));
		fscc_fs_volume_info_free(&v);
	} else {
		rc = fscc_fs_attribute_info_decode(buf, len, &a);
		FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EILSEQ);
		FUZZ_CHECK(rc ? a.fs_name == NULL : fuzz_utf8_valid(a.fs_name));
		fscc_fs_attribute_info_free(&a);
	}
}

/* "S-1-<authority>(-<sub>)*": what fscc_sid_to_string() promises. */
static bool sid_string_ok(const char *s)
{
	const char *p;

	if (!s)
		return true;
	if (strncmp(s, "S-1-", 4))
		return false;
	p = s + 4;
	if (!strncmp(p, "0x", 2))
		p += 2 + 12;
	else
		while (*p >= '0' && *p <= '9')
			p++;
	while (*p == '-') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

static void check_sd(const uint8_t *buf, size_t len)
{
	struct fscc_sd_info sd;
	int rc = fscc_security_descriptor_parse(buf, len, &sd);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (!rc) {
		FUZZ_CHECK(sid_string_ok(sd.owner_sid));
		FUZZ_CHECK(sid_string_ok(sd.group_sid));
		FUZZ_CHECK(le32_get(buf + 4) || !sd.owner_sid);
	}
	fscc_sd_info_free(&sd);
}

static void decode(int sel, const uint8_t *data, size_t size)
{
	uint8_t *buf = fuzz_copy(data, size);

	switch (sel) {
	case 0:
		check_all(buf, size);
		break;
	case 1:
		check_basic(buf, size);
		break;
	case 6:
		check_streams(buf, size);
		break;
	case 7:
		check_eas(buf, size);
		break;
	case 10:
	case 11:
		check_named(sel, buf, size);
		break;
	case 12:
		check_sd(buf, size);
		break;
	default:
		check_fixed(sel, buf, size);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size);
	struct smb2_query_info_response rsp;
	int rc;

	if (!(sel & 0x80)) {
		decode((sel & 0x7F) % 13, data, size);
		return 0;
	}
	rc = smb2_query_info_response_decode(data, size, &rsp);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(fuzz_inside(data, size, rsp.buffer, rsp.buffer_len));
	FUZZ_CHECK(!rsp.buffer || rsp.buffer >= data + 72);
	decode((sel & 0x7F) % 13, rsp.buffer, rsp.buffer_len);
	return 0;
}
