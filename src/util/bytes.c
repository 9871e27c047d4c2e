// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounds-checked little-endian readers and growable writers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/bytes.h"

static const uint8_t *rbuf_take(struct smb_rbuf *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->pos) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->data + r->pos;
	r->pos += n;
	return p;
}

uint8_t rbuf_u8(struct smb_rbuf *r)
{
	const uint8_t *p = rbuf_take(r, 1);

	return p ? p[0] : 0;
}

uint16_t rbuf_u16(struct smb_rbuf *r)
{
	const uint8_t *p = rbuf_take(r, 2);

	return p ? le16_get(p) : 0;
}

uint32_t rbuf_u32(struct smb_rbuf *r)
{
	const uint8_t *p = rbuf_take(r, 4);

	return p ? le32_get(p) : 0;
}

uint64_t rbuf_u64(struct smb_rbuf *r)
{
	const uint8_t *p = rbuf_take(r, 8);

	return p ? le64_get(p) : 0;
}

void rbuf_bytes(struct smb_rbuf *r, void *out, size_t n)
{
	const uint8_t *p = rbuf_take(r, n);

	if (p)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}

const uint8_t *rbuf_ptr(struct smb_rbuf *r, size_t n)
{
	return rbuf_take(r, n);
}

void rbuf_skip(struct smb_rbuf *r, size_t n)
{
	rbuf_take(r, n);
}

void rbuf_seek(struct smb_rbuf *r, size_t pos)
{
	if (r->err || pos > r->len) {
		r->err = -EBADMSG;
		return;
	}
	r->pos = pos;
}

int bytes_range_check(size_t buf_len, uint64_t off, uint64_t len)
{
	if (off > buf_len || len > buf_len - off)
		return -EBADMSG;
	return 0;
}

int bytes_get_u16_at(const uint8_t *buf, size_t len, size_t off, uint16_t *v)
{
	if (bytes_range_check(len, off, 2))
		return -EBADMSG;
	*v = le16_get(buf + off);
	return 0;
}

int bytes_get_u32_at(const uint8_t *buf, size_t len, size_t off, uint32_t *v)
{
	if (bytes_range_check(len, off, 4))
		return -EBADMSG;
	*v = le32_get(buf + off);
	return 0;
}

int bytes_get_u64_at(const uint8_t *buf, size_t len, size_t off, uint64_t *v)
{
	if (bytes_range_check(len, off, 8))
		return -EBADMSG;
	*v = le64_get(buf + off);
	return 0;
}

void wbuf_init(struct smb_wbuf *w)
{
	w->data = NULL;
	w->len = 0;
	w->cap = 0;
	w->err = 0;
}

void wbuf_free(struct smb_wbuf *w)
{
	free(w->data);
	wbuf_init(w);
}

void wbuf_reset(struct smb_wbuf *w)
{
	w->len = 0;
	w->err = 0;
}

int wbuf_reserve(struct smb_wbuf *w, size_t n)
{
	size_t want;
	uint8_t *p;

	if (w->err)
		return w->err;
	if (n > SIZE_MAX / 2 - w->len) {
		w->err = -EOVERFLOW;
		return w->err;
	}
	if (w->len + n <= w->cap)
		return 0;
	want = w->cap ? w->cap : 256;
	while (want < w->len + n)
		want *= 2;
	p = realloc(w->data, want);
	if (!p) {
		w->err = -ENOMEM;
		return w->err;
	}
	w->data = p;
	w->cap = want;
	return 0;
}

static uint8_t *wbuf_grow(struct smb_wbuf *w, size_t n)
{
	uint8_t *p;

	if (wbuf_reserve(w, n))
		return NULL;
	p = w->data + w->len;
	w->len += n;
	return p;
}

void wbuf_u8(struct smb_wbuf *w, uint8_t v)
{
	uint8_t *p = wbuf_grow(w, 1);

	if (p)
		*p = v;
}

void wbuf_u16(struct smb_wbuf *w, uint16_t v)
{
	uint8_t *p = wbuf_grow(w, 2);

	if (p)
		le16_put(p, v);
}

void wbuf_u32(struct smb_wbuf *w, uint32_t v)
{
	uint8_t *p = wbuf_grow(w, 4);

	if (p)
		le32_put(p, v);
}

void wbuf_u64(struct smb_wbuf *w, uint64_t v)
{
	uint8_t *p = wbuf_grow(w, 8);

	if (p)
		le64_put(p, v);
}

void wbuf_bytes(struct smb_wbuf *w, const void *src, size_t n)
{
	uint8_t *p;

	if (!n)
		return;
	p = wbuf_grow(w, n);
	if (p)
		memcpy(p, src, n);
}

void wbuf_zero(struct smb_wbuf *w, size_t n)
{
	uint8_t *p;

	if (!n)
		return;
	p = wbuf_grow(w, n);
	if (p)
		memset(p, 0, n);
}

void wbuf_align(struct smb_wbuf *w, size_t align)
{
	size_t rem = w->len & (align - 1);

	if (rem)
		wbuf_zero(w, align - rem);
}

void wbuf_put_u16_at(struct smb_wbuf *w, size_t off, uint16_t v)
{
	if (w->err)
		return;
	if (bytes_range_check(w->len, off, 2)) {
		w->err = -EOVERFLOW;
		return;
	}
	le16_put(w->data + off, v);
}

void wbuf_put_u32_at(struct smb_wbuf *w, size_t off, uint32_t v)
{
	if (w->err)
		return;
	if (bytes_range_check(w->len, off, 4)) {
		w->err = -EOVERFLOW;
		return;
	}
	le32_put(w->data + off, v);
}

uint8_t *wbuf_steal(struct smb_wbuf *w, size_t *len)
{
	uint8_t *p = w->data;

	if (len)
		*len = w->len;
	wbuf_init(w);
	return p;
}
