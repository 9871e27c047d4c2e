// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Write-behind, and the pool's I/O thread that sends it.
 *
 * pool_file_write() copies the data into the file's queue of chunks and
 * returns.  A write that starts where the last chunk ends is added to
 * it until it holds the largest WRITE the server takes; the last chunk
 * stays open for more while earlier ones are on their way, and goes as
 * soon as nothing of the file is in flight or it is full.  Under a
 * write-caching lease nobody else sees the file before the lease is
 * broken, which writes everything back first, so there it also waits
 * (up to WB_HOLD_NS after its first byte) until a flush, fsync, close,
 * read, stat, setattr or lock asks for it: a small file written in a
 * few pieces (tar, cp) costs one WRITE, not one per piece.  The I/O
 * thread sends ready chunks in the order they were written, several at
 * once, except that a chunk
 * overlapping one still in flight waits for it: a server may complete
 * concurrent WRITEs in any order (Samba runs them on a thread pool).
 * At most POOL_WRITE_BEHIND_MAX bytes per file are queued or in flight;
 * the writer waits beyond that.
 *
 * Each chunk is one call in the sense of attempt.c: a WRITE lost with
 * its connection asks for a repair and is sent again, as a replay on
 * 3.x, once the file is reopened (hard mounts for as long as it takes,
 * soft ones as long as softtimeo and retrans allow).  Writes in flight
 * when the connection dropped either landed before the server's last
 * answer was lost or not at all, so the reopen's same-file check (change
 * time no later than that answer, plus a second of slack) holds for
 * them; queued ones are sent only after the reopen.  A chunk that
 * finally fails becomes the file's error, reported once by the next
 * write, wait, flush or close.
 *
 * Open files that share a server file (struct pool_node) wait for each
 * other's writes where order matters: a read, stat or setattr through
 * one handle first waits for the overlapping writes of all of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pool_internal.h"

/* The first buffer of a chunk; it doubles as writes are added. */
#define WB_FIRST_CAP (256u << 10)
/* The longest an open chunk waits under write caching. */
#define WB_HOLD_NS (1000 * (int64_t)1000000)

/* --- the I/O thread --- */

void pool_io_request_start(struct smb_pool *p)
{
	pthread_mutex_lock(&p->io_lock);
	p->io_requests++;
	pthread_mutex_unlock(&p->io_lock);
}

void pool_io_request_done(struct smb_pool *p)
{
	pthread_mutex_lock(&p->io_lock);
	if (--p->io_requests == 0)
		pthread_cond_broadcast(&p->io_cond);
	pthread_mutex_unlock(&p->io_lock);
}

void pool_io_release_piece(struct smb_pool *p, struct ra_piece *piece)
{
	pthread_mutex_lock(&p->io_lock);
	piece->next = p->io_dropped;
	p->io_dropped = piece;
	pthread_cond_broadcast(&p->io_cond);
	pthread_mutex_unlock(&p->io_lock);
}

/* Gives f to the I/O thread, referenced while it waits there. */
static void io_queue_file(struct smb_pool *p, struct pool_file *f)
{
	pthread_mutex_lock(&p->lock);
	pthread_mutex_lock(&p->io_lock);
	if (!f->io_queued) {
		f->io_queued = true;
		f->io_next = NULL;
		if (p->io_tail)
			p->io_tail->io_next = f;
		else
			p->io_head = f;
		p->io_tail = f;
		pool_file_get(f);
		pthread_cond_broadcast(&p->io_cond);
	}
	pthread_mutex_unlock(&p->io_lock);
	pthread_mutex_unlock(&p->lock);
}

/*
 * f's open chunk waits until until: the I/O thread looks at f again
 * then, holding a reference meanwhile.
 */
static void io_hold_file(struct smb_pool *p, struct pool_file *f,
			 int64_t until)
{
	pthread_mutex_lock(&p->lock);
	pthread_mutex_lock(&p->io_lock);
	if (!f->io_held) {
		f->io_held = true;
		smb_timed_insert(&p->io_held, &f->held, until);
		pool_file_get(f);
		pthread_cond_broadcast(&p->io_cond);
	}
	pthread_mutex_unlock(&p->io_lock);
	pthread_mutex_unlock(&p->lock);
}

/*
 * Takes the held files due by now (all once stopping) off the held list
 * (io_lock held), chained by held_next; *next_ns: the earliest time
 * still waited for, 0 for none.
 */
static struct pool_file *io_held_take_due(struct smb_pool *p, int64_t now,
					  int64_t *next_ns)
{
	struct pool_file *f, *due = NULL;
	struct smb_timed *t;

	while ((t = smb_timed_pop_due(&p->io_held,
				       p->io_stop ? INT64_MAX : now))) {
		f = smb_timed_entry(t, struct pool_file, held);
		f->io_held = false;
		f->held_next = due;
		due = f;
	}
	*next_ns = smb_timed_next(&p->io_held);
	return due;
}

/* Gives the due files to the queue and their held references back. */
static void io_held_release(struct smb_pool *p, struct pool_file *due)
{
	struct pool_file *f;

	while ((f = due)) {
		due = f->held_next;
		io_queue_file(p, f);
		pool_file_put(p, f);
	}
}

/* Waits for work, or until the next held file is due (io_lock held). */
static void io_wait(struct smb_pool *p, int64_t next_ns)
{
	struct timespec ts;

	if (!next_ns) {
		pthread_cond_wait(&p->io_cond, &p->io_lock);
		return;
	}
	pool_poll_deadline(&ts, next_ns);
	pthread_cond_timedwait(&p->io_cond, &p->io_lock, &ts);
}

static void wb_service(struct pool_file *f);

static void *io_main(void *arg)
{
	struct smb_pool *p = arg;
	struct ra_piece *dropped, *next;
	struct pool_file *f, *due;
	int64_t next_ns;

	/* Shutting down interrupts a wait for the server. */
	pool_thread_set_interrupt(&p->io_intr);
	pthread_mutex_lock(&p->io_lock);
	for (;;) {
		due = io_held_take_due(p, pool_now_ns(), &next_ns);
		if (due) {
			pthread_mutex_unlock(&p->io_lock);
			io_held_release(p, due);
			pthread_mutex_lock(&p->io_lock);
			continue;
		}
		dropped = p->io_dropped;
		p->io_dropped = NULL;
		f = p->io_head;
		if (f) {
			p->io_head = f->io_next;
			if (!p->io_head)
				p->io_tail = NULL;
			f->io_queued = false;
		}
		if (!f && !dropped) {
			if (p->io_stop && !p->io_held.head)
				break;
			io_wait(p, next_ns);
			continue;
		}
		pthread_mutex_unlock(&p->io_lock);
		for (; dropped; dropped = next) {
			next = dropped->next;
			pool_ra_piece_free(dropped);
		}
		if (f) {
			wb_service(f);
			pool_file_put(p, f);
		}
		pthread_mutex_lock(&p->io_lock);
	}
	pthread_mutex_unlock(&p->io_lock);
	return NULL;
}

int pool_io_start(struct smb_pool *p)
{
	int rc = pthread_create(&p->io_thread, NULL, io_main, p);

	if (rc)
		return -rc;
	p->io_started = true;
	return 0;
}

void pool_io_stop(struct smb_pool *p)
{
	struct timespec ts;

	if (!p->io_started)
		return;
	/*
	 * Answers touch the files they belong to: none may still be on its
	 * way when the files are freed.  An unmount with files still open
	 * gets here with READs or WRITEs outstanding: cut them short.
	 */
	pthread_mutex_lock(&p->io_lock);
	if (p->io_requests) {
		pthread_mutex_unlock(&p->io_lock);
		smb_pool_abort(p);
		pthread_mutex_lock(&p->io_lock);
	}
	while (p->io_requests) {
		pool_poll_deadline(&ts, 0);
		pthread_cond_timedwait(&p->io_cond, &p->io_lock, &ts);
	}
	atomic_store(&p->io_intr, 1);
	p->io_stop = true;
	pthread_cond_broadcast(&p->io_cond);
	pthread_mutex_unlock(&p->io_lock);
	pthread_join(p->io_thread, NULL);
	p->io_started = false;
}

/* --- chunks --- */

/*
 * A writer that goes on where its last write ended, in pieces of at
 * least WB_FIRST_CAP, streams: its chunk gets room for a whole WRITE at
 * once, so that it never grows by copying.  Others start small: a small
 * file, or a random writer's piece, holds no more than it needs.
 */
static size_t wb_first_cap(const struct pool_file *f, uint64_t off,
			   size_t len, size_t max)
{
	size_t cap = len > WB_FIRST_CAP ? len : WB_FIRST_CAP;

	if (off == f->wb.next_off && (off || len >= WB_FIRST_CAP))
		cap = max;
	return cap > max ? max : cap;
}

static struct wb_chunk *wb_chunk_new(struct pool_file *f, uint64_t off,
				     size_t len, size_t max)
{
	struct wb_chunk *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cap = wb_first_cap(f, off, len, max);
	c->data = malloc(c->cap);
	if (!c->data) {
		free(c);
		return NULL;
	}
	c->f = f;
	c->off = off;
	c->state = WB_OPEN;
	c->opened_ns = pool_now_ns();
	pool_attempt_init(&c->a, f->tree, f);
	return c;
}

/* Room for need bytes in c, doubling up to max (io_lock held). */
static int wb_chunk_reserve(struct wb_chunk *c, size_t need, size_t max)
{
	size_t cap = c->cap;
	uint8_t *data;

	if (need <= cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > max)
		cap = max;
	data = realloc(c->data, cap);
	if (!data)
		return -ENOMEM;
	c->data = data;
	c->cap = cap;
	return 0;
}

/* The chunk is done with: its outcome becomes f's (io_lock held). */
static void wb_chunk_finish(struct pool_file *f, struct wb_chunk *c, int rc)
{
	struct wb_chunk **pp, *prev = NULL;

	for (pp = &f->wb.head; *pp != c; pp = &(*pp)->next)
		prev = *pp;
	*pp = c->next;
	if (f->wb.tail == c)
		f->wb.tail = prev;
	f->wb.pending -= c->len;
	if (rc < 0) {
		smb_log(SMB_LOG_WARN,
			"\\%s: write of %zu bytes at %llu failed: %s", f->path,
			c->len, (unsigned long long)c->off, strerror(-rc));
		if (!f->wb.error)
			f->wb.error = rc;
	} else {
		atomic_fetch_add(&pool_of_file(f)->count.bytes_written,
				 (uint64_t)c->len);
	}
	/*
	 * pool_file_write_from made the read-ahead windows of the file's
	 * handles stale when the write was queued, but a READ sent after
	 * that and before the server ran this WRITE read what it overwrote
	 * (Samba runs WRITEs asynchronously, so even a READ sent after it
	 * may): they are stale again.  (pool->lock is taken after io_lock.)
	 */
	pool_node_wrote(f, 0, 0);
	atomic_fetch_sub(&f->node->writes, 1);
	free(c->data);
	free(c);
	pthread_cond_broadcast(&f->io_cond);
}

/* A WRITE was answered (reader thread, or the I/O thread itself). */
static void wb_chunk_answered(void *arg, ssize_t n)
{
	struct wb_chunk *c = arg;
	struct pool_file *f = c->f;
	struct smb_pool *p = pool_of_file(f);

	pthread_mutex_lock(&f->io_lock);
	c->result = n;
	c->state = WB_ANSWERED;
	f->wb.inflight--;
	io_queue_file(p, f);
	pthread_mutex_unlock(&f->io_lock);
	pool_io_request_done(p);
}

/* --- what the I/O thread does for a file --- */

/* c overlaps a chunk written before it that is on its way. */
static bool wb_behind_overlap(struct pool_file *f, const struct wb_chunk *c)
{
	const struct wb_chunk *e;

	for (e = f->wb.head; e != c; e = e->next)
		if ((e->state == WB_SENDING || e->state == WB_INFLIGHT) &&
		    io_ranges_overlap(e->off, e->len, c->off, c->len))
			return true;
	return false;
}

/*
 * Whether the open chunk c may wait for more (io_lock held): under write
 * caching, for WB_HOLD_NS, unless the I/O thread is stopping.
 */
static bool wb_hold(struct pool_file *f, const struct wb_chunk *c)
{
	return atomic_load(&f->wb_may_hold) &&
	       !atomic_load(&pool_of_file(f)->io_intr) &&
	       pool_now_ns() - c->opened_ns < WB_HOLD_NS;
}

/*
 * The next chunk to settle or send, or NULL (io_lock held).  *held: the
 * open chunk waits (wb_hold).
 */
static struct wb_chunk *wb_next_work(struct pool_file *f, bool *held)
{
	struct wb_chunk *c;

	*held = false;
	for (c = f->wb.head; c; c = c->next)
		if (c->state == WB_ANSWERED)
			return c;
	/* Nothing on its way: the open chunk goes as it is, or waits. */
	if (!f->wb.inflight && f->wb.tail && f->wb.tail->state == WB_OPEN) {
		if (wb_hold(f, f->wb.tail))
			*held = true;
		else
			f->wb.tail->state = WB_READY;
	}
	for (c = f->wb.head; c; c = c->next) {
		if (c->state == WB_SENDING || c->state == WB_INFLIGHT)
			continue;
		if (c->state != WB_READY || wb_behind_overlap(f, c))
			return NULL;
		return c;
	}
	return NULL;
}

/* Sends c, waiting for the server and the file as any call does. */
static void wb_send(struct pool_file *f, struct wb_chunk *c)
{
	struct smb_pool *p = pool_of_file(f);
	int rc;

	c->state = WB_SENDING;
	f->wb.inflight++;
	pthread_mutex_unlock(&f->io_lock);
	if (!pool_attempt_next(&c->a, &rc)) {
		pthread_mutex_lock(&f->io_lock);
		f->wb.inflight--;
		wb_chunk_finish(f, c, rc < 0 ? rc : -EIO);
		return;
	}
	pool_io_request_start(p);
	/* wb_chunk_answered runs once, whatever happens. */
	smb_file_write_async(c->a.tree, c->a.fid, c->data, (uint32_t)c->len,
			     c->off, wb_chunk_answered, c);
	pthread_mutex_lock(&f->io_lock);
	if (c->state == WB_SENDING)
		c->state = WB_INFLIGHT;
}

/*
 * The server took only the first n bytes (Samba does when its disk
 * fills): the rest goes again as a new call, whose answer tells why.
 */
static void wb_chunk_rest(struct pool_file *f, struct wb_chunk *c, size_t n)
{
	memmove(c->data, c->data + n, c->len - n);
	c->off += n;
	c->len -= n;
	f->wb.pending -= n;
	pool_attempt_init(&c->a, f->tree, f);
	c->state = WB_READY;
}

/* Decides what an answer means: done, or sent again after a repair. */
static void wb_settle(struct pool_file *f, struct wb_chunk *c)
{
	ssize_t n = c->result;
	int rc = n < 0 ? (int)n : n == 0 ? -EIO : 0;

	pthread_mutex_unlock(&f->io_lock);
	rc = pool_attempt_done(&c->a, rc);
	pthread_mutex_lock(&f->io_lock);
	if (!c->a.finished)
		c->state = WB_READY;
	else if (rc == 0 && (size_t)n < c->len)
		wb_chunk_rest(f, c, (size_t)n);
	else
		wb_chunk_finish(f, c, rc);
}

static void wb_service(struct pool_file *f)
{
	struct wb_chunk *c;
	int64_t until = 0;
	bool held;

	pthread_mutex_lock(&f->io_lock);
	while ((c = wb_next_work(f, &held))) {
		if (c->state == WB_ANSWERED)
			wb_settle(f, c);
		else
			wb_send(f, c);
	}
	if (held)
		until = f->wb.tail->opened_ns + WB_HOLD_NS;
	pthread_mutex_unlock(&f->io_lock);
	if (until)
		io_hold_file(pool_of_file(f), f, until);
}

/* --- the writer's side --- */

/* Takes f's unreported error (io_lock held). */
static int wb_take_error(struct pool_file *f)
{
	int rc = f->wb.error;

	f->wb.error = 0;
	return rc;
}

/*
 * Makes the open chunk ready and wakes the I/O thread, for a waiter
 * who wants it on the server now (io_lock held).
 */
static void wb_push(struct pool_file *f)
{
	if (f->wb.tail && f->wb.tail->state == WB_OPEN) {
		f->wb.tail->state = WB_READY;
		io_queue_file(pool_of_file(f), f);
	}
}

/* Waits on io_cond a poll interval; -EINTR when interrupted. */
static int wb_wait(struct pool_file *f)
{
	struct timespec ts;

	if (smb_thread_interrupted())
		return -EINTR;
	pool_poll_deadline(&ts, 0);
	pthread_cond_timedwait(&f->io_cond, &f->io_lock, &ts);
	return 0;
}

/*
 * Adds up to len bytes at off to the queue; *n: how many.  *ready is
 * set when a chunk became ready to go (io_lock held).
 */
static int wb_add(struct pool_file *f, size_t cap, pool_fill_fn fill, void *arg,
		  size_t len, uint64_t off, size_t *n, bool *ready)
{
	struct wb_chunk *t = f->wb.tail;
	int rc;

	if (t && t->state == WB_OPEN &&
	    wb_can_coalesce(t->off, t->len, cap, off, 1)) {
		*n = len < cap - t->len ? len : cap - t->len;
		rc = wb_chunk_reserve(t, t->len + *n, cap);
		if (!rc)
			rc = fill(arg, t->data + t->len, *n);
		if (rc)
			return rc;
	} else {
		*n = len < cap ? len : cap;
		t = wb_chunk_new(f, off, *n, cap);
		if (!t)
			return -ENOMEM;
		rc = fill(arg, t->data, *n);
		if (rc) {
			free(t->data);
			free(t);
			return rc;
		}
		if (f->wb.tail && f->wb.tail->state == WB_OPEN) {
			f->wb.tail->state = WB_READY;
			*ready = true;
		}
		if (f->wb.tail)
			f->wb.tail->next = t;
		else
			f->wb.head = t;
		f->wb.tail = t;
		atomic_fetch_add(&f->node->writes, 1);
	}
	t->len += *n;
	f->wb.next_off = off + *n;
	if (t->len == cap) {
		t->state = WB_READY;
		*ready = true;
	}
	f->wb.pending += *n;
	return 0;
}

ssize_t pool_wb_write(struct pool_file *f, pool_fill_fn fill, void *arg,
		      size_t len, uint64_t off)
{
	size_t cap = pool_tree_max_io(f->tree, true), done = 0, n;
	bool ready = false;
	int rc = 0;

	pthread_mutex_lock(&f->io_lock);
	while (!rc && !f->wb.error && f->wb.pending &&
	       f->wb.pending + len > POOL_WRITE_BEHIND_MAX) {
		wb_push(f); /* a held chunk must not keep the room */
		rc = wb_wait(f);
	}
	if (!rc)
		rc = wb_take_error(f);
	while (!rc && done < len) {
		rc = wb_add(f, cap, fill, arg, len - done, off + done, &n,
			    &ready);
		if (!rc)
			done += n;
	}
	/* Idle, the I/O thread sends the open chunk too (wb_next_work). */
	if (ready || (f->wb.head && !f->wb.inflight))
		io_queue_file(pool_of_file(f), f);
	pthread_mutex_unlock(&f->io_lock);
	/* Part of it queued before a failure: that part is written. */
	if (rc < 0 && rc != -EINTR && done)
		return (ssize_t)done;
	return rc < 0 ? rc : (ssize_t)len;
}

/* A chunk of f overlapping [off, off + len) (io_lock held). */
static bool wb_pending_in(struct pool_file *f, uint64_t off, uint64_t len)
{
	const struct wb_chunk *c;

	for (c = f->wb.head; c; c = c->next)
		if (io_ranges_overlap(c->off, c->len, off, len))
			return true;
	return false;
}

int pool_wb_drain(struct pool_file *f, uint64_t off, uint64_t len,
		  bool take_error)
{
	int rc = 0;

	pthread_mutex_lock(&f->io_lock);
	while (!rc && wb_pending_in(f, off, len)) {
		wb_push(f);
		rc = wb_wait(f);
	}
	if (!rc && take_error)
		rc = wb_take_error(f);
	pthread_mutex_unlock(&f->io_lock);
	return rc;
}

struct wb_chunk *pool_wb_take_small(struct pool_file *f, size_t max)
{
	struct wb_chunk *c;

	pthread_mutex_lock(&f->io_lock);
	c = f->wb.head;
	if (c && c == f->wb.tail && c->state == WB_OPEN && !f->wb.inflight &&
	    c->len <= max && !f->wb.error) {
		c->state = WB_SENDING;
		f->wb.inflight++;
	} else {
		c = NULL;
	}
	pthread_mutex_unlock(&f->io_lock);
	return c;
}

void pool_wb_taken_done(struct pool_file *f, struct wb_chunk *c,
			ssize_t written)
{
	pthread_mutex_lock(&f->io_lock);
	f->wb.inflight--;
	if (written < 0)
		wb_chunk_finish(f, c, (int)written);
	else if ((size_t)written >= c->len)
		wb_chunk_finish(f, c, 0);
	else
		wb_chunk_rest(f, c, (size_t)written); /* the rest as usual */
	if (f->wb.head)
		io_queue_file(pool_of_file(f), f);
	pthread_mutex_unlock(&f->io_lock);
}

/* --- files sharing a server file --- */

int pool_node_drain(struct pool_file *f, uint64_t off, uint64_t len,
		    const struct pool_file *skip)
{
	struct smb_pool *p = pool_of_file(f);
	struct pool_file **v, *m;
	size_t n = 0, i;
	int rc = 0;

	if (!f->node || !atomic_load(&f->node->writes))
		return 0;
	pthread_mutex_lock(&p->lock);
	for (m = f->node->members; m; m = m->node_next)
		n++;
	v = calloc(n, sizeof(*v));
	for (m = f->node->members, i = 0; v && m; m = m->node_next) {
		if (m == skip)
			continue;
		pool_file_get(m);
		v[i++] = m;
	}
	n = i;
	pthread_mutex_unlock(&p->lock);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!rc)
			rc = pool_wb_drain(v[i], off, len, false);
		pool_file_put(p, v[i]);
	}
	free(v);
	return rc;
}

void pool_file_write_back(struct pool_file *f)
{
	pool_node_drain(f, 0, UINT64_MAX, NULL);
}

void pool_lease_write_back(struct pool_tree *t, const uint8_t key[16])
{
	struct smb_pool *p = t->srv->pool;
	struct pool_file **v = NULL, **grown, *f;
	struct pool_tree *u;
	size_t n = 0, i;

	pthread_mutex_lock(&p->lock);
	for (u = t->srv->trees; u; u = u->next) {
		for (f = u->files; f; f = f->next) {
			if (!f->has_lease_key || memcmp(f->lease_key, key, 16))
				continue;
			grown = realloc(v, (n + 1) * sizeof(*v));
			if (!grown)
				break;
			v = grown;
			pool_file_get(f);
			v[n++] = f;
		}
	}
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < n; i++) {
		pool_wb_drain(v[i], 0, UINT64_MAX, false);
		pool_file_put(p, v[i]);
	}
	free(v);
}

void pool_node_wrote(struct pool_file *f, uint64_t off, uint64_t len)
{
	struct smb_pool *p = pool_of_file(f);
	struct pool_file *m;

	pthread_mutex_lock(&p->lock);
	for (m = f->node->members; m; m = m->node_next)
		atomic_fetch_add(&m->ra_epoch, 1);
	if (len && off + len > f->node->size)
		f->node->size = off + len;
	pthread_mutex_unlock(&p->lock);
}
