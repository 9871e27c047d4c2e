/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UTF-8 <-> UTF-16LE.  Invalid input (overlong forms, surrogates encoded
 * in UTF-8, unpaired surrogates in UTF-16, truncated sequences) is an
 * error: names are never silently altered.
 */
#ifndef SMBFS_UTF16_H
#define SMBFS_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "smbfs/bytes.h"

/*
 * Converts len bytes of UTF-8 (no NUL needed) and appends the UTF-16LE
 * form to w.  Returns the number of bytes appended, or -EILSEQ for
 * invalid UTF-8 (w then holds a partial result; the caller discards).
 */
long utf8_to_utf16le(struct smb_wbuf *w, const char *s, size_t len);
/* Length in bytes of the UTF-16LE form of s, or -EILSEQ. */
long utf8_utf16le_size(const char *s, size_t len);

/*
 * Converts len bytes of UTF-16LE (len must be even) into a malloc'd,
 * NUL-terminated UTF-8 string.  Returns 0, -EILSEQ (odd length, unpaired
 * surrogate, or an embedded NUL) or -ENOMEM.
 */
int utf16le_to_utf8(const uint8_t *p, size_t len, char **out);

#endif
