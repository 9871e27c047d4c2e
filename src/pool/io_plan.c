// SPDX-License-Identifier: GPL-2.0-or-later
/* The read-ahead window and write coalescing rules (see io_plan.h). */
#include "io_plan.h"

void ra_window_init(struct ra_window *w)
{
	w->next = 0;
	w->size = 0;
	w->end = 0;
	w->eof = IO_PLAN_NO_EOF;
}

bool ra_is_sequential(const struct ra_window *w, uint64_t off)
{
	uint64_t behind =
		w->next > IO_PLAN_RA_SLACK ? w->next - IO_PLAN_RA_SLACK : 0;

	if (!w->size)
		return off == w->next;
	return off >= behind && off <= (w->end > w->next ? w->end : w->next);
}

void ra_advance(struct ra_window *w, uint64_t off, size_t n, uint64_t max)
{
	uint64_t grown = w->size ? w->size * 2 : IO_PLAN_RA_FIRST;

	if (off + n > w->next)
		w->next = off + n;
	if (w->end < w->next)
		w->end = w->next;
	w->size = grown < max ? grown : max;
	/* Data past an earlier end of file: the file grew since. */
	if (w->eof != IO_PLAN_NO_EOF && w->next > w->eof)
		w->eof = IO_PLAN_NO_EOF;
}

void ra_restart(struct ra_window *w, uint64_t off, size_t n)
{
	w->next = off + n;
	w->end = w->next;
	w->size = 0;
	w->eof = IO_PLAN_NO_EOF;
}

bool ra_take_piece(struct ra_window *w, uint32_t io_max, uint64_t *off,
		   uint32_t *len)
{
	uint64_t limit = w->next + w->size, piece;

	if (!w->size || w->end >= limit || w->end >= w->eof || !io_max)
		return false;
	piece = w->size / 4;
	piece -= piece % IO_PLAN_UNIT;
	if (piece < IO_PLAN_UNIT)
		piece = IO_PLAN_UNIT;
	if (piece > io_max)
		piece = io_max;
	*off = w->end;
	*len = (uint32_t)piece;
	w->end += piece;
	return true;
}

void ra_piece_done(struct ra_window *w, uint64_t off, uint32_t len, size_t got)
{
	if (got < len && off + got < w->eof)
		w->eof = off + got;
}

bool io_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

bool wb_can_coalesce(uint64_t chunk_off, size_t chunk_len, size_t cap,
		     uint64_t off, size_t len)
{
	return chunk_off + chunk_len == off && chunk_len + len <= cap;
}
