// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The protocol core against a real smbd: every dialect and signing
 * algorithm, file I/O, listing, namespace operations, error cases and
 * many threads on one connection.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_main.h"
#include "harness.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_lock.h"

#define BIG_FILE_SIZE (10u << 20)

struct combo {
	const char *name;
	uint16_t dialect;
	uint16_t sign_algo;
};

static const struct combo combos[] = {
	{"2.0.2", SMB2_DIALECT_202, SMB2_SIGNING_HMAC_SHA256},
	{"2.1", SMB2_DIALECT_210, SMB2_SIGNING_HMAC_SHA256},
	{"3.0", SMB2_DIALECT_300, SMB2_SIGNING_AES_CMAC},
	{"3.0.2", SMB2_DIALECT_302, SMB2_SIGNING_AES_CMAC},
	{"3.1.1-gmac", SMB2_DIALECT_311, SMB2_SIGNING_AES_GMAC},
	{"3.1.1-cmac", SMB2_DIALECT_311, SMB2_SIGNING_AES_CMAC},
	{"3.1.1-hmac", SMB2_DIALECT_311, SMB2_SIGNING_HMAC_SHA256},
};

static struct smb_client_config combo_config(const struct combo *c)
{
	struct smb_client_config cfg = itest_config();

	cfg.dialect_min = c->dialect;
	cfg.dialect_max = c->dialect;
	cfg.sign = true;
	if (c->dialect == SMB2_DIALECT_311) {
		cfg.sign_algos[0] = c->sign_algo;
		cfg.n_sign_algos = 1;
	}
	return cfg;
}

/* Compares the server's copy on disk with what we wrote. */
static int disk_file_equals(const char *name, const uint8_t *buf, size_t len)
{
	char path[4096];
	uint8_t *disk = malloc(len + 1);
	FILE *f;
	size_t n;
	int same;

	snprintf(path, sizeof(path), "%s/%s", itest_env()->plain_path, name);
	f = fopen(path, "rb");
	if (!f || !disk) {
		free(disk);
		if (f)
			fclose(f);
		return 0;
	}
	n = fread(disk, 1, len + 1, f);
	fclose(f);
	same = n == len && memcmp(disk, buf, len) == 0;
	free(disk);
	return same;
}

static void write_read_10mib(struct smb_tree *t, const char *name)
{
	uint8_t *out = malloc(BIG_FILE_SIZE), *in = malloc(BIG_FILE_SIZE);
	struct smb2_fileid fid;
	struct smb_stat st;

	CU_ASSERT_FATAL(out && in);
	itest_fill(out, BIG_FILE_SIZE, (uintptr_t)name[0] + strlen(name));
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, name, &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, out, BIG_FILE_SIZE, 0),
			(ssize_t)BIG_FILE_SIZE);
	CU_ASSERT_EQUAL(smb_file_flush(t, fid), 0);
	memset(in, 0, BIG_FILE_SIZE);
	CU_ASSERT_EQUAL(smb_file_read(t, fid, in, BIG_FILE_SIZE, 0),
			(ssize_t)BIG_FILE_SIZE);
	CU_ASSERT(memcmp(in, out, BIG_FILE_SIZE) == 0);
	/* Reading at the end of file gives 0 bytes, not an error. */
	CU_ASSERT_EQUAL(smb_file_read(t, fid, in, 100, BIG_FILE_SIZE), 0);
	CU_ASSERT_EQUAL(smb_file_stat(t, fid, &st), 0);
	CU_ASSERT_EQUAL(st.end_of_file, BIG_FILE_SIZE);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, &st), 0);
	CU_ASSERT_EQUAL(st.end_of_file, BIG_FILE_SIZE);
	CU_ASSERT(disk_file_equals(name, out, BIG_FILE_SIZE));
	free(out);
	free(in);
}

/* A listing of many QUERY_DIRECTORY answers, whole and without dots. */
static void list_big_share(const struct smb_client_config *cfg)
{
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(cfg, "big", &s);
	struct smb_dir_listing l;
	size_t i, dots = 0, dirs = 0;

	if (!t)
		return;
	CU_ASSERT_EQUAL_FATAL(smb_path_list_all(t, "", &l), 0);
	CU_ASSERT_EQUAL(l.n, itest_env()->big_count);
	for (i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].name, ".") || !strcmp(l.v[i].name, ".."))
			dots++;
		else if (l.v[i].st.attributes & FILE_ATTRIBUTE_DIRECTORY)
			dirs++;
	}
	CU_ASSERT_EQUAL(dots, 0);
	CU_ASSERT_EQUAL(dirs, 0);
	CU_ASSERT_EQUAL(l.skipped, 0);
	smb_dir_listing_free(&l);
	itest_disconnect(s, t);
}

static void rename_delete_statfs(struct smb_tree *t, const char *tag)
{
	char a[64], b[64];
	struct smb2_fileid fid;
	struct smb_stat st;
	struct smb_fs_size fs;

	snprintf(a, sizeof(a), "ren-a-%s", tag);
	snprintf(b, sizeof(b), "ren-b-%s", tag);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, a, &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, "hello", 5, 0), 5);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_rename(t, a, b, false), 0);
	CU_ASSERT_EQUAL(smb_path_stat(t, a, &st), -ENOENT);
	CU_ASSERT_EQUAL(smb_path_stat(t, b, &st), 0);
	CU_ASSERT_EQUAL(st.end_of_file, 5);
	CU_ASSERT_NOT_EQUAL(st.file_id, 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, b, FILE_NON_DIRECTORY_FILE), 0);
	CU_ASSERT_EQUAL(smb_path_stat(t, b, &st), -ENOENT);
	CU_ASSERT_EQUAL(smb_tree_statfs(t, &fs), 0);
	CU_ASSERT(fs.total_units > 0);
	CU_ASSERT(fs.bytes_per_sector > 0 && fs.sectors_per_unit > 0);
	CU_ASSERT(fs.caller_avail_units <= fs.total_units);
}

static void run_combo(const struct combo *c)
{
	struct smb_client_config cfg = combo_config(c);
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	char name[64];

	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT_EQUAL(info.dialect, c->dialect);
	CU_ASSERT_EQUAL(info.sign_algo, c->sign_algo);
	CU_ASSERT(info.signing);
	CU_ASSERT(!info.guest && !info.anonymous);
	/* MS-SMB2 3.2.5.5: 3.0 and 3.0.2 validate the negotiation. */
	CU_ASSERT_EQUAL(info.validated, c->dialect == SMB2_DIALECT_300 ||
						c->dialect == SMB2_DIALECT_302);
	snprintf(name, sizeof(name), "big-%s.bin", c->name);
	write_read_10mib(t, name);
	CU_ASSERT_EQUAL(smb_path_delete(t, name, FILE_NON_DIRECTORY_FILE), 0);
	rename_delete_statfs(t, c->name);
	itest_disconnect(s, t);
	list_big_share(&cfg);
}

static void test_combo_202(void) { run_combo(&combos[0]); }
static void test_combo_210(void) { run_combo(&combos[1]); }
static void test_combo_300(void) { run_combo(&combos[2]); }
static void test_combo_302(void) { run_combo(&combos[3]); }
static void test_combo_311_gmac(void) { run_combo(&combos[4]); }
static void test_combo_311_cmac(void) { run_combo(&combos[5]); }
static void test_combo_311_hmac(void) { run_combo(&combos[6]); }

static void test_default_negotiation(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);

	if (!t)
		return;
	smb_session_get_info(s, &info);
	/*
	 * Samba 4.17 speaks 3.1.1 and does not require signing by default;
	 * smbfs signs all the same, with AES-128-GMAC.
	 */
	CU_ASSERT_EQUAL(info.dialect, SMB2_DIALECT_311);
	CU_ASSERT(info.signing);
	CU_ASSERT_EQUAL(info.sign_algo, SMB2_SIGNING_AES_GMAC);
	CU_ASSERT(info.max_read >= 65536);
	CU_ASSERT_EQUAL(smb_session_echo(s), 0);
	CU_ASSERT(smb_conn_credits(smb_session_conn(s)) > 1);
	itest_disconnect(s, t);
}

static void test_ipv6(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t;

	cfg.host = itest_env()->host6;
	t = itest_connect(&cfg, "plain", &s);
	if (t)
		itest_disconnect(s, t);
}

static void test_anonymous_guest_share(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session_info info;
	struct smb_session *s = NULL;
	struct smb_tree *t, *t2 = NULL;
	struct smb2_fileid fid;
	char buf[8] = "", err[256] = "";

	cfg.user = NULL;
	cfg.password = NULL;
	cfg.anonymous = true;
	t = itest_connect(&cfg, "guest", &s);
	if (!t)
		return;
	smb_session_get_info(s, &info);
	CU_ASSERT(info.anonymous || info.guest);
	CU_ASSERT_EQUAL(itest_create_file(t, "anon.txt", &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, "anon", 4, 0), 4);
	CU_ASSERT_EQUAL(smb_file_read(t, fid, buf, sizeof(buf), 0), 4);
	CU_ASSERT(memcmp(buf, "anon", 4) == 0);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "anon.txt", FILE_NON_DIRECTORY_FILE),
			0);
	/* A share without "guest ok" refuses the anonymous session. */
	CU_ASSERT_EQUAL(smb_tree_connect(s, "plain", &t2, err, sizeof(err)),
			-EACCES);
	CU_ASSERT_PTR_NULL(t2);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "denied"));
	itest_disconnect(s, t);
}

static void test_wrong_password(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	char err[256] = "";

	cfg.password = "definitely-wrong";
	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)), -EACCES);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "logon failure"));
	CU_ASSERT_PTR_NULL(strstr(err, "definitely-wrong"));
	printf("\n    message: %s\n", err);
}

static void test_unknown_share(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = NULL;
	char err[256] = "";

	CU_ASSERT_EQUAL_FATAL(smb_session_open(&cfg, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(smb_tree_connect(s, "nosuchshare", &t, err,
					 sizeof(err)),
			-ENOENT);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not found"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "nosuchshare"));
	printf("\n    message: %s\n", err);
	smb_session_close(s);
}

/* A loopback port with nothing listening: bind, read the port, close. */
static uint16_t closed_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static void test_closed_port(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	char err[256] = "";
	double t0;

	cfg.port = closed_port();
	t0 = itest_now();
	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)),
			-ECONNREFUSED);
	CU_ASSERT(itest_now() - t0 < 1.0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "refused"));
	printf("\n    message: %s\n", err);
}

static void test_silent_peer_times_out(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	socklen_t sl = sizeof(sa);
	char err[256] = "";
	double t0, dt;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* The kernel completes the handshake; nobody ever answers. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(listen(fd, 4) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sa, &sl) == 0);
	cfg.port = ntohs(sa.sin_port);
	cfg.request_timeout_ms = 1500;
	t0 = itest_now();
	CU_ASSERT_EQUAL(smb_session_open(&cfg, &s, err, sizeof(err)),
			-ETIMEDOUT);
	dt = itest_now() - t0;
	CU_ASSERT(dt >= 1.4 && dt < 3.0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "timed out"));
	printf("\n    %.2f s, message: %s\n", dt, err);
	close(fd);
}

struct thread_job {
	struct smb_tree *t;
	int id;
	int errors;
	int done;
};

/* 100 writes and 100 reads, each checked, on the thread's own file. */
static void *thread_io(void *arg)
{
	struct thread_job *j = arg;
	uint8_t out[4096], in[4096];
	struct smb2_fileid fid;
	char name[32];
	int i;

	snprintf(name, sizeof(name), "thread-%d.bin", j->id);
	if (itest_create_file(j->t, name, &fid)) {
		j->errors++;
		return NULL;
	}
	for (i = 0; i < 100; i++) {
		itest_fill(out, sizeof(out), (uint64_t)j->id * 1000 + i);
		if (smb_file_write(j->t, fid, out, sizeof(out),
				   (uint64_t)i * sizeof(out)) != sizeof(out))
			j->errors++;
		else
			j->done++;
	}
	for (i = 0; i < 100; i++) {
		itest_fill(out, sizeof(out), (uint64_t)j->id * 1000 + i);
		if (smb_file_read(j->t, fid, in, sizeof(in),
				  (uint64_t)i * sizeof(in)) != sizeof(in) ||
		    memcmp(in, out, sizeof(in)))
			j->errors++;
		else
			j->done++;
	}
	if (smb_file_close(j->t, fid, NULL) ||
	    smb_path_delete(j->t, name, FILE_NON_DIRECTORY_FILE))
		j->errors++;
	return NULL;
}

static void test_eight_threads_one_connection(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	struct thread_job jobs[8];
	pthread_t th[8];
	int i;

	if (!t)
		return;
	for (i = 0; i < 8; i++) {
		jobs[i] = (struct thread_job){.t = t, .id = i};
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, thread_io,
					       &jobs[i]) == 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(jobs[i].errors, 0);
		CU_ASSERT_EQUAL(jobs[i].done, 200);
	}
	itest_disconnect(s, t);
}

struct async_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int pending;
	int bad;
};

static void async_read_done(void *arg, ssize_t result)
{
	struct async_state *st = arg;

	pthread_mutex_lock(&st->lock);
	if (result != 65536)
		st->bad++;
	st->pending--;
	pthread_cond_signal(&st->cond);
	pthread_mutex_unlock(&st->lock);
}

/* 32 READs in flight at once, completed by callbacks. */
static void test_async_reads(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	struct async_state st = {PTHREAD_MUTEX_INITIALIZER,
				 PTHREAD_COND_INITIALIZER, 32, 0};
	uint8_t *data = malloc(32 * 65536), *back = calloc(32, 65536);
	struct smb2_fileid fid;
	int i;

	if (!t || !data || !back)
		goto out;
	itest_fill(data, 32 * 65536, 77);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "async.bin", &fid), 0);
	CU_ASSERT_EQUAL(smb_file_write(t, fid, data, 32 * 65536, 0),
			32 * 65536);
	for (i = 0; i < 32; i++)
		smb_file_read_async(t, fid, back + i * 65536, 65536,
				    (uint64_t)i * 65536, async_read_done, &st);
	pthread_mutex_lock(&st.lock);
	while (st.pending > 0)
		pthread_cond_wait(&st.cond, &st.lock);
	pthread_mutex_unlock(&st.lock);
	CU_ASSERT_EQUAL(st.bad, 0);
	CU_ASSERT(memcmp(data, back, 32 * 65536) == 0);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(
		smb_path_delete(t, "async.bin", FILE_NON_DIRECTORY_FILE), 0);
out:
	free(data);
	free(back);
	if (t)
		itest_disconnect(s, t);
}

/* mkdir, rmdir of a non-empty directory, hard link, byte-range lock. */
static void test_namespace_and_locks(void)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *s = NULL;
	struct smb_tree *t = itest_connect(&cfg, "plain", &s);
	struct smb2_fileid fid;
	struct smb_stat st;

	if (!t)
		return;
	CU_ASSERT_EQUAL(smb_path_mkdir(t, "nsdir", NULL), 0);
	CU_ASSERT_EQUAL(smb_path_mkdir(t, "nsdir", NULL), -EEXIST);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(t, "nsdir\\f", &fid), 0);
	CU_ASSERT_EQUAL(smb_path_link(t, "nsdir\\f", "nsdir\\g", false, NULL),
			0);
	CU_ASSERT_EQUAL(smb_file_lock(t, fid, 0, 10,
				      SMB2_LOCKFLAG_EXCLUSIVE_LOCK |
					      SMB2_LOCKFLAG_FAIL_IMMEDIATELY),
			0);
	CU_ASSERT_EQUAL(smb_file_lock(t, fid, 0, 10, SMB2_LOCKFLAG_UNLOCK), 0);
	CU_ASSERT_EQUAL(smb_file_stat(t, fid, &st), 0);
	CU_ASSERT_EQUAL(st.nlink, 2);
	CU_ASSERT_EQUAL(smb_file_close(t, fid, NULL), 0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "nsdir", FILE_DIRECTORY_FILE),
			-ENOTEMPTY);
	CU_ASSERT_EQUAL(smb_path_delete(t, "nsdir\\f", FILE_NON_DIRECTORY_FILE),
			0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "nsdir\\g", FILE_NON_DIRECTORY_FILE),
			0);
	CU_ASSERT_EQUAL(smb_path_delete(t, "nsdir", FILE_DIRECTORY_FILE), 0);
	CU_ASSERT_EQUAL(smb_path_stat(t, "nsdir", &st), -ENOENT);
	itest_disconnect(s, t);
}

static CU_TestInfo dialect_tests[] = {
	{"2.0.2 + HMAC-SHA256 signing", test_combo_202},
	{"2.1 + HMAC-SHA256 signing", test_combo_210},
	{"3.0 + AES-128-CMAC signing", test_combo_300},
	{"3.0.2 + AES-128-CMAC signing", test_combo_302},
	{"3.1.1 + AES-128-GMAC signing", test_combo_311_gmac},
	{"3.1.1 + AES-128-CMAC signing", test_combo_311_cmac},
	{"3.1.1 + HMAC-SHA256 signing", test_combo_311_hmac},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo session_tests[] = {
	{"default negotiation, echo, credits", test_default_negotiation},
	{"IPv6 loopback", test_ipv6},
	{"anonymous login to a guest share", test_anonymous_guest_share},
	{"wrong password: EACCES, clear message", test_wrong_password},
	{"unknown share: ENOENT, clear message", test_unknown_share},
	{"closed port: ECONNREFUSED within 1 s", test_closed_port},
	{"silent peer: ETIMEDOUT within the timeout",
	 test_silent_peer_times_out},
	CU_TEST_INFO_NULL,
};

static CU_TestInfo concurrency_tests[] = {
	{"8 threads x 200 requests on one connection",
	 test_eight_threads_one_connection},
	{"32 async reads in flight", test_async_reads},
	{"mkdir, ENOTEMPTY, hard link, locks", test_namespace_and_locks},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"dialects and signing", NULL, NULL, NULL, NULL, dialect_tests},
	{"session", NULL, NULL, NULL, NULL, session_tests},
	{"concurrency and namespace", NULL, NULL, NULL, NULL,
	 concurrency_tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	itest_env();
	return cunit_run(suites);
}
