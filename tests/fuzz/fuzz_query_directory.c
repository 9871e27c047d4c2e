// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * QUERY_DIRECTORY response (MS-SMB2 2.2.34) and the directory entry
 * iterator for every class smbfs asks for (MS-FSCC 2.4.10, 2.4.14,
 * 2.4.8, 2.4.17, 2.4.18).
 *
 * Input: a selector byte, then data.  Selector bits 0-6 (modulo 5) pick
 * the class: 0 FileDirectory, 1 FileFullDirectory, 2 FileBothDirectory,
 * 3 FileIdBothDirectory, 4 FileIdFullDirectory.  Bit 7 clear: data is a
 * whole response message; set: data is the output buffer alone.
 */
#include "fuzz_common.h"
#include "smbfs/wire/smb2_query_directory.h"

static const struct {
	uint8_t info_class;
	size_t name_off; /* fixed part of an entry */
} classes[] = {
	{FILE_DIRECTORY_INFORMATION, 64},
	{FILE_FULL_DIRECTORY_INFORMATION, 68},
	{FILE_BOTH_DIRECTORY_INFORMATION, 94},
	{FILE_ID_BOTH_DIRECTORY_INFORMATION, 104},
	{FILE_ID_FULL_DIRECTORY_INFORMATION, 80},
};

static void walk(uint8_t info_class, size_t fixed, const uint8_t *data,
		 size_t size)
{
	uint8_t *buf = fuzz_copy(data, size);
	struct smb2_dir_iter it;
	struct smb2_dirent d;
	size_t entries = 0, last_pos = 0;
	int rc;

	FUZZ_CHECK(smb2_dir_iter_init(&it, info_class, buf, size) == 0);
	while ((rc = smb2_dirent_next(&it, &d)) != 0) {
		FUZZ_CHECK(rc == 1 || rc == -EILSEQ || rc == -EBADMSG);
		if (rc == -EBADMSG)
			break;
		entries++;
		/* Each entry takes at least its fixed part of the buffer. */
		FUZZ_CHECK(entries * fixed <= size);
		FUZZ_CHECK(it.pos <= size);
		FUZZ_CHECK(it.state == 1 || it.pos > last_pos);
		last_pos = it.pos;
		if (rc == 1)
			FUZZ_CHECK(fuzz_utf8_valid(d.name));
		else
			FUZZ_CHECK(d.name == NULL);
		smb2_dirent_free(&d);
	}
	/* The end and a malformed buffer are both final. */
	FUZZ_CHECK(smb2_dirent_next(&it, &d) == rc && d.name == NULL);
	FUZZ_CHECK(rc != 0 || it.state == 1);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size);
	size_t c = (sel & 0x7F) % (sizeof(classes) / sizeof(classes[0]));
	struct smb2_query_directory_response rsp;
	int rc;

	if (sel & 0x80) {
		walk(classes[c].info_class, classes[c].name_off, data, size);
		return 0;
	}
	rc = smb2_query_directory_response_decode(data, size, &rsp);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc)
		return 0;
	FUZZ_CHECK(fuzz_inside(data, size, rsp.buffer, rsp.buffer_len));
	FUZZ_CHECK(!rsp.buffer || rsp.buffer >= data + 72);
	walk(classes[c].info_class, classes[c].name_off, rsp.buffer,
	     rsp.buffer_len);
	return 0;
}
