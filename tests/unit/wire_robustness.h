/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers for the wire codec unit tests: building response messages,
 * encoding request bodies, loading captured Samba vectors, and the
 * robustness checks every decoder gets (truncation, corrupted fields,
 * reproducible random input).
 */
#ifndef SMBFS_TEST_WIRE_ROBUSTNESS_H
#define SMBFS_TEST_WIRE_ROBUSTNESS_H

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "smbfs/smb2.h"

#define SAMBA_VECTOR_DIR "tests/vectors/samba/"

/* Decoder wrapped to a common shape; returns 0 or a negative errno. */
typedef int (*wire_decode_fn)(const uint8_t *msg, size_t len);

/* A wrapper returns this when a decoded pointer escaped the message. */
#define WIRE_ESCAPED_POINTER 1000

static inline int wire_ptr_inside(const uint8_t *msg, size_t len,
				  const uint8_t *p, size_t n)
{
	if (!p)
		return n == 0;
	return p >= msg && (size_t)(p - msg) <= len &&
	       n <= len - (size_t)(p - msg);
}

/* A response message: a 64-byte header for command, then the body. */
static inline uint8_t *wire_response(uint16_t command, uint32_t status,
				     const char *body_hex, size_t *len)
{
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_header h;
	size_t body_len;
	uint8_t *body = test_hex(body_hex, &body_len);

	memset(&h, 0, sizeof(h));
	h.command = command;
	h.status = status;
	h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.credit = 1;
	smb2_header_encode(&w, &h);
	wbuf_bytes(&w, body, body_len);
	free(body);
	if (wbuf_error(&w))
		abort();
	return wbuf_steal(&w, len);
}

/* A writer holding the header room, as encoders expect it. */
static inline void wire_request_start(struct smb_wbuf *w)
{
	wbuf_init(w);
	wbuf_zero(w, SMB2_HEADER_SIZE);
}

/* Asserts the body after the header room equals the hex vector. */
static inline void wire_assert_body(const struct smb_wbuf *w,
				    const char *body_hex)
{
	size_t n;
	uint8_t *want = test_hex(body_hex, &n);

	CU_ASSERT_EQUAL(w->len, SMB2_HEADER_SIZE + n);
	if (w->len == SMB2_HEADER_SIZE + n)
		CU_ASSERT_BYTES_EQUAL(w->data + SMB2_HEADER_SIZE, want, n);
	free(want);
}

/* Loads a captured message; NULL (and a failed assertion) if absent. */
static inline uint8_t *wire_load_vector(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	uint8_t *msg;

	CU_ASSERT_PTR_NOT_NULL(f);
	if (!f) {
		fprintf(stderr, "cannot open %s: run from the repo root\n",
			path);
		return NULL;
	}
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	CU_ASSERT(n > 0);
	if (n <= 0) {
		free(text);
		return NULL;
	}
	msg = test_hex(text, len);
	free(text);
	return msg;
}

/*
 * Calls fn on every captured vector whose name matches pattern (a glob
 * inside SAMBA_VECTOR_DIR); returns how many there were.
 */
static inline int wire_for_each_vector(const char *pattern,
				       void (*fn)(const char *path,
						  const uint8_t *msg,
						  size_t len))
{
	char full[256];
	glob_t g;
	size_t i, len;
	int count = 0;

	snprintf(full, sizeof(full), SAMBA_VECTOR_DIR "%s", pattern);
	if (glob(full, 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc; i++) {
		uint8_t *msg = wire_load_vector(g.gl_pathv[i], &len);

		if (!msg)
			continue;
		fn(g.gl_pathv[i], msg, len);
		free(msg);
		count++;
	}
	globfree(&g);
	return count;
}

/*
 * Every prefix of a valid message shorter than min_valid must be
 * rejected; longer prefixes must merely not crash.  Each prefix is
 * copied into an exactly sized allocation so ASan sees overreads.
 */
static inline void wire_check_truncations(wire_decode_fn fn,
					  const uint8_t *msg, size_t len,
					  size_t min_valid)
{
	size_t n;

	for (n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		int err;

		if (!copy)
			abort();
		memcpy(copy, msg, n);
		err = fn(copy, n);
		if (n < min_valid) {
			CU_ASSERT(err < 0);
			if (err >= 0)
				fprintf(stderr, "prefix %zu accepted\n", n);
		}
		CU_ASSERT_NOT_EQUAL(err, WIRE_ESCAPED_POINTER);
		free(copy);
	}
}

/* Decodes msg with a 16/32-bit field at off replaced; returns fn's result. */
static inline int wire_decode_patched(wire_decode_fn fn, const uint8_t *msg,
				      size_t len, size_t off, int width,
				      uint32_t value)
{
	uint8_t *copy = malloc(len);
	int err;

	if (!copy)
		abort();
	memcpy(copy, msg, len);
	if (width == 1)
		copy[off] = (uint8_t)value;
	else if (width == 2)
		le16_put(copy + off, (uint16_t)value);
	else
		le32_put(copy + off, value);
	err = fn(copy, len);
	free(copy);
	return err;
}

static inline uint32_t wire_xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/*
 * Reproducible random and mutated payloads that have no SMB2 header
 * (FSCTL buffers, info classes, create contexts): odd rounds mutate a
 * valid payload, even rounds are random.  fn must never read outside.
 */
static inline void wire_fuzz_payload(int (*fn)(const uint8_t *, size_t),
				     const uint8_t *valid, size_t valid_len,
				     unsigned int rounds)
{
	uint32_t seed = 0x9E3779B9;
	unsigned int i;

	for (i = 0; i < rounds; i++) {
		size_t len = wire_xorshift32(&seed) % (valid_len + 64), j;
		uint8_t *buf = malloc(len ? len : 1);

		if (!buf)
			abort();
		for (j = 0; j < len; j++)
			buf[j] = j < valid_len && (i & 1)
					 ? valid[j]
					 : (uint8_t)wire_xorshift32(&seed);
		if ((i & 1) && len) {
			unsigned int k;

			for (k = 0; k < 3; k++)
				buf[wire_xorshift32(&seed) % len] =
					(uint8_t)wire_xorshift32(&seed);
		}
		fn(buf, len);
		free(buf);
	}
}

/*
 * Feeds rounds reproducible pseudo-random variations of a valid message:
 * random bodies (keeping the StructureSize half the time, so decoding
 * gets past the first check), random lengths, and mutations of the valid
 * body including extreme 16/32-bit values.  Returns how many were
 * accepted; the caller may assert on it.  Out-of-bounds reads abort
 * under ASan.
 */
static inline int wire_fuzz(wire_decode_fn fn, const uint8_t *valid,
			    size_t valid_len, unsigned int rounds)
{
	static const uint32_t extremes[] = {0,	      1,	  0x7F,
					    0x80,     0xFF,	  0xFFFF,
					    0x10000,  0x7FFFFFFF, 0x80000000,
					    0xFFFFFFF8, 0xFFFFFFFF};
	uint32_t seed = 0x2545F491;
	unsigned int i, accepted = 0;

	for (i = 0; i < rounds; i++) {
		uint32_t mode = wire_xorshift32(&seed) % 3;
		size_t len = SMB2_HEADER_SIZE +
			     wire_xorshift32(&seed) %
				     (valid_len - SMB2_HEADER_SIZE + 65);
		uint8_t *buf = malloc(len ? len : 1);
		size_t j, keep = len < valid_len ? len : valid_len;

		if (!buf)
			abort();
		memcpy(buf, valid, keep);
		for (j = keep; j < len; j++)
			buf[j] = (uint8_t)wire_xorshift32(&seed);
		if (mode == 0) {
			for (j = SMB2_HEADER_SIZE; j < len; j++)
				buf[j] = (uint8_t)wire_xorshift32(&seed);
			if (len >= SMB2_HEADER_SIZE + 2 &&
			    wire_xorshift32(&seed) & 1)
				memcpy(buf + SMB2_HEADER_SIZE,
				       valid + SMB2_HEADER_SIZE, 2);
		} else if (len > SMB2_HEADER_SIZE + 4) {
			unsigned int k, flips = 1 + wire_xorshift32(&seed) % 4;

			for (k = 0; k < flips; k++) {
				size_t off = SMB2_HEADER_SIZE + 2 +
					     wire_xorshift32(&seed) %
						     (len - SMB2_HEADER_SIZE -
						      4);
				uint32_t v = mode == 1
						     ? wire_xorshift32(&seed)
						     : extremes[wire_xorshift32(
								&seed) %
							(sizeof(extremes) /
							 sizeof(extremes[0]))];

				if (wire_xorshift32(&seed) & 1)
					le16_put(buf + off, (uint16_t)v);
				else
					buf[off] = (uint8_t)v;
				if (mode == 2 && off + 4 <= len &&
				    (wire_xorshift32(&seed) & 1))
					le32_put(buf + off, v);
			}
		}
		{
			int err = fn(buf, len);

			CU_ASSERT_NOT_EQUAL(err, WIRE_ESCAPED_POINTER);
			if (!err)
				accepted++;
		}
		free(buf);
	}
	return (int)accepted;
}

#endif
