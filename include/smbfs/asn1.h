/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal DER reader and writer (ITU-T X.690), enough for SPNEGO.
 *
 * The reader never reads outside the buffer it is given: every element's
 * length is checked against the element that encloses it, indefinite
 * lengths are refused (DER forbids them), and so are lengths that need
 * more than 4 octets.  Malformed input is -EBADMSG.
 *
 * The writer appends to a struct smb_wbuf; constructed elements are
 * opened with asn1_begin() and closed with asn1_end(), which fixes up
 * the length (short or long form) once the contents are known.  Errors
 * are sticky in the wbuf, as with the other wbuf writers.
 */
#ifndef SMBFS_ASN1_H
#define SMBFS_ASN1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smbfs/bytes.h"

/* Identifier octets (class | constructed | number) used by smbfs. */
#define ASN1_BOOLEAN	       0x01
#define ASN1_INTEGER	       0x02
#define ASN1_BIT_STRING	       0x03
#define ASN1_OCTET_STRING      0x04
#define ASN1_NULL	       0x05
#define ASN1_OID	       0x06
#define ASN1_ENUMERATED	       0x0a
#define ASN1_GENERAL_STRING    0x1b
#define ASN1_SEQUENCE	       0x30
#define ASN1_CONSTRUCTED       0x20
#define ASN1_CLASS_APPLICATION 0x40
#define ASN1_CLASS_CONTEXT     0x80
/* [n] EXPLICIT context tag (constructed), n < 31. */
#define ASN1_CONTEXT(n) (ASN1_CLASS_CONTEXT | ASN1_CONSTRUCTED | (n))
/* [APPLICATION n] constructed, n < 31. */
#define ASN1_APPLICATION(n) (ASN1_CLASS_APPLICATION | ASN1_CONSTRUCTED | (n))

/* Longest OID (in arcs) asn1_oid_decode() accepts. */
#define ASN1_OID_MAX_ARCS 32

/* One decoded element; the pointers point into the caller's buffer. */
struct asn1_elem {
	uint8_t id;  /* first identifier octet (number bits 0x1f: high form) */
	uint8_t cls; /* 0 universal, 1 application, 2 context, 3 private */
	bool constructed;
	uint32_t number; /* tag number, also for the high-tag-number form */
	const uint8_t *start; /* first identifier octet */
	const uint8_t *val;   /* contents */
	size_t len;	      /* contents length */
	size_t total;	      /* identifier + length + contents */
};

/* Iterates over the elements of one buffer (or of one element's contents). */
struct asn1_reader {
	const uint8_t *data;
	size_t len;
	size_t pos;
};

static inline void asn1_reader_init(struct asn1_reader *r, const uint8_t *data,
				    size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
}

/* Iterates over a constructed element's contents. */
static inline void asn1_reader_enter(struct asn1_reader *r,
				     const struct asn1_elem *e)
{
	asn1_reader_init(r, e->val, e->len);
}

static inline bool asn1_reader_done(const struct asn1_reader *r)
{
	return r->pos >= r->len;
}

/*
 * Decodes the element at the start of buf (trailing bytes are allowed;
 * e->total says how many were used).  0 or -EBADMSG.
 */
int asn1_decode(const uint8_t *buf, size_t len, struct asn1_elem *e);

/* Next element: 1 with *e filled, 0 at the end, -EBADMSG. */
int asn1_next(struct asn1_reader *r, struct asn1_elem *e);

/*
 * Next element, which must exist and carry identifier octet id:
 * 0 or -EBADMSG.
 */
int asn1_expect(struct asn1_reader *r, uint8_t id, struct asn1_elem *e);

/*
 * Decodes the single element that must fill buf exactly and carry id
 * (e.g. the contents of an EXPLICIT [n] tag).  0 or -EBADMSG.
 */
int asn1_decode_only(const uint8_t *buf, size_t len, uint8_t id,
		     struct asn1_elem *e);

/* ENUMERATED or INTEGER that fits an int32: 0 or -EBADMSG. */
int asn1_get_int(const struct asn1_elem *e, int32_t *v);

/*
 * OBJECT IDENTIFIER contents -> arcs.  Returns the number of arcs or
 * -EBADMSG (empty, truncated, non-minimal or arc over 32 bits) or
 * -E2BIG (more than max arcs).
 */
int asn1_oid_decode(const struct asn1_elem *e, uint32_t *arcs, size_t max);

/* True when e is an OID whose contents equal der[0..len). */
bool asn1_oid_equal(const struct asn1_elem *e, const uint8_t *der, size_t len);

/*
 * Encodes arcs as OID contents (no identifier/length) into out.
 * Returns the length or -EINVAL (fewer than 2 arcs, bad first arcs) or
 * -ENOSPC.
 */
int asn1_oid_encode(const uint32_t *arcs, size_t n, uint8_t *out, size_t cap);

/* --- writer --- */

/* Appends identifier and length octets for a len-byte contents. */
void asn1_put_header(struct smb_wbuf *w, uint8_t id, size_t len);
/* Appends a complete primitive element. */
void asn1_put(struct smb_wbuf *w, uint8_t id, const void *val, size_t len);
/* Appends an ENUMERATED or INTEGER (minimal two's complement). */
void asn1_put_int(struct smb_wbuf *w, uint8_t id, int32_t v);

/*
 * Opens a constructed element and returns a mark for asn1_end(), which
 * writes the final length (moving the contents when the long form needs
 * more than the one reserved octet).
 */
size_t asn1_begin(struct smb_wbuf *w, uint8_t id);
void asn1_end(struct smb_wbuf *w, size_t mark);

#endif
