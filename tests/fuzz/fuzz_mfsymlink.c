// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Minshall+French symlink files (src/fs/symlink.c): a 1067-byte file on
 * the share that smbfs reads as a symbolic link when its header, length
 * and MD5 agree.  The file's contents come from the server.
 *
 * Input: a selector byte, then data.  Even selector: data is the file,
 * parsed.  Odd: data is a link target, formatted and parsed back.
 */
#include "fuzz_common.h"
#include "smbfs.h"

static void check_parse(const uint8_t *data, size_t size)
{
	uint8_t *file = fuzz_copy(data, size), again[MFSYMLINK_SIZE];
	char *target = NULL, *back = NULL;
	size_t len;
	int rc = mfsymlink_parse(file, size, &target);

	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	if (rc) {
		FUZZ_CHECK(target == NULL);
		free(file);
		return;
	}
	FUZZ_CHECK(size == MFSYMLINK_SIZE && !memcmp(file, "XSym\n", 5));
	/* The target is what the length field says, without NULs. */
	len = strlen(target);
	FUZZ_CHECK(len >= 1 && len <= 1024);
	FUZZ_CHECK(len == (size_t)((file[5] - '0') * 1000 +
				   (file[6] - '0') * 100 +
				   (file[7] - '0') * 10 + (file[8] - '0')));
	FUZZ_CHECK(!memcmp(target, file + 43, len));
	/* Written again, it reads back the same. */
	FUZZ_CHECK(mfsymlink_format(target, again) == 0);
	FUZZ_CHECK(mfsymlink_parse(again, sizeof(again), &back) == 0);
	FUZZ_CHECK(back && !strcmp(back, target));
	free(back);
	free(target);
	free(file);
}

static void check_format(const uint8_t *data, size_t size)
{
	uint8_t file[MFSYMLINK_SIZE];
	char *target = malloc(size + 1), *back = NULL;
	int rc;

	if (!target)
		abort();
	memcpy(target, data, size);
	target[size] = '\0';
	rc = mfsymlink_format(target, file);
	if (strlen(target) == 0)
		FUZZ_CHECK(rc == -ENOENT);
	else if (strlen(target) > 1024)
		FUZZ_CHECK(rc == -ENAMETOOLONG);
	else
		FUZZ_CHECK(rc == 0);
	if (!rc) {
		FUZZ_CHECK(mfsymlink_parse(file, sizeof(file), &back) == 0);
		FUZZ_CHECK(back && !strcmp(back, target));
	}
	free(back);
	free(target);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size);

	if (sel & 1)
		check_format(data, size);
	else
		check_parse(data, size);
	return 0;
}
