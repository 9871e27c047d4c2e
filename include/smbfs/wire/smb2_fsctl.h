/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Payloads carried in SMB2 IOCTL input and output buffers: server-side
 * copy (MS-SMB2 2.2.31.1, 2.2.32.1, 2.2.32.3), sparse files and allocated
 * ranges (MS-FSCC 2.3), DFS referrals (MS-DFSC 2.2.2, 2.2.4, 2.2.5) and
 * network interfaces for multichannel (MS-SMB2 2.2.32.5).
 */
#ifndef SMBFS_WIRE_SMB2_FSCTL_H
#define SMBFS_WIRE_SMB2_FSCTL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "smbfs/smb2.h"

#define SMB2_RESUME_KEY_SIZE 24

/* SRV_REQUEST_RESUME_KEY output: copies the 24-byte key; 0 or -EBADMSG. */
int smb2_fsctl_resume_key_decode(const uint8_t *buf, size_t len,
				 uint8_t key[SMB2_RESUME_KEY_SIZE]);

struct smb2_copychunk {
	uint64_t source_offset;
	uint64_t target_offset;
	uint32_t length;
};

/* SRV_COPYCHUNK_COPY input; count 0 is allowed (asks for server limits). */
int smb2_fsctl_copychunk_encode(struct smb_wbuf *w,
				const uint8_t key[SMB2_RESUME_KEY_SIZE],
				const struct smb2_copychunk *chunks,
				size_t count);

/*
 * SRV_COPYCHUNK_RESPONSE.  On STATUS_INVALID_PARAMETER the same fields
 * carry the server's limits (MaxChunks, MaxChunkSize, MaxTotalSize).
 */
struct smb2_copychunk_result {
	uint32_t chunks_written;
	uint32_t chunk_bytes_written;
	uint32_t total_bytes_written;
};

int smb2_fsctl_copychunk_result_decode(const uint8_t *buf, size_t len,
				       struct smb2_copychunk_result *res);

/* FILE_SET_SPARSE_BUFFER (MS-FSCC 2.3.64): one byte. */
int smb2_fsctl_set_sparse_encode(struct smb_wbuf *w, int sparse);

/* FILE_ZERO_DATA_INFORMATION (MS-FSCC 2.3.70). */
int smb2_fsctl_zero_data_encode(struct smb_wbuf *w, uint64_t offset,
				uint64_t beyond_final_zero);

/* FILE_ALLOCATED_RANGE_BUFFER (MS-FSCC 2.3.33/2.3.34). */
struct smb2_alloc_range {
	uint64_t offset;
	uint64_t length;
};

int smb2_fsctl_alloc_range_encode(struct smb_wbuf *w,
				  const struct smb2_alloc_range *range);
/*
 * Decodes the output array; *ranges is malloc'd (NULL when *count is 0)
 * and freed by the caller with free().  A length that is not a multiple
 * of 16 is -EBADMSG.
 */
int smb2_fsctl_alloc_ranges_decode(const uint8_t *buf, size_t len,
				   struct smb2_alloc_range **ranges,
				   size_t *count);

/* REQ_GET_DFS_REFERRAL (MS-DFSC 2.2.2): path is UTF-8, e.g. "\\srv\share". */
int smb2_fsctl_dfs_referral_request_encode(struct smb_wbuf *w,
					   uint16_t max_referral_level,
					   const char *path, size_t path_len);

/* MS-DFSC 2.2.4 ReferralHeaderFlags */
#define DFS_REFERRAL_SERVERS 0x00000001u
#define DFS_STORAGE_SERVERS  0x00000002u
#define DFS_TARGET_FAILBACK  0x00000004u
/* MS-DFSC 2.2.5.3 ReferralEntryFlags */
#define DFS_NAME_LIST_REFERRAL	0x0002
#define DFS_TARGET_SET_BOUNDARY 0x0004

struct smb2_dfs_referral {
	uint16_t version;
	uint16_t server_type; /* 1: root targets */
	uint16_t entry_flags;
	uint32_t ttl; /* seconds */
	/*
	 * Malloc'd UTF-8.  For a name-list referral (domain or DC
	 * referral) path is the special name and network_address the first
	 * expanded name, or NULL when there is none.
	 */
	char *path;
	char *network_address;
};

struct smb2_dfs_referral_response {
	uint16_t path_consumed; /* bytes of the UTF-16 request path */
	uint32_t header_flags;
	size_t count;
	struct smb2_dfs_referral *referrals; /* malloc'd array */
};

/*
 * RESP_GET_DFS_REFERRAL with V2, V3 or V4 entries.  Returns 0, -EBADMSG,
 * -EPROTONOSUPPORT for V1 or unknown versions, or -ENOMEM.  On error
 * nothing is left allocated.
 */
int smb2_fsctl_dfs_referral_response_decode(
	const uint8_t *buf, size_t len, struct smb2_dfs_referral_response *rsp);
void smb2_fsctl_dfs_referral_response_free(
	struct smb2_dfs_referral_response *rsp);

/* MS-SMB2 2.2.32.5 Capability */
#define SMB2_IFACE_RSS_CAPABLE	0x00000001u
#define SMB2_IFACE_RDMA_CAPABLE 0x00000002u

struct smb2_net_iface {
	uint32_t if_index;
	uint32_t capability;
	uint64_t link_speed; /* bits per second */
	/* AF_INET or AF_INET6; port as sent (the spec says 0). */
	struct sockaddr_storage addr;
};

/*
 * NETWORK_INTERFACE_INFO list.  Entries with an address family other than
 * IPv4/IPv6 are skipped.  *ifaces is malloc'd (NULL when *count is 0).
 */
int smb2_fsctl_net_ifaces_decode(const uint8_t *buf, size_t len,
				 struct smb2_net_iface **ifaces, size_t *count);

#endif
