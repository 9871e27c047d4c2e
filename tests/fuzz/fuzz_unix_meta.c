// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sfu decoders of src/fs/unix_meta.c: special files (devices,
 * FIFOs, sockets, symlinks) stored as SYSTEM files in the cifs.ko /
 * Interix layout, and the SETFILEBITS EA.  File contents and EA values
 * come from the server.
 *
 * Input: a selector byte (modulo 3), then data.
 *  0  data is a SYSTEM file's contents: type, device and link target;
 *  1  a type byte, an 8-byte device number, then a link target: the
 *     encoded file decodes to the same;
 *  2  a 4-byte mode, then an EA value: the bits it sets.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fuzz_common.h"
#include "unix_meta.h"

static void check_file(const uint8_t *data, size_t size)
{
	uint8_t *file = fuzz_copy(data, size);
	size_t head = size < UNIX_META_SFU_HEAD ? size : UNIX_META_SFU_HEAD;
	dev_t rdev = 1;
	char *target = NULL;
	mode_t type = unix_meta_sfu_type(file, head, size, &rdev);
	int rc;

	FUZZ_CHECK(type == 0 || type == S_IFIFO || type == S_IFSOCK ||
		   type == S_IFLNK || type == S_IFCHR || type == S_IFBLK);
	FUZZ_CHECK(rdev == 0 || type == S_IFCHR || type == S_IFBLK);
	rc = unix_meta_sfu_link_target(file, size, &target);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -EILSEQ ||
		   rc == -ENAMETOOLONG);
	/* A link target exactly for the files typed as links. */
	FUZZ_CHECK(rc == -EINVAL || type == S_IFLNK);
	if (!rc) {
		FUZZ_CHECK(fuzz_utf8_valid(target) && target[0]);
		FUZZ_CHECK(size % 2 == 0 && size <= 8 + 2 * 4095);
	} else {
		FUZZ_CHECK(target == NULL);
	}
	free(target);
	free(file);
}

static void check_encode(const uint8_t *data, size_t size)
{
	static const mode_t types[] = {S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK,
				       S_IFLNK};
	mode_t type = types[fuzz_take_u8(&data, &size) % 5], got;
	struct smb_wbuf w = SMB_WBUF_INIT;
	uint64_t dev = 0;
	dev_t rdev_in, rdev_out = 0;
	char *target, *back = NULL;
	int rc;

	if (size >= 8) {
		dev = le64_get(data);
		data += 8;
		size -= 8;
	}
	rdev_in = makedev(major((dev_t)dev), minor((dev_t)dev));
	target = malloc(size + 1);
	if (!target)
		abort();
	memcpy(target, data, size);
	target[size] = '\0';
	rc = unix_meta_sfu_encode(&w, type, rdev_in, target);
	FUZZ_CHECK(rc == 0 || (type == S_IFLNK &&
			       (rc == -EINVAL || rc == -EILSEQ ||
				rc == -ENAMETOOLONG)));
	if (!rc) {
		size_t head = w.len < UNIX_META_SFU_HEAD ? w.len
							 : UNIX_META_SFU_HEAD;

		got = unix_meta_sfu_type(w.data, head, w.len, &rdev_out);
		FUZZ_CHECK(got == type);
		if (type == S_IFCHR || type == S_IFBLK)
			FUZZ_CHECK(rdev_out == rdev_in);
		if (type == S_IFLNK) {
			FUZZ_CHECK(unix_meta_sfu_link_target(w.data, w.len,
							     &back) == 0);
			FUZZ_CHECK(back && !strcmp(back, target));
			free(back);
		}
	}
	wbuf_free(&w);
	free(target);
}

static void check_bits(const uint8_t *data, size_t size)
{
	mode_t mode = size >= 4 ? (mode_t)le32_get(data) : 0100644, out;
	uint8_t *value, enc[4];

	if (size >= 4) {
		data += 4;
		size -= 4;
	}
	value = fuzz_copy(data, size);
	out = unix_meta_sfu_bits_apply(mode, value, size);
	/* Only setuid, setgid and sticky can change, and only from 4 bytes. */
	FUZZ_CHECK((out & ~(mode_t)UNIX_META_SFU_BITS_MASK) ==
		   (mode & ~(mode_t)UNIX_META_SFU_BITS_MASK));
	FUZZ_CHECK(size >= 4 || out == mode);
	unix_meta_sfu_bits_encode(out, enc);
	FUZZ_CHECK(unix_meta_sfu_bits_apply(mode, enc, 4) == out);
	free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t sel = fuzz_take_u8(&data, &size) % 3;

	if (sel == 0)
		check_file(data, size);
	else if (sel == 1)
		check_encode(data, size);
	else
		check_bits(data, size);
	return 0;
}
