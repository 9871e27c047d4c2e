// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name mapping between Linux and SMB.
 *
 * SMB names cannot hold \ : * ? " < > |, control characters, nor end in
 * a dot or a space.
 * Like cifs.ko's "mapposix" (the Services for Mac mapping), those
 * characters travel as code points of the Unicode private use area
 * U+F001..U+F029, so any Linux name round-trips and the server never sees
 * a wildcard.  The reverse mapping applies to every name from the
 * server.  Names Linux cannot hold ('/' inside, or "." and "..") are
 * refused so the caller can skip them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs.h"
#include "smbfs/utf16.h"

/* SMB allows 255 UTF-16 code units in a path component (MS-FSCC 2.1.5). */
#define SMB_NAME_MAX_UNITS 255

struct sfm_map {
	char c;
	uint16_t pua;
};

static const struct sfm_map sfm_table[] = {
	{'"', 0xF020},	{'*', 0xF021}, {':', 0xF022}, {'<', 0xF023},
	{'>', 0xF024},	{'?', 0xF025}, {'\\', 0xF026}, {'|', 0xF027},
};
#define SFM_SPACE 0xF028
#define SFM_PERIOD 0xF029

static uint16_t sfm_to_pua(char c)
{
	size_t i;

	/* Control characters travel as U+F001..U+F01F. */
	if (c > 0 && c < 0x20)
		return (uint16_t)(0xF000 | c);

	for (i = 0; i < sizeof(sfm_table) / sizeof(sfm_table[0]); i++)
		if (sfm_table[i].c == c)
			return sfm_table[i].pua;
	return 0;
}

static char sfm_from_pua(uint32_t cp)
{
	size_t i;

	if (cp > 0xF000 && cp < 0xF020)
		return (char)(cp - 0xF000);
	if (cp == SFM_SPACE)
		return ' ';
	if (cp == SFM_PERIOD)
		return '.';
	for (i = 0; i < sizeof(sfm_table) / sizeof(sfm_table[0]); i++)
		if (sfm_table[i].pua == cp)
			return sfm_table[i].c;
	return 0;
}

/* Appends the 3-byte UTF-8 form of a BMP code point. */
static void put_utf8_bmp(char *o, size_t *n, uint16_t cp)
{
	o[(*n)++] = (char)(0xE0 | (cp >> 12));
	o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[(*n)++] = (char)(0x80 | (cp & 0x3F));
}

static int name_check_length(const char *smb)
{
	long units = utf8_utf16le_size(smb, strlen(smb));

	if (units < 0)
		return -EILSEQ;
	if (units / 2 > SMB_NAME_MAX_UNITS)
		return -ENAMETOOLONG;
	return 0;
}

int name_to_smb(const char *name, bool mapposix, char **out)
{
	size_t len = strlen(name), i, n = 0;
	char *s;
	int rc;

	*out = NULL;
	if (!len || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	if (len > 255)
		return -ENAMETOOLONG;
	s = malloc(len * 3 + 1);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		char c = name[i];
		uint16_t pua = sfm_to_pua(c);
		bool trailing = i == len - 1 && (c == ' ' || c == '.');

		if ((pua || trailing) && !mapposix) {
			free(s);
			return -EINVAL;
		}
		if (pua)
			put_utf8_bmp(s, &n, pua);
		else if (trailing)
			put_utf8_bmp(s, &n, c == ' ' ? SFM_SPACE : SFM_PERIOD);
		else
			s[n++] = c;
	}
	s[n] = '\0';
	rc = name_check_length(s);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int name_from_smb(const char *name, bool mapposix, char **out)
{
	size_t len = strlen(name), i, n = 0;
	const unsigned char *u = (const unsigned char *)name;
	char *s;

	*out = NULL;
	if (!len || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	s = malloc(len + 1);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		/* U+F001..U+F029 are EF 80 81..A9 in UTF-8. */
		if (mapposix && i + 2 < len && u[i] == 0xEF &&
		    u[i + 1] == 0x80 && u[i + 2] >= 0x81 && u[i + 2] <= 0xA9) {
			s[n++] = sfm_from_pua(0xF000 | (u[i + 2] & 0x3F));
			i += 2;
			continue;
		}
		s[n++] = name[i];
	}
	s[n] = '\0';
	/* A mapped name may decode to something Linux cannot hold. */
	if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..")) {
		free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}
