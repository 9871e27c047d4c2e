// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one table from NTSTATUS ([MS-ERREF] 2.3) to errno, symbolic name
 * and a message a user can act on.
 */
#include <errno.h>
#include <stdio.h>

#include "smbfs/ntstatus.h"

struct nt_status_entry {
	uint32_t status;
	const char *name;
	int err; /* positive errno, 0 for success */
	const char *message;
};

#define NT(st, e, msg)          \
	{                       \
		st, #st, e, msg \
	}

static const struct nt_status_entry nt_status_table[] = {
	/* Success and informational: not errors. */
	NT(STATUS_SUCCESS, 0, "success"),
	NT(STATUS_PENDING, 0, "the operation is still in progress"),
	NT(STATUS_NOTIFY_CLEANUP, 0,
	   "change notification ended because the handle was closed"),
	NT(STATUS_NOTIFY_ENUM_DIR, 0,
	   "too many changes to report: re-read the directory"),

	/* Warnings: the caller usually handles these itself. */
	NT(STATUS_BUFFER_OVERFLOW, E2BIG,
	   "the answer did not fit: retry with a larger buffer"),
	NT(STATUS_NO_MORE_FILES, ENODATA, "no more files in the directory"),
	NT(STATUS_STOPPED_ON_SYMLINK, ELOOP,
	   "the path goes through a symbolic link"),

	/* Generic failures and bad requests. */
	NT(STATUS_UNSUCCESSFUL, EIO, "the server reported a failure"),
	NT(STATUS_NOT_IMPLEMENTED, EOPNOTSUPP,
	   "operation not implemented by the server"),
	NT(STATUS_INVALID_INFO_CLASS, EOPNOTSUPP,
	   "information class not supported by the server"),
	NT(STATUS_INFO_LENGTH_MISMATCH, EINVAL,
	   "the server rejected the size of the request"),
	NT(STATUS_INVALID_HANDLE, EBADF,
	   "the file handle is no longer valid: reopen the file"),
	NT(STATUS_INVALID_PARAMETER, EINVAL,
	   "the server rejected a parameter of the request"),
	NT(STATUS_NO_SUCH_DEVICE, ENODEV, "no such device on the server"),
	NT(STATUS_NO_SUCH_FILE, ENOENT, "no such file"),
	NT(STATUS_INVALID_DEVICE_REQUEST, EOPNOTSUPP,
	   "operation not supported on this file or share"),
	NT(STATUS_END_OF_FILE, ENODATA, "end of file"),
	NT(STATUS_MORE_PROCESSING_REQUIRED, EINPROGRESS,
	   "authentication needs another round trip"),
	NT(STATUS_NO_MEMORY, ENOMEM, "the server is out of memory"),
	NT(STATUS_ACCESS_DENIED, EACCES,
	   "access denied: check the file's permissions and the share's"),
	NT(STATUS_BUFFER_TOO_SMALL, ERANGE,
	   "buffer too small for the server's answer"),
	NT(STATUS_OBJECT_TYPE_MISMATCH, EINVAL,
	   "the object is not of the expected type"),

	/* Names and paths. */
	NT(STATUS_OBJECT_NAME_INVALID, EINVAL,
	   "the file name is not valid on the server"),
	NT(STATUS_OBJECT_NAME_NOT_FOUND, ENOENT, "no such file or directory"),
	NT(STATUS_OBJECT_NAME_COLLISION, EEXIST,
	   "a file with that name already exists"),
	NT(STATUS_OBJECT_PATH_INVALID, ENOTDIR,
	   "a component of the path is not a directory"),
	NT(STATUS_OBJECT_PATH_NOT_FOUND, ENOENT,
	   "a directory in the path does not exist"),
	NT(STATUS_OBJECT_PATH_SYNTAX_BAD, EINVAL,
	   "the server rejected the syntax of the path"),
	NT(STATUS_DATA_ERROR, EIO, "data error on the server's storage"),
	NT(STATUS_SHARING_VIOLATION, EBUSY,
	   "the file is in use by another program or client"),

	/* Extended attributes. */
	NT(STATUS_EAS_NOT_SUPPORTED, EOPNOTSUPP,
	   "the share does not keep extended attributes"),
	NT(STATUS_INVALID_EA_NAME, EINVAL,
	   "the server refused the extended attribute's name"),
	NT(STATUS_EA_LIST_INCONSISTENT, EINVAL,
	   "the server refused the list of extended attributes"),
	NT(STATUS_EA_TOO_LARGE, E2BIG, "extended attributes are too large"),
	NT(STATUS_NONEXISTENT_EA_ENTRY, ENODATA, "no such extended attribute"),
	NT(STATUS_NO_EAS_ON_FILE, ENODATA,
	   "the file has no extended attributes"),
	NT(STATUS_EA_CORRUPT_ERROR, EIO,
	   "the file's extended attributes are corrupt on the server"),

	/* Locks, deletion, privileges. */
	NT(STATUS_FILE_LOCK_CONFLICT, EAGAIN,
	   "the range is locked by another open of the file"),
	NT(STATUS_LOCK_NOT_GRANTED, EAGAIN,
	   "lock not granted: the range is locked by another open"),
	NT(STATUS_DELETE_PENDING, ENOENT,
	   "the file is being deleted and cannot be opened"),
	NT(STATUS_PRIVILEGE_NOT_HELD, EPERM,
	   "the user lacks the privilege this operation needs"),
	/* chown(2) to an owner the server will not give the file. */
	NT(STATUS_INVALID_OWNER, EPERM,
	   "this owner cannot be given to the file"),

	/* Logon. */
	NT(STATUS_WRONG_PASSWORD, EACCES, "wrong password"),
	NT(STATUS_LOGON_FAILURE, EACCES,
	   "logon failure: wrong user name or password"),
	NT(STATUS_ACCOUNT_RESTRICTION, EACCES,
	   "account restrictions prevent this logon (an empty password?)"),
	NT(STATUS_INVALID_LOGON_HOURS, EACCES,
	   "the account may not log on at this time of day"),
	NT(STATUS_INVALID_WORKSTATION, EACCES,
	   "the account may not log on from this computer"),
	NT(STATUS_PASSWORD_EXPIRED, EACCES,
	   "the password has expired: change it and retry"),
	NT(STATUS_ACCOUNT_DISABLED, EACCES,
	   "the account is disabled: ask the server's administrator"),
	NT(STATUS_PASSWORD_MUST_CHANGE, EACCES,
	   "the password must be changed before the first logon"),
	NT(STATUS_ACCOUNT_LOCKED_OUT, EACCES,
	   "the account is locked out after too many failed logons"),
	NT(STATUS_NO_SUCH_USER, EACCES, "no such user on the server"),
	NT(STATUS_NO_LOGON_SERVERS, EIO,
	   "no domain controller is available to check the logon"),
	NT(STATUS_TRUSTED_RELATIONSHIP_FAILURE, EACCES,
	   "the server's domain does not trust the user's domain"),
	NT(STATUS_NTLM_BLOCKED, EACCES,
	   "NTLM authentication refused by the server"),
	NT(STATUS_BAD_IMPERSONATION_LEVEL, EACCES,
	   "the server refused the requested impersonation level"),

	/* Space and storage. */
	NT(STATUS_RANGE_NOT_LOCKED, ENOLCK, "the range is not locked"),
	NT(STATUS_DISK_FULL, ENOSPC, "no space left on the server's disk"),
	NT(STATUS_INSUFFICIENT_RESOURCES, ENOMEM,
	   "the server is out of resources: retry later"),
	NT(STATUS_MEDIA_WRITE_PROTECTED, EROFS, "the share is read-only"),
	NT(STATUS_DISK_QUOTA_EXCEEDED, EDQUOT,
	   "disk quota exceeded on the server"),
	NT(STATUS_FILE_SYSTEM_LIMITATION, EFBIG,
	   "a limit of the server's file system prevents this operation"),
	NT(STATUS_IO_DEVICE_ERROR, EIO,
	   "input/output error on the server's storage"),
	NT(STATUS_VOLUME_DISMOUNTED, ENODEV,
	   "the volume behind the share was dismounted"),
	NT(STATUS_INVALID_DEVICE_STATE, EIO,
	   "the server's device is in an invalid state"),

	/* File and directory type, renames. */
	NT(STATUS_FILE_IS_A_DIRECTORY, EISDIR, "is a directory"),
	NT(STATUS_NOT_A_DIRECTORY, ENOTDIR, "not a directory"),
	NT(STATUS_DIRECTORY_NOT_EMPTY, ENOTEMPTY, "directory not empty"),
	NT(STATUS_NAME_TOO_LONG, ENAMETOOLONG,
	   "file name too long for the server"),
	NT(STATUS_NOT_SAME_DEVICE, EXDEV,
	   "cannot move a file across shares or volumes"),
	NT(STATUS_FILE_RENAMED, ENOENT, "the file was renamed"),
	NT(STATUS_FILES_OPEN, EBUSY, "files are still open"),
	NT(STATUS_CANNOT_DELETE, EACCES,
	   "the file cannot be deleted: it is read-only or mapped"),
	NT(STATUS_FILE_DELETED, ENOENT, "the file was deleted"),
	NT(STATUS_FILE_CLOSED, EBADF, "the file handle was closed"),
	NT(STATUS_HANDLE_NOT_CLOSABLE, EBADF, "the handle cannot be closed"),
	NT(STATUS_NOT_FOUND, ENOENT, "not found"),
	NT(STATUS_DUPLICATE_OBJECTID, EEXIST,
	   "the object id is already in use"),
	NT(STATUS_OBJECTID_EXISTS, EEXIST, "the file already has an object id"),
	NT(STATUS_TOO_MANY_OPENED_FILES, EMFILE,
	   "too many files open on the server"),

	/* Features the server lacks. */
	NT(STATUS_NOT_SUPPORTED, EOPNOTSUPP,
	   "operation not supported by the server"),
	NT(STATUS_INVALID_LEVEL, EOPNOTSUPP,
	   "information level not supported by the server"),
	NT(STATUS_NOT_A_REPARSE_POINT, EINVAL,
	   "the file is not a symbolic link or reparse point"),
	NT(STATUS_IO_REPARSE_TAG_NOT_HANDLED, EOPNOTSUPP,
	   "the server cannot follow this kind of reparse point"),
	NT(STATUS_FS_DRIVER_REQUIRED, EOPNOTSUPP,
	   "the server lacks the driver this file needs"),
	NT(STATUS_REPARSE_POINT_NOT_RESOLVED, ENOENT,
	   "a reparse point in the path could not be resolved"),

	/*
	 * Shares, sessions, connections.  The three statuses that ask the
	 * client to connect the share again, re-authenticate or log on
	 * again get errnos of their own, so the connection pool can tell
	 * what to repair (ENETRESET, EKEYEXPIRED, ENOTCONN).
	 */
	NT(STATUS_NETWORK_NAME_DELETED, ENETRESET,
	   "the server disconnected the share"),
	NT(STATUS_NETWORK_ACCESS_DENIED, EACCES,
	   "network access denied: the user may not use this share"),
	NT(STATUS_BAD_NETWORK_NAME, ENOENT, "share not found on the server"),
	NT(STATUS_REQUEST_NOT_ACCEPTED, ECONNREFUSED,
	   "the server accepts no more connections: retry later"),
	NT(STATUS_CANCELLED, ECANCELED, "operation cancelled"),
	NT(STATUS_CONNECTION_REFUSED, ECONNREFUSED,
	   "connection refused by the server"),
	NT(STATUS_CONNECTION_RESET, ECONNRESET, "the connection was reset"),
	NT(STATUS_NETWORK_SESSION_EXPIRED, EKEYEXPIRED,
	   "the session expired: log on again"),
	NT(STATUS_USER_SESSION_DELETED, ENOTCONN,
	   "the server closed the session: log on again"),
	NT(STATUS_IO_TIMEOUT, ETIMEDOUT,
	   "the operation timed out on the server"),
	NT(STATUS_SERVER_UNAVAILABLE, EAGAIN,
	   "the server is unavailable (shutting down or failing over)"),
	NT(STATUS_INVALID_NETWORK_RESPONSE, EIO,
	   "the server sent an invalid network response"),
	NT(STATUS_ENCRYPTION_FAILED, EIO, "the server failed to encrypt"),
	NT(STATUS_DECRYPTION_FAILED, EIO,
	   "the server could not decrypt the message"),

	/* Internal errors of the server. */
	NT(STATUS_INVALID_VIEW_SIZE, EINVAL, "invalid view size"),
	NT(STATUS_ALREADY_COMMITTED, EACCES, "the range is already committed"),
	NT(STATUS_INTERNAL_ERROR, EIO, "internal error on the server"),
	NT(STATUS_ACCESS_VIOLATION, EACCES, "access violation on the server"),
};

#define NT_STATUS_COUNT (sizeof(nt_status_table) / sizeof(nt_status_table[0]))

/* About a hundred rows: a linear scan is cheap and needs no ordering. */
static const struct nt_status_entry *nt_status_find(uint32_t status)
{
	size_t i;

	for (i = 0; i < NT_STATUS_COUNT; i++)
		if (nt_status_table[i].status == status)
			return &nt_status_table[i];
	return NULL;
}

int nt_status_to_errno(uint32_t status)
{
	const struct nt_status_entry *e = nt_status_find(status);

	if (e)
		return -e->err;
	/* Severity success (00) or informational (01) is not a failure. */
	if (!(status & 0x80000000u))
		return 0;
	return -EIO;
}

const char *nt_status_message(uint32_t status, char *buf, size_t len)
{
	const struct nt_status_entry *e = nt_status_find(status);

	if (e)
		return e->message;
	if (!buf || !len)
		return "server error";
	snprintf(buf, len, "server error 0x%08X", status);
	return buf;
}

const char *nt_status_name(uint32_t status)
{
	const struct nt_status_entry *e = nt_status_find(status);

	return e ? e->name : NULL;
}
