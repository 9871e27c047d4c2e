// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Minshall+French symlinks ("mfsymlinks").
 *
 * Without POSIX extensions an SMB server has no portable symbolic link,
 * so the link is an ordinary file of exactly MFSYMLINK_SIZE (1067) bytes
 * that cifs.ko, macOS and smbfs all read the same way:
 *
 *   offset  0: "XSym\n"
 *   offset  5: the target length as four decimal digits, then "\n"
 *   offset 10: the MD5 of the target as 32 lowercase hex digits, "\n"
 *   offset 43: the target (at most 1024 bytes), then "\n" when there is
 *              room for it, then spaces up to byte 1067.
 *
 * The length and the digest together make a false positive (a data file
 * that happens to be 1067 bytes long) practically impossible.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"
#include "smbfs/crypto.h"

#define MF_MAGIC       "XSym\n"
#define MF_MAGIC_LEN   5
#define MF_LEN_OFFSET  MF_MAGIC_LEN	       /* 4 digits + '\n' */
#define MF_MD5_OFFSET  (MF_LEN_OFFSET + 4 + 1) /* 32 hex + '\n' */
#define MF_LINK_OFFSET (MF_MD5_OFFSET + 32 + 1)
#define MF_LINK_MAX    (MFSYMLINK_SIZE - MF_LINK_OFFSET) /* 1024 */

_Static_assert(MF_LINK_OFFSET == 43, "mfsymlink header is 43 bytes");
_Static_assert(MF_LINK_MAX == 1024, "mfsymlink target limit is 1024");

static const char hex_digits[] = "0123456789abcdef";

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mfsymlink_format(const char *target, uint8_t buf[MFSYMLINK_SIZE])
{
	size_t len = strlen(target), i, ofs;
	uint8_t md5[SMB_MD5_LEN];
	int rc;

	if (len == 0)
		return -ENOENT; /* symlink(2) refuses an empty target */
	if (len > MF_LINK_MAX)
		return -ENAMETOOLONG;
	rc = smb_md5(target, len, md5);
	if (rc < 0)
		return rc;
	memcpy(buf, MF_MAGIC, MF_MAGIC_LEN);
	buf[MF_LEN_OFFSET + 0] = (uint8_t)('0' + len / 1000);
	buf[MF_LEN_OFFSET + 1] = (uint8_t)('0' + len / 100 % 10);
	buf[MF_LEN_OFFSET + 2] = (uint8_t)('0' + len / 10 % 10);
	buf[MF_LEN_OFFSET + 3] = (uint8_t)('0' + len % 10);
	buf[MF_LEN_OFFSET + 4] = '\n';
	for (i = 0; i < SMB_MD5_LEN; i++) {
		buf[MF_MD5_OFFSET + 2 * i] = (uint8_t)hex_digits[md5[i] >> 4];
		buf[MF_MD5_OFFSET + 2 * i + 1] =
			(uint8_t)hex_digits[md5[i] & 0xf];
	}
	buf[MF_MD5_OFFSET + 32] = '\n';
	memcpy(buf + MF_LINK_OFFSET, target, len);
	ofs = MF_LINK_OFFSET + len;
	if (ofs < MFSYMLINK_SIZE)
		buf[ofs++] = '\n';
	memset(buf + ofs, ' ', MFSYMLINK_SIZE - ofs);
	return 0;
}

/* The four-digit length field; -EINVAL unless it is exactly that. */
static int parse_length(const uint8_t *p, size_t *len)
{
	size_t i, v = 0;

	for (i = 0; i < 4; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v = v * 10 + (p[i] - '0');
	}
	if (p[4] != '\n')
		return -EINVAL;
	*len = v;
	return 0;
}

/* Compares the stored hex digest with the digest of the target. */
static int check_digest(const uint8_t *hex, const uint8_t *target, size_t len)
{
	uint8_t md5[SMB_MD5_LEN];
	size_t i;
	int rc = smb_md5(target, len, md5);

	if (rc < 0)
		return rc;
	for (i = 0; i < SMB_MD5_LEN; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != md5[i])
			return -EINVAL;
	}
	return hex[32] == '\n' ? 0 : -EINVAL;
}

int mfsymlink_parse(const uint8_t *buf, size_t len, char **target)
{
	size_t link_len;
	char *s;
	int rc;

	*target = NULL;
	if (len != MFSYMLINK_SIZE || memcmp(buf, MF_MAGIC, MF_MAGIC_LEN))
		return -EINVAL;
	rc = parse_length(buf + MF_LEN_OFFSET, &link_len);
	if (rc < 0)
		return rc;
	/* Linux cannot hold an empty target or one with a NUL in it. */
	if (link_len == 0 || link_len > MF_LINK_MAX ||
	    memchr(buf + MF_LINK_OFFSET, '\0', link_len))
		return -EINVAL;
	rc = check_digest(buf + MF_MD5_OFFSET, buf + MF_LINK_OFFSET, link_len);
	if (rc < 0)
		return rc;
	s = malloc(link_len + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, buf + MF_LINK_OFFSET, link_len);
	s[link_len] = '\0';
	*target = s;
	return 0;
}

/* One compound: open, read MFSYMLINK_SIZE bytes, close. */
int mfsymlink_read(struct smbfs *fs, const char *smb_path, char **target)
{
	struct smb_stat st;
	uint8_t *buf = malloc(MFSYMLINK_SIZE);
	ssize_t n;
	int rc;

	*target = NULL;
	if (!buf)
		return -ENOMEM;
	n = pool_path_read(fs->tree, smb_path, buf, MFSYMLINK_SIZE, &st);
	if (n < 0)
		rc = (int)n;
	else if (st.end_of_file != MFSYMLINK_SIZE)
		rc = -EINVAL; /* not (or no longer) a symlink file */
	else
		rc = mfsymlink_parse(buf, (size_t)n, target);
	free(buf);
	return rc;
}
