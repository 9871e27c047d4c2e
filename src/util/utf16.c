// SPDX-License-Identifier: GPL-2.0-or-later
/* UTF-8 <-> UTF-16LE conversion with strict validation. */
#include <errno.h>
#include <stdlib.h>

#include "smbfs/utf16.h"

/* Decodes one UTF-8 scalar at s[*i]; returns it or -1 when invalid. */
static long utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	size_t n, k;
	uint32_t cp, min;

	if (c < 0x80) {
		(*i)++;
		return c;
	} else if ((c & 0xE0) == 0xC0) {
		n = 1, cp = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2, cp = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3, cp = c & 0x07, min = 0x10000;
	} else {
		return -1;
	}
	if (n > len - *i - 1)
		return -1;
	for (k = 1; k <= n; k++) {
		unsigned char cc = s[*i + k];

		if ((cc & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (cc & 0x3F);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return -1;
	*i += n + 1;
	return (long)cp;
}

long utf8_utf16le_size(const char *s, size_t len)
{
	size_t i = 0;
	long out = 0;

	while (i < len) {
		long cp = utf8_next((const unsigned char *)s, len, &i);

		if (cp < 0)
			return -EILSEQ;
		out += cp >= 0x10000 ? 4 : 2;
	}
	return out;
}

long utf8_to_utf16le(struct smb_wbuf *w, const char *s, size_t len)
{
	size_t i = 0, start = w->len;

	while (i < len) {
		long cp = utf8_next((const unsigned char *)s, len, &i);

		if (cp < 0)
			return -EILSEQ;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			wbuf_u16(w, (uint16_t)(0xD800 | (cp >> 10)));
			wbuf_u16(w, (uint16_t)(0xDC00 | (cp & 0x3FF)));
		} else {
			wbuf_u16(w, (uint16_t)cp);
		}
	}
	if (w->err)
		return w->err;
	return (long)(w->len - start);
}

static size_t utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int utf16le_to_utf8(const uint8_t *p, size_t len, char **out)
{
	size_t i, o = 0;
	char *s;

	*out = NULL;
	if (len & 1)
		return -EILSEQ;
	/* Each UTF-16 unit yields at most 3 UTF-8 bytes (pairs: 4 per 2). */
	s = malloc(len / 2 * 3 + 1);
	if (!s)
		return -ENOMEM;
	for (i = 0; i < len; i += 2) {
		uint32_t cp = le16_get(p + i);

		if (cp == 0)
			goto bad;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			uint32_t lo;

			if (i + 4 > len)
				goto bad;
			lo = le16_get(p + i + 2);
			if (lo < 0xDC00 || lo > 0xDFFF)
				goto bad;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			goto bad;
		}
		o += utf8_put(s + o, cp);
	}
	s[o] = '\0';
	*out = s;
	return 0;
bad:
	free(s);
	return -EILSEQ;
}
