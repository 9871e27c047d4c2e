// SPDX-License-Identifier: GPL-2.0-or-later
/* Life cycle of one SMB2 request (struct smb_req). */
#include <pthread.h>
#include <stdlib.h>

#include "smbfs/conn.h"

struct smb_req *smb_req_new(uint16_t command)
{
	struct smb_req *req = calloc(1, sizeof(*req));

	if (!req)
		return NULL;
	wbuf_init(&req->msg);
	/* The connection writes the header into this room at submission. */
	wbuf_zero(&req->msg, SMB2_HEADER_SIZE);
	if (wbuf_error(&req->msg))
		goto fail_msg;
	if (pthread_mutex_init(&req->wait_lock, NULL))
		goto fail_msg;
	if (pthread_cond_init(&req->wait_cond, NULL))
		goto fail_lock;
	req->command = command;
	return req;

fail_lock:
	pthread_mutex_destroy(&req->wait_lock);
fail_msg:
	wbuf_free(&req->msg);
	free(req);
	return NULL;
}

void smb_req_free(struct smb_req *req)
{
	if (!req)
		return;
	wbuf_free(&req->msg);
	free(req->rsp);
	pthread_cond_destroy(&req->wait_cond);
	pthread_mutex_destroy(&req->wait_lock);
	free(req);
}

int smb_req_wait(struct smb_req *req)
{
	int err;

	/*
	 * No timeout here: the connection's reader thread completes the
	 * request at its deadline, and a dropped or closed connection
	 * completes every request it holds.
	 */
	pthread_mutex_lock(&req->wait_lock);
	while (!req->completed)
		pthread_cond_wait(&req->wait_cond, &req->wait_lock);
	err = req->err;
	pthread_mutex_unlock(&req->wait_lock);
	return err;
}
