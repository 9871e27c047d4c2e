/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checks shared by the SMB2 command body codecs in this directory
 * (private to src/wire).
 */
#ifndef SMBFS_WIRE_SMB2_BODY_CHECK_H
#define SMBFS_WIRE_SMB2_BODY_CHECK_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

/*
 * Encoders write offsets relative to the SMB2 header, so they need the
 * buffer to hold exactly the header room when they start.
 */
static inline int smb2_body_encode_start(const struct smb_wbuf *w)
{
	if (w->err)
		return w->err;
	if (w->len != SMB2_HEADER_SIZE)
		return -EINVAL;
	return 0;
}

/*
 * A response body starts at SMB2_HEADER_SIZE with its StructureSize.
 * Checks that StructureSize is the expected value and that the fixed
 * part (fixed_len bytes, StructureSize included) is inside the message.
 */
static inline int smb2_body_check(const uint8_t *msg, size_t len,
				  uint16_t structure_size, size_t fixed_len)
{
	uint16_t size;

	if (bytes_get_u16_at(msg, len, SMB2_HEADER_SIZE, &size))
		return -EBADMSG;
	if (size != structure_size)
		return -EBADMSG;
	if (bytes_range_check(len, SMB2_HEADER_SIZE, fixed_len))
		return -EBADMSG;
	return 0;
}

/* The LOGOFF/ECHO/... body: StructureSize 4 and two reserved bytes. */
static inline int smb2_body_encode_empty(struct smb_wbuf *w)
{
	int err = smb2_body_encode_start(w);

	if (err)
		return err;
	wbuf_u16(w, 4);
	wbuf_u16(w, 0);
	return wbuf_error(w);
}

static inline int smb2_body_decode_empty(const uint8_t *msg, size_t len)
{
	return smb2_body_check(msg, len, 4, 4);
}

/*
 * QUERY_DIRECTORY, CHANGE_NOTIFY and QUERY_INFO responses share one
 * layout (MS-SMB2 2.2.34, 2.2.36, 2.2.38): StructureSize 9, a 16-bit
 * OutputBufferOffset, a 32-bit OutputBufferLength, then the buffer.
 * Returns the buffer as a pointer into msg (NULL when empty).
 */
static inline int smb2_buffer_response_decode(const uint8_t *msg, size_t len,
					      uint16_t structure_size,
					      const uint8_t **buf,
					      uint32_t *buf_len)
{
	struct smb_rbuf r;
	uint16_t off;
	uint32_t n;

	*buf = NULL;
	*buf_len = 0;
	rbuf_init(&r, msg, len);
	rbuf_seek(&r, SMB2_HEADER_SIZE);
	if (rbuf_u16(&r) != structure_size)
		return -EBADMSG;
	off = rbuf_u16(&r);
	n = rbuf_u32(&r);
	if (rbuf_error(&r))
		return -EBADMSG;
	if (n == 0)
		return 0;
	/* The buffer follows the 8 fixed bytes of the body. */
	if (off < SMB2_HEADER_SIZE + 8 || bytes_range_check(len, off, n))
		return -EBADMSG;
	*buf = msg + off;
	*buf_len = n;
	return 0;
}

#endif
