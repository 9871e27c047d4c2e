// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the client makes of READ and WRITE responses it is handed
 * (src/client/file_ops.c): the data, the end of file, and the answers
 * of a broken or hostile server: more data than the READ asked for, a
 * DataLength past the response, a DataOffset into the header, a WRITE
 * count above what was sent.  Each of those is -EBADMSG, and nothing is
 * copied past the caller's buffer.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/client/client_internal.h"
#include "cunit_main.h"
#include "smbfs/ntstatus.h"
#include "smbfs/smb2.h"

/* MS-SMB2 2.2.20: StructureSize 17, DataOffset, DataLength at 4. */
#define READ_RSP_FIXED 16

/* A request whose final response is a READ response with data_len
 * claimed, the data at data_off, and data_bytes bytes of 'x' sent. */
static struct smb_req *read_answered(uint8_t data_off, uint32_t data_len,
				     uint32_t data_bytes)
{
	struct smb_req *req = smb_req_new(SMB2_READ);
	size_t len = SMB2_HEADER_SIZE + READ_RSP_FIXED + data_bytes;
	uint8_t *rsp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	rsp = calloc(1, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsp);
	memcpy(rsp, "\xfeSMB", 4);
	rsp[4] = 64;
	rsp[12] = SMB2_READ;
	rsp[SMB2_HEADER_SIZE] = 17;
	rsp[SMB2_HEADER_SIZE + 2] = data_off;
	memcpy(rsp + SMB2_HEADER_SIZE + 4, &(uint32_t){ htole32(data_len) }, 4);
	memset(rsp + SMB2_HEADER_SIZE + READ_RSP_FIXED, 'x', data_bytes);
	req->rsp = rsp;
	req->rsp_len = len;
	req->status = STATUS_SUCCESS;
	return req;
}

/* Reads into a 64-byte buffer whose last 32 bytes must stay untouched. */
static ssize_t copy_into_guarded(const struct smb_req *req, uint32_t asked,
				 bool *guard_ok)
{
	uint8_t buf[64];
	ssize_t n;
	int i;

	memset(buf, 'G', sizeof(buf));
	n = read_response_copy(req, buf, asked);
	*guard_ok = true;
	for (i = (int)asked; i < (int)sizeof(buf); i++)
		if (buf[i] != 'G')
			*guard_ok = false;
	return n;
}

static void test_read_data(void)
{
	struct smb_req *req = read_answered(80, 20, 20);
	bool guard_ok;

	CU_ASSERT_EQUAL(copy_into_guarded(req, 32, &guard_ok), 20);
	CU_ASSERT(guard_ok);
	smb_req_free(req);
}

static void test_read_end_of_file(void)
{
	struct smb_req *req = read_answered(80, 0, 0);
	bool guard_ok;

	req->status = STATUS_END_OF_FILE;
	CU_ASSERT_EQUAL(copy_into_guarded(req, 32, &guard_ok), 0);
	CU_ASSERT(guard_ok);
	smb_req_free(req);
}

static void test_read_longer_than_asked(void)
{
	/* 40 bytes sent and claimed for a READ of 32. */
	struct smb_req *req = read_answered(80, 40, 40);
	bool guard_ok;

	CU_ASSERT_EQUAL(copy_into_guarded(req, 32, &guard_ok), -EBADMSG);
	CU_ASSERT(guard_ok);
	smb_req_free(req);
}

static void test_read_length_past_response(void)
{
	struct smb_req *req = read_answered(80, 20 + 65536, 20);
	bool guard_ok;

	CU_ASSERT_EQUAL(copy_into_guarded(req, 32, &guard_ok), -EBADMSG);
	CU_ASSERT(guard_ok);
	smb_req_free(req);
}

static void test_read_offset_into_header(void)
{
	int off;

	for (off = 0; off < 80; off += 8) {
		struct smb_req *req = read_answered((uint8_t)off, 20, 20);
		bool guard_ok;

		CU_ASSERT_EQUAL(copy_into_guarded(req, 32, &guard_ok),
				-EBADMSG);
		CU_ASSERT(guard_ok);
		smb_req_free(req);
	}
}

static void test_read_failed_request(void)
{
	struct smb_req *req = read_answered(80, 20, 20);
	bool guard_ok;

	/* A bad signature or a timeout: the bytes are never looked at. */
	req->err = -ETIMEDOUT;
	CU_ASSERT_EQUAL(copy_into_guarded(req, 32, &guard_ok), -ETIMEDOUT);
	CU_ASSERT(guard_ok);
	smb_req_free(req);
}

/* MS-SMB2 2.2.22: StructureSize 17, Reserved, Count at 4. */
static struct smb_req *write_answered(uint32_t count)
{
	struct smb_req *req = smb_req_new(SMB2_WRITE);
	size_t len = SMB2_HEADER_SIZE + 17;
	uint8_t *rsp;

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	rsp = calloc(1, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsp);
	memcpy(rsp, "\xfeSMB", 4);
	rsp[4] = 64;
	rsp[12] = SMB2_WRITE;
	rsp[SMB2_HEADER_SIZE] = 17;
	memcpy(rsp + SMB2_HEADER_SIZE + 4, &(uint32_t){ htole32(count) }, 4);
	req->rsp = rsp;
	req->rsp_len = len;
	req->status = STATUS_SUCCESS;
	return req;
}

static void test_write_count(void)
{
	struct smb_req *req = write_answered(100);

	CU_ASSERT_EQUAL(write_response_count(req, 100), 100);
	CU_ASSERT_EQUAL(write_response_count(req, 99), -EBADMSG);
	smb_req_free(req);
}

static CU_TestInfo tests[] = {
	{ "READ data is copied", test_read_data },
	{ "READ at the end of file is 0 bytes", test_read_end_of_file },
	{ "READ data longer than asked is refused",
	  test_read_longer_than_asked },
	{ "READ DataLength past the response is refused",
	  test_read_length_past_response },
	{ "READ DataOffset into the header is refused",
	  test_read_offset_into_header },
	{ "a failed READ request copies nothing", test_read_failed_request },
	{ "a WRITE count above what was sent is refused", test_write_count },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "client READ and WRITE responses", NULL, NULL, NULL, NULL, tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
