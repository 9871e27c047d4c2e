// SPDX-License-Identifier: GPL-2.0-or-later
/* Typed file calls: CREATE, CLOSE, FLUSH, READ, WRITE and LOCK. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_flush.h"
#include "smbfs/wire/smb2_lock.h"
#include "smbfs/wire/smb2_read.h"
#include "smbfs/wire/smb2_write.h"
#include "smbfs/wire/security_desc.h"

/* The durable context: a new durable open, or reconnecting one. */
static bool durable_context(const struct smb_open_args *a,
			    struct smb_session *s, struct smb2_create_ctx *ctx)
{
	bool v2 = s->info.dialect >= SMB2_DIALECT_300;

	if (a->reconnect) {
		/* MS-SMB2 3.2.4.4: DH2C on 3.x, DHnC on 2.x. */
		if (!v2) {
			ctx->type = SMB2_CREATE_CTX_DURABLE_V1_RECONNECT;
			ctx->u.reconnect_fileid = a->reconnect_fid;
			return true;
		}
		ctx->type = SMB2_CREATE_CTX_DURABLE_V2_RECONNECT;
		ctx->u.durable_v2_reconnect.fileid = a->reconnect_fid;
		if (a->create_guid)
			memcpy(ctx->u.durable_v2_reconnect.create_guid,
			       a->create_guid, SMB2_CREATE_GUID_SIZE);
		return true;
	}
	if (!a->durable)
		return false;
	if (!v2) {
		ctx->type = SMB2_CREATE_CTX_DURABLE_V1;
		return true;
	}
	ctx->type = SMB2_CREATE_CTX_DURABLE_V2;
	if (a->create_guid) {
		memcpy(ctx->u.durable_v2.create_guid, a->create_guid,
		       SMB2_CREATE_GUID_SIZE);
		return true;
	}
	return smb_random_bytes(ctx->u.durable_v2.create_guid,
				SMB2_CREATE_GUID_SIZE) == 0;
}

/* MS-SMB2 3.2.4.3.8: leases need 2.1+ and a server that offers them. */
static bool leasing(const struct smb_session *s)
{
	return s->info.dialect >= SMB2_DIALECT_210 &&
	       (s->info.capabilities & SMB2_GLOBAL_CAP_LEASING);
}

/* Fills the CREATE contexts an open asks for; returns how many. */
static size_t open_contexts(const struct smb_open_args *a,
			    struct smb_session *s, const struct smb_wbuf *sd,
			    struct smb2_create_ctx *ctx)
{
	size_t n = 0;

	/*
	 * MS-SMB2 3.3.5.9.7/12: a durable reconnect carries the lease and
	 * the reconnect context only (Samba refuses anything more).
	 */
	if (!a->reconnect)
		ctx[n++].type = SMB2_CREATE_CTX_QFID;
	if (a->oplock_level == SMB2_OPLOCK_LEVEL_LEASE && a->lease_key &&
	    leasing(s)) {
		ctx[n].type = SMB2_CREATE_CTX_LEASE;
		ctx[n].u.lease.version =
			s->info.dialect >= SMB2_DIALECT_300 ? 2 : 1;
		memcpy(ctx[n].u.lease.key, a->lease_key, 16);
		ctx[n].u.lease.state = a->lease_state;
		ctx[n].u.lease.epoch = a->lease_epoch;
		n++;
	}
	if (durable_context(a, s, &ctx[n]))
		n++;
	if (sd->len && !a->reconnect) {
		ctx[n].type = SMB2_CREATE_CTX_SECD;
		ctx[n].u.raw.data = sd->data;
		ctx[n].u.raw.len = sd->len;
		n++;
	}
	return n;
}

static void stat_from_create(struct smb_stat *st,
			     const struct smb2_create_response *r)
{
	memset(st, 0, sizeof(*st));
	st->creation_time = r->creation_time;
	st->last_access_time = r->last_access_time;
	st->last_write_time = r->last_write_time;
	st->change_time = r->change_time;
	st->allocation_size = r->allocation_size;
	st->end_of_file = r->end_of_file;
	st->attributes = r->file_attributes;
	if (r->contexts.present & SMB2_CREATE_RSP_QFID)
		st->file_id = r->contexts.qfid.disk_file_id;
}

/* Encodes a CREATE for a into req->msg. */
int open_request_encode(struct smb_tree *t, const struct smb_open_args *a,
		       struct smb_req *req)
{
	struct smb2_create_ctx ctx[4];
	struct smb2_create_request cr = {
		.oplock_level = a->oplock_level,
		.impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
		.desired_access = a->desired_access,
		.file_attributes = a->file_attributes,
		.share_access = a->share_access,
		.create_disposition = a->disposition,
		.create_options = a->create_options,
		.name = a->path ? a->path : "",
		.name_len = a->path ? strlen(a->path) : 0,
		.contexts = ctx,
	};
	struct smb_wbuf sd = SMB_WBUF_INIT;
	int rc = a->sd && !a->reconnect ? smb_sd_encode(&sd, a->sd) : 0;

	if (rc) {
		wbuf_free(&sd);
		return rc;
	}
	memset(ctx, 0, sizeof(ctx));
	cr.num_contexts = open_contexts(a, t->session, &sd, ctx);
	/*
	 * Without leases a batch oplock stands in (MS-SMB2 3.2.4.3.8): it
	 * too lets the server grant a durable handle.
	 */
	if (cr.oplock_level == SMB2_OPLOCK_LEVEL_LEASE &&
	    (!a->lease_key || !leasing(t->session)))
		cr.oplock_level = a->lease_key ? SMB2_OPLOCK_LEVEL_BATCH
					       : SMB2_OPLOCK_LEVEL_NONE;
	rc = smb2_create_request_encode(&req->msg, &cr);
	wbuf_free(&sd);
	return rc;
}

int open_response_decode(const struct smb_req *req, bool reconnected,
		       struct smb_open_result *res)
{
	struct smb2_create_response r;
	int rc = rsp_checked(req, smb2_create_response_decode(
					  req->rsp, req->rsp_len, &r));

	if (rc < 0)
		return rc;
	memset(res, 0, sizeof(*res));
	res->fid = r.file_id;
	res->create_action = r.create_action;
	res->oplock_level = r.oplock_level;
	if (r.oplock_level == SMB2_OPLOCK_LEVEL_LEASE &&
	    (r.contexts.present & SMB2_CREATE_RSP_LEASE)) {
		res->lease_state = r.contexts.lease.state;
		res->lease_epoch = r.contexts.lease.epoch;
	}
	/* MS-SMB2 3.2.5.4: a reconnect answers with no durable context. */
	res->durable = (r.contexts.present & (SMB2_CREATE_RSP_DURABLE_V1 |
					      SMB2_CREATE_RSP_DURABLE_V2)) ||
		       reconnected;
	if (r.contexts.present & SMB2_CREATE_RSP_MXAC)
		res->maximal_access = r.contexts.mxac.maximal_access;
	stat_from_create(&res->st, &r);
	return 0;
}

int smb_file_open(struct smb_tree *t, const struct smb_open_args *a,
		  struct smb_open_result *res)
{
	struct smb_req *req = smb_tree_req_new(t, SMB2_CREATE);
	int rc;

	if (!req)
		return -ENOMEM;
	rc = open_request_encode(t, a, req);
	if (!rc)
		rc = smb_call(t, req, 0);
	if (!rc)
		rc = open_response_decode(req, a->reconnect, res);
	smb_req_free(req);
	return rc;
}

static void stat_from_close(struct smb_stat *st,
			    const struct smb2_close_response *r)
{
	memset(st, 0, sizeof(*st));
	st->creation_time = r->creation_time;
	st->last_access_time = r->last_access_time;
	st->last_write_time = r->last_write_time;
	st->change_time = r->change_time;
	st->allocation_size = r->allocation_size;
	st->end_of_file = r->end_of_file;
	st->attributes = r->file_attributes;
}

static int close_encode(struct smb_req *req, struct smb2_fileid fid,
			bool postquery)
{
	struct smb2_close_request cr = {
		.flags = postquery ? SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB : 0,
		.file_id = fid,
	};

	return smb2_close_request_encode(&req->msg, &cr);
}

int smb_file_close(struct smb_tree *t, struct smb2_fileid fid,
		   struct smb_stat *st)
{
	struct smb2_close_response r;
	struct smb_req *req = smb_tree_req_new(t, SMB2_CLOSE);
	int rc;

	if (!req)
		return -ENOMEM;
	rc = close_encode(req, fid, st != NULL);
	if (!rc)
		rc = smb_call(t, req, 0);
	if (!rc)
		rc = rsp_checked(req, smb2_close_response_decode(
					      req->rsp, req->rsp_len, &r));
	if (!rc && st)
		stat_from_close(st, &r);
	smb_req_free(req);
	return rc;
}

/*
 * MS-SMB2 3.2.4.1.4: unrelated requests may share a frame; each CLOSE
 * names its own handle and runs whatever became of the others.
 */
int smb_file_close_many(struct smb_tree *t, const struct smb2_fileid *fids,
			int n, struct smb_stat *sts, int *rcs)
{
	struct smb_req *reqs[SMB_CLOSE_MANY_MAX];
	struct smb2_close_response r;
	int i, rc = 0;

	if (n < 1 || n > SMB_CLOSE_MANY_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		reqs[i] = smb_tree_req_new(t, SMB2_CLOSE);
		if (!reqs[i] || close_encode(reqs[i], fids[i], true)) {
			rc = -ENOMEM;
			n = i + (reqs[i] != NULL);
			goto out;
		}
	}
	smb_call_compound(t, reqs, n, false);
	for (i = 0; i < n; i++) {
		rcs[i] = smb_req_result(reqs[i], 0);
		if (!rcs[i])
			rcs[i] = rsp_checked(reqs[i],
					     smb2_close_response_decode(
						     reqs[i]->rsp,
						     reqs[i]->rsp_len, &r));
		if (!rcs[i])
			stat_from_close(&sts[i], &r);
		/* What the transport said concerns all of them. */
		if (reqs[i]->err && !rc)
			rc = reqs[i]->err;
	}
out:
	for (i = 0; i < n; i++)
		smb_req_free(reqs[i]);
	return rc;
}

int smb_file_flush(struct smb_tree *t, struct smb2_fileid fid)
{
	struct smb2_flush_request fr = {.file_id = fid};
	struct smb_req *req = smb_tree_req_new(t, SMB2_FLUSH);
	int rc;

	if (!req)
		return -ENOMEM;
	rc = smb2_flush_request_encode(&req->msg, &fr);
	if (!rc)
		rc = smb_call(t, req, 0);
	smb_req_free(req);
	return rc;
}

uint32_t io_max_payload(struct smb_tree *t, bool write)
{
	const struct smb_session_info *i = &t->session->info;
	uint32_t m = write ? i->max_write : i->max_read;

	/* Without LARGE_MTU (2.0.2) one credit covers at most 64 KiB. */
	if (i->dialect == SMB2_DIALECT_202 ||
	    !(i->capabilities & SMB2_GLOBAL_CAP_LARGE_MTU))
		m = m < 65536 ? m : 65536;
	/* Stay well inside 8 MiB frames and what a reader thread buffers. */
	return m < 8u << 20 ? m : 8u << 20;
}

struct smb_req *read_request_new(struct smb_tree *t, struct smb2_fileid fid,
				    uint32_t len, uint64_t off)
{
	struct smb2_read_request rr = {
		.length = len,
		.offset = off,
		.file_id = fid,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_READ);

	if (!req)
		return NULL;
	req->payload_recv = len;
	if (smb2_read_request_encode(&req->msg, &rr)) {
		smb_req_free(req);
		return NULL;
	}
	return req;
}

/* Bytes read (0 at EOF, at most len) at *data in req->rsp, or -errno. */
static ssize_t read_response_data(const struct smb_req *req, uint32_t len,
				  const uint8_t **data)
{
	struct smb2_read_response r;
	int rc;

	*data = NULL;
	if (!req->err && req->status == STATUS_END_OF_FILE)
		return 0;
	rc = smb_req_result(req, 0);
	if (rc < 0)
		return rc;
	rc = smb2_read_response_decode(req->rsp, req->rsp_len, &r);
	/* MS-SMB2 3.2.5.12: never more than the Length asked for. */
	if (!rc && r.data_len > len)
		rc = -EBADMSG;
	if (rc < 0)
		return rsp_checked(req, rc);
	*data = r.data;
	return r.data_len;
}

/* Bytes read (0 at EOF) or -errno; copies into buf (at most len). */
ssize_t read_response_copy(const struct smb_req *req, void *buf, uint32_t len)
{
	const uint8_t *data;
	ssize_t n = read_response_data(req, len, &data);

	if (n > 0)
		memcpy(buf, data, (size_t)n);
	return n;
}

struct smb_req *write_request_new(struct smb_tree *t,
				     struct smb2_fileid fid, const void *buf,
				     uint32_t len, uint64_t off)
{
	/* The data goes out from buf itself, after the encoded body. */
	struct smb2_write_request wr = {
		.offset = off,
		.file_id = fid,
		.length = len,
		.data_follows = true,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_WRITE);

	if (!req)
		return NULL;
	req->payload = buf;
	req->payload_len = len;
	req->payload_send = len;
	if (smb2_write_request_encode(&req->msg, &wr)) {
		smb_req_free(req);
		return NULL;
	}
	return req;
}

ssize_t write_response_count(const struct smb_req *req, uint32_t len)
{
	struct smb2_write_response r;
	int rc = smb_req_result(req, 0);

	if (rc < 0)
		return rc;
	rc = smb2_write_response_decode(req->rsp, req->rsp_len, &r);
	if (!rc && r.count > len)
		rc = -EBADMSG;
	if (rc < 0)
		return rsp_checked(req, rc);
	return r.count;
}

struct io_async {
	smb_io_done_fn done;
	void *arg;
	void *buf;
	uint32_t len;
};

static void read_async_done(struct smb_req *req)
{
	struct io_async *io = req->arg;
	ssize_t n = read_response_copy(req, io->buf, io->len);

	io->done(io->arg, n);
	free(io);
	smb_req_free(req);
}

static void write_async_done(struct smb_req *req)
{
	struct io_async *io = req->arg;
	ssize_t n = write_response_count(req, io->len);

	io->done(io->arg, n);
	free(io);
	smb_req_free(req);
}

/* Submits req with an io_async; on any failure done() still runs once. */
static int io_async_submit(struct smb_tree *t, struct smb_req *req,
			   smb_req_done_fn cb, void *buf, uint32_t len,
			   smb_io_done_fn done, void *arg)
{
	struct io_async *io = req ? malloc(sizeof(*io)) : NULL;

	if (!io) {
		smb_req_free(req);
		done(arg, -ENOMEM);
		return -ENOMEM;
	}
	io->done = done;
	io->arg = arg;
	io->buf = buf;
	io->len = len;
	/* On failure the connection completes req through cb. */
	return smb_call_async(t, req, cb, io);
}

int smb_file_read_async(struct smb_tree *t, struct smb2_fileid fid,
			void *buf, uint32_t len, uint64_t off,
			smb_io_done_fn done, void *arg)
{
	if (len > io_max_payload(t, false)) {
		done(arg, -EINVAL);
		return -EINVAL;
	}
	return io_async_submit(t, read_request_new(t, fid, len, off),
			       read_async_done, buf, len, done, arg);
}

struct read_owned {
	smb_read_owned_fn done;
	void *arg;
	uint32_t len;
};

static void read_owned_done(struct smb_req *req)
{
	struct read_owned *ro = req->arg;
	const uint8_t *data;
	ssize_t n = read_response_data(req, ro->len, &data);
	uint8_t *rsp = NULL;

	/* The answer changes hands: no copy of its data. */
	if (n >= 0) {
		rsp = req->rsp;
		req->rsp = NULL;
	}
	ro->done(ro->arg, n, rsp, data);
	free(ro);
	smb_req_free(req);
}

int smb_file_read_async_owned(struct smb_tree *t, struct smb2_fileid fid,
			      uint32_t len, uint64_t off,
			      smb_read_owned_fn done, void *arg)
{
	struct smb_req *req = NULL;
	struct read_owned *ro = NULL;

	if (len > io_max_payload(t, false)) {
		done(arg, -EINVAL, NULL, NULL);
		return -EINVAL;
	}
	req = read_request_new(t, fid, len, off);
	ro = req ? malloc(sizeof(*ro)) : NULL;
	if (!ro) {
		smb_req_free(req);
		done(arg, -ENOMEM, NULL, NULL);
		return -ENOMEM;
	}
	ro->done = done;
	ro->arg = arg;
	ro->len = len;
	/* On failure the connection completes req through the callback. */
	return smb_call_async(t, req, read_owned_done, ro);
}

int smb_file_write_async(struct smb_tree *t, struct smb2_fileid fid,
			 const void *buf, uint32_t len, uint64_t off,
			 smb_io_done_fn done, void *arg)
{
	if (len > io_max_payload(t, true)) {
		done(arg, -EINVAL);
		return -EINVAL;
	}
	return io_async_submit(t, write_request_new(t, fid, buf, len, off),
			       write_async_done, NULL, len, done, arg);
}

int smb_file_lock(struct smb_tree *t, struct smb2_fileid fid, uint64_t off,
		  uint64_t len, uint32_t flags)
{
	struct smb2_lock_element el = {
		.offset = off,
		.length = len,
		.flags = flags,
	};
	struct smb2_lock_request lr = {
		.file_id = fid,
		.locks = &el,
		.lock_count = 1,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_LOCK);
	int rc;

	if (!req)
		return -ENOMEM;
	/* A blocking lock may wait at the server for as long as it takes. */
	if (!(flags & (SMB2_LOCKFLAG_FAIL_IMMEDIATELY | SMB2_LOCKFLAG_UNLOCK)))
		req->timeout_ms = -1;
	rc = smb2_lock_request_encode(&req->msg, &lr);
	if (!rc)
		rc = smb_call(t, req, 0);
	smb_req_free(req);
	return rc;
}

/*
 * Large reads and writes go out as several requests at once, so the
 * server works on one piece while the next travels: a single request at
 * a time would leave the link idle for a round trip per piece.
 */
#define IO_PIECE_MIN (64u << 10)
#define IO_SINGLE_MAX (128u << 10)
#define IO_MAX_INFLIGHT 16

struct io_batch {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int pending;
	ssize_t result[IO_MAX_INFLIGHT];
};

struct io_piece {
	struct io_batch *batch;
	unsigned int index;
};

static void io_piece_done(void *arg, ssize_t result)
{
	struct io_piece *p = arg;
	struct io_batch *b = p->batch;

	pthread_mutex_lock(&b->lock);
	b->result[p->index] = result;
	/* Signal under the lock: the waiter frees b once it sees 0. */
	if (--b->pending == 0)
		pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

/*
 * The bytes the pieces moved as one contiguous run, up to the first
 * short piece; or the first error before that.
 */
static ssize_t io_batch_total(const struct io_batch *b, unsigned int n,
			      uint32_t piece, size_t len)
{
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t want = len - (size_t)i * piece < piece
				      ? len - (size_t)i * piece
				      : piece;

		/*
		 * An error after whole pieces is the call's error: a short
		 * count would read as end of file (or a short write) when the
		 * rest was merely lost with the connection.
		 */
		if (b->result[i] < 0)
			return b->result[i];
		total += (size_t)b->result[i];
		if ((size_t)b->result[i] < want)
			break;
	}
	return total;
}

/* At most IO_MAX_INFLIGHT pieces of len bytes, all in flight at once. */
static ssize_t io_window(struct smb_tree *t, struct smb2_fileid fid,
			 bool write, uint8_t *buf, size_t len, uint64_t off,
			 uint32_t piece)
{
	struct io_piece pieces[IO_MAX_INFLIGHT];
	struct io_batch b = {.pending = 0};
	unsigned int i, n = (unsigned int)((len + piece - 1) / piece);

	if (pthread_mutex_init(&b.lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&b.cond, NULL)) {
		pthread_mutex_destroy(&b.lock);
		return -ENOMEM;
	}
	b.pending = n;
	for (i = 0; i < n; i++) {
		size_t at = (size_t)i * piece;
		uint32_t plen = len - at < piece ? (uint32_t)(len - at) : piece;

		pieces[i].batch = &b;
		pieces[i].index = i;
		/* done() runs exactly once, even when submission fails. */
		if (write)
			smb_file_write_async(t, fid, buf + at, plen, off + at,
					     io_piece_done, &pieces[i]);
		else
			smb_file_read_async(t, fid, buf + at, plen, off + at,
					    io_piece_done, &pieces[i]);
	}
	pthread_mutex_lock(&b.lock);
	while (b.pending)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	pthread_cond_destroy(&b.cond);
	pthread_mutex_destroy(&b.lock);
	return io_batch_total(&b, n, piece, len);
}

/* A piece size: a quarter of the request, 64 KiB aligned, within max. */
static uint32_t io_piece_size(struct smb_tree *t, bool write, size_t len)
{
	uint32_t max = io_max_payload(t, write);
	size_t piece = (len / 4 + IO_PIECE_MIN - 1) & ~(size_t)(IO_PIECE_MIN - 1);

	if (piece < IO_PIECE_MIN)
		piece = IO_PIECE_MIN;
	return piece > max ? max : (uint32_t)piece;
}

static ssize_t io_run(struct smb_tree *t, struct smb2_fileid fid, bool write,
		      uint8_t *buf, size_t len, uint64_t off)
{
	uint32_t piece = io_piece_size(t, write, len);
	size_t done = 0;

	while (done < len) {
		size_t window = (size_t)piece * IO_MAX_INFLIGHT;
		size_t want = len - done < window ? len - done : window;
		ssize_t n = io_window(t, fid, write, buf + done, want,
				      off + done, piece);

		if (n < 0)
			return n; /* see io_batch_total */
		done += (size_t)n;
		if ((size_t)n < want) {
			/* A write that moved nothing at all is an error. */
			if (write && n == 0 && done == 0)
				return -EIO;
			break;
		}
	}
	return done;
}

ssize_t smb_file_read(struct smb_tree *t, struct smb2_fileid fid, void *buf,
		      size_t len, uint64_t off)
{
	struct smb_req *req;
	ssize_t n;

	if (len > IO_SINGLE_MAX || len > io_max_payload(t, false))
		return io_run(t, fid, false, buf, len, off);
	req = read_request_new(t, fid, (uint32_t)len, off);
	if (!req)
		return -ENOMEM;
	smb_call(t, req, 0);
	n = read_response_copy(req, buf, (uint32_t)len);
	smb_req_free(req);
	return n;
}

ssize_t smb_file_write(struct smb_tree *t, struct smb2_fileid fid,
		       const void *buf, size_t len, uint64_t off)
{
	struct smb_req *req;
	ssize_t n;

	if (len > IO_SINGLE_MAX || len > io_max_payload(t, true))
		return io_run(t, fid, true, (uint8_t *)buf, len, off);
	req = write_request_new(t, fid, buf, (uint32_t)len, off);
	if (!req)
		return -ENOMEM;
	smb_call(t, req, 0);
	n = write_response_count(req, (uint32_t)len);
	smb_req_free(req);
	if (n == 0 && len)
		return -EIO; /* the server accepted nothing */
	return n;
}
