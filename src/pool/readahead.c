// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading ahead of a sequential reader of one open file.
 *
 * A read that follows the previous one (io_plan.c decides, allowing for
 * the kernel's slightly out-of-order read-ahead requests) grows a
 * window of READs kept in flight past the reader: 1 MiB at first,
 * doubling up to the pool's readahead, in pieces of a quarter of the
 * window up to the largest READ.  Later reads copy from the pieces that
 * arrived (waiting for one still on its way) and a piece is freed once
 * read past.  Whatever the window cannot serve is read directly.
 *
 * The window belongs to one handle and one moment: it is dropped by a
 * read elsewhere in the file, and, through f->ra_epoch, by writes to
 * the file through any handle of the pool, by the reopen after a
 * reconnect, by a lease break that ends read caching and by
 * pool_file_invalidate_cache().  A piece never answers an end of file
 * (the file may have grown since): a read there goes to the server.
 *
 * A piece holds the channel it was sent on (struct pool_attempt) until
 * it is freed, which the I/O thread does (writeback.c): never the
 * reader thread that answers it, and never under io_lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "pool_internal.h"

/*
 * Hands a piece out of the window to the I/O thread (io_lock held);
 * one a reader is handing over still goes once that reader is done.
 */
static void ra_piece_retire(struct pool_file *f, struct ra_piece *p)
{
	if (p->pins)
		p->retired = true;
	else if (p->done)
		pool_io_release_piece(pool_of_file(f), p);
	else
		p->dropped = true; /* its answer hands it over */
}

void pool_ra_drop(struct pool_file *f)
{
	struct ra_piece *p;

	while ((p = f->ra.pieces)) {
		f->ra.pieces = p->next;
		p->next = NULL;
		ra_piece_retire(f, p);
	}
	/* The reader keeps its place; the window starts small again. */
	f->ra.w.size = 0;
	f->ra.w.end = f->ra.w.next;
	f->ra.w.eof = IO_PLAN_NO_EOF;
}

/* Drops the window when something made it stale (io_lock held). */
static void ra_sync_epoch(struct pool_file *f)
{
	uint64_t now = atomic_load(&f->ra_epoch);

	if (f->ra.epoch == now)
		return;
	pool_ra_drop(f);
	f->ra.epoch = now;
}

/* Frees the pieces the reader has passed (io_lock held). */
static void ra_trim(struct pool_file *f)
{
	struct ra_piece *p;

	while ((p = f->ra.pieces) && p->done &&
	       p->off + p->len <= f->ra.w.next) {
		f->ra.pieces = p->next;
		p->next = NULL;
		ra_piece_retire(f, p);
	}
}

static struct ra_piece *ra_find(struct pool_file *f, uint64_t off)
{
	struct ra_piece *p;

	for (p = f->ra.pieces; p; p = p->next)
		if (off >= p->off && off - p->off < p->len)
			return p;
	return NULL;
}

/* Where the bytes of one read are: pieces of the window, and a buffer. */
#define RA_VIEW_PIECES 32
struct ra_view {
	struct iovec iov[RA_VIEW_PIECES + 1];
	struct ra_piece *pinned[RA_VIEW_PIECES];
	int n, npinned;
	size_t len;
	uint8_t *buf; /* what the window did not have, read directly */
};

/*
 * Collects what the window has of [off, off + len) into v, waiting for
 * pieces on their way and pinning those it uses; stops at the first
 * byte it does not have.  0 or -EINTR (io_lock held).
 */
static int ra_collect(struct pool_file *f, struct ra_view *v, size_t len,
		      uint64_t off)
{
	struct timespec ts;
	struct ra_piece *p;
	uint64_t at;
	size_t avail;

	while (v->len < len && v->n < RA_VIEW_PIECES) {
		at = off + v->len;
		/* Looked up again after each wait: it may have been dropped. */
		p = ra_find(f, at);
		if (!p)
			break;
		if (!p->done) {
			if (smb_thread_interrupted())
				return -EINTR;
			pool_poll_deadline(&ts, 0);
			pthread_cond_timedwait(&f->io_cond, &f->io_lock, &ts);
			ra_sync_epoch(f);
			continue;
		}
		if (p->got < 0) {
			/* A direct read repeats it, waiting for a repair. */
			pool_ra_drop(f);
			break;
		}
		if (at >= p->off + (uint64_t)p->got)
			break; /* its end of file: ask the server */
		avail = (size_t)(p->off + (uint64_t)p->got - at);
		if (avail > len - v->len)
			avail = len - v->len;
		p->pins++;
		v->pinned[v->npinned++] = p;
		v->iov[v->n++] = (struct iovec){ (uint8_t *)p->data + (at - p->off),
						 avail };
		v->len += avail;
	}
	return 0;
}

/* The reader is done with the pieces it used (io_lock held). */
static void ra_unpin(struct pool_file *f, struct ra_view *v)
{
	struct ra_piece *p;
	int i;

	for (i = 0; i < v->npinned; i++) {
		p = v->pinned[i];
		if (--p->pins == 0 && p->retired)
			pool_io_release_piece(pool_of_file(f), p);
	}
}

/*
 * A READ of the window was answered (reader thread, or the sender): the
 * piece keeps the answer itself, so its data is never copied but into
 * the reader's buffer.
 */
static void ra_piece_answered(void *arg, ssize_t got, uint8_t *rsp,
			      const uint8_t *data)
{
	struct ra_piece *p = arg;
	struct pool_file *f = p->f;
	struct smb_pool *pool = pool_of_file(f);
	bool dropped;

	if (got > 0)
		atomic_fetch_add(&pool_of_file(f)->count.bytes_read,
				 (uint64_t)got);
	pthread_mutex_lock(&f->io_lock);
	p->rsp = rsp;
	p->data = data;
	p->got = got;
	p->done = true;
	dropped = p->dropped;
	if (got >= 0 && !dropped)
		ra_piece_done(&f->ra.w, p->off, p->len, (size_t)got);
	f->ra.inflight--;
	pthread_cond_broadcast(&f->io_cond);
	pthread_mutex_unlock(&f->io_lock);
	/* f may be gone from here on; a dropped piece is ours alone. */
	if (dropped)
		pool_io_release_piece(pool, p);
	pool_io_request_done(pool);
}

/* A piece of len bytes at off, on the channel the call may use now. */
static struct ra_piece *ra_piece_new(struct pool_file *f, uint64_t off,
				     uint32_t len)
{
	struct ra_piece *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pool_attempt_init(&p->a, f->tree, f);
	if (!pool_attempt_now(&p->a)) {
		free(p);
		return NULL;
	}
	p->f = f;
	p->off = off;
	p->len = len;
	return p;
}

/*
 * Credits read-ahead leaves to everything else on the connection: a
 * window never makes a call the application waits for queue behind it.
 */
#define RA_CREDIT_RESERVE 64

/* The connection has the credits for p and the reserve besides. */
static bool ra_credits_allow(const struct ra_piece *p)
{
	struct smb_conn *c = smb_session_conn(smb_tree_session(p->a.tree));
	/* MS-SMB2 3.1.5.2: one credit per 64 KiB. */
	unsigned int charge = (p->len + 65535) / 65536;

	return smb_conn_credits(c) >= charge + RA_CREDIT_RESERVE;
}

/*
 * Sends READs until the window is full (io_lock held; dropped while
 * each goes out), or until the connection's credits run short: the
 * rest of the window goes out at a later read.  The server being away
 * just stops it: read-ahead is not worth waiting for.
 */
static void ra_fill(struct pool_file *f)
{
	uint32_t io_max = pool_tree_max_io(f->tree, false);
	struct ra_piece *p, **tail;
	uint64_t off;
	uint32_t len;

	while (f->ra.w.size && ra_take_piece(&f->ra.w, io_max, &off, &len)) {
		p = ra_piece_new(f, off, len);
		if (p && !ra_credits_allow(p)) {
			p->done = true;
			pool_io_release_piece(pool_of_file(f), p);
			p = NULL;
		}
		if (!p) {
			f->ra.w.end = off;
			return;
		}
		for (tail = &f->ra.pieces; *tail; tail = &(*tail)->next)
			;
		*tail = p;
		f->ra.inflight++;
		pool_io_request_start(pool_of_file(f));
		pthread_mutex_unlock(&f->io_lock);
		/* ra_piece_answered runs once, whatever happens. */
		smb_file_read_async_owned(p->a.tree, p->a.fid, len, off,
					  ra_piece_answered, p);
		pthread_mutex_lock(&f->io_lock);
		ra_sync_epoch(f);
	}
}

ssize_t pool_ra_read_give(struct pool_file *f, size_t len, uint64_t off,
			  pool_give_fn give, void *arg)
{
	uint64_t max = pool_of_file(f)->readahead;
	struct ra_view v = { .n = 0 };
	ssize_t m;
	bool seq;
	int rc = 0;

	pthread_mutex_lock(&f->io_lock);
	f->ra.readers++;
	ra_sync_epoch(f);
	seq = ra_is_sequential(&f->ra.w, off);
	if (seq)
		rc = ra_collect(f, &v, len, off);
	else
		pool_ra_drop(f);
	pthread_mutex_unlock(&f->io_lock);
	if (!rc && v.len < len) {
		/*
		 * An error after some bytes is still the call's error: a
		 * short count would read as the end of the file.
		 */
		v.buf = malloc(len - v.len);
		m = v.buf ? pool_file_read_direct(f, v.buf, len - v.len,
						  off + v.len)
			  : -ENOMEM;
		if (m < 0)
			rc = (int)m;
		else if (m > 0)
			v.iov[v.n++] = (struct iovec){ v.buf, (size_t)m };
		if (m > 0)
			v.len += (size_t)m;
	}
	if (!rc)
		rc = give(arg, v.iov, v.n);
	pthread_mutex_lock(&f->io_lock);
	ra_unpin(f, &v);
	ra_sync_epoch(f);
	if (!rc && seq) {
		ra_advance(&f->ra.w, off, v.len, max);
		/* The reader met the end of the file: nothing to read ahead. */
		if (v.len < len && off + v.len < f->ra.w.eof)
			f->ra.w.eof = off + v.len;
		ra_trim(f);
		ra_fill(f);
	} else if (!rc) {
		ra_restart(&f->ra.w, off, v.len);
	}
	if (--f->ra.readers == 0)
		pthread_cond_broadcast(&f->io_cond);
	pthread_mutex_unlock(&f->io_lock);
	free(v.buf);
	return rc < 0 ? rc : (ssize_t)v.len;
}

void pool_ra_wait_idle(struct pool_file *f)
{
	pthread_mutex_lock(&f->io_lock);
	while (f->ra.readers)
		pthread_cond_wait(&f->io_cond, &f->io_lock);
	pool_ra_drop(f);
	while (f->ra.inflight)
		pthread_cond_wait(&f->io_cond, &f->io_lock);
	pthread_mutex_unlock(&f->io_lock);
}

void pool_ra_piece_free(struct ra_piece *p)
{
	pool_attempt_done(&p->a, p->got < 0 ? (int)p->got : 0);
	free(p->rsp);
	free(p);
}

void pool_file_invalidate_cache(struct pool_file *f)
{
	atomic_fetch_add(&f->ra_epoch, 1);
}
