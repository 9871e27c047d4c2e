/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 CREATE contexts (MS-SMB2 2.2.13.2 requests, 2.2.14.2 responses):
 * leases, durable and persistent handles, maximal access, on-disk file
 * id, extended attributes and security descriptors passed at open time.
 */
#ifndef SMBFS_WIRE_SMB2_CREATE_CONTEXTS_H
#define SMBFS_WIRE_SMB2_CREATE_CONTEXTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_LEASE_KEY_SIZE   16
#define SMB2_CREATE_GUID_SIZE 16

/* MS-SMB2 2.2.13.2.10 / 2.2.14.2.10: lease flags */
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS    0x00000002u
#define SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET 0x00000004u

/* MS-SMB2 2.2.13.2.11: durable v2 flags */
#define SMB2_DHANDLE_FLAG_PERSISTENT 0x00000002u

/* Data sizes of the fixed-size contexts. */
#define SMB2_LEASE_V1_SIZE 32
#define SMB2_LEASE_V2_SIZE 52
#define SMB2_QFID_SIZE	   32

enum smb2_create_ctx_type {
	SMB2_CREATE_CTX_LEASE,	    /* RqLs, v1 or v2 per lease.version */
	SMB2_CREATE_CTX_DURABLE_V1, /* DHnQ */
	SMB2_CREATE_CTX_DURABLE_V1_RECONNECT, /* DHnC */
	SMB2_CREATE_CTX_DURABLE_V2,	      /* DH2Q */
	SMB2_CREATE_CTX_DURABLE_V2_RECONNECT, /* DH2C */
	SMB2_CREATE_CTX_MXAC,		      /* MxAc */
	SMB2_CREATE_CTX_QFID,		      /* QFid */
	SMB2_CREATE_CTX_EA,   /* ExtA: data is an encoded FILE_FULL_EA list */
	SMB2_CREATE_CTX_SECD, /* SecD: data is a SECURITY_DESCRIPTOR */
};

/* Lease request and response (MS-SMB2 2.2.13.2.8/10, 2.2.14.2.10/11). */
struct smb2_lease {
	int version; /* 1 or 2 */
	uint8_t key[SMB2_LEASE_KEY_SIZE];
	uint32_t state; /* SMB2_LEASE_*_CACHING */
	uint32_t flags; /* SMB2_LEASE_FLAG_* */
	uint64_t duration;
	/* Version 2 only. */
	uint8_t parent_key[SMB2_LEASE_KEY_SIZE];
	uint16_t epoch;
};

/* One create context to send; the union member follows .type. */
struct smb2_create_ctx {
	enum smb2_create_ctx_type type;
	union {
		struct smb2_lease lease;
		/* DHnC: the handle being reconnected. */
		struct smb2_fileid reconnect_fileid;
		struct {
			uint32_t timeout; /* milliseconds, 0: server default */
			uint32_t flags;	  /* SMB2_DHANDLE_FLAG_PERSISTENT */
			uint8_t create_guid[SMB2_CREATE_GUID_SIZE];
		} durable_v2;
		struct {
			struct smb2_fileid fileid;
			uint8_t create_guid[SMB2_CREATE_GUID_SIZE];
			uint32_t flags;
		} durable_v2_reconnect;
		struct {
			bool has_timestamp;
			uint64_t timestamp; /* FILETIME */
		} mxac;
		/* ExtA / SecD: caller-encoded data. */
		struct {
			const uint8_t *data;
			size_t len;
		} raw;
	} u;
};

/*
 * Appends the chain of n contexts to w, first padding w to an 8-byte
 * boundary (offsets in w are relative to the SMB2 header, which starts at
 * offset 0).  *chain_off and *chain_len (either may be NULL) receive the
 * position and length of the chain.  Returns 0, -EINVAL for a bad
 * argument, or the sticky wbuf error.
 */
int smb2_create_contexts_encode(struct smb_wbuf *w,
				const struct smb2_create_ctx *ctx, size_t n,
				size_t *chain_off, size_t *chain_len);

/* Bits of struct smb2_create_ctx_response.present */
#define SMB2_CREATE_RSP_LEASE	   0x01u
#define SMB2_CREATE_RSP_DURABLE_V1 0x02u
#define SMB2_CREATE_RSP_DURABLE_V2 0x04u
#define SMB2_CREATE_RSP_MXAC	   0x08u
#define SMB2_CREATE_RSP_QFID	   0x10u

/* Contexts a server returned; only members flagged in .present are set. */
struct smb2_create_ctx_response {
	unsigned int present;
	struct smb2_lease lease;
	struct {
		uint32_t timeout;
		uint32_t flags;
	} durable_v2;
	struct {
		uint32_t query_status; /* NTSTATUS */
		uint32_t maximal_access;
	} mxac;
	struct {
		uint64_t disk_file_id; /* first 8 bytes of DiskFileId */
		uint64_t volume_id;
		uint8_t raw[SMB2_QFID_SIZE];
	} qfid;
};

/*
 * Decodes the context chain buf[0..len) of a CREATE response.  Unknown
 * contexts are skipped; known ones with a bad size and any inconsistent
 * Next/NameOffset/DataOffset are -EBADMSG.  len == 0 is an empty chain.
 */
int smb2_create_contexts_decode(const uint8_t *buf, size_t len,
				struct smb2_create_ctx_response *out);

#endif
