// SPDX-License-Identifier: GPL-2.0-or-later
/* FSCTL-based calls: server-side copy (MS-SMB2 3.2.4.20.2). */
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
