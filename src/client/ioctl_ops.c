// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FSCTL-based calls: server-side copy (MS-SMB2 3.2.4.20.2), sparse
 * files, zeroing and allocated ranges (MS-FSCC 2.3).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_fsctl.h"

/* Samba's and Windows' defaults (MS-SMB2 3.3.3): 16 chunks of 1 MiB. */
#define COPYCHUNK_MAX_CHUNKS 16
#define COPYCHUNK_CHUNK_SIZE (1024 * 1024)

static int copy_resume_key(struct smb_tree *t, struct smb2_fileid src,
			   uint8_t key[SMB2_RESUME_KEY_SIZE])
{
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	int rc = smb_ioctl(t, src, FSCTL_SRV_REQUEST_RESUME_KEY, NULL, 0, 32,
			   &out, &out_len);

	if (!rc)
		rc = smb2_fsctl_resume_key_decode(out, out_len, key);
	free(out);
	return rc;
}

/* One COPYCHUNK_WRITE of up to 16 MiB; returns bytes written. */
static ssize_t copy_batch(struct smb_tree *t, struct smb2_fileid dst,
			  const uint8_t *key, uint64_t src_off,
			  uint64_t dst_off, uint64_t len)
{
	struct smb2_copychunk chunks[COPYCHUNK_MAX_CHUNKS];
	struct smb2_copychunk_result res;
	struct smb_wbuf in = SMB_WBUF_INIT;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t n = 0;
	uint64_t off = 0;
	int rc;

	while (n < COPYCHUNK_MAX_CHUNKS && off < len) {
		uint64_t c = len - off < COPYCHUNK_CHUNK_SIZE
				     ? len - off
				     : COPYCHUNK_CHUNK_SIZE;

		chunks[n].source_offset = src_off + off;
		chunks[n].target_offset = dst_off + off;
		chunks[n].length = (uint32_t)c;
		off += c;
		n++;
	}
	rc = smb2_fsctl_copychunk_encode(&in, key, chunks, n);
	if (!rc)
		rc = smb_ioctl(t, dst, FSCTL_SRV_COPYCHUNK_WRITE, in.data,
			       in.len, 12, &out, &out_len);
	wbuf_free(&in);
	if (!rc)
		rc = smb2_fsctl_copychunk_result_decode(out, out_len, &res);
	free(out);
	if (rc < 0)
		return rc;
	if (res.total_bytes_written > off)
		return -EBADMSG;
	return res.total_bytes_written;
}

ssize_t smb_file_copy_chunk(struct smb_tree *t, struct smb2_fileid src,
			    uint64_t src_off, struct smb2_fileid dst,
			    uint64_t dst_off, uint64_t len)
{
	uint8_t key[SMB2_RESUME_KEY_SIZE];
	uint64_t done = 0;
	int rc = copy_resume_key(t, src, key);

	if (rc < 0)
		return rc;
	while (done < len) {
		ssize_t n = copy_batch(t, dst, key, src_off + done,
				       dst_off + done, len - done);

		if (n < 0)
			return done ? (ssize_t)done : n;
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/* Sends an FSCTL whose input an encoder filled and whose output is none. */
static int fsctl_in(struct smb_tree *t, struct smb2_fileid fid, uint32_t code,
		    struct smb_wbuf *in)
{
	int rc = wbuf_error(in);

	if (!rc)
		rc = smb_ioctl(t, fid, code, in->data, (uint32_t)in->len, 0,
			       NULL, NULL);
	wbuf_free(in);
	return rc;
}

/* MS-FSCC 2.3.64 FILE_SET_SPARSE_BUFFER. */
int smb_file_set_sparse(struct smb_tree *t, struct smb2_fileid fid,
			bool sparse)
{
	struct smb_wbuf in = SMB_WBUF_INIT;

	smb2_fsctl_set_sparse_encode(&in, sparse);
	return fsctl_in(t, fid, FSCTL_SET_SPARSE, &in);
}

/* MS-FSCC 2.3.70 FILE_ZERO_DATA_INFORMATION. */
int smb_file_zero_data(struct smb_tree *t, struct smb2_fileid fid,
		       uint64_t off, uint64_t end)
{
	struct smb_wbuf in = SMB_WBUF_INIT;

	smb2_fsctl_zero_data_encode(&in, off, end);
	return fsctl_in(t, fid, FSCTL_SET_ZERO_DATA, &in);
}

/* Output room for FSCTL_QUERY_ALLOCATED_RANGES (16 bytes a range). */
#define RANGES_OUT_SMALL (64u << 10)
#define RANGES_OUT_LARGE (1u << 20)

static int ranges_convert(const uint8_t *out, uint32_t out_len,
			  struct smb_alloc_range **ranges, size_t *n)
{
	struct smb2_alloc_range *r = NULL;
	size_t i;
	int rc = smb2_fsctl_alloc_ranges_decode(out, out_len, &r, n);

	if (rc < 0)
		return rc;
	*ranges = *n ? malloc(*n * sizeof(**ranges)) : NULL;
	if (*n && !*ranges) {
		free(r);
		return -ENOMEM;
	}
	for (i = 0; i < *n; i++) {
		(*ranges)[i].offset = r[i].offset;
		(*ranges)[i].length = r[i].length;
	}
	free(r);
	return 0;
}

/* MS-FSCC 2.3.33 / 2.3.34: a bigger buffer once when the first is full. */
int smb_file_allocated_ranges(struct smb_tree *t, struct smb2_fileid fid,
			      uint64_t off, uint64_t len,
			      struct smb_alloc_range **ranges, size_t *n)
{
	static const uint32_t room[2] = {RANGES_OUT_SMALL, RANGES_OUT_LARGE};
	const struct smb2_alloc_range want = {off, len};
	struct smb_wbuf in = SMB_WBUF_INIT;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	int i, rc;

	*ranges = NULL;
	*n = 0;
	rc = smb2_fsctl_alloc_range_encode(&in, &want);
	for (i = 0; !rc && i < 2; i++) {
		rc = smb_ioctl(t, fid, FSCTL_QUERY_ALLOCATED_RANGES, in.data,
			       (uint32_t)in.len, room[i], &out, &out_len);
		/* BUFFER_OVERFLOW (E2BIG) or BUFFER_TOO_SMALL (ERANGE) */
		if (rc != -E2BIG && rc != -ERANGE)
			break;
		rc = -E2BIG;
	}
	wbuf_free(&in);
	if (!rc)
		rc = ranges_convert(out, out_len, ranges, n);
	free(out);
	return rc;
}
