// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CHANGE_NOTIFY on an open directory (MS-SMB2 3.2.4.14, 3.2.5.17): one
 * request outstanding without a deadline, completed by the server when
 * something in the directory changes, with the FILE_NOTIFY_INFORMATION
 * records (MS-FSCC 2.7.1) decoded here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_change_notify.h"

struct notify_call {
	smb_notify_fn done;
	void *arg;
};

void smb_notify_result_free(struct smb_notify_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	free(r);
}

static int notify_add(struct smb_notify_result *r, uint32_t action,
		      char *name)
{
	struct smb_notify_change *v;

	v = realloc(r->v, (r->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	r->v = v;
	r->v[r->n].action = action;
	r->v[r->n].name = name;
	r->n++;
	return 0;
}

/* Decodes the records; a name that is not valid UTF-16 is an overflow. */
static int notify_decode(const struct smb_req *req, struct smb_notify_result *r)
{
	struct smb2_change_notify_response rsp;
	struct smb2_notify_iter it;
	struct smb2_notify_entry e;
	int rc = rsp_checked(req, smb2_change_notify_response_decode(
					  req->rsp, req->rsp_len, &rsp));

	if (rc < 0)
		return rc;
	smb2_notify_iter_init(&it, rsp.buffer, rsp.buffer_len);
	while ((rc = smb2_notify_next(&it, &e)) != 0) {
		if (rc == -EBADMSG)
			return rc;
		if (rc < 0) {
			r->overflow = true;
			continue;
		}
		rc = notify_add(r, e.action, e.name);
		if (rc < 0) {
			free(e.name);
			return rc;
		}
	}
	/* MS-SMB2 3.3.4.4: an empty answer means the changes overflowed. */
	if (r->n == 0)
		r->overflow = true;
	return 0;
}

static void notify_call_done(struct smb_req *req)
{
	struct notify_call *nc = req->arg;
	struct smb_notify_result *r = calloc(1, sizeof(*r));
	int rc;

	if (r) {
		if (!req->err && req->status == STATUS_NOTIFY_ENUM_DIR) {
			r->overflow = true;
		} else if (!req->err && req->status == STATUS_NOTIFY_CLEANUP) {
			r->err = -ECANCELED; /* its handle was closed */
		} else {
			rc = smb_req_result(req, 0);
			if (!rc)
				rc = notify_decode(req, r);
			r->err = rc;
		}
	}
	nc->done(nc->arg, r);
	free(nc);
	smb_req_free(req);
}

int smb_dir_notify_async(struct smb_tree *t, struct smb2_fileid fid,
			 uint32_t filter, bool watch_tree, uint32_t buf_len,
			 smb_notify_fn done, void *arg)
{
	struct smb2_change_notify_request cn = {
		.flags = watch_tree ? SMB2_WATCH_TREE : 0,
		.output_buffer_length = buf_len,
		.file_id = fid,
		.completion_filter = filter,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_CHANGE_NOTIFY);
	struct notify_call *nc = malloc(sizeof(*nc));
	int rc = req && nc ? 0 : -ENOMEM;

	if (!rc)
		rc = smb2_change_notify_request_encode(&req->msg, &cn);
	if (rc < 0) {
		smb_req_free(req);
		free(nc);
		return rc;
	}
	nc->done = done;
	nc->arg = arg;
	req->payload_recv = buf_len;
	/* It waits for a change, however long that takes. */
	req->timeout_ms = -1;
	/* From here on the connection completes it, failures included. */
	return smb_call_async(t, req, notify_call_done, nc);
}
