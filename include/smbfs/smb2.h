/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SMB2/3 protocol constants and the 64-byte packet header
 * (MS-SMB2 2.2.1).  Command bodies live in include/smbfs/wire/.
 */
#ifndef SMBFS_SMB2_H
#define SMBFS_SMB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/bytes.h"

#define SMB2_HEADER_SIZE 64
#define SMB2_PROTOCOL_ID 0x424D53FEu /* 0xFE 'S' 'M' 'B' */
#define SMB2_TRANSFORM_PROTOCOL_ID 0x424D53FDu
#define SMB2_TRANSFORM_HEADER_SIZE 52

/* MS-SMB2 2.2.1: commands */
enum smb2_command {
	SMB2_NEGOTIATE = 0x0000,
	SMB2_SESSION_SETUP = 0x0001,
	SMB2_LOGOFF = 0x0002,
	SMB2_TREE_CONNECT = 0x0003,
	SMB2_TREE_DISCONNECT = 0x0004,
	SMB2_CREATE = 0x0005,
	SMB2_CLOSE = 0x0006,
	SMB2_FLUSH = 0x0007,
	SMB2_READ = 0x0008,
	SMB2_WRITE = 0x0009,
	SMB2_LOCK = 0x000A,
	SMB2_IOCTL = 0x000B,
	SMB2_CANCEL = 0x000C,
	SMB2_ECHO = 0x000D,
	SMB2_QUERY_DIRECTORY = 0x000E,
	SMB2_CHANGE_NOTIFY = 0x000F,
	SMB2_QUERY_INFO = 0x0010,
	SMB2_SET_INFO = 0x0011,
	SMB2_OPLOCK_BREAK = 0x0012,
};
#define SMB2_COMMAND_COUNT 19

/* MS-SMB2 2.2.1.2: header flags */
#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001u
#define SMB2_FLAGS_ASYNC_COMMAND 0x00000002u
#define SMB2_FLAGS_RELATED_OPERATIONS 0x00000004u
#define SMB2_FLAGS_SIGNED 0x00000008u
#define SMB2_FLAGS_PRIORITY_MASK 0x00000070u
#define SMB2_FLAGS_DFS_OPERATIONS 0x10000000u
#define SMB2_FLAGS_REPLAY_OPERATION 0x20000000u

/* MessageId of unsolicited oplock/lease break notifications. */
#define SMB2_UNSOLICITED_MESSAGE_ID 0xFFFFFFFFFFFFFFFFull

/* Dialects (MS-SMB2 2.2.3) */
#define SMB2_DIALECT_202 0x0202
#define SMB2_DIALECT_210 0x0210
#define SMB2_DIALECT_300 0x0300
#define SMB2_DIALECT_302 0x0302
#define SMB2_DIALECT_311 0x0311
#define SMB2_DIALECT_WILDCARD 0x02FF

/* Negotiate SecurityMode */
#define SMB2_NEGOTIATE_SIGNING_ENABLED 0x0001
#define SMB2_NEGOTIATE_SIGNING_REQUIRED 0x0002

/* Global capabilities */
#define SMB2_GLOBAL_CAP_DFS 0x00000001u
#define SMB2_GLOBAL_CAP_LEASING 0x00000002u
#define SMB2_GLOBAL_CAP_LARGE_MTU 0x00000004u
#define SMB2_GLOBAL_CAP_MULTI_CHANNEL 0x00000008u
#define SMB2_GLOBAL_CAP_PERSISTENT_HANDLES 0x00000010u
#define SMB2_GLOBAL_CAP_DIRECTORY_LEASING 0x00000020u
#define SMB2_GLOBAL_CAP_ENCRYPTION 0x00000040u

/* Negotiate contexts (MS-SMB2 2.2.3.1) */
#define SMB2_PREAUTH_INTEGRITY_CAPABILITIES 0x0001
#define SMB2_ENCRYPTION_CAPABILITIES 0x0002
#define SMB2_COMPRESSION_CAPABILITIES 0x0003
#define SMB2_NETNAME_NEGOTIATE_CONTEXT_ID 0x0005
#define SMB2_TRANSPORT_CAPABILITIES 0x0006
#define SMB2_RDMA_TRANSFORM_CAPABILITIES 0x0007
#define SMB2_SIGNING_CAPABILITIES 0x0008

#define SMB2_PREAUTH_INTEGRITY_SHA512 0x0001

#define SMB2_ENCRYPTION_AES128_CCM 0x0001
#define SMB2_ENCRYPTION_AES128_GCM 0x0002
#define SMB2_ENCRYPTION_AES256_CCM 0x0003
#define SMB2_ENCRYPTION_AES256_GCM 0x0004

#define SMB2_SIGNING_HMAC_SHA256 0x0000
#define SMB2_SIGNING_AES_CMAC 0x0001
#define SMB2_SIGNING_AES_GMAC 0x0002

/* Session setup */
#define SMB2_SESSION_FLAG_BINDING 0x01
#define SMB2_SESSION_FLAG_IS_GUEST 0x0001
#define SMB2_SESSION_FLAG_IS_NULL 0x0002
#define SMB2_SESSION_FLAG_ENCRYPT_DATA 0x0004

/* Tree connect: share types, flags, capabilities (MS-SMB2 2.2.10) */
#define SMB2_SHARE_TYPE_DISK 0x01
#define SMB2_SHARE_TYPE_PIPE 0x02
#define SMB2_SHARE_TYPE_PRINT 0x03
#define SMB2_SHAREFLAG_DFS 0x00000001u
#define SMB2_SHAREFLAG_ENCRYPT_DATA 0x00008000u
#define SMB2_SHARE_CAP_DFS 0x00000008u
#define SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY 0x00000010u

/* Oplock levels (MS-SMB2 2.2.13) */
/* MS-SMB2 2.2.35 Flags */
#define SMB2_WATCH_TREE 0x0001

/* MS-SMB2 2.2.35 CompletionFilter */
#define FILE_NOTIFY_CHANGE_FILE_NAME	0x00000001u
#define FILE_NOTIFY_CHANGE_DIR_NAME	0x00000002u
#define FILE_NOTIFY_CHANGE_ATTRIBUTES	0x00000004u
#define FILE_NOTIFY_CHANGE_SIZE		0x00000008u
#define FILE_NOTIFY_CHANGE_LAST_WRITE	0x00000010u
#define FILE_NOTIFY_CHANGE_LAST_ACCESS	0x00000020u
#define FILE_NOTIFY_CHANGE_CREATION	0x00000040u
#define FILE_NOTIFY_CHANGE_EA		0x00000080u
#define FILE_NOTIFY_CHANGE_SECURITY	0x00000100u
#define FILE_NOTIFY_CHANGE_STREAM_NAME	0x00000200u
#define FILE_NOTIFY_CHANGE_STREAM_SIZE	0x00000400u
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800u

/* MS-FSCC 2.7.1 Action */
#define FILE_ACTION_ADDED	     0x00000001u
#define FILE_ACTION_REMOVED	     0x00000002u
#define FILE_ACTION_MODIFIED	     0x00000003u
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004u
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005u
#define FILE_ACTION_ADDED_STREAM     0x00000006u
#define FILE_ACTION_REMOVED_STREAM   0x00000007u
#define FILE_ACTION_MODIFIED_STREAM  0x00000008u

/* MS-SMB2 2.2.26.1: SMB2_LOCK_ELEMENT Flags */
#define SMB2_LOCKFLAG_SHARED_LOCK 0x00000001u
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK 0x00000002u
#define SMB2_LOCKFLAG_UNLOCK 0x00000004u
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY 0x00000010u

#define SMB2_OPLOCK_LEVEL_NONE 0x00
#define SMB2_OPLOCK_LEVEL_II 0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE 0x08
#define SMB2_OPLOCK_LEVEL_BATCH 0x09
#define SMB2_OPLOCK_LEVEL_LEASE 0xFF

/* Lease state */
#define SMB2_LEASE_NONE 0x00
#define SMB2_LEASE_READ_CACHING 0x01
#define SMB2_LEASE_HANDLE_CACHING 0x02
#define SMB2_LEASE_WRITE_CACHING 0x04

/* Impersonation */
#define SMB2_IMPERSONATION_IMPERSONATION 0x00000002u

/* Access mask (MS-SMB2 2.2.13.1) */
#define FILE_READ_DATA 0x00000001u
#define FILE_LIST_DIRECTORY 0x00000001u
#define FILE_WRITE_DATA 0x00000002u
#define FILE_ADD_FILE 0x00000002u
#define FILE_APPEND_DATA 0x00000004u
#define FILE_ADD_SUBDIRECTORY 0x00000004u
#define FILE_READ_EA 0x00000008u
#define FILE_WRITE_EA 0x00000010u
#define FILE_EXECUTE 0x00000020u
#define FILE_TRAVERSE 0x00000020u
#define FILE_DELETE_CHILD 0x00000040u
#define FILE_READ_ATTRIBUTES 0x00000080u
#define FILE_WRITE_ATTRIBUTES 0x00000100u
#define DELETE 0x00010000u
#define READ_CONTROL 0x00020000u
#define WRITE_DAC 0x00040000u
#define WRITE_OWNER 0x00080000u
#define SYNCHRONIZE 0x00100000u
#define ACCESS_SYSTEM_SECURITY 0x01000000u
#define MAXIMUM_ALLOWED 0x02000000u
#define GENERIC_ALL 0x10000000u
#define GENERIC_EXECUTE 0x20000000u
#define GENERIC_WRITE 0x40000000u
#define GENERIC_READ 0x80000000u

/* File attributes (MS-FSCC 2.6) */
#define FILE_ATTRIBUTE_READONLY 0x00000001u
#define FILE_ATTRIBUTE_HIDDEN 0x00000002u
#define FILE_ATTRIBUTE_SYSTEM 0x00000004u
#define FILE_ATTRIBUTE_DIRECTORY 0x00000010u
#define FILE_ATTRIBUTE_ARCHIVE 0x00000020u
#define FILE_ATTRIBUTE_NORMAL 0x00000080u
#define FILE_ATTRIBUTE_TEMPORARY 0x00000100u
#define FILE_ATTRIBUTE_SPARSE_FILE 0x00000200u
#define FILE_ATTRIBUTE_REPARSE_POINT 0x00000400u
#define FILE_ATTRIBUTE_COMPRESSED 0x00000800u
#define FILE_ATTRIBUTE_OFFLINE 0x00001000u
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000u
#define FILE_ATTRIBUTE_ENCRYPTED 0x00004000u

/* Share access */
#define FILE_SHARE_READ 0x00000001u
#define FILE_SHARE_WRITE 0x00000002u
#define FILE_SHARE_DELETE 0x00000004u

/* Create disposition */
#define FILE_SUPERSEDE 0x00000000u
#define FILE_OPEN 0x00000001u
#define FILE_CREATE 0x00000002u
#define FILE_OPEN_IF 0x00000003u
#define FILE_OVERWRITE 0x00000004u
#define FILE_OVERWRITE_IF 0x00000005u

/* Create options */
#define FILE_DIRECTORY_FILE 0x00000001u
#define FILE_WRITE_THROUGH 0x00000002u
#define FILE_SEQUENTIAL_ONLY 0x00000004u
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008u
#define FILE_NON_DIRECTORY_FILE 0x00000040u
#define FILE_NO_EA_KNOWLEDGE 0x00000200u
#define FILE_RANDOM_ACCESS 0x00000800u
#define FILE_DELETE_ON_CLOSE 0x00001000u
#define FILE_OPEN_REPARSE_POINT 0x00200000u

/* Create action */
#define FILE_SUPERSEDED 0x00000000u
#define FILE_OPENED 0x00000001u
#define FILE_CREATED 0x00000002u
#define FILE_OVERWRITTEN 0x00000003u

/* QUERY_INFO / SET_INFO InfoType (MS-SMB2 2.2.37) */
#define SMB2_0_INFO_FILE 0x01
#define SMB2_0_INFO_FILESYSTEM 0x02
#define SMB2_0_INFO_SECURITY 0x03
#define SMB2_0_INFO_QUOTA 0x04

/* File information classes (MS-FSCC 2.4) */
#define FILE_DIRECTORY_INFORMATION 1
#define FILE_FULL_DIRECTORY_INFORMATION 2
#define FILE_BOTH_DIRECTORY_INFORMATION 3
#define FILE_BASIC_INFORMATION 4
#define FILE_STANDARD_INFORMATION 5
#define FILE_INTERNAL_INFORMATION 6
#define FILE_EA_INFORMATION 7
#define FILE_ACCESS_INFORMATION 8
#define FILE_NAME_INFORMATION 9
#define FILE_RENAME_INFORMATION 10
#define FILE_LINK_INFORMATION 11
#define FILE_NAMES_INFORMATION 12
#define FILE_DISPOSITION_INFORMATION 13
#define FILE_POSITION_INFORMATION 14
#define FILE_FULL_EA_INFORMATION 15
#define FILE_MODE_INFORMATION 16
#define FILE_ALIGNMENT_INFORMATION 17
#define FILE_ALL_INFORMATION 18
#define FILE_ALLOCATION_INFORMATION 19
#define FILE_END_OF_FILE_INFORMATION 20
#define FILE_ALTERNATE_NAME_INFORMATION 21
#define FILE_STREAM_INFORMATION 22
#define FILE_COMPRESSION_INFORMATION 28
#define FILE_NETWORK_OPEN_INFORMATION 34
#define FILE_ATTRIBUTE_TAG_INFORMATION 35
#define FILE_ID_BOTH_DIRECTORY_INFORMATION 37
#define FILE_ID_FULL_DIRECTORY_INFORMATION 38
#define FILE_NORMALIZED_NAME_INFORMATION 48
#define FILE_ID_INFORMATION 59

/* File system information classes (MS-FSCC 2.5) */
#define FILE_FS_VOLUME_INFORMATION 1
#define FILE_FS_SIZE_INFORMATION 3
#define FILE_FS_DEVICE_INFORMATION 4
#define FILE_FS_ATTRIBUTE_INFORMATION 5
#define FILE_FS_CONTROL_INFORMATION 6
#define FILE_FS_FULL_SIZE_INFORMATION 7
#define FILE_FS_OBJECT_ID_INFORMATION 8
#define FILE_FS_SECTOR_SIZE_INFORMATION 11

/* Security information flags (MS-SMB2 2.2.37) */
#define OWNER_SECURITY_INFORMATION 0x00000001u
#define GROUP_SECURITY_INFORMATION 0x00000002u
#define DACL_SECURITY_INFORMATION 0x00000004u
#define SACL_SECURITY_INFORMATION 0x00000008u

/* FSCTL / IOCTL codes (MS-FSCC 2.3, MS-SMB2 2.2.31) */
#define FSCTL_DFS_GET_REFERRALS 0x00060194u
#define FSCTL_DFS_GET_REFERRALS_EX 0x000601B0u
#define FSCTL_SET_SPARSE 0x000900C4u
#define FSCTL_SET_ZERO_DATA 0x000980C8u
#define FSCTL_QUERY_ALLOCATED_RANGES 0x000940CFu
#define FSCTL_SRV_REQUEST_RESUME_KEY 0x00140078u
#define FSCTL_SRV_COPYCHUNK 0x001440F2u
#define FSCTL_SRV_COPYCHUNK_WRITE 0x001480F2u
#define FSCTL_VALIDATE_NEGOTIATE_INFO 0x00140204u
#define FSCTL_QUERY_NETWORK_INTERFACE_INFO 0x001401FCu
#define FSCTL_GET_REPARSE_POINT 0x000900A8u
#define FSCTL_SET_REPARSE_POINT 0x000900A4u
#define SMB2_0_IOCTL_IS_FSCTL 0x00000001u

/* The file id that means "the file opened by the previous related request". */
#define SMB2_FILEID_RELATED_PERSISTENT 0xFFFFFFFFFFFFFFFFull
#define SMB2_FILEID_RELATED_VOLATILE 0xFFFFFFFFFFFFFFFFull

struct smb2_fileid {
	uint64_t persistent;
	uint64_t volatile_id;
};

static inline struct smb2_fileid smb2_fileid_related(void)
{
	struct smb2_fileid f = {SMB2_FILEID_RELATED_PERSISTENT,
				SMB2_FILEID_RELATED_VOLATILE};
	return f;
}

/*
 * MS-SMB2 2.2.1.1 / 2.2.1.2.  In a request the 32-bit field after
 * CreditCharge is ChannelSequence/Reserved; in a response it is Status.
 * Both are kept in .status.
 */
struct smb2_header {
	uint16_t credit_charge;
	uint32_t status;
	uint16_t command;
	uint16_t credit; /* CreditRequest or CreditResponse */
	uint32_t flags;
	uint32_t next_command;
	uint64_t message_id;
	uint64_t async_id; /* valid when flags & SMB2_FLAGS_ASYNC_COMMAND */
	uint32_t process_id; /* sync form */
	uint32_t tree_id; /* sync form */
	uint64_t session_id;
	uint8_t signature[16];
};

/* Writes exactly SMB2_HEADER_SIZE bytes at hdr_off of w (which must hold them). */
void smb2_header_encode_at(struct smb_wbuf *w, size_t hdr_off,
			   const struct smb2_header *h);
/* Appends the 64-byte header to w. */
void smb2_header_encode(struct smb_wbuf *w, const struct smb2_header *h);
/* Decodes the header at msg; 0, or -EBADMSG if short or not an SMB2 header. */
int smb2_header_decode(const uint8_t *msg, size_t len, struct smb2_header *h);

/*
 * MS-SMB2 2.1: the 4-byte Direct TCP transport header, a zero byte and a
 * 24-bit big-endian length.  Returns 0 with *len for a frame of
 * SMB2_HEADER_SIZE..max bytes, 1 for a NetBIOS keepalive (RFC 1002
 * 4.3.7: type 0x85, length 0) that the reader skips, or -EBADMSG
 * (*len then holds the announced length, for the log).
 */
int smb2_direct_tcp_header_decode(const uint8_t hdr[4], size_t max,
				  size_t *len);

/*
 * MS-SMB2 3.2.5.1.9: checks a whole (possibly compound) response frame
 * before any of it is acted on.  Every element has an SMB2 header with
 * SERVER_TO_REDIR; each NextCommand is 8-aligned and leaves room for a
 * whole header; the last element runs to the end of the frame.  For a
 * decrypted frame (encrypted) every element but an unsolicited break
 * names session_id, the transform header's session (3.2.5.1.1.1).
 * Returns 0 or -EBADMSG.
 */
int smb2_chain_check(const uint8_t *frame, size_t len, bool encrypted,
		     uint64_t session_id);

/* "NEGOTIATE", "READ", ... for logs; "UNKNOWN" otherwise. */
const char *smb2_command_name(uint16_t command);

/* Dialect as text ("3.1.1"); NULL for unknown values. */
const char *smb2_dialect_name(uint16_t dialect);
/* "AES-128-GCM", ... and "AES-128-CMAC", ...; "unknown" otherwise. */
const char *smb2_cipher_name(uint16_t cipher);
const char *smb2_signing_algo_name(uint16_t algo);
/* Parses "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"; 0 or -EINVAL. */
int smb2_dialect_parse(const char *s, uint16_t *dialect);

#endif
