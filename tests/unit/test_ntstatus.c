// SPDX-License-Identifier: GPL-2.0-or-later
/* The NTSTATUS table: errno mapping, names and messages. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/ntstatus.h"

struct status_name {
	uint32_t status;
	const char *name;
};

#define S(st) { st, #st }

/* Every status include/smbfs/ntstatus.h defines. */
static const struct status_name header_statuses[] = {
	S(STATUS_SUCCESS),
	S(STATUS_PENDING),
	S(STATUS_NOTIFY_CLEANUP),
	S(STATUS_NOTIFY_ENUM_DIR),
	S(STATUS_BUFFER_OVERFLOW),
	S(STATUS_NO_MORE_FILES),
	S(STATUS_INVALID_EA_NAME),
	S(STATUS_EA_LIST_INCONSISTENT),
	S(STATUS_STOPPED_ON_SYMLINK),
	S(STATUS_UNSUCCESSFUL),
	S(STATUS_NOT_IMPLEMENTED),
	S(STATUS_INVALID_INFO_CLASS),
	S(STATUS_INFO_LENGTH_MISMATCH),
	S(STATUS_INVALID_HANDLE),
	S(STATUS_INVALID_PARAMETER),
	S(STATUS_NO_SUCH_DEVICE),
	S(STATUS_NO_SUCH_FILE),
	S(STATUS_INVALID_DEVICE_REQUEST),
	S(STATUS_END_OF_FILE),
	S(STATUS_MORE_PROCESSING_REQUIRED),
	S(STATUS_NO_MEMORY),
	S(STATUS_ACCESS_DENIED),
	S(STATUS_BUFFER_TOO_SMALL),
	S(STATUS_OBJECT_TYPE_MISMATCH),
	S(STATUS_OBJECT_NAME_INVALID),
	S(STATUS_OBJECT_NAME_NOT_FOUND),
	S(STATUS_OBJECT_NAME_COLLISION),
	S(STATUS_OBJECT_PATH_INVALID),
	S(STATUS_OBJECT_PATH_NOT_FOUND),
	S(STATUS_OBJECT_PATH_SYNTAX_BAD),
	S(STATUS_DATA_ERROR),
	S(STATUS_SHARING_VIOLATION),
	S(STATUS_EAS_NOT_SUPPORTED),
	S(STATUS_EA_TOO_LARGE),
	S(STATUS_NONEXISTENT_EA_ENTRY),
	S(STATUS_NO_EAS_ON_FILE),
	S(STATUS_EA_CORRUPT_ERROR),
	S(STATUS_FILE_LOCK_CONFLICT),
	S(STATUS_LOCK_NOT_GRANTED),
	S(STATUS_DELETE_PENDING),
	S(STATUS_INVALID_OWNER),
	S(STATUS_PRIVILEGE_NOT_HELD),
	S(STATUS_WRONG_PASSWORD),
	S(STATUS_LOGON_FAILURE),
	S(STATUS_ACCOUNT_RESTRICTION),
	S(STATUS_INVALID_LOGON_HOURS),
	S(STATUS_INVALID_WORKSTATION),
	S(STATUS_PASSWORD_EXPIRED),
	S(STATUS_ACCOUNT_DISABLED),
	S(STATUS_RANGE_NOT_LOCKED),
	S(STATUS_DISK_FULL),
	S(STATUS_INSUFFICIENT_RESOURCES),
	S(STATUS_MEDIA_WRITE_PROTECTED),
	S(STATUS_FILE_IS_A_DIRECTORY),
	S(STATUS_NOT_SUPPORTED),
	S(STATUS_NETWORK_NAME_DELETED),
	S(STATUS_NETWORK_ACCESS_DENIED),
	S(STATUS_BAD_NETWORK_NAME),
	S(STATUS_NOT_SAME_DEVICE),
	S(STATUS_FILE_RENAMED),
	S(STATUS_REQUEST_NOT_ACCEPTED),
	S(STATUS_DIRECTORY_NOT_EMPTY),
	S(STATUS_NOT_A_DIRECTORY),
	S(STATUS_NAME_TOO_LONG),
	S(STATUS_FILES_OPEN),
	S(STATUS_CANCELLED),
	S(STATUS_CANNOT_DELETE),
	S(STATUS_FILE_DELETED),
	S(STATUS_FILE_CLOSED),
	S(STATUS_INVALID_LEVEL),
	S(STATUS_PASSWORD_MUST_CHANGE),
	S(STATUS_NOT_FOUND),
	S(STATUS_ACCOUNT_LOCKED_OUT),
	S(STATUS_CONNECTION_REFUSED),
	S(STATUS_CONNECTION_RESET),
	S(STATUS_NETWORK_SESSION_EXPIRED),
	S(STATUS_USER_SESSION_DELETED),
	S(STATUS_IO_TIMEOUT),
	S(STATUS_NOT_A_REPARSE_POINT),
	S(STATUS_IO_REPARSE_TAG_NOT_HANDLED),
	S(STATUS_FS_DRIVER_REQUIRED),
	S(STATUS_VOLUME_DISMOUNTED),
	S(STATUS_DISK_QUOTA_EXCEEDED),
	S(STATUS_NTLM_BLOCKED),
	S(STATUS_BAD_IMPERSONATION_LEVEL),
	S(STATUS_INVALID_DEVICE_STATE),
	S(STATUS_HANDLE_NOT_CLOSABLE),
	S(STATUS_DUPLICATE_OBJECTID),
	S(STATUS_OBJECTID_EXISTS),
	S(STATUS_INVALID_VIEW_SIZE),
	S(STATUS_ALREADY_COMMITTED),
	S(STATUS_INTERNAL_ERROR),
	S(STATUS_TOO_MANY_OPENED_FILES),
	S(STATUS_NO_SUCH_USER),
	S(STATUS_NO_LOGON_SERVERS),
	S(STATUS_TRUSTED_RELATIONSHIP_FAILURE),
	S(STATUS_INVALID_NETWORK_RESPONSE),
	S(STATUS_ENCRYPTION_FAILED),
	S(STATUS_DECRYPTION_FAILED),
	S(STATUS_ACCESS_VIOLATION),
	S(STATUS_IO_DEVICE_ERROR),
	S(STATUS_REPARSE_POINT_NOT_RESOLVED),
	S(STATUS_FILE_SYSTEM_LIMITATION),
	S(STATUS_SERVER_UNAVAILABLE),
};

#define HEADER_COUNT (sizeof(header_statuses) / sizeof(header_statuses[0]))

static void test_every_status_has_a_row(void)
{
	char buf[64];
	size_t i;

	for (i = 0; i < HEADER_COUNT; i++) {
		uint32_t st = header_statuses[i].status;
		const char *name = nt_status_name(st);
		const char *msg = nt_status_message(st, buf, sizeof(buf));

		CU_ASSERT_PTR_NOT_NULL(name);
		if (!name) {
			fprintf(stderr, "no row for %s\n",
				header_statuses[i].name);
			continue;
		}
		/* Also catches two rows for one value. */
		CU_ASSERT_STRING_EQUAL(name, header_statuses[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		CU_ASSERT(msg != buf); /* not the generic fallback */
		CU_ASSERT(strlen(msg) > 2);
	}
}

/*
 * The list above is checked against the header itself when the test
 * runs from the repository root, so a status added to the header
 * without a table row fails here.
 */
static void test_header_matches_list(void)
{
	FILE *f = fopen("include/smbfs/ntstatus.h", "r");
	char line[256], name[128];
	unsigned int value;
	size_t found = 0, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define %127s 0x%x", name, &value) != 2 ||
		    strncmp(name, "STATUS_", 7))
			continue;
		found++;
		CU_ASSERT_STRING_EQUAL(nt_status_name(value) ?
					       nt_status_name(value) : "",
				       name);
		for (i = 0; i < HEADER_COUNT; i++)
			if (!strcmp(header_statuses[i].name, name))
				break;
		CU_ASSERT(i < HEADER_COUNT);
	}
	fclose(f);
	CU_ASSERT_EQUAL(found, HEADER_COUNT);
}

static void test_success_and_informational_are_zero(void)
{
	size_t i;

	CU_ASSERT_EQUAL(nt_status_to_errno(STATUS_SUCCESS), 0);
	CU_ASSERT_EQUAL(nt_status_to_errno(STATUS_PENDING), 0);
	CU_ASSERT_EQUAL(nt_status_to_errno(STATUS_NOTIFY_CLEANUP), 0);
	CU_ASSERT_EQUAL(nt_status_to_errno(STATUS_NOTIFY_ENUM_DIR), 0);
	for (i = 0; i < HEADER_COUNT; i++) {
		uint32_t st = header_statuses[i].status;
		int e = nt_status_to_errno(st);

		if (st & 0x80000000u) {
			/* Warnings and errors are failures for callers. */
			CU_ASSERT(e < 0);
		} else {
			CU_ASSERT_EQUAL(e, 0);
		}
	}
}

static void test_required_mappings(void)
{
	static const struct {
		uint32_t status;
		int err;
	} map[] = {
		{STATUS_LOGON_FAILURE, -EACCES},
		{STATUS_BAD_NETWORK_NAME, -ENOENT},
		{STATUS_ACCESS_DENIED, -EACCES},
		{STATUS_OBJECT_NAME_NOT_FOUND, -ENOENT},
		{STATUS_OBJECT_PATH_NOT_FOUND, -ENOENT},
		{STATUS_NO_SUCH_FILE, -ENOENT},
		{STATUS_OBJECT_NAME_COLLISION, -EEXIST},
		{STATUS_DIRECTORY_NOT_EMPTY, -ENOTEMPTY},
		{STATUS_SHARING_VIOLATION, -EBUSY},
		{STATUS_DISK_FULL, -ENOSPC},
		{STATUS_MEDIA_WRITE_PROTECTED, -EROFS},
		{STATUS_NAME_TOO_LONG, -ENAMETOOLONG},
		{STATUS_FILE_IS_A_DIRECTORY, -EISDIR},
		{STATUS_NOT_A_DIRECTORY, -ENOTDIR},
		{STATUS_NOT_SAME_DEVICE, -EXDEV},
		{STATUS_NOT_SUPPORTED, -EOPNOTSUPP},
		{STATUS_NOT_IMPLEMENTED, -EOPNOTSUPP},
		{STATUS_INVALID_DEVICE_REQUEST, -EOPNOTSUPP},
		{STATUS_LOCK_NOT_GRANTED, -EAGAIN},
		{STATUS_FILE_LOCK_CONFLICT, -EAGAIN},
		{STATUS_CANCELLED, -ECANCELED},
		{STATUS_IO_TIMEOUT, -ETIMEDOUT},
		{STATUS_END_OF_FILE, -ENODATA},
		{STATUS_NO_MORE_FILES, -ENODATA},
		{STATUS_DELETE_PENDING, -ENOENT},
		{STATUS_NETWORK_NAME_DELETED, -ENETRESET},
		{STATUS_USER_SESSION_DELETED, -ENOTCONN},
		{STATUS_NETWORK_SESSION_EXPIRED, -EKEYEXPIRED},
		{STATUS_PRIVILEGE_NOT_HELD, -EPERM},
		{STATUS_INVALID_OWNER, -EPERM},
		{STATUS_CANNOT_DELETE, -EACCES},
		{STATUS_OBJECT_NAME_INVALID, -EINVAL},
		{STATUS_NO_EAS_ON_FILE, -ENODATA},
		{STATUS_NONEXISTENT_EA_ENTRY, -ENODATA},
		{STATUS_EA_TOO_LARGE, -E2BIG},
		{STATUS_EAS_NOT_SUPPORTED, -EOPNOTSUPP},
		{STATUS_INVALID_EA_NAME, -EINVAL},
		{STATUS_EA_LIST_INCONSISTENT, -EINVAL},
		{STATUS_PASSWORD_EXPIRED, -EACCES},
		{STATUS_ACCOUNT_DISABLED, -EACCES},
		{STATUS_ACCOUNT_LOCKED_OUT, -EACCES},
		{STATUS_NTLM_BLOCKED, -EACCES},
		{STATUS_INVALID_PARAMETER, -EINVAL},
		{STATUS_INSUFFICIENT_RESOURCES, -ENOMEM},
		{STATUS_NO_MEMORY, -ENOMEM},
		{STATUS_DISK_QUOTA_EXCEEDED, -EDQUOT},
		{STATUS_TOO_MANY_OPENED_FILES, -EMFILE},
		{STATUS_INVALID_HANDLE, -EBADF},
		{STATUS_FILE_CLOSED, -EBADF},
		{STATUS_STOPPED_ON_SYMLINK, -ELOOP},
		{STATUS_BUFFER_OVERFLOW, -E2BIG},
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		int e = nt_status_to_errno(map[i].status);

		CU_ASSERT_EQUAL(e, map[i].err);
		if (e != map[i].err)
			fprintf(stderr, "%s -> %d\n",
				nt_status_name(map[i].status), e);
	}
}

static void test_messages(void)
{
	char buf[64];
	size_t i;

	CU_ASSERT_STRING_EQUAL(nt_status_message(STATUS_LOGON_FAILURE, buf,
						 sizeof(buf)),
			       "logon failure: wrong user name or password");
	CU_ASSERT_STRING_EQUAL(nt_status_message(STATUS_BAD_NETWORK_NAME, buf,
						 sizeof(buf)),
			       "share not found on the server");
	CU_ASSERT_STRING_EQUAL(nt_status_message(STATUS_NTLM_BLOCKED, buf,
						 sizeof(buf)),
			       "NTLM authentication refused by the server");
	/* Account problems each get their own message. */
	CU_ASSERT_STRING_NOT_EQUAL(
		nt_status_message(STATUS_PASSWORD_EXPIRED, buf, sizeof(buf)),
		nt_status_message(STATUS_ACCOUNT_DISABLED, buf, sizeof(buf)));
	CU_ASSERT_STRING_NOT_EQUAL(
		nt_status_message(STATUS_ACCOUNT_LOCKED_OUT, buf, sizeof(buf)),
		nt_status_message(STATUS_LOGON_FAILURE, buf, sizeof(buf)));

	/* Lower case (an all-capitals acronym may open it), no full stop. */
	for (i = 0; i < HEADER_COUNT; i++) {
		const char *m = nt_status_message(header_statuses[i].status,
						  buf, sizeof(buf));
		size_t n = strlen(m);

		CU_ASSERT(n > 0 && m[n - 1] != '.');
		if (isupper((unsigned char)m[0])) {
			CU_ASSERT(isupper((unsigned char)m[1]));
		} else {
			CU_ASSERT(islower((unsigned char)m[0]));
		}
	}
}

static void test_unknown_status(void)
{
	char buf[64], tiny[8];

	CU_ASSERT_EQUAL(nt_status_to_errno(0xC0001234u), -EIO);
	CU_ASSERT_PTR_NULL(nt_status_name(0xC0001234u));
	CU_ASSERT_PTR_EQUAL(nt_status_message(0xC0001234u, buf, sizeof(buf)),
			    buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "0xC0001234"));
	/* Unknown warnings are failures too; unknown success is not. */
	CU_ASSERT_EQUAL(nt_status_to_errno(0x80001234u), -EIO);
	CU_ASSERT_EQUAL(nt_status_to_errno(0x40001234u), 0);
	CU_ASSERT_EQUAL(nt_status_to_errno(0x00001234u), 0);
	/* Small or missing buffers still give a terminated string. */
	nt_status_message(0xC0001234u, tiny, sizeof(tiny));
	CU_ASSERT(memchr(tiny, '\0', sizeof(tiny)) != NULL);
	CU_ASSERT_PTR_NOT_NULL(nt_status_message(0xC0001234u, NULL, 0));
}

static CU_TestInfo ntstatus_tests[] = {
	{"every header status has a row", test_every_status_has_a_row},
	{"test list matches the header", test_header_matches_list},
	{"success and informational map to 0",
	 test_success_and_informational_are_zero},
	{"required errno mappings", test_required_mappings},
	{"messages", test_messages},
	{"unknown statuses", test_unknown_status},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"ntstatus", NULL, NULL, NULL, NULL, ntstatus_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
