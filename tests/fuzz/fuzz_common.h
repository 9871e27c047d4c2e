/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fuzz harnesses (tests/fuzz/fuzz_*.c).  Each harness is
 * one LLVMFuzzerTestOneInput() that feeds server bytes to a decoder and
 * checks invariants with FUZZ_CHECK.  The same harness code runs under
 * libFuzzer (make fuzz; a failed check aborts) and, built with gcc, as
 * a unit test replaying its corpus (replay_main.c; a failed check fails
 * that corpus file's test).
 */
#ifndef SMBFS_FUZZ_COMMON_H
#define SMBFS_FUZZ_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How many checks ran; the replay driver wants at least one per input. */
extern unsigned long fuzz_checks_run;
/* A check failed: abort (libFuzzer) or count it (replay). */
void fuzz_check_failed(const char *file, int line, const char *expr);

#define FUZZ_CHECK(cond)                                                 \
	do {                                                             \
		fuzz_checks_run++;                                       \
		if (!(cond))                                             \
			fuzz_check_failed(__FILE__, __LINE__, #cond);    \
	} while (0)

/* p[0..n) lies inside base[0..len); NULL only for an empty range. */
static inline bool fuzz_inside(const void *base, size_t len, const void *p,
			       size_t n)
{
	const uint8_t *b = base, *q = p;

	if (!q)
		return n == 0;
	return q >= b && (size_t)(q - b) <= len && n <= len - (size_t)(q - b);
}

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF.  Names the decoders return must pass.
 */
static inline bool fuzz_utf8_valid(const char *str)
{
	const uint8_t *s = (const uint8_t *)str;

	if (!s)
		return false;
	while (*s) {
		uint32_t cp;
		int n, i;

		if (s[0] < 0x80) {
			s++;
			continue;
		}
		if ((s[0] & 0xE0) == 0xC0) {
			n = 1;
			cp = s[0] & 0x1F;
		} else if ((s[0] & 0xF0) == 0xE0) {
			n = 2;
			cp = s[0] & 0x0F;
		} else if ((s[0] & 0xF8) == 0xF0) {
			n = 3;
			cp = s[0] & 0x07;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		s += n + 1;
	}
	return true;
}

/*
 * An exactly sized copy of p[0..n), so that AddressSanitizer sees a read
 * past the end of a sub-buffer (a slice of the fuzzer's input would not
 * be caught).  Never NULL.
 */
static inline uint8_t *fuzz_copy(const void *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	else
		c[0] = 0;
	return c;
}

/* Takes the first byte of the input as a selector (0 when empty). */
static inline uint8_t fuzz_take_u8(const uint8_t **data, size_t *size)
{
	uint8_t v = 0;

	if (*size) {
		v = (*data)[0];
		(*data)++;
		(*size)--;
	}
	return v;
}

/*
 * Takes a 16-bit little-endian length and that many bytes (fewer when
 * the input is shorter) as an exactly sized copy in *tok; returns its
 * length.
 */
static inline size_t fuzz_take_token(const uint8_t **data, size_t *size,
				     uint8_t **tok)
{
	size_t n = 0;

	if (*size >= 2) {
		n = (*data)[0] | (size_t)(*data)[1] << 8;
		*data += 2;
		*size -= 2;
	} else {
		*data += *size;
		*size = 0;
	}
	if (n > *size)
		n = *size;
	*tok = fuzz_copy(*data, n);
	*data += n;
	*size -= n;
	return n;
}

#endif
