/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounds-checked little-endian buffers.
 *
 * Every byte the client reads from the wire goes through a struct smb_rbuf
 * or one of the *_at() getters; none of them reads past the end of the
 * buffer.  Readers carry a sticky error: after the first failed read every
 * later read fails too, so a decoder may do a run of reads and check
 * rbuf_error() once at the end.
 *
 * Writers grow on demand and also carry a sticky error (-ENOMEM or
 * -EOVERFLOW), checked once with wbuf_error().
 */
#ifndef SMBFS_BYTES_H
#define SMBFS_BYTES_H

#include <stddef.h>
#include <stdint.h>

struct smb_rbuf {
	const uint8_t *data;
	size_t len;
	size_t pos;
	int err; /* 0 or -EBADMSG once a read went out of bounds */
};

static inline void rbuf_init(struct smb_rbuf *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->err = 0;
}

static inline int rbuf_error(const struct smb_rbuf *r)
{
	return r->err;
}

static inline size_t rbuf_remaining(const struct smb_rbuf *r)
{
	return r->err ? 0 : r->len - r->pos;
}

/* Sequential reads: on failure set r->err = -EBADMSG and store 0. */
uint8_t rbuf_u8(struct smb_rbuf *r);
uint16_t rbuf_u16(struct smb_rbuf *r);
uint32_t rbuf_u32(struct smb_rbuf *r);
uint64_t rbuf_u64(struct smb_rbuf *r);
void rbuf_bytes(struct smb_rbuf *r, void *out, size_t n);
/* Returns a pointer to n bytes at the cursor and advances, or NULL. */
const uint8_t *rbuf_ptr(struct smb_rbuf *r, size_t n);
void rbuf_skip(struct smb_rbuf *r, size_t n);
/* Moves the cursor to an absolute position (must be <= len). */
void rbuf_seek(struct smb_rbuf *r, size_t pos);

/*
 * Checks that [off, off + len) lies inside a buffer of buf_len bytes,
 * without overflow.  Returns 0 or -EBADMSG.  Use it for every
 * offset/length pair taken from the wire.
 */
int bytes_range_check(size_t buf_len, uint64_t off, uint64_t len);

/* Raw little-endian accessors for callers that have checked bounds. */
static inline uint16_t le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t le64_get(const uint8_t *p)
{
	return (uint64_t)le32_get(p) | ((uint64_t)le32_get(p + 4) << 32);
}

static inline void le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void le32_put(uint8_t *p, uint32_t v)
{
	le16_put(p, (uint16_t)v);
	le16_put(p + 2, (uint16_t)(v >> 16));
}

static inline void le64_put(uint8_t *p, uint64_t v)
{
	le32_put(p, (uint32_t)v);
	le32_put(p + 4, (uint32_t)(v >> 32));
}

/* Bounds-checked getters at an absolute offset: 0 or -EBADMSG. */
int bytes_get_u16_at(const uint8_t *buf, size_t len, size_t off, uint16_t *v);
int bytes_get_u32_at(const uint8_t *buf, size_t len, size_t off, uint32_t *v);
int bytes_get_u64_at(const uint8_t *buf, size_t len, size_t off, uint64_t *v);

struct smb_wbuf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int err; /* 0, -ENOMEM or -EOVERFLOW */
};

#define SMB_WBUF_INIT {NULL, 0, 0, 0}

static inline int wbuf_error(const struct smb_wbuf *w)
{
	return w->err;
}

void wbuf_init(struct smb_wbuf *w);
void wbuf_free(struct smb_wbuf *w);
/* Drops the contents but keeps the allocation. */
void wbuf_reset(struct smb_wbuf *w);
/* Ensures room for n more bytes; 0 or sets/returns the sticky error. */
int wbuf_reserve(struct smb_wbuf *w, size_t n);
void wbuf_u8(struct smb_wbuf *w, uint8_t v);
void wbuf_u16(struct smb_wbuf *w, uint16_t v);
void wbuf_u32(struct smb_wbuf *w, uint32_t v);
void wbuf_u64(struct smb_wbuf *w, uint64_t v);
void wbuf_bytes(struct smb_wbuf *w, const void *p, size_t n);
void wbuf_zero(struct smb_wbuf *w, size_t n);
/* Pads with zero bytes until len is a multiple of align (a power of 2). */
void wbuf_align(struct smb_wbuf *w, size_t align);
/* Patch a value already written at off (off + size <= len). */
void wbuf_put_u16_at(struct smb_wbuf *w, size_t off, uint16_t v);
void wbuf_put_u32_at(struct smb_wbuf *w, size_t off, uint32_t v);
/* Detaches the buffer: caller owns *data afterwards, w is reset. */
uint8_t *wbuf_steal(struct smb_wbuf *w, size_t *len);

#endif
