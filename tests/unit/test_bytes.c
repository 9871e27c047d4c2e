// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounds-checked buffers and UTF-8/UTF-16 conversion. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/bytes.h"
#include "smbfs/utf16.h"

static void test_rbuf_reads_and_sticky_error(void)
{
	const uint8_t data[] = {0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12};
	struct smb_rbuf r;

	rbuf_init(&r, data, sizeof(data));
	CU_ASSERT_EQUAL(rbuf_u8(&r), 0x01);
	CU_ASSERT_EQUAL(rbuf_u16(&r), 0x1234);
	CU_ASSERT_EQUAL(rbuf_u32(&r), 0x12345678);
	CU_ASSERT_EQUAL(rbuf_error(&r), 0);
	CU_ASSERT_EQUAL(rbuf_u8(&r), 0);
	CU_ASSERT_EQUAL(rbuf_error(&r), -EBADMSG);
	rbuf_seek(&r, 0);
	CU_ASSERT_EQUAL(rbuf_error(&r), -EBADMSG); /* sticky */
}

static void test_range_check_overflow(void)
{
	CU_ASSERT_EQUAL(bytes_range_check(10, 0, 10), 0);
	CU_ASSERT_EQUAL(bytes_range_check(10, 10, 0), 0);
	CU_ASSERT_EQUAL(bytes_range_check(10, 11, 0), -EBADMSG);
	CU_ASSERT_EQUAL(bytes_range_check(10, 5, 6), -EBADMSG);
	CU_ASSERT_EQUAL(bytes_range_check(10, UINT64_MAX, 2), -EBADMSG);
	CU_ASSERT_EQUAL(bytes_range_check(10, 2, UINT64_MAX), -EBADMSG);
}

static void test_wbuf_grow_align_patch(void)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	int i;

	wbuf_u8(&w, 0xAA);
	wbuf_align(&w, 8);
	CU_ASSERT_EQUAL(w.len, 8);
	for (i = 0; i < 1000; i++)
		wbuf_u32(&w, (uint32_t)i);
	CU_ASSERT_EQUAL(w.len, 8 + 4000);
	wbuf_put_u16_at(&w, 2, 0xBEEF);
	CU_ASSERT_EQUAL(le16_get(w.data + 2), 0xBEEF);
	CU_ASSERT_EQUAL(le32_get(w.data + 8 + 4 * 999), 999);
	wbuf_put_u32_at(&w, w.len - 2, 1);
	CU_ASSERT_EQUAL(wbuf_error(&w), -EOVERFLOW);
	wbuf_free(&w);
}

static void test_utf16_roundtrip(void)
{
	const char *name = "caf\xc3\xa9 \xf0\x9f\x98\x80 x";
	struct smb_wbuf w = SMB_WBUF_INIT;
	char *back = NULL;
	long n = utf8_to_utf16le(&w, name, strlen(name));

	CU_ASSERT_EQUAL(n, utf8_utf16le_size(name, strlen(name)));
	CU_ASSERT_EQUAL(n, 2 * 7 + 4);
	CU_ASSERT_EQUAL(utf16le_to_utf8(w.data, w.len, &back), 0);
	CU_ASSERT_STRING_EQUAL(back, name);
	free(back);
	wbuf_free(&w);
}

static void test_utf_invalid_rejected(void)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	const uint8_t lone_hi[] = {0x3D, 0xD8, 0x41, 0x00};
	const uint8_t lone_lo[] = {0x00, 0xDC};
	const uint8_t nul[] = {0x41, 0x00, 0x00, 0x00};
	char *out = (char *)1;

	CU_ASSERT_EQUAL(utf8_to_utf16le(&w, "\xc0\xaf", 2), -EILSEQ);
	CU_ASSERT_EQUAL(utf8_to_utf16le(&w, "\xed\xa0\x80", 3), -EILSEQ);
	CU_ASSERT_EQUAL(utf8_to_utf16le(&w, "\xe2\x82", 2), -EILSEQ);
	CU_ASSERT_EQUAL(utf8_to_utf16le(&w, "\xff", 1), -EILSEQ);
	CU_ASSERT_EQUAL(utf16le_to_utf8(lone_hi, sizeof(lone_hi), &out), -EILSEQ);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_EQUAL(utf16le_to_utf8(lone_lo, sizeof(lone_lo), &out), -EILSEQ);
	CU_ASSERT_EQUAL(utf16le_to_utf8(nul, sizeof(nul), &out), -EILSEQ);
	CU_ASSERT_EQUAL(utf16le_to_utf8(nul, 3, &out), -EILSEQ);
	wbuf_free(&w);
}

static CU_TestInfo bytes_tests[] = {
	{"reader reads LE and errors stick", test_rbuf_reads_and_sticky_error},
	{"range check catches overflow", test_range_check_overflow},
	{"writer grows, aligns, patches", test_wbuf_grow_align_patch},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo utf_tests[] = {
	{"UTF-8 <-> UTF-16LE round trip", test_utf16_roundtrip},
	{"invalid sequences are errors", test_utf_invalid_rejected},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"bytes", NULL, NULL, NULL, NULL, bytes_tests},
	{"utf16", NULL, NULL, NULL, NULL, utf_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
