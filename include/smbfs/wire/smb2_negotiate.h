/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2 NEGOTIATE request and response bodies (MS-SMB2 2.2.3, 2.2.4),
 * including the SMB 3.1.1 negotiate contexts (MS-SMB2 2.2.3.1, 2.2.4.1).
 */
#ifndef SMBFS_WIRE_SMB2_NEGOTIATE_H
#define SMBFS_WIRE_SMB2_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/smb2.h"

#define SMB2_GUID_SIZE 16
/* Salt length smbfs sends in PREAUTH_INTEGRITY_CAPABILITIES. */
#define SMB2_PREAUTH_SALT_SIZE 32

struct smb2_negotiate_request {
	const uint16_t *dialects; /* SMB2_DIALECT_*, at least one */
	uint16_t dialect_count;
	uint16_t security_mode; /* SMB2_NEGOTIATE_SIGNING_* */
	uint32_t capabilities;	/* SMB2_GLOBAL_CAP_* */
	uint8_t client_guid[SMB2_GUID_SIZE];
	/*
	 * The rest is sent only when dialects contains SMB2_DIALECT_311.
	 * A PREAUTH_INTEGRITY_CAPABILITIES context (SHA-512 with this salt)
	 * is always sent then; the cipher and signing lists are sent when
	 * not empty, the NETNAME context when netname_len is not 0.
	 */
	uint8_t preauth_salt[SMB2_PREAUTH_SALT_SIZE];
	const uint16_t *ciphers; /* SMB2_ENCRYPTION_*, preferred first */
	uint16_t cipher_count;
	const uint16_t *signing_algos; /* SMB2_SIGNING_*, preferred first */
	uint16_t signing_algo_count;
	const char *netname; /* server name as UTF-8, not NUL-terminated */
	size_t netname_len;
};

struct smb2_negotiate_response {
	uint16_t security_mode;
	uint16_t dialect; /* DialectRevision */
	uint8_t server_guid[SMB2_GUID_SIZE];
	uint32_t capabilities;
	uint32_t max_transact_size;
	uint32_t max_read_size;
	uint32_t max_write_size;
	uint64_t system_time;	    /* FILETIME */
	uint64_t server_start_time; /* FILETIME */
	/* SPNEGO token; points into msg, NULL when the length is 0. */
	const uint8_t *security_buffer;
	uint16_t security_buffer_len;

	/* SMB 3.1.1 contexts (all false/0 for other dialects). */
	uint16_t context_count;
	bool has_preauth;      /* always true for 3.1.1: it is mandatory */
	uint16_t preauth_hash; /* SMB2_PREAUTH_INTEGRITY_SHA512 */
	const uint8_t *preauth_salt; /* points into msg */
	uint16_t preauth_salt_len;
	bool has_cipher;
	uint16_t cipher; /* SMB2_ENCRYPTION_*, 0 = no common cipher */
	bool has_signing;
	uint16_t signing_algo; /* SMB2_SIGNING_* */
};

/*
 * Appends the NEGOTIATE body (after the header room, see codec
 * conventions).  Returns 0, -EINVAL (no dialect, a list too long for its
 * length field, a server name too long), -EILSEQ (server name not
 * UTF-8), or the wbuf's -ENOMEM/-EOVERFLOW.
 */
int smb2_negotiate_request_encode(struct smb_wbuf *w,
				  const struct smb2_negotiate_request *req);

/*
 * Decodes a NEGOTIATE response.  For dialect 3.1.1 the negotiate
 * contexts are checked (MS-SMB2 3.2.5.2): the preauth context must be
 * present exactly once with HashAlgorithmCount 1; an encryption or
 * signing context, if present, must appear once and name exactly one
 * algorithm.  Unknown context types are skipped.  Returns 0 or -EBADMSG.
 * Whether the chosen algorithms are ones the client offered is the
 * caller's check.
 */
int smb2_negotiate_response_decode(const uint8_t *msg, size_t len,
				   struct smb2_negotiate_response *rsp);

#endif
