// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The commands and FSCTLs the file tests do not reach, against a real
 * smbd: CHANGE_NOTIFY and CANCEL, lease breaks and their
 * acknowledgement, durable handles, server-side copy, sparse files,
 * zero data, allocated ranges, network interfaces, DFS referrals, and
 * QUERY_INFO / SET_INFO classes (streams, EAs, volume, attributes,
 * security descriptor, allocation), and encrypted shares.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "harness.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/fscc_info.h"
#include "smbfs/wire/smb2_cancel.h"
#include "smbfs/wire/smb2_change_notify.h"
#include "smbfs/wire/smb2_create.h"
#include "smbfs/wire/smb2_fsctl.h"
#include "smbfs/wire/smb2_oplock_break.h"

static struct smb2_fileid open_dir(struct smb_tree *t, const char *path)
{
	struct smb_open_args a = {
		.path = path,
		.desired_access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES |
				  SYNCHRONIZE,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.disposition = FILE_OPEN_IF,
		.create_options = FILE_DIRECTORY_FILE,
	};
	struct smb_open_result res;

	memset(&res, 0, sizeof(res));
	CU_ASSERT_EQUAL(smb_file_open(t, &a, &res), 0);
	return res.fid;
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
};

static void notify_done(struct smb_req *req)
{
	struct waiter *w = req->arg;

	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void wait_done(struct waiter *w)
{
	pthread_mutex_lock(&w->lock);
	while (!w->done)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static struct smb_req *notify_send(struct smb_tree *t, struct smb2_fileid fid,
				   struct waiter *w)
{
	struct smb2_change_notify_request nr = {
		.output_buffer_length = 4096,
		.file_id = fid,
		.completion_filter = FILE_NOTIFY_CHANGE_FILE_NAME,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_CHANGE_NOTIFY);

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	req->timeout_ms = -1; /* waits as long as nothing changes */
	req->payload_recv = 4096;
	CU_ASSERT_EQUAL(smb2_change_notify_request_encode(&req->msg, &nr), 0);
	CU_ASSERT_EQUAL(smb_call_async(t, req, notify_done, w), 0);
	return req;
}

/* A watch completes when a file appears; another is cancelled. */
static void test_change_notify_and_cancel(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	struct waiter w1 = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
	struct waiter w2 = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
	struct smb2_change_notify_response nr;
	struct smb2_notify_iter it;
	struct smb2_notify_entry ne;
	struct smb2_fileid dir, f;
	struct smb_req *req;
	int found = 0, i;

	if (!t)
		return;
	dir = open_dir(t, "notifydir");
	req = notify_send(t, dir, &w1);
	/* The server answers STATUS_PENDING first; wait for it. */
	for (i = 0; i < 200 && !req->pending; i++)
		usleep(10000);
	CU_ASSERT(req->pending);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "notifydir\\new.txt", &f), 0);
	CU_ASSERT_EQUAL(smb_file_close(t, f, NULL), 0);
	wait_done(&w1);
	CU_ASSERT_EQUAL(req->err, 0);
	CU_ASSERT_EQUAL(req->status, STATUS_SUCCESS);
	CU_ASSERT_EQUAL(smb2_change_notify_response_decode(req->rsp,
							   req->rsp_len, &nr),
			0);
	smb2_notify_iter_init(&it, nr.buffer, nr.buffer_len);
	while (smb2_notify_next(&it, &ne) == 1) {
		if (ne.name && !strcmp(ne.name, "new.txt") &&
		    ne.action == FILE_ACTION_ADDED)
			found = 1;
		free(ne.name);
	}
	CU_ASSERT(found);
	smb_req_free(req);

	req = notify_send(t, dir, &w2);
	for (i = 0; i < 200 && !req->pending; i++)
		usleep(10000);
	CU_ASSERT_EQUAL(smb_conn_cancel(smb_session_conn(s), req), 0);
	wait_done(&w2);
	CU_ASSERT_EQUAL(req->err, 0);
	CU_ASSERT_EQUAL(req->status, STATUS_CANCELLED);
	smb_req_free(req);
	CU_ASSERT_EQUAL(smb_file_close(t, dir, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "notifydir\\new.txt",
					FILE_NON_DIRECTORY_FILE),
			0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "notifydir", FILE_DIRECTORY_FILE),
			0);
	itest_disconnect(s, t);
}

struct break_seen {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int count;
	struct smb2_break_notification n;
};

static void on_break(void *arg, const uint8_t *msg, size_t len)
{
	struct break_seen *b = arg;
	struct smb2_break_notification n;

	if (smb2_break_notification_decode(msg, len, &n))
		return;
	pthread_mutex_lock(&b->lock);
	b->n = n;
	b->count++;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

struct opener {
	struct smb_tree *t;
	const struct smb_open_args *a;
	struct smb_open_result *res;
	int rc;
};

static void *open_thread(void *arg)
{
	struct opener *o = arg;

	o->rc = smb_file_open(o->t, o->a, o->res);
	return NULL;
}

/*
 * Client A holds a read/write/handle lease; client B opens the same file
 * for writing, the server breaks A's lease, A acknowledges and B's open
 * completes.
 */
static void test_lease_break(void)
{
	struct break_seen b = {PTHREAD_MUTEX_INITIALIZER,
			       PTHREAD_COND_INITIALIZER};
	struct smb_client_config ca = itest_config(), cb = itest_config();
	struct smb_session *sa = NULL, *sb = NULL;
	struct smb_tree *ta, *tb;
	uint8_t key[16] = {0x11, 0x22, 0x33, 0x44, 0x55};
	struct smb_open_args a = {
		.path = "leased.txt",
		.desired_access = GENERIC_READ | GENERIC_WRITE,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE |
				FILE_SHARE_DELETE,
		.disposition = FILE_OVERWRITE_IF,
		.oplock_level = SMB2_OPLOCK_LEVEL_LEASE,
		.lease_key = key,
		.lease_state = SMB2_LEASE_READ_CACHING |
			       SMB2_LEASE_WRITE_CACHING |
			       SMB2_LEASE_HANDLE_CACHING,
		.durable = true,
	};
	struct smb_open_result ra, rb;
	struct opener opener = {0};
	pthread_t th;

	ca.on_break = on_break;
	ca.cb_arg = &b;
	ta = itest_connect(&ca, "plain", &sa);
	tb = itest_connect(&cb, "plain", &sb);
	if (!ta || !tb)
		goto out;
	CU_ASSERT_EQUAL_FATAL(smb_file_open(ta, &a, &ra), 0);
	CU_ASSERT_EQUAL(ra.oplock_level, SMB2_OPLOCK_LEVEL_LEASE);
	CU_ASSERT_EQUAL(ra.lease_state, a.lease_state);
	a.oplock_level = SMB2_OPLOCK_LEVEL_NONE;
	a.lease_key = NULL;
	a.durable = false;
	a.disposition = FILE_OPEN;
	/* B's open waits at the server until A acknowledges the break. */
	opener.t = tb;
	opener.a = &a;
	opener.res = &rb;
	CU_ASSERT_FATAL(pthread_create(&th, NULL, open_thread, &opener) == 0);
	pthread_mutex_lock(&b.lock);
	while (!b.count)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	CU_ASSERT(b.n.is_lease);
	CU_ASSERT(memcmp(b.n.lease_key, key, 16) == 0);
	CU_ASSERT(b.n.current_lease_state & SMB2_LEASE_WRITE_CACHING);
	CU_ASSERT(!(b.n.new_lease_state & SMB2_LEASE_WRITE_CACHING));
	/* Let B's CREATE go async at the server (interim STATUS_PENDING). */
	sleep(2);
	if (b.n.flags & SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED)
		CU_ASSERT_EQUAL(smb_lease_break_ack(ta, key,
						    b.n.new_lease_state),
				0);
	pthread_join(th, NULL);
	if (opener.rc)
		printf("\n    B's open: %s\n", strerror(-opener.rc));
	CU_ASSERT_EQUAL(opener.rc, 0);
	CU_ASSERT_EQUAL(smb_file_close(tb, rb.fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_file_close(ta, ra.fid, NULL), 0);
	CU_ASSERT_EQUAL(
		smb_path_delete(ta, "leased.txt", FILE_NON_DIRECTORY_FILE), 0);
out:
	if (ta)
		itest_disconnect(sa, ta);
	if (tb)
		itest_disconnect(sb, tb);
}

static void test_server_side_copy(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	size_t len = 3 * 1024 * 1024 + 123;
	uint8_t *data = malloc(len), *back = malloc(len);
	struct smb2_fileid src, dst;

	if (!t || !data || !back)
		goto out;
	itest_fill(data, len, 5);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "copy-src", &src), 0);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "copy-dst", &dst), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, src, data, len, 0), (ssize_t)len);
	CU_ASSERT_EQUAL(smb_file_copy_chunk(t, src, 0, dst, 0, len),
			(ssize_t)len);
	CU_ASSERT_EQUAL(smb_file_read(t, dst, back, len, 0), (ssize_t)len);
	CU_ASSERT(memcmp(data, back, len) == 0);
	CU_ASSERT_EQUAL(smb_file_close(t, src, NULL), 0);
	CU_ASSERT_EQUAL(smb_file_close(t, dst, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "copy-src", FILE_NON_DIRECTORY_FILE),
			0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "copy-dst", FILE_NON_DIRECTORY_FILE),
			0);
out:
	free(data);
	free(back);
	if (t)
		itest_disconnect(s, t);
}

/* Sparse file: punch a hole with SET_ZERO_DATA, see it in the ranges. */
static void test_sparse_zero_ranges(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	size_t len = 4u << 20;
	uint8_t *data = malloc(len), *back = malloc(len);
	struct smb_wbuf in = SMB_WBUF_INIT;
	struct smb2_alloc_range q = {0, 4u << 20}, *ranges = NULL;
	size_t n = 0, i;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	struct smb2_fileid fid;
	int zeros = 1;

	if (!t || !data || !back)
		goto out;
	memset(data, 0xAB, len);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "sparse.bin", &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, data, len, 0), (ssize_t)len);
	CU_ASSERT_EQUAL(smb2_fsctl_set_sparse_encode(&in, 1), 0);
	CU_ASSERT_EQUAL(smb_ioctl(t, fid, FSCTL_SET_SPARSE, in.data, in.len, 0,
				  NULL, NULL),
			0);
	wbuf_reset(&in);
	CU_ASSERT_EQUAL(smb2_fsctl_zero_data_encode(&in, 1u << 20, 3u << 20),
			0);
	CU_ASSERT_EQUAL(smb_ioctl(t, fid, FSCTL_SET_ZERO_DATA, in.data, in.len,
				  0, NULL, NULL),
			0);
	CU_ASSERT_EQUAL(smb_file_read(t, fid, back, len, 0), (ssize_t)len);
	for (i = 1u << 20; i < 3u << 20; i++)
		zeros &= back[i] == 0;
	CU_ASSERT(zeros);
	CU_ASSERT_EQUAL(back[0], 0xAB);
	CU_ASSERT_EQUAL(back[len - 1], 0xAB);
	wbuf_reset(&in);
	CU_ASSERT_EQUAL(smb2_fsctl_alloc_range_encode(&in, &q), 0);
	CU_ASSERT_EQUAL(smb_ioctl(t, fid, FSCTL_QUERY_ALLOCATED_RANGES,
				  in.data, in.len, 1024, &out, &out_len),
			0);
	CU_ASSERT_EQUAL(smb2_fsctl_alloc_ranges_decode(out, out_len, &ranges,
						       &n),
			0);
	/* The hole splits the data: nothing allocated inside it. */
	CU_ASSERT(n >= 2);
	for (i = 0; i < n; i++)
		CU_ASSERT(ranges[i].offset >= 3u << 20 ||
			  ranges[i].offset + ranges[i].length <= 1u << 20);
	free(ranges);
	free(out);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(
		smb_path_delete(t, "sparse.bin", FILE_NON_DIRECTORY_FILE), 0);
out:
	wbuf_free(&in);
	free(data);
	free(back);
	if (t)
		itest_disconnect(s, t);
}

static void test_fileless_fsctls(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	struct smb2_fileid none = {~0ull, ~0ull};
	struct smb2_net_iface *ifs = NULL;
	struct smb_wbuf in = SMB_WBUF_INIT;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t n = 0;
	int rc;

	if (!t)
		return;
	CU_ASSERT_EQUAL(smb_ioctl(t, none, FSCTL_QUERY_NETWORK_INTERFACE_INFO,
				  NULL, 0, 65536, &out, &out_len),
			0);
	CU_ASSERT_EQUAL(smb2_fsctl_net_ifaces_decode(out, out_len, &ifs, &n),
			0);
	/* The test server listens on 127.0.0.1 and ::1. */
	CU_ASSERT(n >= 1);
	free(ifs);
	free(out);
	out = NULL;
	/* A share that is not in DFS: the referral is refused, cleanly. */
	CU_ASSERT_EQUAL(smb2_fsctl_dfs_referral_request_encode(
				&in, 4, "\\127.0.0.1\\plain",
				strlen("\\127.0.0.1\\plain")),
			0);
	rc = smb_ioctl(t, none, FSCTL_DFS_GET_REFERRALS, in.data, in.len, 8192,
		       &out, &out_len);
	CU_ASSERT(rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EIO ||
		  rc == -EACCES || rc == 0);
	printf("\n    DFS referral on a plain share: %s\n",
	       rc ? strerror(-rc) : "answered");
	free(out);
	wbuf_free(&in);
	itest_disconnect(s, t);
}

/* QUERY_INFO and SET_INFO classes beyond the basic ones. */
static void test_info_classes(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	struct fscc_ea ea = {.name = "smbfs.test", .name_len = 10,
			     .value = (const uint8_t *)"v1", .value_len = 2};
	struct fscc_fs_attribute_info fa;
	struct fscc_fs_volume_info fv;
	struct fscc_stream *streams = NULL;
	struct fscc_sd_info sd;
	struct fscc_ea_iter it;
	struct fscc_ea got;
	struct smb_wbuf w = SMB_WBUF_INIT;
	struct smb2_fileid fid;
	struct smb_stat st;
	uint8_t *out = NULL;
	uint32_t out_len = 0;
	size_t nstreams = 0;
	int found = 0;

	if (!t)
		return;
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "info.txt", &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, "0123456789", 10, 0), 10);
	/* Allocation, then stream and EA information. */
	CU_ASSERT_EQUAL(fscc_allocation_info_encode(&w, 1u << 20), 0);
	CU_ASSERT_EQUAL(smb_set_info(t, fid, SMB2_0_INFO_FILE,
				     FILE_ALLOCATION_INFORMATION, 0, w.data,
				     w.len),
			0);
	CU_ASSERT_EQUAL(smb_file_stat(t, fid, &st), 0);
	CU_ASSERT_EQUAL(st.end_of_file, 10);
	wbuf_reset(&w);
	CU_ASSERT_EQUAL(fscc_full_ea_encode(&w, &ea, 1), 0);
	CU_ASSERT_EQUAL(smb_set_info(t, fid, SMB2_0_INFO_FILE,
				     FILE_FULL_EA_INFORMATION, 0, w.data,
				     w.len),
			0);
	CU_ASSERT_EQUAL(smb_query_info(t, fid, SMB2_0_INFO_FILE,
				       FILE_FULL_EA_INFORMATION, 0, NULL, 0,
				       65536, &out, &out_len),
			0);
	fscc_ea_iter_init(&it, out, out_len);
	while (fscc_ea_next(&it, &got) == 1)
		if (!strcasecmp(got.name, "smbfs.test") && got.value_len == 2 &&
		    !memcmp(got.value, "v1", 2))
			found = 1;
	CU_ASSERT(found);
	free(out);
	CU_ASSERT_EQUAL(smb_query_info(t, fid, SMB2_0_INFO_FILE,
				       FILE_STREAM_INFORMATION, 0, NULL, 0,
				       65536, &out, &out_len),
			0);
	CU_ASSERT_EQUAL(fscc_stream_info_decode(out, out_len, &streams,
						&nstreams),
			0);
	CU_ASSERT(nstreams >= 1);
	if (nstreams) {
		CU_ASSERT_STRING_EQUAL(streams[0].name, "::$DATA");
		CU_ASSERT_EQUAL(streams[0].size, 10);
	}
	fscc_streams_free(streams, nstreams);
	free(out);
	/* Security descriptor: owner and group SIDs. */
	CU_ASSERT_EQUAL(smb_query_info(t, fid, SMB2_0_INFO_SECURITY, 0,
				       OWNER_SECURITY_INFORMATION |
					       GROUP_SECURITY_INFORMATION,
				       NULL, 0, 65536, &out, &out_len),
			0);
	CU_ASSERT_EQUAL(fscc_security_descriptor_parse(out, out_len, &sd), 0);
	CU_ASSERT_PTR_NOT_NULL(sd.owner_sid);
	if (sd.owner_sid)
		CU_ASSERT(strncmp(sd.owner_sid, "S-1-", 4) == 0);
	fscc_sd_info_free(&sd);
	free(out);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	/* Volume and attribute information on the share root. */
	fid = open_dir(t, "");
	CU_ASSERT_EQUAL(smb_query_info(t, fid, SMB2_0_INFO_FILESYSTEM,
				       FILE_FS_VOLUME_INFORMATION, 0, NULL, 0,
				       4096, &out, &out_len),
			0);
	CU_ASSERT_EQUAL(fscc_fs_volume_info_decode(out, out_len, &fv), 0);
	CU_ASSERT_PTR_NOT_NULL(fv.label);
	fscc_fs_volume_info_free(&fv);
	free(out);
	CU_ASSERT_EQUAL(smb_query_info(t, fid, SMB2_0_INFO_FILESYSTEM,
				       FILE_FS_ATTRIBUTE_INFORMATION, 0, NULL,
				       0, 4096, &out, &out_len),
			0);
	CU_ASSERT_EQUAL(fscc_fs_attribute_info_decode(out, out_len, &fa), 0);
	CU_ASSERT(fa.max_component_name_len >= 255);
	CU_ASSERT_PTR_NOT_NULL(fa.fs_name);
	fscc_fs_attribute_info_free(&fa);
	free(out);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "info.txt", FILE_NON_DIRECTORY_FILE),
			0);
	wbuf_free(&w);
	itest_disconnect(s, t);
}

/*
 * A share with "smb encrypt = required": 3.x sessions seal every message
 * (AES-128-CCM on 3.0 / 3.0.2, the negotiated cipher on 3.1.1); 2.1 has
 * no encryption, and the server refuses the tree connect.
 */
static void test_encrypted_share(void)
{
	static const uint16_t dialects[] = {SMB2_DIALECT_300, SMB2_DIALECT_302,
					    SMB2_DIALECT_311};
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t = NULL;
	struct smb2_fileid fid;
	char buf[16] = "", err[256] = "";
	size_t i;

	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		cfg.dialect_min = cfg.dialect_max = dialects[i];
		t = itest_connect(&cfg, "enc", &s);
		if (!t)
			continue;
		smb_session_get_info(s, &info);
		CU_ASSERT_NOT_EQUAL(info.cipher, 0);
		CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "sealed.txt", &fid), 0);
		CU_ASSERT_EQUAL(smb_file_write(t, fid, "sealed", 6, 0), 6);
		CU_ASSERT_EQUAL(smb_file_read(t, fid, buf, sizeof(buf), 0), 6);
		CU_ASSERT(memcmp(buf, "sealed", 6) == 0);
		CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
		CU_ASSERT_EQUAL(smb_path_delete(t, "sealed.txt",
						FILE_NON_DIRECTORY_FILE),
				0);
		itest_disconnect(s, t);
	}
	cfg.dialect_min = cfg.dialect_max = SMB2_DIALECT_210;
	CU_ASSERT_EQUAL_FATAL(smb_session_open(&cfg, &s, err, sizeof(err)), 0);
	t = NULL;
	CU_ASSERT_EQUAL(smb_tree_connect(s, "enc", &t, err, sizeof(err)),
			-EACCES);
	CU_ASSERT_PTR_NULL(t);
	printf("\n    2.1 on an encrypted share: %s\n", err);
	smb_session_close(s);
}

static CU_TestInfo tests[] = {
	{"encrypted share on 3.0, 3.0.2 and 3.1.1", test_encrypted_share},
	{"CHANGE_NOTIFY completes; CANCEL ends a pending one",
	 test_change_notify_and_cancel},
	{"lease break notification and acknowledgement", test_lease_break},
	{"server-side copy (COPYCHUNK_WRITE)", test_server_side_copy},
	{"sparse, zero data, allocated ranges", test_sparse_zero_ranges},
	{"network interfaces and DFS referral", test_fileless_fsctls},
	{"allocation, EA, stream, security, volume, attribute info",
	 test_info_classes},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"commands", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	itest_env();
	return cunit_run(suites);
}
