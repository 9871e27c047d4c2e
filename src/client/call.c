// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Generic calls on a tree: build a request with the tree's identity,
 * submit it blocking or with a callback, and turn the outcome into one
 * negative errno.  Also the raw IOCTL call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/log.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_ioctl.h"

/*
 * Set by the connection pool on a thread while it resends a call that
 * may have run once already (smb_client_thread_replay).
 */
static __thread bool thread_replay;

void smb_client_thread_replay(bool on)
{
	thread_replay = on;
}

struct smb_req *smb_tree_req_new(struct smb_tree *t, uint16_t command)
{
	struct smb_req *req = smb_req_new(command);

	if (!req)
		return NULL;
	session_req_prepare(t->session, req);
	req->tree_id = t->info.tree_id;
	req->encrypt = t->encrypt;
	/* MS-SMB2 3.2.4.1.1: only 3.x knows the flag. */
	if (thread_replay && t->session->info.dialect >= SMB2_DIALECT_300)
		req->hdr_flags |= SMB2_FLAGS_REPLAY_OPERATION;
	return req;
}

int smb_req_result(const struct smb_req *req, uint32_t ok_status)
{
	if (req->err)
		return req->err;
	if (req->status == STATUS_SUCCESS ||
	    (ok_status && req->status == ok_status))
		return 0;
	return nt_status_to_errno(req->status) ?: -EIO;
}

int smb_call(struct smb_tree *t, struct smb_req *req, uint32_t ok_status)
{
	int rc;

	req->done = NULL;
	smb_conn_submit(t->session->conn, req);
	rc = smb_req_wait(req);
	return rc ? rc : smb_req_result(req, ok_status);
}

int smb_call_async(struct smb_tree *t, struct smb_req *req,
		   smb_req_done_fn done, void *arg)
{
	req->done = done;
	req->arg = arg;
	return smb_conn_submit(t->session->conn, req);
}

int smb_call_compound(struct smb_tree *t, struct smb_req **reqs, int n,
		      bool related)
{
	int i, rc = 0;

	for (i = 0; i < n; i++)
		reqs[i]->done = NULL;
	smb_conn_submit_compound(t->session->conn, reqs, n, related);
	for (i = 0; i < n; i++) {
		int r = smb_req_wait(reqs[i]);

		if (r && !rc)
			rc = r;
	}
	return rc;
}

int rsp_checked(const struct smb_req *req, int rc)
{
	if (rc == -EBADMSG)
		smb_log(SMB_LOG_WARN,
			"malformed %s response from %s (MessageId %llu), rejected",
			smb2_command_name(req->command),
			req->conn ? smb_conn_host(req->conn) : "the server",
			(unsigned long long)req->message_id);
	return rc;
}

int copy_out(const uint8_t *p, uint32_t len, uint8_t **out, uint32_t *out_len)
{
	*out = malloc(len ? len : 1);
	if (!*out)
		return -ENOMEM;
	if (len)
		memcpy(*out, p, len);
	*out_len = len;
	return 0;
}

int smb_ioctl(struct smb_tree *t, struct smb2_fileid fid, uint32_t ctl_code,
	      const void *in, uint32_t in_len, uint32_t max_out, uint8_t **out,
	      uint32_t *out_len)
{
	struct smb2_ioctl_request ir = {
		.ctl_code = ctl_code,
		.file_id = fid,
		.input = in,
		.input_len = in_len,
		.max_output_response = max_out,
		.flags = SMB2_0_IOCTL_IS_FSCTL,
	};
	struct smb2_ioctl_response rsp;
	struct smb_req *req = smb_tree_req_new(t, SMB2_IOCTL);
	int rc;

	if (out)
		*out = NULL;
	if (!req)
		return -ENOMEM;
	req->payload_send = in_len;
	req->payload_recv = max_out;
	rc = smb2_ioctl_request_encode(&req->msg, &ir);
	if (!rc)
		rc = smb_call(t, req, 0);
	if (!rc)
		rc = rsp_checked(req, smb2_ioctl_response_decode(
					      req->rsp, req->rsp_len, &rsp));
	if (!rc && out)
		rc = copy_out(rsp.output, rsp.output_len, out, out_len);
	smb_req_free(req);
	return rc;
}
