// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO, SET_INFO (MS-SMB2 2.2.33 to
 * 2.2.40) and the MS-FSCC information classes they carry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_change_notify.h"
#include "smbfs/wire/smb2_query_directory.h"
#include "smbfs/wire/smb2_query_info.h"
#include "smbfs/wire/smb2_set_info.h"
#include "wire_robustness.h"

typedef int (*payload_fn)(const uint8_t *buf, size_t len);

/* Every prefix from..len-1 of a payload must be rejected. */
static void check_payload_prefixes(payload_fn fn, const uint8_t *valid,
				   size_t len, size_t from)
{
	size_t n;

	for (n = from; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int rc;

		memcpy(copy, valid, n);
		rc = fn(copy, n);
		CU_ASSERT(rc < 0);
		if (rc >= 0)
			fprintf(stderr, "\n    prefix %zu of %zu accepted\n", n,
				len);
		free(copy);
	}
}

/* Calls fn on a copy of buf with a 32-bit field replaced. */
static int patched32(payload_fn fn, const uint8_t *buf, size_t len,
		     size_t off, uint32_t value)
{
	uint8_t *copy = malloc(len);
	int rc;

	memcpy(copy, buf, len);
	le32_put(copy + off, value);
	rc = fn(copy, len);
	free(copy);
	return rc;
}

/* Asserts the encoded message equals a capture (header excluded). */
static void assert_matches_capture(const struct smb_wbuf *w, const char *name)
{
	char path[256];
	size_t len;
	uint8_t *cap;

	snprintf(path, sizeof(path), SAMBA_VECTOR_DIR "%s", name);
	cap = wire_load_vector(path, &len);
	if (!cap)
		return;
	CU_ASSERT_EQUAL(w->len, len);
	if (w->len == len)
		CU_ASSERT_BYTES_EQUAL(w->data + SMB2_HEADER_SIZE,
				      cap + SMB2_HEADER_SIZE,
				      len - SMB2_HEADER_SIZE);
	free(cap);
}

/* Reads the FileId a captured request used at body offset off. */
static struct smb2_fileid capture_fileid(const char *name, size_t off)
{
	struct smb2_fileid f = {0, 0};
	char path[256];
	size_t len;
	uint8_t *cap;

	snprintf(path, sizeof(path), SAMBA_VECTOR_DIR "%s", name);
	cap = wire_load_vector(path, &len);
	if (cap && len >= SMB2_HEADER_SIZE + off + 16) {
		f.persistent = le64_get(cap + SMB2_HEADER_SIZE + off);
		f.volatile_id = le64_get(cap + SMB2_HEADER_SIZE + off + 8);
	}
	free(cap);
	return f;
}

/* ------------------------------------------------------------------ */
/* QUERY_DIRECTORY                                                      */

static void test_qdir_request(void)
{
	struct smb_wbuf w;
	struct smb2_query_directory_request req = {
		.info_class = FILE_ID_BOTH_DIRECTORY_INFORMATION,
		.file_id = {0x0000000005d944b4ull, 0x00000000a25bf85dull},
		.pattern = "*",
		.pattern_len = 1,
		.output_buffer_length = 0x800000,
	};

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_query_directory_request_encode(&w, &req), 0);
	wire_assert_body(&w, "2100"		/* StructureSize 33 */
			     "25"		/* FileInformationClass 37 */
			     "00"		/* Flags */
			     "00000000"		/* FileIndex */
			     "b444d90500000000" /* FileId.Persistent */
			     "5df85ba200000000" /* FileId.Volatile */
			     "6000"		/* FileNameOffset 96 */
			     "0200"		/* FileNameLength */
			     "00008000"		/* OutputBufferLength */
			     "2a00");		/* "*" */
	assert_matches_capture(&w, "query_directory_request_1.hex");
	wbuf_free(&w);

	/* Empty pattern: one padding byte; flags are passed through. */
	req.pattern_len = 0;
	req.flags = SMB2_RESTART_SCANS | SMB2_REOPEN;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_query_directory_request_encode(&w, &req), 0);
	CU_ASSERT_EQUAL(w.len, SMB2_HEADER_SIZE + 33);
	CU_ASSERT_EQUAL(w.data[SMB2_HEADER_SIZE + 3], 0x11);
	CU_ASSERT_EQUAL(le16_get(w.data + SMB2_HEADER_SIZE + 26), 0);
	wbuf_free(&w);
	req.pattern = "\xed\xa0\x80";
	req.pattern_len = 3;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_query_directory_request_encode(&w, &req),
			-EILSEQ);
	wbuf_free(&w);
}

/* Iterates to the end; returns the last result and counts entries. */
static int iterate_dir(uint8_t info_class, const uint8_t *buf, size_t len,
		       int *entries, int *bad_names)
{
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	int rc, guard = 0;

	*entries = 0;
	*bad_names = 0;
	rc = smb2_dir_iter_init(&it, info_class, buf, len);
	if (rc)
		return rc;
	while ((rc = smb2_dirent_next(&it, &d)) != 0 && guard++ < 100000) {
		if (rc == -EBADMSG)
			return rc;
		if (rc == -EILSEQ)
			(*bad_names)++;
		else
			(*entries)++;
		smb2_dirent_free(&d);
	}
	/* The end is sticky. */
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	return 0;
}

static int iterate_id_both(const uint8_t *buf, size_t len)
{
	int n, bad;

	return iterate_dir(FILE_ID_BOTH_DIRECTORY_INFORMATION, buf, len, &n,
			   &bad);
}

static void check_samba_qdir(const char *path, const uint8_t *msg, size_t len)
{
	struct smb2_query_directory_response rsp;
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	int rc, n = 0, dots = 0;

	(void)path;
	CU_ASSERT_EQUAL_FATAL(
		smb2_query_directory_response_decode(msg, len, &rsp), 0);
	CU_ASSERT(wire_ptr_inside(msg, len, rsp.buffer, rsp.buffer_len));
	CU_ASSERT_EQUAL(smb2_dir_iter_init(&it,
					   FILE_ID_BOTH_DIRECTORY_INFORMATION,
					   rsp.buffer, rsp.buffer_len),
			0);
	while ((rc = smb2_dirent_next(&it, &d)) == 1) {
		CU_ASSERT_PTR_NOT_NULL(d.name);
		CU_ASSERT(d.creation_time > 116444736000000000ull);
		CU_ASSERT_NOT_EQUAL(d.file_id, 0);
		/* Listings of "*" and lookups of the files smbclient used. */
		if (d.name && d.name[0] == '.') {
			dots++;
			CU_ASSERT(d.file_attributes &
				  FILE_ATTRIBUTE_DIRECTORY);
		} else if (d.name) {
			CU_ASSERT(!strcmp(d.name, "small2.txt") ||
				  !strcmp(d.name, "new.txt"));
		}
		n++;
		smb2_dirent_free(&d);
	}
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT(n >= 1);
	CU_ASSERT(dots == 0 || dots == 2);
	check_payload_prefixes(iterate_id_both, rsp.buffer, rsp.buffer_len,
			       1);
}

static void test_qdir_samba(void)
{
	size_t len;
	uint8_t *msg = wire_load_vector(
		SAMBA_VECTOR_DIR "query_directory_response_1.hex", &len);
	struct smb2_query_directory_response rsp;
	struct smb2_dir_iter it;
	struct smb2_dirent d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	/* "." and "..", exactly as smbd listed the share root. */
	CU_ASSERT_EQUAL(smb2_query_directory_response_decode(msg, len, &rsp),
			0);
	CU_ASSERT_PTR_EQUAL(rsp.buffer, msg + 0x48);
	CU_ASSERT_EQUAL(rsp.buffer_len, 0xdc);
	smb2_dir_iter_init(&it, FILE_ID_BOTH_DIRECTORY_INFORMATION,
			   rsp.buffer, rsp.buffer_len);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.name, ".");
	CU_ASSERT_EQUAL(d.file_id, 0xa741c1);
	CU_ASSERT_EQUAL(d.file_attributes, FILE_ATTRIBUTE_DIRECTORY);
	CU_ASSERT_EQUAL(d.last_write_time, 0x01dd797e0c6cf44full);
	smb2_dirent_free(&d);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.name, "..");
	CU_ASSERT_EQUAL(d.file_id, 0xa741b1);
	smb2_dirent_free(&d);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	free(msg);
	CU_ASSERT(wire_for_each_vector("query_directory_response_[0-9]*.hex",
				       check_samba_qdir) > 0);
	CU_ASSERT(wire_for_each_vector("query_directory_response_signed_*.hex",
				       check_samba_qdir) > 0);
}

/* Appends one FILE_ID_BOTH_DIR_INFORMATION entry (MS-FSCC 2.4.17). */
static void put_id_both(struct smb_wbuf *w, int last, uint64_t id,
			const uint8_t *name, uint32_t name_len)
{
	size_t start = w->len;

	wbuf_u32(w, 0);		      /* NextEntryOffset, patched */
	wbuf_u32(w, 0);		      /* FileIndex */
	wbuf_u64(w, 0x01d0000000000001ull); /* CreationTime */
	wbuf_u64(w, 0x01d0000000000002ull); /* LastAccessTime */
	wbuf_u64(w, 0x01d0000000000003ull); /* LastWriteTime */
	wbuf_u64(w, 0x01d0000000000004ull); /* ChangeTime */
	wbuf_u64(w, 1234);	      /* EndOfFile */
	wbuf_u64(w, 4096);	      /* AllocationSize */
	wbuf_u32(w, FILE_ATTRIBUTE_ARCHIVE); /* FileAttributes */
	wbuf_u32(w, name_len);	      /* FileNameLength */
	wbuf_u32(w, 7);		      /* EaSize */
	wbuf_u8(w, 0);		      /* ShortNameLength */
	wbuf_u8(w, 0);		      /* Reserved1 */
	wbuf_zero(w, 24);	      /* ShortName */
	wbuf_u16(w, 0);		      /* Reserved2 */
	wbuf_u64(w, id);	      /* FileId */
	wbuf_bytes(w, name, name_len); /* FileName */
	if (!last) {
		wbuf_align(w, 8);
		wbuf_put_u32_at(w, start, (uint32_t)(w->len - start));
	}
}

static const uint8_t name_a_txt[] = {'a', 0, '.', 0, 't', 0, 'x', 0, 't', 0};
static const uint8_t name_lone_surrogate[] = {0x00, 0xd8, 'x', 0};
static const uint8_t name_b[] = {'b', 0};

static void build_dir_buffer(struct smb_wbuf *w)
{
	wbuf_init(w);
	put_id_both(w, 0, 100, name_a_txt, sizeof(name_a_txt));
	put_id_both(w, 0, 101, name_lone_surrogate,
		    sizeof(name_lone_surrogate));
	put_id_both(w, 1, 102, name_b, sizeof(name_b));
}

static void test_dirent_iterator(void)
{
	struct smb_wbuf w;
	struct smb2_dir_iter it;
	struct smb2_dirent d;

	build_dir_buffer(&w);
	CU_ASSERT_EQUAL(w.len, 120 + 112 + 106);
	CU_ASSERT_EQUAL(smb2_dir_iter_init(&it,
					   FILE_ID_BOTH_DIRECTORY_INFORMATION,
					   w.data, w.len),
			0);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.name, "a.txt");
	CU_ASSERT_EQUAL(d.creation_time, 0x01d0000000000001ull);
	CU_ASSERT_EQUAL(d.last_access_time, 0x01d0000000000002ull);
	CU_ASSERT_EQUAL(d.last_write_time, 0x01d0000000000003ull);
	CU_ASSERT_EQUAL(d.change_time, 0x01d0000000000004ull);
	CU_ASSERT_EQUAL(d.end_of_file, 1234);
	CU_ASSERT_EQUAL(d.allocation_size, 4096);
	CU_ASSERT_EQUAL(d.file_attributes, FILE_ATTRIBUTE_ARCHIVE);
	CU_ASSERT_EQUAL(d.ea_size, 7);
	CU_ASSERT_EQUAL(d.file_id, 100);
	smb2_dirent_free(&d);
	/* A name that is not UTF-16: reported, and the listing goes on. */
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), -EILSEQ);
	CU_ASSERT_PTR_NULL(d.name);
	CU_ASSERT_EQUAL(d.file_id, 101);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.name, "b");
	CU_ASSERT_EQUAL(d.file_id, 102);
	smb2_dirent_free(&d);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	/* An empty buffer has no entries; unknown classes are refused. */
	CU_ASSERT_EQUAL(smb2_dir_iter_init(&it,
					   FILE_ID_BOTH_DIRECTORY_INFORMATION,
					   NULL, 0),
			0);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	CU_ASSERT_EQUAL(smb2_dir_iter_init(&it, FILE_NAMES_INFORMATION,
					   w.data, w.len),
			-EINVAL);
	wbuf_free(&w);
}

static void test_dirent_other_classes(void)
{
	/* FILE_ID_FULL_DIR_INFORMATION (MS-FSCC 2.4.18), one entry. */
	size_t len;
	uint8_t *buf = test_hex(
		"00000000"	   /* NextEntryOffset */
		"00000000"	   /* FileIndex */
		"0100000000000000 0200000000000000" /* Creation, Access */
		"0300000000000000 0400000000000000" /* Write, Change */
		"0500000000000000" /* EndOfFile */
		"0600000000000000" /* AllocationSize */
		"10000000"	   /* FileAttributes DIRECTORY */
		"04000000"	   /* FileNameLength */
		"09000000"	   /* EaSize */
		"00000000"	   /* Reserved */
		"efcdab8967452301" /* FileId */
		"64003100",	   /* "d1" */
		&len);
	struct smb2_dir_iter it;
	struct smb2_dirent d;

	CU_ASSERT_EQUAL(smb2_dir_iter_init(&it,
					   FILE_ID_FULL_DIRECTORY_INFORMATION,
					   buf, len),
			0);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.name, "d1");
	CU_ASSERT_EQUAL(d.file_id, 0x0123456789abcdefull);
	CU_ASSERT_EQUAL(d.ea_size, 9);
	CU_ASSERT_EQUAL(d.end_of_file, 5);
	CU_ASSERT_EQUAL(d.allocation_size, 6);
	smb2_dirent_free(&d);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	/*
	 * FILE_DIRECTORY_INFORMATION (2.4.10) has no EaSize or FileId: the
	 * name starts at 64.  Reuse the first 68 bytes with "zz" there.
	 */
	le32_put(buf + 64, 0x007a007a);
	smb2_dir_iter_init(&it, FILE_DIRECTORY_INFORMATION, buf, 68);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.name, "zz");
	CU_ASSERT_EQUAL(d.ea_size, 0);
	CU_ASSERT_EQUAL(d.file_id, 0);
	CU_ASSERT_EQUAL(d.file_attributes, FILE_ATTRIBUTE_DIRECTORY);
	smb2_dirent_free(&d);
	le32_put(buf + 60, 6);
	smb2_dir_iter_init(&it, FILE_DIRECTORY_INFORMATION, buf, 68);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), -EBADMSG);
	free(buf);
}

static void test_dirent_malformed(void)
{
	static const struct {
		size_t off;
		uint32_t value;
	} bad[] = {
		{0, 113},	  /* NextEntryOffset not 8-aligned */
		{0, 8},		  /* does not cover the fixed part */
		{0, 0xfffffff8},  /* past the end */
		{0, 336},	  /* the last entry has no room */
		{0, 344},	  /* beyond the end */
		{60, 0xffffffff}, /* FileNameLength */
		{60, 17},	  /* name runs past NextEntryOffset */
		{232 + 60, 4},	  /* last name runs past the buffer */
	};
	struct smb_wbuf w;
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	size_t i;
	int n, badn;

	build_dir_buffer(&w);
	CU_ASSERT_EQUAL(iterate_dir(FILE_ID_BOTH_DIRECTORY_INFORMATION,
				    w.data, w.len, &n, &badn),
			0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(badn, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(patched32(iterate_id_both, w.data, w.len,
					  bad[i].off, bad[i].value),
				-EBADMSG);
	}
	/* Name length 1 is odd (not UTF-16) but inside the entry. */
	le32_put(w.data + 232 + 60, 1);
	smb2_dir_iter_init(&it, FILE_ID_BOTH_DIRECTORY_INFORMATION, w.data,
			   w.len);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 1);
	smb2_dirent_free(&d);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), -EILSEQ);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), -EILSEQ);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), 0);
	/* Once malformed, always malformed. */
	le32_put(w.data, 9);
	smb2_dir_iter_init(&it, FILE_ID_BOTH_DIRECTORY_INFORMATION, w.data,
			   w.len);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), -EBADMSG);
	CU_ASSERT_EQUAL(smb2_dirent_next(&it, &d), -EBADMSG);
	le32_put(w.data, 120);
	le32_put(w.data + 232 + 60, 2);
	/* Every strict prefix ends in -EBADMSG. */
	check_payload_prefixes(iterate_id_both, w.data, w.len, 1);
	wire_fuzz_payload(iterate_id_both, w.data, w.len, 5000);
	wbuf_free(&w);
}

/* Response decoders share the shape: StructureSize 9, offset, length. */
static int decode_qdir(const uint8_t *msg, size_t len)
{
	struct smb2_query_directory_response rsp;
	int rc = smb2_query_directory_response_decode(msg, len, &rsp);

	if (!rc && !wire_ptr_inside(msg, len, rsp.buffer, rsp.buffer_len))
		return WIRE_ESCAPED_POINTER;
	return rc;
}

static int decode_notify(const uint8_t *msg, size_t len)
{
	struct smb2_change_notify_response rsp;
	int rc = smb2_change_notify_response_decode(msg, len, &rsp);

	if (!rc && !wire_ptr_inside(msg, len, rsp.buffer, rsp.buffer_len))
		return WIRE_ESCAPED_POINTER;
	return rc;
}

static int decode_qinfo(const uint8_t *msg, size_t len)
{
	struct smb2_query_info_response rsp;
	int rc = smb2_query_info_response_decode(msg, len, &rsp);

	if (!rc && !wire_ptr_inside(msg, len, rsp.buffer, rsp.buffer_len))
		return WIRE_ESCAPED_POINTER;
	return rc;
}

static void check_buffer_response(wire_decode_fn fn, const char *vector)
{
	char path[256];
	size_t len;
	uint8_t *msg;

	snprintf(path, sizeof(path), SAMBA_VECTOR_DIR "%s", vector);
	msg = wire_load_vector(path, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_EQUAL(fn(msg, len), 0);
	/* The buffer runs to the end of each capture. */
	wire_check_truncations(fn, msg, len, len);
	CU_ASSERT_EQUAL(wire_decode_patched(fn, msg, len, 64, 2, 8), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(fn, msg, len, 66, 2, 0xffff),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(fn, msg, len, 66, 2, 8), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(fn, msg, len, 68, 4, 0xffffffff),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(fn, msg, len, 68, 4,
					    (uint32_t)(len - 72 + 1)),
			-EBADMSG);
	/* An empty buffer may have any offset. */
	CU_ASSERT_EQUAL(wire_decode_patched(fn, msg, len, 68, 4, 0), 0);
	wire_fuzz(fn, msg, len, 3000);
	free(msg);
}

static void test_buffer_responses_robust(void)
{
	check_buffer_response(decode_qdir, "query_directory_response_1.hex");
	check_buffer_response(decode_notify, "change_notify_response_1.hex");
	check_buffer_response(decode_qinfo, "query_info_all_response_1.hex");
	check_buffer_response(decode_qinfo, "query_info_stream_response.hex");
}

/* ------------------------------------------------------------------ */
/* CHANGE_NOTIFY                                                        */

static void test_notify_request(void)
{
	struct smb_wbuf w;
	struct smb2_change_notify_request req = {
		.flags = SMB2_WATCH_TREE,
		.output_buffer_length = 1000,
		.completion_filter = 0xfff,
	};

	req.file_id = capture_fileid("change_notify_request_1.hex", 8);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_change_notify_request_encode(&w, &req), 0);
	CU_ASSERT_EQUAL(w.len, SMB2_HEADER_SIZE + 32);
	assert_matches_capture(&w, "change_notify_request_1.hex");
	wbuf_free(&w);
	req.file_id.persistent = 0x0102030405060708ull;
	req.file_id.volatile_id = 0x1112131415161718ull;
	req.completion_filter = FILE_NOTIFY_CHANGE_FILE_NAME |
				FILE_NOTIFY_CHANGE_DIR_NAME;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_change_notify_request_encode(&w, &req), 0);
	wire_assert_body(&w, "2000"		/* StructureSize 32 */
			     "0100"		/* Flags WATCH_TREE */
			     "e8030000"		/* OutputBufferLength */
			     "0807060504030201" /* FileId.Persistent */
			     "1817161514131211" /* FileId.Volatile */
			     "03000000"		/* CompletionFilter */
			     "00000000");	/* Reserved */
	wbuf_free(&w);
}

static int iterate_notify(const uint8_t *buf, size_t len)
{
	struct smb2_notify_iter it;
	struct smb2_notify_entry e;
	int rc, guard = 0;

	smb2_notify_iter_init(&it, buf, len);
	while ((rc = smb2_notify_next(&it, &e)) != 0 && guard++ < 100000) {
		if (rc == -EBADMSG)
			return rc;
		free(e.name);
	}
	return 0;
}

static const char notify_hex[] =
	"14000000"	   /* NextEntryOffset 20 */
	"04000000"	   /* Action RENAMED_OLD_NAME */
	"06000000"	   /* FileNameLength */
	"6f006c006400"	   /* "old" */
	"0000"		   /* pad to 4 */
	"00000000"	   /* NextEntryOffset: last */
	"05000000"	   /* Action RENAMED_NEW_NAME */
	"06000000"	   /* FileNameLength */
	"6e0065007700";	   /* "new" */

static void test_notify_iterator(void)
{
	struct smb2_notify_iter it;
	struct smb2_notify_entry e;
	size_t len;
	uint8_t *buf = test_hex(notify_hex, &len);
	size_t msg_len;
	uint8_t *msg = wire_load_vector(
		SAMBA_VECTOR_DIR "change_notify_response_1.hex", &msg_len);
	struct smb2_change_notify_response rsp;

	smb2_notify_iter_init(&it, buf, len);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), 1);
	CU_ASSERT_EQUAL(e.action, FILE_ACTION_RENAMED_OLD_NAME);
	CU_ASSERT_STRING_EQUAL(e.name, "old");
	free(e.name);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), 1);
	CU_ASSERT_EQUAL(e.action, FILE_ACTION_RENAMED_NEW_NAME);
	CU_ASSERT_STRING_EQUAL(e.name, "new");
	free(e.name);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), 0);
	/* A bad name is skipped over; malformed framing is sticky. */
	buf[12] = 0x00;
	buf[13] = 0xdc;
	smb2_notify_iter_init(&it, buf, len);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), -EILSEQ);
	CU_ASSERT_PTR_NULL(e.name);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), 1);
	free(e.name);
	CU_ASSERT_EQUAL(patched32(iterate_notify, buf, len, 0, 18), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(iterate_notify, buf, len, 0, 8), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(iterate_notify, buf, len, 0, 0xfffffffc),
			-EBADMSG);
	CU_ASSERT_EQUAL(patched32(iterate_notify, buf, len, 8, 9), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(iterate_notify, buf, len, 28, 8), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(iterate_notify, buf, len, 28, 0xffffffff),
			-EBADMSG);
	check_payload_prefixes(iterate_notify, buf, len, 1);
	wire_fuzz_payload(iterate_notify, buf, len, 5000);
	free(buf);

	/* What smbd sent when nd\new.txt appeared. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_EQUAL(smb2_change_notify_response_decode(msg, msg_len, &rsp),
			0);
	smb2_notify_iter_init(&it, rsp.buffer, rsp.buffer_len);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), 1);
	CU_ASSERT_EQUAL(e.action, FILE_ACTION_ADDED);
	CU_ASSERT_STRING_EQUAL(e.name, "new.txt");
	free(e.name);
	CU_ASSERT_EQUAL(smb2_notify_next(&it, &e), 0);
	free(msg);
}

/* ------------------------------------------------------------------ */
/* QUERY_INFO                                                           */

static void test_qinfo_requests(void)
{
	static const char *const names[] = {"user.a", "b"};
	struct smb_wbuf w, in = SMB_WBUF_INIT;
	struct smb2_query_info_request req = {
		.info_type = SMB2_0_INFO_FILE,
		.info_class = FILE_ALL_INFORMATION,
		.output_buffer_length = 0xffff,
	};

	req.file_id = capture_fileid("query_info_all_request_1.hex", 24);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_query_info_request_encode(&w, &req), 0);
	assert_matches_capture(&w, "query_info_all_request_1.hex");
	wbuf_free(&w);

	req.info_type = SMB2_0_INFO_FILESYSTEM;
	req.info_class = FILE_FS_VOLUME_INFORMATION;
	req.file_id = capture_fileid("query_info_fs_volume_request.hex", 24);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_query_info_request_encode(&w, &req), 0);
	assert_matches_capture(&w, "query_info_fs_volume_request.hex");
	wbuf_free(&w);

	/* FileFullEaInformation with an EA name list as input. */
	CU_ASSERT_EQUAL(fscc_get_ea_encode(&in, names, 2), 0);
	req.info_type = SMB2_0_INFO_FILE;
	req.info_class = FILE_FULL_EA_INFORMATION;
	req.output_buffer_length = 0x10000;
	req.input = in.data;
	req.input_len = in.len;
	req.flags = SL_RESTART_SCAN;
	req.file_id.persistent = 1;
	req.file_id.volatile_id = 2;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_query_info_request_encode(&w, &req), 0);
	wire_assert_body(&w, "2900"		/* StructureSize 41 */
			     "01"		/* InfoType FILE */
			     "0f"		/* FileInfoClass 15 */
			     "00000100"		/* OutputBufferLength */
			     "6800"		/* InputBufferOffset 104 */
			     "0000"		/* Reserved */
			     "13000000"		/* InputBufferLength 19 */
			     "00000000"		/* AdditionalInformation */
			     "01000000"		/* Flags RESTART_SCAN */
			     "0100000000000000" /* FileId.Persistent */
			     "0200000000000000" /* FileId.Volatile */
			     /* FILE_GET_EA_INFORMATION (MS-FSCC 2.4.15.1) */
			     "0c000000"		/* NextEntryOffset 12 */
			     "06"		/* EaNameLength */
			     "757365722e6100"	/* "user.a" NUL */
			     "00000000"		/* NextEntryOffset */
			     "01"		/* EaNameLength */
			     "6200");		/* "b" NUL */
	wbuf_free(&w);
	wbuf_free(&in);
	/* Bad EA names. */
	{
		static const char *const empty[] = {""};
		char long_name[300];

		memset(long_name, 'x', sizeof(long_name) - 1);
		long_name[sizeof(long_name) - 1] = 0;
		CU_ASSERT_EQUAL(fscc_get_ea_encode(&in, empty, 1), -EINVAL);
		{
			const char *const ln[] = {long_name};

			CU_ASSERT_EQUAL(fscc_get_ea_encode(&in, ln, 1),
					-EINVAL);
		}
		wbuf_free(&in);
	}
}

/* Loads a capture and returns its QUERY_INFO output buffer. */
static uint8_t *capture_output(const char *vector, const uint8_t **buf,
			       size_t *len)
{
	char path[256];
	struct smb2_query_info_response rsp;
	size_t msg_len;
	uint8_t *msg;

	snprintf(path, sizeof(path), SAMBA_VECTOR_DIR "%s", vector);
	msg = wire_load_vector(path, &msg_len);
	*buf = NULL;
	*len = 0;
	if (msg && !smb2_query_info_response_decode(msg, msg_len, &rsp)) {
		*buf = rsp.buffer;
		*len = rsp.buffer_len;
	}
	CU_ASSERT_PTR_NOT_NULL(*buf);
	return msg;
}

static int decode_all(const uint8_t *buf, size_t len)
{
	struct fscc_all_info all;
	int rc = fscc_all_info_decode(buf, len, &all);

	if (!rc)
		fscc_all_info_free(&all);
	return rc;
}

static void test_fscc_all_info_samba(void)
{
	struct fscc_all_info all;
	struct fscc_basic_info basic;
	struct fscc_standard_info std;
	const uint8_t *buf;
	size_t len;
	uint64_t index;
	uint32_t ea;
	uint8_t *msg = capture_output("query_info_all_response_1.hex", &buf,
				      &len);

	if (!buf)
		return;
	CU_ASSERT_EQUAL_FATAL(fscc_all_info_decode(buf, len, &all), 0);
	CU_ASSERT_EQUAL(all.basic.creation_time, 0x01dd797e0dd4738full);
	CU_ASSERT_EQUAL(all.basic.file_attributes, FILE_ATTRIBUTE_ARCHIVE);
	CU_ASSERT_EQUAL(all.standard.allocation_size, 4096);
	CU_ASSERT_EQUAL(all.standard.end_of_file, 18);
	CU_ASSERT_EQUAL(all.standard.number_of_links, 1);
	CU_ASSERT_EQUAL(all.standard.directory, 0);
	CU_ASSERT_EQUAL(all.index_number, 0xa7554e);
	CU_ASSERT_EQUAL(all.access_flags, 0x00120089);
	CU_ASSERT_STRING_EQUAL(all.name, "\\small.txt");
	fscc_all_info_free(&all);
	CU_ASSERT_PTR_NULL(all.name);
	/* The leading parts decode as the individual classes. */
	CU_ASSERT_EQUAL(fscc_basic_info_decode(buf, 40, &basic), 0);
	CU_ASSERT_EQUAL(basic.last_write_time, 0x01dd797e0dd4abefull);
	CU_ASSERT_EQUAL(fscc_standard_info_decode(buf + 40, 24, &std), 0);
	CU_ASSERT_EQUAL(std.end_of_file, 18);
	CU_ASSERT_EQUAL(fscc_internal_info_decode(buf + 64, 8, &index), 0);
	CU_ASSERT_EQUAL(index, 0xa7554e);
	CU_ASSERT_EQUAL(fscc_ea_info_decode(buf + 72, 4, &ea), 0);
	CU_ASSERT_EQUAL(ea, 0);
	CU_ASSERT_EQUAL(fscc_basic_info_decode(buf, 35, &basic), -EBADMSG);
	CU_ASSERT_EQUAL(fscc_standard_info_decode(buf, 21, &std), -EBADMSG);
	CU_ASSERT_EQUAL(fscc_internal_info_decode(buf, 7, &index), -EBADMSG);
	CU_ASSERT_EQUAL(fscc_ea_info_decode(buf, 3, &ea), -EBADMSG);
	/* Robustness. */
	check_payload_prefixes(decode_all, buf, len, 0);
	CU_ASSERT_EQUAL(patched32(decode_all, buf, len, 96, 0xffffffff),
			-EBADMSG);
	CU_ASSERT_EQUAL(patched32(decode_all, buf, len, 96, 22), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(decode_all, buf, len, 96, 19), -EILSEQ);
	wire_fuzz_payload(decode_all, buf, len, 3000);
	free(msg);
}

static int decode_streams(const uint8_t *buf, size_t len)
{
	struct fscc_stream *s;
	size_t n;
	int rc = fscc_stream_info_decode(buf, len, &s, &n);

	if (!rc)
		fscc_streams_free(s, n);
	return rc;
}

static void test_fscc_streams(void)
{
	struct fscc_stream *s = NULL;
	size_t n = 0, len;
	const uint8_t *cbuf;
	uint8_t *msg = capture_output("query_info_stream_response.hex", &cbuf,
				      &len);
	uint8_t *buf;

	if (cbuf) {
		CU_ASSERT_EQUAL(fscc_stream_info_decode(cbuf, len, &s, &n), 0);
		CU_ASSERT_EQUAL_FATAL(n, 1);
		CU_ASSERT_STRING_EQUAL(s[0].name, "::$DATA");
		CU_ASSERT_EQUAL(s[0].size, 18);
		CU_ASSERT_EQUAL(s[0].allocation_size, 4096);
		fscc_streams_free(s, n);
	}
	free(msg);

	buf = test_hex("28000000"	  /* NextEntryOffset 40 */
		       "0e000000"	  /* StreamNameLength 14 */
		       "0500000000000000" /* StreamSize */
		       "0010000000000000" /* StreamAllocationSize */
		       "3a003a0024004400410054004100" /* "::$DATA" */
		       "0000"		  /* pad to 8 */
		       "00000000"	  /* last */
		       "14000000"	  /* StreamNameLength 20 */
		       "0300000000000000 0000000000000000"
		       "3a0066006f006f003a0024004400410054004100",
		       &len);
	CU_ASSERT_EQUAL(fscc_stream_info_decode(buf, len, &s, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(s[1].name, ":foo:$DATA");
	CU_ASSERT_EQUAL(s[1].size, 3);
	fscc_streams_free(s, n);
	CU_ASSERT_EQUAL(fscc_stream_info_decode(buf, 0, &s, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_EQUAL(patched32(decode_streams, buf, len, 0, 36), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(decode_streams, buf, len, 0, 16), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(decode_streams, buf, len, 0, 0xfffffff8),
			-EBADMSG);
	CU_ASSERT_EQUAL(patched32(decode_streams, buf, len, 4, 17), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(decode_streams, buf, len, 44, 22), -EBADMSG);
	check_payload_prefixes(decode_streams, buf, len, 1);
	wire_fuzz_payload(decode_streams, buf, len, 3000);
	free(buf);
}

static int iterate_eas(const uint8_t *buf, size_t len)
{
	struct fscc_ea_iter it;
	struct fscc_ea ea;
	int rc;

	fscc_ea_iter_init(&it, buf, len);
	while ((rc = fscc_ea_next(&it, &ea)) == 1) {
		if (ea.name[ea.name_len] != 0 ||
		    !wire_ptr_inside(buf, len, ea.value, ea.value_len))
			return WIRE_ESCAPED_POINTER;
	}
	return rc;
}

static void test_fscc_full_ea(void)
{
	struct fscc_ea eas[2] = {
		{0, "user.a", 6, (const uint8_t *)"xy", 2},
		{FILE_NEED_EA, "b", 1, NULL, 0},
	};
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct fscc_ea_iter it;
	struct fscc_ea ea;
	size_t len;
	uint8_t *want = test_hex("14000000"	  /* NextEntryOffset 20 */
				 "00"		  /* Flags */
				 "06"		  /* EaNameLength */
				 "0200"		  /* EaValueLength */
				 "757365722e6100" /* "user.a" NUL */
				 "7879"		  /* value "xy" */
				 "000000"	  /* pad to 4 */
				 "00000000"	  /* last */
				 "80"		  /* FILE_NEED_EA */
				 "01 0000"	  /* name 1, value 0 */
				 "6200",	  /* "b" NUL */
				 &len);

	CU_ASSERT_EQUAL(fscc_full_ea_encode(&w, eas, 2), 0);
	CU_ASSERT_EQUAL(w.len, len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	fscc_ea_iter_init(&it, w.data, w.len);
	CU_ASSERT_EQUAL(fscc_ea_next(&it, &ea), 1);
	CU_ASSERT_STRING_EQUAL(ea.name, "user.a");
	CU_ASSERT_EQUAL(ea.value_len, 2);
	CU_ASSERT_BYTES_EQUAL(ea.value, "xy", 2);
	CU_ASSERT_EQUAL(fscc_ea_next(&it, &ea), 1);
	CU_ASSERT_STRING_EQUAL(ea.name, "b");
	CU_ASSERT_EQUAL(ea.flags, FILE_NEED_EA);
	CU_ASSERT_EQUAL(ea.value_len, 0);
	CU_ASSERT_EQUAL(fscc_ea_next(&it, &ea), 0);
	/* Missing NUL, zero-length name, value past the entry, bad Next. */
	want[14] = 'z';
	CU_ASSERT_EQUAL(iterate_eas(want, len), -EBADMSG);
	want[14] = 0;
	want[5] = 0;
	CU_ASSERT_EQUAL(iterate_eas(want, len), -EBADMSG);
	want[5] = 6;
	le16_put(want + 6, 6);
	CU_ASSERT_EQUAL(iterate_eas(want, len), -EBADMSG);
	le16_put(want + 6, 2);
	CU_ASSERT_EQUAL(patched32(iterate_eas, want, len, 0, 18), -EBADMSG);
	CU_ASSERT_EQUAL(patched32(iterate_eas, want, len, 0, 0xfffffffc),
			-EBADMSG);
	CU_ASSERT_EQUAL(iterate_eas(want, len), 0);
	check_payload_prefixes(iterate_eas, want, len, 1);
	wire_fuzz_payload(iterate_eas, want, len, 3000);
	/* Encoder argument checks. */
	eas[1].name_len = 0;
	CU_ASSERT_EQUAL(fscc_full_ea_encode(&w, eas, 2), -EINVAL);
	eas[1].name_len = 1;
	eas[1].value_len = 70000;
	CU_ASSERT_EQUAL(fscc_full_ea_encode(&w, eas, 2), -EINVAL);
	CU_ASSERT_EQUAL(fscc_full_ea_encode(&w, eas, 0), -EINVAL);
	free(want);
	wbuf_free(&w);
}

static void test_fscc_ea_find(void)
{
	const struct fscc_ea eas[] = {
		{ .name = "alpha",
		  .name_len = 5,
		  .value = (const uint8_t *)"1",
		  .value_len = 1 },
		{ .name = "Beta",
		  .name_len = 4,
		  .value = (const uint8_t *)"xyz",
		  .value_len = 3 },
		{ .name = "gone",
		  .name_len = 4,
		  .value = NULL,
		  .value_len = 0 },
	};
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct fscc_ea e;

	CU_ASSERT_EQUAL_FATAL(fscc_full_ea_encode(&w, eas, 3), 0);
	CU_ASSERT_EQUAL(fscc_ea_find(w.data, w.len, "alpha", &e), 1);
	CU_ASSERT_EQUAL(e.value_len, 1);
	CU_ASSERT_BYTES_EQUAL(e.value, "1", 1);
	/* EA names compare without regard to case. */
	CU_ASSERT_EQUAL(fscc_ea_find(w.data, w.len, "BETA", &e), 1);
	CU_ASSERT_STRING_EQUAL(e.name, "Beta");
	CU_ASSERT_EQUAL(e.value_len, 3);
	CU_ASSERT_BYTES_EQUAL(e.value, "xyz", 3);
	/* Samba's answer for a missing EA: the name with no value. */
	CU_ASSERT_EQUAL(fscc_ea_find(w.data, w.len, "gone", &e), 1);
	CU_ASSERT_EQUAL(e.value_len, 0);
	CU_ASSERT_EQUAL(fscc_ea_find(w.data, w.len, "other", &e), 0);
	CU_ASSERT_EQUAL(fscc_ea_find(NULL, 0, "alpha", &e), 0);
	/* A truncated list is malformed, not "absent". */
	CU_ASSERT_EQUAL(fscc_ea_find(w.data, 10, "zzz", &e), -EBADMSG);
	wbuf_free(&w);
}

static int decode_volume(const uint8_t *buf, size_t len)
{
	struct fscc_fs_volume_info v;
	int rc = fscc_fs_volume_info_decode(buf, len, &v);

	if (!rc)
		fscc_fs_volume_info_free(&v);
	return rc;
}

static int decode_fs_attr(const uint8_t *buf, size_t len)
{
	struct fscc_fs_attribute_info a;
	int rc = fscc_fs_attribute_info_decode(buf, len, &a);

	if (!rc)
		fscc_fs_attribute_info_free(&a);
	return rc;
}

static int decode_fs_size(const uint8_t *buf, size_t len)
{
	struct fscc_fs_size_info s;

	return fscc_fs_size_info_decode(buf, len, &s);
}

static int decode_fs_full_size(const uint8_t *buf, size_t len)
{
	struct fscc_fs_full_size_info s;

	return fscc_fs_full_size_info_decode(buf, len, &s);
}

static int decode_net_open(const uint8_t *buf, size_t len)
{
	struct fscc_network_open_info n;

	return fscc_network_open_info_decode(buf, len, &n);
}

static void test_fscc_fs_info(void)
{
	struct fscc_fs_size_info sz;
	struct fscc_fs_full_size_info full;
	struct fscc_fs_volume_info vol;
	struct fscc_fs_attribute_info attr;
	const uint8_t *buf;
	size_t len;
	uint8_t *msg = capture_output("query_info_fs_size_response.hex", &buf,
				      &len);
	uint8_t *hex;

	if (buf) {
		CU_ASSERT_EQUAL(fscc_fs_size_info_decode(buf, len, &sz), 0);
		CU_ASSERT_EQUAL(sz.total_units, 0x0fbf8e74);
		CU_ASSERT_EQUAL(sz.available_units, 0x04f8b630);
		CU_ASSERT_EQUAL(sz.sectors_per_unit, 2);
		CU_ASSERT_EQUAL(sz.bytes_per_sector, 512);
		check_payload_prefixes(decode_fs_size, buf, len, 0);
		wire_fuzz_payload(decode_fs_size, buf, len, 500);
	}
	free(msg);
	msg = capture_output("query_info_fs_volume_response.hex", &buf, &len);
	if (buf) {
		CU_ASSERT_EQUAL_FATAL(
			fscc_fs_volume_info_decode(buf, len, &vol), 0);
		CU_ASSERT_STRING_EQUAL(vol.label, "plain");
		CU_ASSERT_EQUAL(vol.serial_number, 0xc5eec307);
		CU_ASSERT_EQUAL(vol.supports_objects, 0);
		fscc_fs_volume_info_free(&vol);
		check_payload_prefixes(decode_volume, buf, len, 0);
		CU_ASSERT_EQUAL(patched32(decode_volume, buf, len, 12,
					  0xffffffff),
				-EBADMSG);
		CU_ASSERT_EQUAL(patched32(decode_volume, buf, len, 12, 12),
				-EBADMSG);
		wire_fuzz_payload(decode_volume, buf, len, 2000);
	}
	free(msg);

	hex = test_hex("e8030000 00000000" /* TotalAllocationUnits 1000 */
		       "64000000 00000000" /* CallerAvailableAllocationUnits */
		       "c8000000 00000000" /* ActualAvailableAllocationUnits */
		       "08000000"	   /* SectorsPerAllocationUnit */
		       "00020000",	   /* BytesPerSector */
		       &len);
	CU_ASSERT_EQUAL(fscc_fs_full_size_info_decode(hex, len, &full), 0);
	CU_ASSERT_EQUAL(full.total_units, 1000);
	CU_ASSERT_EQUAL(full.caller_available_units, 100);
	CU_ASSERT_EQUAL(full.actual_available_units, 200);
	CU_ASSERT_EQUAL(full.sectors_per_unit, 8);
	CU_ASSERT_EQUAL(full.bytes_per_sector, 512);
	check_payload_prefixes(decode_fs_full_size, hex, len, 0);
	wire_fuzz_payload(decode_fs_full_size, hex, len, 500);
	free(hex);

	hex = test_hex("ff000700"	  /* FileSystemAttributes */
		       "ff000000"	  /* MaximumComponentNameLength */
		       "08000000"	  /* FileSystemNameLength */
		       "4e00540046005300", /* "NTFS" */
		       &len);
	CU_ASSERT_EQUAL_FATAL(fscc_fs_attribute_info_decode(hex, len, &attr),
			      0);
	CU_ASSERT_EQUAL(attr.attributes, 0x000700ff);
	CU_ASSERT_EQUAL(attr.max_component_name_len, 255);
	CU_ASSERT_STRING_EQUAL(attr.fs_name, "NTFS");
	fscc_fs_attribute_info_free(&attr);
	check_payload_prefixes(decode_fs_attr, hex, len, 0);
	CU_ASSERT_EQUAL(patched32(decode_fs_attr, hex, len, 8, 0xfffffffe),
			-EBADMSG);
	wire_fuzz_payload(decode_fs_attr, hex, len, 1000);
	free(hex);
}

static void test_fscc_network_open(void)
{
	struct fscc_network_open_info n;
	size_t len;
	uint8_t *hex = test_hex("0100000000000000" /* CreationTime */
				"0200000000000000" /* LastAccessTime */
				"0300000000000000" /* LastWriteTime */
				"0400000000000000" /* ChangeTime */
				"0020000000000000" /* AllocationSize */
				"0510000000000000" /* EndOfFile */
				"10000000"	   /* FileAttributes */
				"00000000",	   /* Reserved */
				&len);

	CU_ASSERT_EQUAL(fscc_network_open_info_decode(hex, len, &n), 0);
	CU_ASSERT_EQUAL(n.creation_time, 1);
	CU_ASSERT_EQUAL(n.change_time, 4);
	CU_ASSERT_EQUAL(n.allocation_size, 0x2000);
	CU_ASSERT_EQUAL(n.end_of_file, 0x1005);
	CU_ASSERT_EQUAL(n.file_attributes, FILE_ATTRIBUTE_DIRECTORY);
	check_payload_prefixes(decode_net_open, hex, 52, 0);
	wire_fuzz_payload(decode_net_open, hex, len, 500);
	free(hex);
}

/* SECURITY_DESCRIPTOR_RELATIVE (MS-DTYP 2.4.6) with owner and group. */
static const char sd_hex[] =
	"01"	   /* Revision */
	"00"	   /* Sbz1 */
	"0480"	   /* Control: SELF_RELATIVE | DACL_PRESENT */
	"14000000" /* OffsetOwner 20 */
	"30000000" /* OffsetGroup 48 */
	"00000000" /* OffsetSacl */
	"00000000" /* OffsetDacl */
	/* owner SID (MS-DTYP 2.4.2.2) */
	"01"		/* Revision */
	"05"		/* SubAuthorityCount */
	"000000000005"	/* IdentifierAuthority NT */
	"15000000 01000000 02000000 03000000 e9030000"
	/* group SID */
	"01 02 000000000005 20000000 20020000";

static int parse_sd(const uint8_t *buf, size_t len)
{
	struct fscc_sd_info sd;
	int rc = fscc_security_descriptor_parse(buf, len, &sd);

	if (!rc)
		fscc_sd_info_free(&sd);
	return rc;
}

static void test_fscc_security_descriptor(void)
{
	struct fscc_sd_info sd;
	size_t len, sid_len;
	uint8_t *buf = test_hex(sd_hex, &len);
	uint8_t big[8] = {1, 0, 0x01, 0, 0, 0, 0, 0};
	char *s;

	CU_ASSERT_EQUAL_FATAL(fscc_security_descriptor_parse(buf, len, &sd),
			      0);
	CU_ASSERT_EQUAL(sd.control, SE_SELF_RELATIVE | 0x0004);
	CU_ASSERT_STRING_EQUAL(sd.owner_sid, "S-1-5-21-1-2-3-1001");
	CU_ASSERT_STRING_EQUAL(sd.group_sid, "S-1-5-32-544");
	fscc_sd_info_free(&sd);
	/* An absent owner is NULL, not an error. */
	CU_ASSERT_EQUAL(patched32(parse_sd, buf, len, 4, 0), 0);
	le32_put(buf + 4, 0);
	CU_ASSERT_EQUAL(fscc_security_descriptor_parse(buf, len, &sd), 0);
	CU_ASSERT_PTR_NULL(sd.owner_sid);
	CU_ASSERT_STRING_EQUAL(sd.group_sid, "S-1-5-32-544");
	fscc_sd_info_free(&sd);
	le32_put(buf + 4, 20);
	/* Authorities of 2^32 and above are printed in hex. */
	CU_ASSERT_EQUAL(fscc_sid_to_string(big, sizeof(big), &s, &sid_len), 0);
	CU_ASSERT_STRING_EQUAL(s, "S-1-0x010000000000");
	CU_ASSERT_EQUAL(sid_len, 8);
	free(s);
	/* Offsets, counts and revisions that do not fit. */
	CU_ASSERT_EQUAL(patched32(parse_sd, buf, len, 4, 0xffffffff),
			-EBADMSG);
	CU_ASSERT_EQUAL(patched32(parse_sd, buf, len, 8, (uint32_t)len),
			-EBADMSG);
	CU_ASSERT_EQUAL(patched32(parse_sd, buf, len, 8, (uint32_t)len - 8),
			-EBADMSG);
	buf[21] = 16; /* SubAuthorityCount above 15 */
	CU_ASSERT_EQUAL(parse_sd(buf, len), -EBADMSG);
	buf[21] = 6; /* runs into the group, still inside the buffer */
	CU_ASSERT_EQUAL(parse_sd(buf, len), 0);
	buf[21] = 5;
	buf[20] = 2;
	CU_ASSERT_EQUAL(parse_sd(buf, len), -EBADMSG);
	buf[20] = 1;
	buf[0] = 2;
	CU_ASSERT_EQUAL(parse_sd(buf, len), -EBADMSG);
	buf[0] = 1;
	check_payload_prefixes(parse_sd, buf, len, 0);
	wire_fuzz_payload(parse_sd, buf, len, 5000);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* SET_INFO and the SET_INFO encoders                                   */

static void test_set_info_requests_match_samba(void)
{
	struct smb_wbuf w, b = SMB_WBUF_INIT;
	struct fscc_basic_info basic = {
		.creation_time = FSCC_TIME_STOP_UPDATING,
		.last_access_time = FSCC_TIME_STOP_UPDATING,
		.last_write_time = FSCC_TIME_NO_CHANGE,
		.change_time = FSCC_TIME_STOP_UPDATING,
		.file_attributes = FILE_ATTRIBUTE_READONLY |
				   FILE_ATTRIBUTE_ARCHIVE,
	};
	struct smb2_set_info_request req = {
		.info_type = SMB2_0_INFO_FILE,
		.info_class = FILE_RENAME_INFORMATION,
	};

	/* FileRenameInformation: rename to small2.txt. */
	CU_ASSERT_EQUAL(fscc_rename_info_encode(&b, 0, "small2.txt", 10), 0);
	req.buffer = b.data;
	req.buffer_len = b.len;
	req.file_id = capture_fileid("set_info_rename_request.hex", 16);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_set_info_request_encode(&w, &req), 0);
	assert_matches_capture(&w, "set_info_rename_request.hex");
	wbuf_free(&w);
	wbuf_free(&b);

	/* FileBasicInformation as smbclient's setmode sent it. */
	CU_ASSERT_EQUAL(fscc_basic_info_encode(&b, &basic), 0);
	req.info_class = FILE_BASIC_INFORMATION;
	req.buffer = b.data;
	req.buffer_len = b.len;
	req.file_id = capture_fileid("set_info_basic_request_1.hex", 16);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_set_info_request_encode(&w, &req), 0);
	assert_matches_capture(&w, "set_info_basic_request_1.hex");
	wbuf_free(&w);
	wbuf_free(&b);

	/* FileDispositionInformation: delete on close. */
	CU_ASSERT_EQUAL(fscc_disposition_info_encode(&b, 1), 0);
	req.info_class = FILE_DISPOSITION_INFORMATION;
	req.buffer = b.data;
	req.buffer_len = b.len;
	req.file_id = capture_fileid("set_info_disposition_request_1.hex", 16);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_set_info_request_encode(&w, &req), 0);
	assert_matches_capture(&w, "set_info_disposition_request_1.hex");
	wbuf_free(&w);
	wbuf_free(&b);
}

static void test_set_info_request_fields(void)
{
	struct smb_wbuf w, b = SMB_WBUF_INIT;
	struct smb2_set_info_request req = {
		.info_type = SMB2_0_INFO_FILE,
		.info_class = FILE_END_OF_FILE_INFORMATION,
		.file_id = {1, 2},
	};

	CU_ASSERT_EQUAL(fscc_end_of_file_info_encode(&b, 0x123456789ull), 0);
	req.buffer = b.data;
	req.buffer_len = b.len;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_set_info_request_encode(&w, &req), 0);
	wire_assert_body(&w, "2100"		/* StructureSize 33 */
			     "01"		/* InfoType FILE */
			     "14"		/* FileInfoClass 20 */
			     "08000000"		/* BufferLength */
			     "6000"		/* BufferOffset 96 */
			     "0000"		/* Reserved */
			     "00000000"		/* AdditionalInformation */
			     "0100000000000000" /* FileId.Persistent */
			     "0200000000000000" /* FileId.Volatile */
			     "8967452301000000"); /* EndOfFile */
	wbuf_free(&w);
	req.buffer_len = 0;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_set_info_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
	wbuf_free(&b);
}

static void test_set_info_encoders(void)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	size_t len;
	uint8_t *want = test_hex(
		"0010000000000000" /* FileAllocationInformation */
		/* FileLinkInformation (MS-FSCC 2.4.24.2) */
		"01"		   /* ReplaceIfExists */
		"00000000000000"   /* Reserved */
		"0000000000000000" /* RootDirectory */
		"02000000"	   /* FileNameLength */
		"7800"		   /* "x" */
		"0000"		   /* padding to the 24-byte minimum */
		/* FileRenameInformation with a path and a non-ASCII name */
		"00 00000000000000 0000000000000000"
		"0a000000"	   /* FileNameLength 10 */
		"64005c00e9007400e900", /* "d\été" */
		&len);

	CU_ASSERT_EQUAL(fscc_allocation_info_encode(&w, 4096), 0);
	CU_ASSERT_EQUAL(fscc_link_info_encode(&w, 1, "x", 1), 0);
	CU_ASSERT_EQUAL(fscc_rename_info_encode(&w, 0, "d\\\xc3\xa9t\xc3\xa9",
						7),
			0);
	CU_ASSERT_EQUAL(w.len, len);
	CU_ASSERT_BYTES_EQUAL(w.data, want, len);
	CU_ASSERT_EQUAL(fscc_rename_info_encode(&w, 0, "", 0), -EINVAL);
	wbuf_reset(&w);
	CU_ASSERT_EQUAL(fscc_rename_info_encode(&w, 0, "\xc0\x80", 2),
			-EILSEQ);
	free(want);
	wbuf_free(&w);
}

static int decode_set_info(const uint8_t *msg, size_t len)
{
	return smb2_set_info_response_decode(msg, len);
}

static void check_samba_set_info(const char *path, const uint8_t *msg,
				 size_t len)
{
	(void)path;
	CU_ASSERT_EQUAL(smb2_set_info_response_decode(msg, len), 0);
	wire_check_truncations(decode_set_info, msg, len, len);
}

static void test_set_info_responses(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_SET_INFO, 0, "0200", &len);

	CU_ASSERT(wire_for_each_vector("set_info_*_response*.hex",
				       check_samba_set_info) > 0);
	CU_ASSERT_EQUAL(wire_decode_patched(decode_set_info, msg, len, 64, 2,
					    9),
			-EBADMSG);
	wire_fuzz(decode_set_info, msg, len, 1000);
	free(msg);
}

static CU_TestInfo qdir_tests[] = {
	{"request", test_qdir_request},
	{"Samba listing", test_qdir_samba},
	{"FILE_ID_BOTH_DIR iterator", test_dirent_iterator},
	{"other directory classes", test_dirent_other_classes},
	{"malformed directory buffers", test_dirent_malformed},
	{"buffer responses robust", test_buffer_responses_robust},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo notify_tests[] = {
	{"request", test_notify_request},
	{"FILE_NOTIFY_INFORMATION iterator", test_notify_iterator},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo qinfo_tests[] = {
	{ "requests", test_qinfo_requests },
	{ "FileAllInformation and parts", test_fscc_all_info_samba },
	{ "FileStreamInformation", test_fscc_streams },
	{ "FileFullEaInformation", test_fscc_full_ea },
	{ "EA lookup in a FileFullEaInformation list", test_fscc_ea_find },
	{ "file system classes", test_fscc_fs_info },
	{ "FileNetworkOpenInformation", test_fscc_network_open },
	{ "security descriptor owner and group",
	  test_fscc_security_descriptor },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sinfo_tests[] = {
	{"requests match smbclient", test_set_info_requests_match_samba},
	{"request fields", test_set_info_request_fields},
	{"encoders", test_set_info_encoders},
	{"responses", test_set_info_responses},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"smb2_query_directory", NULL, NULL, NULL, NULL, qdir_tests},
	{"smb2_change_notify", NULL, NULL, NULL, NULL, notify_tests},
	{"smb2_query_info", NULL, NULL, NULL, NULL, qinfo_tests},
	{"smb2_set_info", NULL, NULL, NULL, NULL, sinfo_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
