/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arithmetic of the pool's data path, without locks or I/O so it
 * can be tested on its own: when a reader counts as sequential, how far
 * its read-ahead window reaches and in which pieces it is read, and
 * which writes may be coalesced into one WRITE.
 */
#ifndef SMBFS_POOL_IO_PLAN_H
#define SMBFS_POOL_IO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No end of file seen. */
#define IO_PLAN_NO_EOF UINT64_MAX
/* The first window of a sequential reader. */
#define IO_PLAN_RA_FIRST (1u << 20)
/*
 * How far behind the cursor a read may start and still count as
 * sequential: the kernel's read-ahead sends neighbouring requests from
 * several threads, which arrive a little out of order.
 */
#define IO_PLAN_RA_SLACK (2u << 20)
/* Read-ahead pieces are whole multiples of one credit's 64 KiB. */
#define IO_PLAN_UNIT (64u << 10)

/* A reader's position and read-ahead window on one open file. */
struct ra_window {
	uint64_t next; /* end of the furthest read served */
	uint64_t size; /* bytes to keep read ahead of next; 0: none */
	uint64_t end;  /* end of the last piece asked for (>= next) */
	uint64_t eof;  /* where a piece came back short, or IO_PLAN_NO_EOF */
};

/* A reader that has read nothing yet: a read at 0 starts a window. */
void ra_window_init(struct ra_window *w);

/*
 * A read at off continues the reader's run: at the cursor when there is
 * no window, else anywhere from a little behind the cursor to the end
 * of what was asked for.
 */
bool ra_is_sequential(const struct ra_window *w, uint64_t off);

/*
 * A sequential read of n bytes at off was served: moves the cursor and
 * doubles the window, up to max bytes (IO_PLAN_RA_FIRST to begin with).
 */
void ra_advance(struct ra_window *w, uint64_t off, size_t n, uint64_t max);

/* A non-sequential read at off: no window, the cursor after it. */
void ra_restart(struct ra_window *w, uint64_t off, size_t n);

/*
 * Takes the next piece to ask for to fill the window: *off and *len (a
 * quarter of the window in whole 64 KiB units, at most io_max), moving
 * the window's end past it; false when the window is full or reaches
 * the end of file.
 */
bool ra_take_piece(struct ra_window *w, uint32_t io_max, uint64_t *off,
		   uint32_t *len);

/* A piece at off came back with got bytes of the len asked for. */
void ra_piece_done(struct ra_window *w, uint64_t off, uint32_t len, size_t got);

/* [a, a + alen) and [b, b + blen) share a byte. */
bool io_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

/*
 * A write of len bytes at off may be added to a pending WRITE of
 * chunk_len bytes at chunk_off that may grow to cap bytes: it starts
 * right where that one ends and fits.
 */
bool wb_can_coalesce(uint64_t chunk_off, size_t chunk_len, size_t cap,
		     uint64_t off, size_t len);

#endif
