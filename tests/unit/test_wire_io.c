// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File I/O SMB2 bodies: FLUSH, CLOSE, READ, WRITE, LOCK and the oplock
 * and lease break messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_flush.h"
#include "smbfs/wire/smb2_lock.h"
#include "smbfs/wire/smb2_oplock_break.h"
#include "smbfs/wire/smb2_read.h"
#include "smbfs/wire/smb2_write.h"
#include "wire_robustness.h"

#define FUZZ_ROUNDS 4000

/* persistent 0x0102030405060708, volatile 0x1112131415161718 */
#define FILE_ID_HEX "0807060504030201 1817161514131211"

static const struct smb2_fileid file_id = {0x0102030405060708ull,
					   0x1112131415161718ull};

static const uint8_t lease_key[SMB2_LEASE_KEY_SIZE] = {
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
	0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff};

static struct smb2_fileid fileid_at(const uint8_t *p)
{
	struct smb2_fileid f = {le64_get(p), le64_get(p + 8)};

	return f;
}

/* Asserts the encoded message equals a captured one after the header. */
static void assert_same_body(const struct smb_wbuf *w, const uint8_t *msg,
			     size_t len)
{
	CU_ASSERT_EQUAL(w->len, len);
	if (w->len == len)
		CU_ASSERT_BYTES_EQUAL(w->data + SMB2_HEADER_SIZE,
				      msg + SMB2_HEADER_SIZE,
				      len - SMB2_HEADER_SIZE);
}

/* ---------------------------------------------------------------- */
/* FLUSH                                                             */

static void test_flush(void)
{
	struct smb2_flush_request req = {file_id};
	struct smb_wbuf w;
	size_t len;
	uint8_t *msg = wire_response(SMB2_FLUSH, 0, "0400 0000", &len);

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_flush_request_encode(&w, &req), 0);
	wire_assert_body(&w, "1800"	/* StructureSize 24 */
			     "0000"	/* Reserved1 */
			     "00000000" /* Reserved2 */
			     FILE_ID_HEX);
	wbuf_free(&w);
	wbuf_init(&w);
	CU_ASSERT_EQUAL(smb2_flush_request_encode(&w, &req), -EINVAL);

	CU_ASSERT_EQUAL(smb2_flush_response_decode(msg, len), 0);
	CU_ASSERT_EQUAL(wire_decode_patched(smb2_flush_response_decode, msg,
					    len, SMB2_HEADER_SIZE, 2, 24),
			-EBADMSG);
	wire_check_truncations(smb2_flush_response_decode, msg, len, len);
	wire_fuzz(smb2_flush_response_decode, msg, len, 500);
	free(msg);
}

/* ---------------------------------------------------------------- */
/* CLOSE                                                             */

static const char close_response[] =
	"3c00"			/* StructureSize 60 */
	"0100"			/* Flags: POSTQUERY_ATTRIB */
	"00000000"		/* Reserved */
	"0100000000000000"	/* CreationTime */
	"0200000000000000"	/* LastAccessTime */
	"0300000000000000"	/* LastWriteTime */
	"0400000000000000"	/* ChangeTime */
	"0010000000000000"	/* AllocationSize 4096 */
	"1200000000000000"	/* EndofFile 18 */
	"20000000";		/* FileAttributes: ARCHIVE */

static int close_decode(const uint8_t *msg, size_t len)
{
	struct smb2_close_response rsp;

	return smb2_close_response_decode(msg, len, &rsp);
}

static void test_close(void)
{
	struct smb2_close_request req = {SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
					 file_id};
	struct smb2_close_response rsp;
	struct smb_wbuf w;
	size_t len;
	uint8_t *msg;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_close_request_encode(&w, &req), 0);
	wire_assert_body(&w, "1800"	/* StructureSize 24 */
			     "0100"	/* Flags */
			     "00000000" /* Reserved */
			     FILE_ID_HEX);
	wbuf_free(&w);

	msg = wire_response(SMB2_CLOSE, 0, close_response, &len);
	CU_ASSERT_EQUAL(smb2_close_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.flags, SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB);
	CU_ASSERT_EQUAL(rsp.creation_time, 1);
	CU_ASSERT_EQUAL(rsp.last_access_time, 2);
	CU_ASSERT_EQUAL(rsp.last_write_time, 3);
	CU_ASSERT_EQUAL(rsp.change_time, 4);
	CU_ASSERT_EQUAL(rsp.allocation_size, 4096);
	CU_ASSERT_EQUAL(rsp.end_of_file, 18);
	CU_ASSERT_EQUAL(rsp.file_attributes, FILE_ATTRIBUTE_ARCHIVE);
	CU_ASSERT_EQUAL(wire_decode_patched(close_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 61),
			-EBADMSG);
	wire_check_truncations(close_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(close_decode, msg, len, FUZZ_ROUNDS) > 0);
	free(msg);
}

static void samba_close_request(const char *path, const uint8_t *msg,
				size_t len)
{
	const uint8_t *b = msg + SMB2_HEADER_SIZE;
	struct smb2_close_request req;
	struct smb_wbuf w;

	(void)path;
	CU_ASSERT_FATAL(len == SMB2_HEADER_SIZE + 24);
	req.flags = le16_get(b + 2);
	req.file_id = fileid_at(b + 8);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_close_request_encode(&w, &req), 0);
	assert_same_body(&w, msg, len);
	wbuf_free(&w);
}

static void samba_close_response(const char *path, const uint8_t *msg,
				 size_t len)
{
	struct smb2_close_response rsp;
	struct smb2_header h;

	(void)path;
	CU_ASSERT_EQUAL_FATAL(smb2_header_decode(msg, len, &h), 0);
	if (h.status)
		return; /* an ERROR body */
	CU_ASSERT_EQUAL(smb2_close_response_decode(msg, len, &rsp), 0);
	if (rsp.flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB)
		CU_ASSERT(rsp.last_write_time != 0);
}

static void test_close_samba(void)
{
	CU_ASSERT(wire_for_each_vector("close_request_*.hex",
				       samba_close_request) > 0);
	CU_ASSERT(wire_for_each_vector("close_response_*.hex",
				       samba_close_response) > 0);
}

/* ---------------------------------------------------------------- */
/* READ                                                              */

static const char read_response[] =
	"1100"		/* StructureSize 17 */
	"50"		/* DataOffset 80 */
	"00"		/* Reserved */
	"05000000"	/* DataLength */
	"07000000"	/* DataRemaining */
	"00000000"	/* Reserved2 */
	"68656c6c6f";	/* "hello" */

#define READ_DATA_OFFSET (SMB2_HEADER_SIZE + 2)
#define READ_DATA_LENGTH (SMB2_HEADER_SIZE + 4)

static int read_decode(const uint8_t *msg, size_t len)
{
	struct smb2_read_response rsp;
	int err = smb2_read_response_decode(msg, len, &rsp);

	if (!err && !wire_ptr_inside(msg, len, rsp.data, rsp.data_len))
		return WIRE_ESCAPED_POINTER;
	return err;
}

static void test_read_request(void)
{
	struct smb2_read_request req = {
		.padding = 0x50,
		.flags = SMB2_READFLAG_READ_UNBUFFERED,
		.length = 0x10000,
		.offset = 0x100000000ull,
		.file_id = file_id,
		.minimum_count = 1,
		.channel = SMB2_CHANNEL_NONE,
		.remaining_bytes = 0x20000,
	};
	struct smb_wbuf w;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_read_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"3100"		/* StructureSize 49 */
		"50"		/* Padding */
		"01"		/* Flags */
		"00000100"	/* Length */
		"0000000001000000" /* Offset */
		FILE_ID_HEX
		"01000000"	/* MinimumCount */
		"00000000"	/* Channel */
		"00000200"	/* RemainingBytes */
		"0000 0000"	/* ReadChannelInfoOffset/Length */
		"00");		/* Buffer: one zero byte */
	wbuf_free(&w);
}

static void test_read_response(void)
{
	struct smb2_read_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_READ, 0, read_response, &len);

	CU_ASSERT_EQUAL(smb2_read_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_PTR_EQUAL(rsp.data, msg + 80);
	CU_ASSERT_EQUAL(rsp.data_len, 5);
	CU_ASSERT_EQUAL(rsp.data_remaining, 7);
	CU_ASSERT_BYTES_EQUAL(rsp.data, "hello", 5);

	/* Data inside the header or the fixed part, or past the end */
	CU_ASSERT_EQUAL(wire_decode_patched(read_decode, msg, len,
					    READ_DATA_OFFSET, 1, 0x10),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(read_decode, msg, len,
					    READ_DATA_OFFSET, 1, 79),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(read_decode, msg, len,
					    READ_DATA_OFFSET, 1, 0xFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(read_decode, msg, len,
					    READ_DATA_LENGTH, 4, 6), -EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(read_decode, msg, len,
					    READ_DATA_LENGTH, 4, 0xFFFFFFFF),
			-EBADMSG);
	CU_ASSERT_EQUAL(wire_decode_patched(read_decode, msg, len,
					    READ_DATA_LENGTH, 4, 0xFFFFFFB0),
			-EBADMSG);
	/* No data: the offset does not matter */
	msg[READ_DATA_OFFSET] = 0;
	le32_put(msg + READ_DATA_LENGTH, 0);
	CU_ASSERT_EQUAL(smb2_read_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_PTR_NULL(rsp.data);
	CU_ASSERT_EQUAL(rsp.data_len, 0);
	free(msg);

	msg = wire_response(SMB2_READ, 0, read_response, &len);
	wire_check_truncations(read_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(read_decode, msg, len, FUZZ_ROUNDS) > 0);
	free(msg);
}

static void samba_read_request(const char *path, const uint8_t *msg,
			       size_t len)
{
	const uint8_t *b = msg + SMB2_HEADER_SIZE;
	struct smb2_read_request req;
	struct smb_wbuf w;

	(void)path;
	CU_ASSERT_FATAL(len >= SMB2_HEADER_SIZE + 49);
	req.padding = b[2];
	req.flags = b[3];
	req.length = le32_get(b + 4);
	req.offset = le64_get(b + 8);
	req.file_id = fileid_at(b + 16);
	req.minimum_count = le32_get(b + 32);
	req.channel = le32_get(b + 36);
	req.remaining_bytes = le32_get(b + 40);
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_read_request_encode(&w, &req), 0);
	assert_same_body(&w, msg, len);
	wbuf_free(&w);
}

static void samba_read_response(const char *path, const uint8_t *msg,
				size_t len)
{
	struct smb2_read_response rsp;
	struct smb2_header h;

	(void)path;
	CU_ASSERT_EQUAL_FATAL(smb2_header_decode(msg, len, &h), 0);
	if (h.status)
		return; /* an interim STATUS_PENDING (ERROR body) */
	CU_ASSERT_EQUAL(smb2_read_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.data_len, 18);
	if (rsp.data)
		CU_ASSERT_BYTES_EQUAL(rsp.data, "smbfs vector file\n", 18);
	wire_check_truncations(read_decode, msg, len, len);
}

static void test_read_samba(void)
{
	CU_ASSERT(wire_for_each_vector("read_request*.hex",
				       samba_read_request) > 0);
	CU_ASSERT(wire_for_each_vector("read_response*.hex",
				       samba_read_response) > 0);
}

/* ---------------------------------------------------------------- */
/* WRITE                                                             */

static int write_decode(const uint8_t *msg, size_t len)
{
	struct smb2_write_response rsp;

	return smb2_write_response_decode(msg, len, &rsp);
}

static void test_write_request(void)
{
	struct smb2_write_request req = {
		.offset = 0x2000,
		.file_id = file_id,
		.flags = SMB2_WRITEFLAG_WRITE_THROUGH,
		.data = "abc",
		.length = 3,
	};
	struct smb_wbuf w;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_write_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"3100"		/* StructureSize 49 */
		"7000"		/* DataOffset 112 */
		"03000000"	/* Length */
		"0020000000000000" /* Offset */
		FILE_ID_HEX
		"00000000"	/* Channel */
		"00000000"	/* RemainingBytes */
		"0000 0000"	/* WriteChannelInfoOffset/Length */
		"01000000"	/* Flags: WRITE_THROUGH */
		"616263");	/* data */
	wbuf_free(&w);

	/* A zero-length write still sends one byte of Buffer. */
	req.length = 0;
	req.flags = 0;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_write_request_encode(&w, &req), 0);
	wire_assert_body(&w, "3100 7000 00000000 0020000000000000" FILE_ID_HEX
			     "00000000 00000000 0000 0000 00000000 00");
	wbuf_free(&w);

	req.data = NULL;
	req.length = 3;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_write_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);

	/* Data sent after the body by the caller: the fixed part only. */
	req.data_follows = true;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_write_request_encode(&w, &req), 0);
	wire_assert_body(&w, "3100 7000 03000000 0020000000000000" FILE_ID_HEX
			     "00000000 00000000 0000 0000 00000000");
	wbuf_free(&w);
}

static void test_write_response(void)
{
	struct smb2_write_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_WRITE, 0,
				     "1100"	/* StructureSize 17 */
				     "0000"	/* Reserved */
				     "03000000" /* Count */
				     "09000000" /* Remaining */
				     "0000 0000", /* WriteChannelInfo */
				     &len);

	CU_ASSERT_EQUAL(smb2_write_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_EQUAL(rsp.count, 3);
	CU_ASSERT_EQUAL(rsp.remaining, 9);
	CU_ASSERT_EQUAL(wire_decode_patched(write_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 16),
			-EBADMSG);
	wire_check_truncations(write_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(write_decode, msg, len, FUZZ_ROUNDS) > 0);
	free(msg);
}

static void samba_write_request(const char *path, const uint8_t *msg,
				size_t len)
{
	const uint8_t *b = msg + SMB2_HEADER_SIZE;
	struct smb2_write_request req = { .data_follows = false };
	struct smb_wbuf w;

	(void)path;
	CU_ASSERT_FATAL(len >= SMB2_HEADER_SIZE + 48);
	CU_ASSERT_EQUAL_FATAL(le16_get(b + 2), 112);
	req.length = le32_get(b + 4);
	req.offset = le64_get(b + 8);
	req.file_id = fileid_at(b + 16);
	req.channel = le32_get(b + 32);
	req.remaining_bytes = le32_get(b + 36);
	req.flags = le32_get(b + 44);
	CU_ASSERT_FATAL(112 + (size_t)req.length <= len);
	req.data = msg + 112;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_write_request_encode(&w, &req), 0);
	assert_same_body(&w, msg, len);
	wbuf_free(&w);
}

static void samba_write_response(const char *path, const uint8_t *msg,
				 size_t len)
{
	struct smb2_write_response rsp;
	struct smb2_header h;

	(void)path;
	CU_ASSERT_EQUAL_FATAL(smb2_header_decode(msg, len, &h), 0);
	if (h.status)
		return; /* an interim STATUS_PENDING (ERROR body) */
	CU_ASSERT_EQUAL(smb2_write_response_decode(msg, len, &rsp), 0);
	CU_ASSERT(rsp.count > 0);
}

static void test_write_samba(void)
{
	CU_ASSERT(wire_for_each_vector("write_request_*.hex",
				       samba_write_request) > 0);
	CU_ASSERT(wire_for_each_vector("write_response_*.hex",
				       samba_write_response) > 0);
}

/* ---------------------------------------------------------------- */
/* LOCK                                                              */

static void test_lock_request(void)
{
	static const struct smb2_lock_element locks[] = {
		{0x1000, 0x200, SMB2_LOCKFLAG_SHARED_LOCK |
					SMB2_LOCKFLAG_FAIL_IMMEDIATELY},
		{0xFFFFFFFF00000000ull, 1, SMB2_LOCKFLAG_EXCLUSIVE_LOCK},
	};
	struct smb2_lock_request req = {
		.lock_sequence_number = 3,
		.lock_sequence_index = 5,
		.file_id = file_id,
		.locks = locks,
		.lock_count = 2,
	};
	struct smb_wbuf w;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), 0);
	wire_assert_body(&w,
		"3000"		/* StructureSize 48 */
		"0200"		/* LockCount */
		"53000000"	/* LockSequence: number 3, index 5 */
		FILE_ID_HEX
		"0010000000000000 0002000000000000 11000000 00000000"
		"00000000ffffffff 0100000000000000 02000000 00000000");
	wbuf_free(&w);
}

static void test_lock_request_invalid(void)
{
	struct smb2_lock_element locks[2] = {
		{0, 1, SMB2_LOCKFLAG_UNLOCK},
		{5, 1, SMB2_LOCKFLAG_UNLOCK},
	};
	struct smb2_lock_request req = {
		.file_id = file_id,
		.locks = locks,
		.lock_count = 2,
	};
	static const uint32_t bad_flags[] = {
		0,
		SMB2_LOCKFLAG_SHARED_LOCK | SMB2_LOCKFLAG_EXCLUSIVE_LOCK,
		SMB2_LOCKFLAG_UNLOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY,
		SMB2_LOCKFLAG_UNLOCK | SMB2_LOCKFLAG_SHARED_LOCK,
		SMB2_LOCKFLAG_FAIL_IMMEDIATELY,
		0x100,
	};
	struct smb_wbuf w;
	size_t i;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), 0); /* unlocks */
	wbuf_free(&w);
	for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
		locks[1].flags = bad_flags[i];
		wire_request_start(&w);
		CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), -EINVAL);
		wbuf_free(&w);
	}
	/* A lock after an unlock */
	locks[1].flags = SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
	locks[1].flags = SMB2_LOCKFLAG_UNLOCK;
	req.lock_sequence_number = 16;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), -EINVAL);
	req.lock_sequence_number = 0;
	req.lock_sequence_index = 0x10000000;
	CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), -EINVAL);
	req.lock_sequence_index = 0;
	req.lock_count = 0;
	CU_ASSERT_EQUAL(smb2_lock_request_encode(&w, &req), -EINVAL);
	wbuf_free(&w);
}

static void test_lock_response(void)
{
	size_t len;
	uint8_t *msg = wire_response(SMB2_LOCK, 0, "0400 0000", &len);

	CU_ASSERT_EQUAL(smb2_lock_response_decode(msg, len), 0);
	CU_ASSERT_EQUAL(wire_decode_patched(smb2_lock_response_decode, msg,
					    len, SMB2_HEADER_SIZE, 2, 48),
			-EBADMSG);
	wire_check_truncations(smb2_lock_response_decode, msg, len, len);
	wire_fuzz(smb2_lock_response_decode, msg, len, 500);
	free(msg);
}

/* ---------------------------------------------------------------- */
/* OPLOCK_BREAK                                                      */

static const char oplock_break_notification[] =
	"1800"		/* StructureSize 24 */
	"01"		/* OplockLevel: II */
	"00"		/* Reserved */
	"00000000"	/* Reserved2 */
	FILE_ID_HEX;

static const char lease_break_notification[] =
	"2c00"		/* StructureSize 44 */
	"0200"		/* NewEpoch */
	"01000000"	/* Flags: ACK_REQUIRED */
	"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff" /* LeaseKey */
	"07000000"	/* CurrentLeaseState: R|H|W */
	"01000000"	/* NewLeaseState: R */
	"00000000"	/* BreakReason */
	"00000000"	/* AccessMaskHint */
	"00000000";	/* ShareMaskHint */

static const char lease_break_response[] =
	"2400"		/* StructureSize 36 */
	"0000"		/* Reserved */
	"00000000"	/* Flags */
	"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff" /* LeaseKey */
	"01000000"	/* LeaseState */
	"0000000000000000"; /* LeaseDuration */

static int notification_decode(const uint8_t *msg, size_t len)
{
	struct smb2_break_notification n;

	return smb2_break_notification_decode(msg, len, &n);
}

static int break_response_decode(const uint8_t *msg, size_t len)
{
	struct smb2_break_response rsp;

	return smb2_break_response_decode(msg, len, &rsp);
}

static void test_break_notifications(void)
{
	struct smb2_break_notification n;
	size_t len;
	uint8_t *msg = wire_response(SMB2_OPLOCK_BREAK, 0,
				     oplock_break_notification, &len);

	CU_ASSERT_EQUAL(smb2_break_notification_decode(msg, len, &n), 0);
	CU_ASSERT_FALSE(n.is_lease);
	CU_ASSERT_EQUAL(n.oplock_level, SMB2_OPLOCK_LEVEL_II);
	CU_ASSERT_EQUAL(n.file_id.persistent, file_id.persistent);
	CU_ASSERT_EQUAL(n.file_id.volatile_id, file_id.volatile_id);
	wire_check_truncations(notification_decode, msg, len, len);
	wire_fuzz(notification_decode, msg, len, FUZZ_ROUNDS);
	free(msg);

	msg = wire_response(SMB2_OPLOCK_BREAK, 0, lease_break_notification,
			    &len);
	CU_ASSERT_EQUAL(smb2_break_notification_decode(msg, len, &n), 0);
	CU_ASSERT(n.is_lease);
	CU_ASSERT_EQUAL(n.new_epoch, 2);
	CU_ASSERT_EQUAL(n.flags, SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED);
	CU_ASSERT_BYTES_EQUAL(n.lease_key, lease_key, SMB2_LEASE_KEY_SIZE);
	CU_ASSERT_EQUAL(n.current_lease_state,
			SMB2_LEASE_READ_CACHING | SMB2_LEASE_HANDLE_CACHING |
				SMB2_LEASE_WRITE_CACHING);
	CU_ASSERT_EQUAL(n.new_lease_state, SMB2_LEASE_READ_CACHING);
	/* A StructureSize that is neither form */
	CU_ASSERT_EQUAL(wire_decode_patched(notification_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 36),
			-EBADMSG);
	/* Claiming the oplock form is fine: the body is long enough. */
	CU_ASSERT_EQUAL(wire_decode_patched(notification_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 24),
			0);
	wire_check_truncations(notification_decode, msg, len, len);
	wire_fuzz(notification_decode, msg, len, FUZZ_ROUNDS);
	free(msg);
}

static void test_break_acks(void)
{
	struct smb2_oplock_break_ack oack = {SMB2_OPLOCK_LEVEL_NONE, file_id};
	struct smb2_lease_break_ack lack;
	struct smb_wbuf w;

	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_oplock_break_ack_encode(&w, &oack), 0);
	wire_assert_body(&w, "1800"	/* StructureSize 24 */
			     "00"	/* OplockLevel */
			     "00"	/* Reserved */
			     "00000000" /* Reserved2 */
			     FILE_ID_HEX);
	wbuf_free(&w);

	memcpy(lack.lease_key, lease_key, SMB2_LEASE_KEY_SIZE);
	lack.lease_state = SMB2_LEASE_READ_CACHING;
	wire_request_start(&w);
	CU_ASSERT_EQUAL(smb2_lease_break_ack_encode(&w, &lack), 0);
	wire_assert_body(&w, lease_break_response); /* same layout */
	wbuf_free(&w);
	wbuf_init(&w);
	CU_ASSERT_EQUAL(smb2_lease_break_ack_encode(&w, &lack), -EINVAL);
}

static void test_break_responses(void)
{
	struct smb2_break_response rsp;
	size_t len;
	uint8_t *msg = wire_response(SMB2_OPLOCK_BREAK, 0,
				     oplock_break_notification, &len);

	CU_ASSERT_EQUAL(smb2_break_response_decode(msg, len, &rsp), 0);
	CU_ASSERT_FALSE(rsp.is_lease);
	CU_ASSERT_EQUAL(rsp.oplock_level, SMB2_OPLOCK_LEVEL_II);
	CU_ASSERT_EQUAL(rsp.file_id.volatile_id, file_id.volatile_id);
	wire_check_truncations(break_response_decode, msg, len, len);
	free(msg);

	msg = wire_response(SMB2_OPLOCK_BREAK, 0, lease_break_response, &len);
	CU_ASSERT_EQUAL(smb2_break_response_decode(msg, len, &rsp), 0);
	CU_ASSERT(rsp.is_lease);
	CU_ASSERT_BYTES_EQUAL(rsp.lease_key, lease_key, SMB2_LEASE_KEY_SIZE);
	CU_ASSERT_EQUAL(rsp.lease_state, SMB2_LEASE_READ_CACHING);
	/* 44 is a notification, not a response */
	CU_ASSERT_EQUAL(wire_decode_patched(break_response_decode, msg, len,
					    SMB2_HEADER_SIZE, 2, 44),
			-EBADMSG);
	wire_check_truncations(break_response_decode, msg, len, len);
	CU_ASSERT(wire_fuzz(break_response_decode, msg, len, FUZZ_ROUNDS) >
		  0);
	free(msg);
}

static CU_TestInfo flush_close_tests[] = {
	{"flush", test_flush},
	{"close", test_close},
	{"close matches Samba", test_close_samba},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo read_write_tests[] = {
	{"read request", test_read_request},
	{"read response", test_read_response},
	{"read matches Samba", test_read_samba},
	{"write request", test_write_request},
	{"write response", test_write_response},
	{"write matches Samba", test_write_samba},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo lock_tests[] = {
	{"lock request", test_lock_request},
	{"invalid lock requests", test_lock_request_invalid},
	{"lock response", test_lock_response},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo break_tests[] = {
	{"oplock and lease break notifications", test_break_notifications},
	{"acknowledgments", test_break_acks},
	{"break responses", test_break_responses},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"flush_close", NULL, NULL, NULL, NULL, flush_close_tests},
	{"read_write", NULL, NULL, NULL, NULL, read_write_tests},
	{"lock", NULL, NULL, NULL, NULL, lock_tests},
	{"oplock_break", NULL, NULL, NULL, NULL, break_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
