// SPDX-License-Identifier: GPL-2.0-or-later
/* Minimal bounds-checked DER reader and writer (X.690). */
#include <errno.h>
#include <string.h>

#include "smbfs/asn1.h"

/* X.690 8.1.2.4: high-tag-number form, base 128, most significant first. */
static int decode_high_tag(const uint8_t *buf, size_t len, size_t *pos,
			   uint32_t *number)
{
	uint32_t n = 0;
	uint8_t c;

	do {
		if (*pos >= len)
			return -EBADMSG;
		c = buf[(*pos)++];
		/* A leading 0x80 would be a non-minimal encoding. */
		if (n == 0 && c == 0x80)
			return -EBADMSG;
		if (n > (UINT32_MAX >> 7))
			return -EBADMSG;
		n = (n << 7) | (c & 0x7f);
	} while (c & 0x80);
	/* Numbers below 31 must use the one-octet form. */
	if (n < 31)
		return -EBADMSG;
	*number = n;
	return 0;
}

/* X.690 8.1.3: definite lengths only; long form up to 4 octets. */
static int decode_length(const uint8_t *buf, size_t len, size_t *pos,
			 size_t *out)
{
	size_t n, i, v = 0;
	uint8_t b;

	if (*pos >= len)
		return -EBADMSG;
	b = buf[(*pos)++];
	if (b < 0x80) {
		*out = b;
		return 0;
	}
	n = b & 0x7f;
	/* 0x80 is the indefinite form, which DER forbids. */
	if (n == 0 || n > 4 || n > len - *pos)
		return -EBADMSG;
	for (i = 0; i < n; i++)
		v = (v << 8) | buf[(*pos)++];
	*out = v;
	return 0;
}

int asn1_decode(const uint8_t *buf, size_t len, struct asn1_elem *e)
{
	size_t pos = 0, clen;
	uint8_t b;
	int ret;

	memset(e, 0, sizeof(*e));
	if (!buf || len < 2)
		return -EBADMSG;
	b = buf[pos++];
	e->id = b;
	e->cls = b >> 6;
	e->constructed = (b & ASN1_CONSTRUCTED) != 0;
	e->number = b & 0x1f;
	if (e->number == 0x1f) {
		ret = decode_high_tag(buf, len, &pos, &e->number);
		if (ret)
			return ret;
	}
	ret = decode_length(buf, len, &pos, &clen);
	if (ret)
		return ret;
	/* The contents must fit inside what encloses this element. */
	if (clen > len - pos)
		return -EBADMSG;
	e->start = buf;
	e->val = buf + pos;
	e->len = clen;
	e->total = pos + clen;
	return 0;
}

int asn1_next(struct asn1_reader *r, struct asn1_elem *e)
{
	int ret;

	if (r->pos >= r->len)
		return 0;
	ret = asn1_decode(r->data + r->pos, r->len - r->pos, e);
	if (ret)
		return ret;
	r->pos += e->total;
	return 1;
}

int asn1_expect(struct asn1_reader *r, uint8_t id, struct asn1_elem *e)
{
	int ret = asn1_next(r, e);

	if (ret < 0)
		return ret;
	if (ret == 0 || e->id != id)
		return -EBADMSG;
	return 0;
}

int asn1_decode_only(const uint8_t *buf, size_t len, uint8_t id,
		     struct asn1_elem *e)
{
	int ret = asn1_decode(buf, len, e);

	if (ret)
		return ret;
	if (e->id != id || e->total != len)
		return -EBADMSG;
	return 0;
}

int asn1_get_int(const struct asn1_elem *e, int32_t *v)
{
	uint32_t u;
	size_t i;

	if (e->len < 1 || e->len > 4)
		return -EBADMSG;
	/* Sign-extend from the first contents octet. */
	u = (e->val[0] & 0x80) ? UINT32_MAX : 0;
	for (i = 0; i < e->len; i++)
		u = (u << 8) | e->val[i];
	*v = (int32_t)u;
	return 0;
}

int asn1_oid_decode(const struct asn1_elem *e, uint32_t *arcs, size_t max)
{
	size_t i, count = 0;
	uint64_t sub = 0;
	bool fresh = true;

	if (e->id != ASN1_OID || e->len == 0)
		return -EBADMSG;
	if (max < 2)
		return -E2BIG;
	for (i = 0; i < e->len; i++) {
		uint8_t c = e->val[i];

		/* X.690 8.19.2: no leading 0x80 in a subidentifier. */
		if (fresh && c == 0x80)
			return -EBADMSG;
		fresh = false;
		sub = (sub << 7) | (c & 0x7f);
		if (sub > UINT32_MAX + 80ULL)
			return -EBADMSG;
		if (c & 0x80)
			continue;
		if (count == 0) {
			/* The first subidentifier packs two arcs. */
			uint32_t first = sub < 40 ? 0 : sub < 80 ? 1 : 2;

			arcs[0] = first;
			sub -= 40ULL * first;
			if (sub > UINT32_MAX)
				return -EBADMSG;
			arcs[1] = (uint32_t)sub;
			count = 2;
		} else {
			if (sub > UINT32_MAX)
				return -EBADMSG;
			if (count >= max)
				return -E2BIG;
			arcs[count++] = (uint32_t)sub;
		}
		sub = 0;
		fresh = true;
	}
	/* The last octet must end a subidentifier. */
	if (!fresh)
		return -EBADMSG;
	return (int)count;
}

bool asn1_oid_equal(const struct asn1_elem *e, const uint8_t *der, size_t len)
{
	return e->id == ASN1_OID && e->len == len &&
	       memcmp(e->val, der, len) == 0;
}

static size_t put_base128(uint64_t v, uint8_t *out, size_t cap)
{
	uint8_t tmp[10];
	size_t n = 0, i;

	do {
		tmp[n++] = (uint8_t)(v & 0x7f);
		v >>= 7;
	} while (v);
	if (n > cap)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i] | (i + 1 < n ? 0x80 : 0);
	return n;
}

int asn1_oid_encode(const uint32_t *arcs, size_t n, uint8_t *out, size_t cap)
{
	size_t pos, used, i;

	if (n < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40))
		return -EINVAL;
	pos = put_base128(40ULL * arcs[0] + arcs[1], out, cap);
	if (!pos)
		return -ENOSPC;
	for (i = 2; i < n; i++) {
		used = put_base128(arcs[i], out + pos, cap - pos);
		if (!used)
			return -ENOSPC;
		pos += used;
	}
	return (int)pos;
}

/* Number of octets in the long-form length of len (len >= 0x80). */
static size_t long_length_octets(size_t len)
{
	size_t n = 0;

	while (len) {
		n++;
		len >>= 8;
	}
	return n;
}

static void put_length_octets(uint8_t *p, size_t len, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

void asn1_put_header(struct smb_wbuf *w, uint8_t id, size_t len)
{
	uint8_t hdr[2 + sizeof(size_t)];
	size_t n;

	hdr[0] = id;
	if (len < 0x80) {
		hdr[1] = (uint8_t)len;
		wbuf_bytes(w, hdr, 2);
		return;
	}
	n = long_length_octets(len);
	hdr[1] = (uint8_t)(0x80 | n);
	put_length_octets(hdr + 2, len, n);
	wbuf_bytes(w, hdr, 2 + n);
}

void asn1_put(struct smb_wbuf *w, uint8_t id, const void *val, size_t len)
{
	asn1_put_header(w, id, len);
	wbuf_bytes(w, val, len);
}

void asn1_put_int(struct smb_wbuf *w, uint8_t id, int32_t v)
{
	uint8_t buf[4];
	size_t n = 4, skip = 0;

	put_length_octets(buf, (size_t)(uint32_t)v, 4);
	/* X.690 8.3.2: drop redundant leading 0x00 / 0xff octets. */
	while (n - skip > 1 &&
	       ((buf[skip] == 0x00 && !(buf[skip + 1] & 0x80)) ||
		(buf[skip] == 0xff && (buf[skip + 1] & 0x80))))
		skip++;
	asn1_put(w, id, buf + skip, n - skip);
}

size_t asn1_begin(struct smb_wbuf *w, uint8_t id)
{
	wbuf_u8(w, id);
	wbuf_u8(w, 0); /* length, fixed up by asn1_end() */
	return w->len;
}

void asn1_end(struct smb_wbuf *w, size_t mark)
{
	size_t clen, n;

	if (w->err)
		return;
	if (mark < 2 || mark > w->len) {
		w->err = -EOVERFLOW;
		return;
	}
	clen = w->len - mark;
	if (clen < 0x80) {
		w->data[mark - 1] = (uint8_t)clen;
		return;
	}
	n = long_length_octets(clen);
	if (wbuf_reserve(w, n))
		return;
	memmove(w->data + mark + n, w->data + mark, clen);
	w->data[mark - 1] = (uint8_t)(0x80 | n);
	put_length_octets(w->data + mark, clen, n);
	w->len += n;
}
