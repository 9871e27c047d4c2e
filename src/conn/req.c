// SPDX-License-Identifier: GPL-2.0-or-later
/* Life cycle of one SMB2 request (struct smb_req), and waiting for it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "conn_internal.h"

/* How often an interruptible wait looks at its flag. */
#define WAIT_POLL_NS (100 * 1000000LL)
/*
 * How long a cancelled request may take to answer: one the server said
 * it is working on (STATUS_PENDING) gets time to answer STATUS_CANCELLED;
 * one it never acknowledged is given up on sooner.
 */
#define CANCEL_GRACE_PENDING_NS (3000 * 1000000LL)
#define CANCEL_GRACE_NS (500 * 1000000LL)

/*
 * The interrupt flag of the calling thread (smb_thread_set_interrupt).
 * Per thread by nature: it says which waits a signal to the program on
 * whose behalf this thread works may cut short.
 */
static __thread const atomic_int *thread_interrupt;

void smb_thread_set_interrupt(const atomic_int *flag)
{
	thread_interrupt = flag;
}

const atomic_int *smb_thread_get_interrupt(void)
{
	return thread_interrupt;
}

bool smb_thread_interrupted(void)
{
	return thread_interrupt && atomic_load(thread_interrupt);
}

struct smb_req *smb_req_new(uint16_t command)
{
	struct smb_req *req = calloc(1, sizeof(*req));
	pthread_condattr_t attr;
	int rc;

	if (!req)
		return NULL;
	wbuf_init(&req->msg);
	/* The connection writes the header into this room at submission. */
	wbuf_zero(&req->msg, SMB2_HEADER_SIZE);
	if (wbuf_error(&req->msg))
		goto fail_msg;
	if (pthread_mutex_init(&req->wait_lock, NULL))
		goto fail_msg;
	if (pthread_condattr_init(&attr))
		goto fail_lock;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!rc)
		rc = pthread_cond_init(&req->wait_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (rc)
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

static void wait_until(struct smb_req *req, int64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000,
		.tv_nsec = deadline_ns % 1000000000,
	};

	pthread_cond_timedwait(&req->wait_cond, &req->wait_lock, &ts);
}

/*
 * The thread was interrupted while req is outstanding.  MS-SMB2
 * 3.2.4.24: CANCEL asks the server to finish it early (normally with
 * STATUS_CANCELLED); a server that does not answer in time loses the
 * request, which is then completed here with -EINTR.  Called and
 * returns with req->wait_lock held.
 */
static void wait_interrupted(struct smb_req *req, int64_t *cancel_deadline)
{
	struct smb_conn *c = req->conn;
	int64_t now = conn_now_ns();

	if (!c)
		return;
	if (!*cancel_deadline) {
		*cancel_deadline = now + (req->pending ? CANCEL_GRACE_PENDING_NS
						       : CANCEL_GRACE_NS);
		pthread_mutex_unlock(&req->wait_lock);
		smb_conn_cancel(c, req);
		pthread_mutex_lock(&req->wait_lock);
		return;
	}
	if (now < *cancel_deadline || req->completed)
		return;
	pthread_mutex_unlock(&req->wait_lock);
	if (conn_req_abandon(c, req))
		conn_req_complete(c, req, -EINTR);
	pthread_mutex_lock(&req->wait_lock);
}

int smb_req_wait(struct smb_req *req)
{
	const atomic_int *intr = thread_interrupt;
	int64_t cancel_deadline = 0;
	int err;

	/*
	 * Without an interrupt flag there is no timeout here: the reader
	 * thread completes the request at its deadline, and a dropped or
	 * closed connection completes every request it holds.
	 */
	pthread_mutex_lock(&req->wait_lock);
	while (!req->completed) {
		if (!intr) {
			pthread_cond_wait(&req->wait_cond, &req->wait_lock);
			continue;
		}
		wait_until(req, conn_now_ns() + WAIT_POLL_NS);
		if (!req->completed && atomic_load(intr))
			wait_interrupted(req, &cancel_deadline);
	}
	err = req->err;
	pthread_mutex_unlock(&req->wait_lock);
	return err;
}
