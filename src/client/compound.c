// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Compounds (MS-SMB2 3.2.4.1.4): several requests in one frame, answered
 * in one round trip.
 *
 * A path compound is CREATE, the operations and CLOSE, related: every
 * request after the CREATE names the file it opened with the file id
 * 0xFFFFFFFFFFFFFFFF.  One call of the client then does everything a
 * path operation needs, and a caller that must send it again after a
 * reconnect sends all of it: no handle outlives the call.
 *
 * MS-SMB2 3.3.5.2.7.2: once a request of a related chain fails, a server
 * may fail the rest of it with the same status (Samba does so only
 * after a failed CREATE).  The CLOSE has then not run and the handle the
 * CREATE made would stay open until the session ends, so it is closed
 * here on its own.
 *
 * A handle compound is the operations alone on an open handle, sent
 * unrelated: each runs whatever became of the others.
 */
#include <errno.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_close.h"
#include "smbfs/wire/smb2_query_directory.h"
#include "smbfs/wire/smb2_query_info.h"
#include "smbfs/wire/smb2_set_info.h"

void path_open_args(struct smb_open_args *a, const char *path, uint32_t access,
		    uint32_t disposition, uint32_t options)
{
	memset(a, 0, sizeof(*a));
	a->path = path;
	a->desired_access = access;
	a->share_access =
		FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
	a->disposition = disposition;
	a->create_options = options;
}

void compound_query_info(struct compound_op *op, uint8_t info_type,
			 uint8_t info_class, uint32_t additional,
			 const void *input, uint32_t input_len,
			 uint32_t max_out)
{
	memset(op, 0, sizeof(*op));
	op->kind = COMPOUND_QUERY_INFO;
	op->info_type = info_type;
	op->info_class = info_class;
	op->additional = additional;
	op->in = input;
	op->in_len = input_len;
	op->max_out = max_out;
}

void compound_set_info(struct compound_op *op, uint8_t info_type,
		       uint8_t info_class, uint32_t additional, const void *buf,
		       uint32_t len)
{
	/* The same fields, with in carrying the buffer to set. */
	compound_query_info(op, info_type, info_class, additional, buf, len, 0);
	op->kind = COMPOUND_SET_INFO;
}

int compound_run_query(struct smb_tree *t, struct compound *c, uint8_t **out,
		       uint32_t *out_len)
{
	const struct compound_op *op = &c->ops[c->n_ops - 1];
	int rc;

	*out = NULL;
	*out_len = 0;
	rc = compound_run(t, c);
	if (!rc)
		rc = copy_out(op->out, op->out_len, out, out_len);
	compound_free(c);
	return rc;
}

uint32_t compound_out_room(struct smb_tree *t, int n)
{
	return t->session->info.max_transact / (uint32_t)n;
}

static int query_info_encode(struct smb_req *req, const struct compound_op *op,
			     struct smb2_fileid fid)
{
	struct smb2_query_info_request qr = {
		.info_type = op->info_type,
		.info_class = op->info_class,
		.output_buffer_length = op->max_out,
		.input = op->in,
		.input_len = op->in_len,
		.additional_information = op->additional,
		.flags = op->flags,
		.file_id = fid,
	};

	req->payload_send = op->in_len;
	req->payload_recv = op->max_out;
	return smb2_query_info_request_encode(&req->msg, &qr);
}

static int set_info_encode(struct smb_req *req, const struct compound_op *op,
			   struct smb2_fileid fid)
{
	struct smb2_set_info_request sr = {
		.info_type = op->info_type,
		.info_class = op->info_class,
		.additional_information = op->additional,
		.file_id = fid,
		.buffer = op->in,
		.buffer_len = op->in_len,
	};

	req->payload_send = op->in_len;
	return smb2_set_info_request_encode(&req->msg, &sr);
}

static int query_directory_encode(struct smb_req *req,
				  const struct compound_op *op,
				  struct smb2_fileid fid)
{
	struct smb2_query_directory_request qr = {
		.info_class = op->info_class,
		.flags = (uint8_t)op->flags,
		.file_id = fid,
		.pattern = op->pattern,
		.pattern_len = strlen(op->pattern),
		.output_buffer_length = op->max_out,
	};

	req->payload_recv = op->max_out;
	return smb2_query_directory_request_encode(&req->msg, &qr);
}

/* The request for op on fid (the related id in a path compound). */
static struct smb_req *op_request(struct smb_tree *t,
				  const struct compound_op *op,
				  struct smb2_fileid fid)
{
	static const uint16_t command[] = {
		[COMPOUND_QUERY_INFO] = SMB2_QUERY_INFO,
		[COMPOUND_SET_INFO] = SMB2_SET_INFO,
		[COMPOUND_QUERY_DIRECTORY] = SMB2_QUERY_DIRECTORY,
	};
	struct smb_req *req;
	int rc;

	if (op->kind == COMPOUND_READ)
		return read_request_new(t, fid, op->max_out, op->offset);
	if (op->kind == COMPOUND_WRITE)
		return write_request_new(t, fid, op->in, op->in_len,
					 op->offset);
	req = smb_tree_req_new(t, command[op->kind]);
	if (!req)
		return NULL;
	if (op->kind == COMPOUND_QUERY_INFO)
		rc = query_info_encode(req, op, fid);
	else if (op->kind == COMPOUND_SET_INFO)
		rc = set_info_encode(req, op, fid);
	else
		rc = query_directory_encode(req, op, fid);
	if (rc) {
		smb_req_free(req);
		return NULL;
	}
	return req;
}

static int create_request(struct smb_tree *t, const struct smb_open_args *a,
			  struct smb_req **out)
{
	struct smb_req *req = smb_tree_req_new(t, SMB2_CREATE);
	int rc = req ? open_request_encode(t, a, req) : -ENOMEM;

	if (rc && req) {
		smb_req_free(req);
		req = NULL;
	}
	*out = req;
	return rc;
}

static struct smb_req *close_request(struct smb_tree *t)
{
	struct smb2_close_request cl = { .file_id = smb2_fileid_related() };
	struct smb_req *req = smb_tree_req_new(t, SMB2_CLOSE);

	if (req && smb2_close_request_encode(&req->msg, &cl)) {
		smb_req_free(req);
		req = NULL;
	}
	return req;
}

/* Builds every request of c into c->reqs. */
static int compound_build(struct smb_tree *t, struct compound *c)
{
	bool path = c->open != NULL;
	struct smb2_fileid fid = path ? smb2_fileid_related() : c->fid;
	int i, rc = 0;

	c->n_reqs = 0;
	if (c->n_ops < 0 || c->n_ops > COMPOUND_MAX_OPS ||
	    (!path && c->n_ops == 0))
		return -EINVAL;
	/* A READ or WRITE in a compound is one request: no splitting. */
	for (i = 0; i < c->n_ops; i++)
		if ((c->ops[i].kind == COMPOUND_READ &&
		     c->ops[i].max_out > io_max_payload(t, false)) ||
		    (c->ops[i].kind == COMPOUND_WRITE &&
		     c->ops[i].in_len > io_max_payload(t, true)))
			return -EINVAL;
	if (path) {
		rc = create_request(t, c->open, &c->reqs[c->n_reqs]);
		if (rc)
			return rc;
		c->n_reqs++;
	}
	for (i = 0; i < c->n_ops; i++) {
		c->reqs[c->n_reqs] = op_request(t, &c->ops[i], fid);
		if (!c->reqs[c->n_reqs])
			return -ENOMEM;
		c->n_reqs++;
	}
	if (path) {
		c->reqs[c->n_reqs] = close_request(t);
		if (!c->reqs[c->n_reqs])
			return -ENOMEM;
		c->n_reqs++;
	}
	return 0;
}

/* The output buffer of a QUERY_INFO or QUERY_DIRECTORY answer. */
static int op_output(const struct compound_op *op, const struct smb_req *req,
		     const uint8_t **out, uint32_t *out_len)
{
	struct smb2_query_directory_response qd = { 0 };
	struct smb2_query_info_response qi = { 0 };
	int rc;

	if (op->kind == COMPOUND_QUERY_INFO) {
		rc = smb2_query_info_response_decode(req->rsp, req->rsp_len,
						     &qi);
		*out = qi.buffer;
		*out_len = qi.buffer_len;
	} else {
		rc = smb2_query_directory_response_decode(req->rsp,
							  req->rsp_len, &qd);
		*out = qd.buffer;
		*out_len = qd.buffer_len;
	}
	return rsp_checked(req, rc);
}

/* Fills op's outcome from its answered request. */
static void op_outcome(struct compound_op *op, const struct smb_req *req)
{
	const uint8_t *out = NULL;
	uint32_t out_len = 0;
	ssize_t n;

	op->status = req->err ? 0 : req->status;
	op->out = NULL;
	op->out_len = 0;
	switch (op->kind) {
	case COMPOUND_READ:
	case COMPOUND_WRITE:
		n = op->kind == COMPOUND_READ
			    ? read_response_copy(req, op->buf, op->max_out)
			    : write_response_count(req, op->in_len);
		op->rc = n < 0 ? (int)n : 0;
		op->out_len = n < 0 ? 0 : (uint32_t)n;
		return;
	case COMPOUND_QUERY_INFO:
	case COMPOUND_QUERY_DIRECTORY:
		op->rc = smb_req_result(req, 0);
		if (!op->rc)
			op->rc = op_output(op, req, &out, &out_len);
		if (!op->rc) {
			op->out = out;
			op->out_len = out_len;
		}
		return;
	case COMPOUND_SET_INFO:
		op->rc = smb_req_result(req, 0);
		if (!op->rc)
			op->rc = rsp_checked(
				req, smb2_set_info_response_decode(
					     req->rsp, req->rsp_len));
		return;
	}
}

/*
 * The CREATE worked but the CLOSE answered with an error: the server
 * failed the chain (MS-SMB2 3.3.5.2.7.2) and the handle is still open.
 * Without an answer the connection is gone, and the handle with it.
 */
static void compound_close_leftover(struct smb_tree *t, struct compound *c)
{
	const struct smb_req *cl = c->reqs[c->n_reqs - 1];

	if (c->create_rc || cl->err || cl->status == STATUS_SUCCESS)
		return;
	smb_file_close(t, c->created.fid, NULL);
}

int compound_run(struct smb_tree *t, struct compound *c)
{
	int i, first = c->open ? 1 : 0, rc;

	c->create_rc = 0;
	rc = compound_build(t, c);
	if (rc)
		return rc;
	smb_call_compound(t, c->reqs, c->n_reqs, c->open != NULL);
	if (c->open) {
		c->create_rc = smb_req_result(c->reqs[0], 0);
		if (!c->create_rc)
			c->create_rc = open_response_decode(c->reqs[0], false,
							    &c->created);
		compound_close_leftover(t, c);
	}
	for (i = 0; i < c->n_ops; i++)
		op_outcome(&c->ops[i], c->reqs[first + i]);
	if (c->create_rc)
		return c->create_rc;
	for (i = 0; i < c->n_ops; i++)
		if (c->ops[i].rc)
			return c->ops[i].rc;
	return 0;
}

void compound_free(struct compound *c)
{
	int i;

	for (i = 0; i < c->n_reqs; i++)
		smb_req_free(c->reqs[i]);
	c->n_reqs = 0;
}
