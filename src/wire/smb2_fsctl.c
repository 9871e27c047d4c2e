// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FSCTL payloads: server-side copy, sparse files, allocated ranges,
 * DFS referrals and network interface lists.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/utf16.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_fsctl.h"

/* MS-SMB2 2.2.32.3: ResumeKey (24), ContextLength (4), Context. */
int smb2_fsctl_resume_key_decode(const uint8_t *buf, size_t len,
				 uint8_t key[SMB2_RESUME_KEY_SIZE])
{
	if (len < SMB2_RESUME_KEY_SIZE)
		return -EBADMSG;
	memcpy(key, buf, SMB2_RESUME_KEY_SIZE);
	return 0;
}

/*
 * MS-SMB2 2.2.31.1: SourceKey (24), ChunkCount (4), Reserved (4), then
 * SRV_COPYCHUNK entries: SourceOffset (8), TargetOffset (8), Length (4),
 * Reserved (4).
 */
int smb2_fsctl_copychunk_encode(struct smb_wbuf *w,
				const uint8_t key[SMB2_RESUME_KEY_SIZE],
				const struct smb2_copychunk *chunks,
				size_t count)
{
	size_t i;

	if (count > UINT32_MAX || (count && !chunks))
		return -EINVAL;
	wbuf_bytes(w, key, SMB2_RESUME_KEY_SIZE);
	wbuf_u32(w, (uint32_t)count);
	wbuf_u32(w, 0);
	for (i = 0; i < count; i++) {
		wbuf_u64(w, chunks[i].source_offset);
		wbuf_u64(w, chunks[i].target_offset);
		wbuf_u32(w, chunks[i].length);
		wbuf_u32(w, 0);
	}
	return wbuf_error(w);
}

/* MS-SMB2 2.2.32.1: ChunksWritten, ChunkBytesWritten, TotalBytesWritten. */
int smb2_fsctl_copychunk_result_decode(const uint8_t *buf, size_t len,
				       struct smb2_copychunk_result *res)
{
	struct smb_rbuf r;

	rbuf_init(&r, buf, len);
	res->chunks_written = rbuf_u32(&r);
	res->chunk_bytes_written = rbuf_u32(&r);
	res->total_bytes_written = rbuf_u32(&r);
	return rbuf_error(&r);
}

int smb2_fsctl_set_sparse_encode(struct smb_wbuf *w, int sparse)
{
	wbuf_u8(w, sparse ? 1 : 0); /* SetSparse */
	return wbuf_error(w);
}

/* MS-FSCC 2.3.70: FileOffset, BeyondFinalZero. */
int smb2_fsctl_zero_data_encode(struct smb_wbuf *w, uint64_t offset,
				uint64_t beyond_final_zero)
{
	wbuf_u64(w, offset);
	wbuf_u64(w, beyond_final_zero);
	return wbuf_error(w);
}

/* MS-FSCC 2.3.33: FileOffset, Length. */
int smb2_fsctl_alloc_range_encode(struct smb_wbuf *w,
				  const struct smb2_alloc_range *range)
{
	wbuf_u64(w, range->offset);
	wbuf_u64(w, range->length);
	return wbuf_error(w);
}

#define ALLOC_RANGE_SIZE 16

int smb2_fsctl_alloc_ranges_decode(const uint8_t *buf, size_t len,
				   struct smb2_alloc_range **ranges,
				   size_t *count)
{
	struct smb2_alloc_range *arr = NULL;
	size_t i, n = len / ALLOC_RANGE_SIZE;

	*ranges = NULL;
	*count = 0;
	if (len % ALLOC_RANGE_SIZE)
		return -EBADMSG;
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		arr[i].offset = le64_get(buf + i * ALLOC_RANGE_SIZE);
		arr[i].length = le64_get(buf + i * ALLOC_RANGE_SIZE + 8);
	}
	*ranges = arr;
	*count = n;
	return 0;
}

/* MS-DFSC 2.2.2: MaxReferralLevel, RequestFileName (NUL-terminated). */
int smb2_fsctl_dfs_referral_request_encode(struct smb_wbuf *w,
					   uint16_t max_referral_level,
					   const char *path, size_t path_len)
{
	long n;

	if (!path || path_len == 0 || memchr(path, 0, path_len))
		return -EINVAL;
	wbuf_u16(w, max_referral_level);
	n = utf8_to_utf16le(w, path, path_len);
	if (n < 0)
		return (int)n;
	wbuf_u16(w, 0);
	return wbuf_error(w);
}

/*
 * Reads the NUL-terminated UTF-16 string at buf[off..] (MS-DFSC 2.2.5:
 * strings live in the StringBuffer after the entries, so they are bounded
 * by the whole response, not by the entry).
 */
static int dfs_string(const uint8_t *buf, size_t len, size_t off, char **out)
{
	size_t end;

	*out = NULL;
	if (off > len)
		return -EBADMSG;
	for (end = off; end + 2 <= len; end += 2) {
		if (le16_get(buf + end) == 0)
			break;
	}
	if (end + 2 > len)
		return -EBADMSG;
	if (utf16le_to_utf8(buf + off, end - off, out))
		return -EBADMSG;
	return 0;
}

#define DFS_HEADER_SIZE 8
#define DFS_V2_MIN_SIZE 22
#define DFS_V3_MIN_SIZE 18

/* Decodes the entry at pos of the given size into *ref. */
static int dfs_entry(const uint8_t *buf, size_t len, size_t pos, size_t size,
		     struct smb2_dfs_referral *ref)
{
	const uint8_t *e = buf + pos;
	size_t path_at, addr_at, min_size;
	int rc;

	/* The caller checked VersionNumber and Size, nothing else yet. */
	ref->version = le16_get(e);
	if (ref->version == 2)
		min_size = DFS_V2_MIN_SIZE;
	else if (ref->version == 3 || ref->version == 4)
		min_size = DFS_V3_MIN_SIZE;
	else
		return -EPROTONOSUPPORT;
	if (size < min_size)
		return -EBADMSG;
	ref->server_type = le16_get(e + 4);
	ref->entry_flags = le16_get(e + 6);
	if (ref->version == 2) {
		/* 2.2.5.2: Proximity, TimeToLive, three string offsets. */
		ref->ttl = le32_get(e + 12);
		path_at = le16_get(e + 16);
		addr_at = le16_get(e + 20);
	} else {
		/* 2.2.5.3: TimeToLive, then offsets (or name-list fields). */
		ref->ttl = le32_get(e + 8);
		path_at = le16_get(e + 12);
		addr_at = le16_get(e + 16);
		if (ref->entry_flags & DFS_NAME_LIST_REFERRAL &&
		    le16_get(e + 14) == 0)
			addr_at = 0; /* no expanded names */
	}
	rc = dfs_string(buf, len, pos + path_at, &ref->path);
	if (!rc && (addr_at || !(ref->entry_flags & DFS_NAME_LIST_REFERRAL)))
		rc = dfs_string(buf, len, pos + addr_at, &ref->network_address);
	return rc;
}

int smb2_fsctl_dfs_referral_response_decode(
	const uint8_t *buf, size_t len, struct smb2_dfs_referral_response *rsp)
{
	size_t i, pos = DFS_HEADER_SIZE, size;
	uint16_t n;
	int rc;

	memset(rsp, 0, sizeof(*rsp));
	if (len < DFS_HEADER_SIZE)
		return -EBADMSG;
	rsp->path_consumed = le16_get(buf);
	n = le16_get(buf + 2);
	rsp->header_flags = le32_get(buf + 4);
	/* Each entry has at least VersionNumber and Size. */
	if ((size_t)n * 4 > len - DFS_HEADER_SIZE)
		return -EBADMSG;
	if (n) {
		rsp->referrals = calloc(n, sizeof(*rsp->referrals));
		if (!rsp->referrals)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		rc = -EBADMSG;
		if (len - pos < 4)
			goto fail;
		size = le16_get(buf + pos + 2);
		if (size < 4 || size > len - pos)
			goto fail;
		rsp->count = i + 1; /* so that _free() releases this entry */
		rc = dfs_entry(buf, len, pos, size, &rsp->referrals[i]);
		if (rc)
			goto fail;
		pos += size;
	}
	return 0;
fail:
	smb2_fsctl_dfs_referral_response_free(rsp);
	return rc;
}

void smb2_fsctl_dfs_referral_response_free(
	struct smb2_dfs_referral_response *rsp)
{
	size_t i;

	for (i = 0; i < rsp->count; i++) {
		free(rsp->referrals[i].path);
		free(rsp->referrals[i].network_address);
	}
	free(rsp->referrals);
	memset(rsp, 0, sizeof(*rsp));
}

/*
 * MS-SMB2 2.2.32.5: Next (4), IfIndex (4), Capability (4), Reserved (4),
 * LinkSpeed (8), SockAddr_Storage (128): Family (2) then, for IPv4,
 * Port (2) and IPv4Address (4); for IPv6, Port (2), FlowInfo (4),
 * IPv6Address (16) and ScopeId (4).
 */
#define IFACE_SIZE	   152
#define IFACE_SOCKADDR	   24
#define IFACE_FAMILY_INET  0x0002
#define IFACE_FAMILY_INET6 0x0017

/* Returns 1 if the entry holds an IPv4/IPv6 address, else 0. */
static int iface_entry(const uint8_t *e, struct smb2_net_iface *out)
{
	const uint8_t *sa = e + IFACE_SOCKADDR;
	uint16_t family = le16_get(sa);

	memset(out, 0, sizeof(*out));
	out->if_index = le32_get(e + 4);
	out->capability = le32_get(e + 8);
	out->link_speed = le64_get(e + 16);
	if (family == IFACE_FAMILY_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&out->addr;

		in->sin_family = AF_INET;
		memcpy(&in->sin_port, sa + 2, 2);
		memcpy(&in->sin_addr, sa + 4, 4);
		return 1;
	}
	if (family == IFACE_FAMILY_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->addr;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_port, sa + 2, 2);
		in6->sin6_flowinfo = le32_get(sa + 4);
		memcpy(&in6->sin6_addr, sa + 8, 16);
		in6->sin6_scope_id = le32_get(sa + 24);
		return 1;
	}
	return 0;
}

int smb2_fsctl_net_ifaces_decode(const uint8_t *buf, size_t len,
				 struct smb2_net_iface **ifaces, size_t *count)
{
	struct smb2_net_iface *arr = NULL, *grown;
	size_t n = 0, cap = 0, pos = 0, entry_len;
	int more = len > 0;

	*ifaces = NULL;
	*count = 0;
	while (more) {
		more = fscc_chain_entry(buf, len, pos, IFACE_SIZE, 8,
					&entry_len);
		if (more < 0) {
			free(arr);
			return more;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			grown = realloc(arr, cap * sizeof(*arr));
			if (!grown) {
				free(arr);
				return -ENOMEM;
			}
			arr = grown;
		}
		n += iface_entry(buf + pos, &arr[n]);
		pos += entry_len;
	}
	if (n == 0) {
		free(arr);
		arr = NULL;
	}
	*ifaces = arr;
	*count = n;
	return 0;
}
