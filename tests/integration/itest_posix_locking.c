// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Byte-range locks of two handles of ONE session on a share whose server
 * maps SMB locks onto kernel locks ("posix locking = yes", Samba's
 * default): the sequence that made two sqlite3 writers on one smbfs
 * mount fail with "database is locked" while each descriptor's locks
 * went through its own handle.  smbfs now sends all of a file's locks
 * through one handle (src/fs/ops_lock.c), as the last test does.
 *
 * MS-SMB2 2.2.26: SMB2 locks belong to the handle (FileId) they were
 * taken on.  MS-SMB2 3.3.5.14.2 and MS-FSA 2.1.5.8: a lock is refused
 * (STATUS_LOCK_NOT_GRANTED with FAIL_IMMEDIATELY) only when the range is
 * locked by another open in a conflicting way; MS-SMB2 3.3.5.14.1 and
 * MS-FSA 2.1.5.9: an unlock removes the lock from the stream's
 * ByteRangeLockList.  So once every handle has unlocked a range, an
 * exclusive lock on it must be granted, whatever the order of the
 * unlocks.
 *
 * Samba 4.17 (source3/locking/posix.c) takes open file description (OFD)
 * locks on the descriptor of each handle, but decides which kernel
 * locks to take and release as if they belonged to the process
 * (posix_lock_list() subtracts every lock the same smbd process holds,
 * whatever the handle): a second handle's shared lock over the first
 * one's gets no kernel lock, and the first handle's unlock while the
 * second still holds the range releases nothing, so the first handle's
 * kernel read lock outlives both SMB locks.  Every exclusive lock on the
 * range through another descriptor, from this client or any other, is
 * then refused until the first handle is closed or locks and unlocks
 * the range again on its own.  Unlocking in the other order, or through
 * two sessions (two smbd processes), is correct.
 *
 * The tests run as root on the server's machine and read the kernel's
 * lock table (/proc/locks) to tell the server's leftover lock apart
 * from an SMB lock, so that the assertions hold both for a correct
 * server and for the known Samba behaviour, each exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cunit_main.h"
#include "harness.h"
#include "smbfs/ntstatus.h"
#include "smbfs/wire/smb2_lock.h"

/* sqlite's SHARED range (SHARED_FIRST, SHARED_SIZE of its unix VFS). */
#define RANGE_OFF 0x40000002ull
#define RANGE_LEN 510ull

#define SH (SMB2_LOCKFLAG_SHARED_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY)
#define EX (SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY)
#define UN SMB2_LOCKFLAG_UNLOCK

/* A status no response carries: the request itself failed. */
#define NO_STATUS 0xFFFFFFFFu

/*
 * One SMB2 LOCK with one element; the response's NTSTATUS itself, which
 * smb_file_lock() folds into an errno (EAGAIN for two statuses).
 */
static uint32_t lock_status(struct smb_tree *t, struct smb2_fileid fid,
			    uint32_t flags)
{
	struct smb2_lock_element el = {
		.offset = RANGE_OFF,
		.length = RANGE_LEN,
		.flags = flags,
	};
	struct smb2_lock_request lr = {
		.file_id = fid,
		.locks = &el,
		.lock_count = 1,
	};
	struct smb_req *req = smb_tree_req_new(t, SMB2_LOCK);
	uint32_t status = NO_STATUS;

	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	if (smb2_lock_request_encode(&req->msg, &lr) == 0) {
		smb_call(t, req, 0);
		if (req->err == 0)
			status = req->status;
	}
	smb_req_free(req);
	CU_ASSERT_NOT_EQUAL(status, NO_STATUS);
	return status;
}

/* --- the server's kernel locks on the share's copy of a file --- */

struct kernel_locks {
	int read, write; /* locks on exactly the test range, by type */
	int other; /* locks of the file on other ranges */
};

/* One /proc/locks line ("1: OFDLCK ADVISORY READ -1 fe:00:123 2 511"). */
static void kernel_lock_count(const char *line, const struct stat *st,
			      struct kernel_locks *kl)
{
	char type[16], end[24];
	unsigned int maj, mnr;
	unsigned long long ino, start;

	/* Kind (POSIX, OFDLCK...), ADVISORY, type, pid, dev:inode, range. */
	if (sscanf(line, "%*d: %*s %*s %15s %*d %x:%x:%llu %llu %23s", type,
		   &maj, &mnr, &ino, &start, end) != 6)
		return; /* a "->" line: a waiter, not a lock */
	if (maj != major(st->st_dev) || mnr != minor(st->st_dev) ||
	    ino != (unsigned long long)st->st_ino)
		return;
	if (start != RANGE_OFF ||
	    strtoull(end, NULL, 10) != RANGE_OFF + RANGE_LEN - 1)
		kl->other++;
	else if (!strcmp(type, "READ"))
		kl->read++;
	else
		kl->write++;
}

static struct kernel_locks kernel_locks(const char *name)
{
	const struct itest_env *env = itest_env();
	struct kernel_locks kl = {0, 0, 0};
	char path[4096], line[256];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", env->plain_path, name);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	f = fopen("/proc/locks", "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f))
		kernel_lock_count(line, &st, &kl);
	fclose(f);
	return kl;
}

static bool kernel_unlocked(const char *name)
{
	struct kernel_locks kl = kernel_locks(name);

	return !kl.read && !kl.write && !kl.other;
}

/* The file's only kernel lock is one of this type on the test range. */
static void expect_kernel_lock(const char *name, bool exclusive)
{
	struct kernel_locks kl = kernel_locks(name);

	CU_ASSERT_EQUAL(exclusive ? kl.write : kl.read, 1);
	CU_ASSERT_EQUAL(kl.read + kl.write + kl.other, 1);
}

/* --- two handles of one file, on one session or on two --- */

struct handles {
	struct smb_session *s[2]; /* s[1] NULL: both on s[0] */
	struct smb_tree *t[2];
	struct smb2_fileid fid[2];
	const char *name;
};

/* Creates name and opens it twice; false (asserted) on failure. */
static bool handles_open(struct handles *h, const char *name, bool two_sessions)
{
	struct smb_client_config cfg = itest_config();

	memset(h, 0, sizeof(*h));
	h->name = name;
	h->t[0] = itest_connect(&cfg, "plain", &h->s[0]);
	if (!h->t[0])
		return false;
	h->t[1] = h->t[0];
	if (two_sessions) {
		h->t[1] = itest_connect(&cfg, "plain", &h->s[1]);
		if (!h->t[1]) {
			itest_disconnect(h->s[0], h->t[0]);
			return false;
		}
	}
	CU_ASSERT_EQUAL_FATAL(itest_create_file(h->t[0], name, &h->fid[0]), 0);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(h->t[1], name, &h->fid[1]), 0);
	return true;
}

static void handles_close(struct handles *h)
{
	CU_ASSERT_EQUAL(smb_file_close(h->t[0], h->fid[0], NULL), 0);
	CU_ASSERT_EQUAL(smb_file_close(h->t[1], h->fid[1], NULL), 0);
	CU_ASSERT(kernel_unlocked(h->name));
	CU_ASSERT_EQUAL(smb_path_delete(h->t[0], h->name, FILE_NON_DIRECTORY_FILE), 0);
	if (h->s[1])
		itest_disconnect(h->s[1], h->t[1]);
	itest_disconnect(h->s[0], h->t[0]);
}

static uint32_t hlock(const struct handles *h, int i, uint32_t flags)
{
	return lock_status(h->t[i], h->fid[i], flags);
}

/* --- tests --- */

/*
 * The configuration is what the other tests are about: the server
 * backs an SMB lock with a kernel lock and drops it on unlock.
 */
static void test_server_maps_locks_to_kernel(void)
{
	struct handles h;

	if (!handles_open(&h, "pl-map", false))
		return;
	CU_ASSERT(kernel_unlocked(h.name));
	CU_ASSERT_EQUAL(hlock(&h, 0, SH), STATUS_SUCCESS);
	expect_kernel_lock(h.name, false);
	CU_ASSERT_EQUAL(hlock(&h, 0, UN), STATUS_SUCCESS);
	CU_ASSERT(kernel_unlocked(h.name));
	CU_ASSERT_EQUAL(hlock(&h, 0, EX), STATUS_SUCCESS);
	expect_kernel_lock(h.name, true);
	CU_ASSERT_EQUAL(hlock(&h, 0, UN), STATUS_SUCCESS);
	handles_close(&h);
}

/*
 * Handles 0 and 1 share the range; 0 (the first locker) unlocks first
 * or last; then 1 asks for the range exclusively.  Returns that status.
 */
static uint32_t shared_then_exclusive(const struct handles *h,
				      bool first_out_first)
{
	int out = first_out_first ? 0 : 1;

	CU_ASSERT_EQUAL(hlock(h, 0, SH), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(h, 1, SH), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(h, out, UN), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(h, 1 - out, UN), STATUS_SUCCESS);
	return hlock(h, 1, EX);
}

/* A sequence Samba gets right: the exclusive lock is granted. */
static void expect_granted(const char *name, bool two_sessions,
			   bool first_out_first)
{
	struct handles h;

	if (!handles_open(&h, name, two_sessions))
		return;
	CU_ASSERT_EQUAL(shared_then_exclusive(&h, first_out_first),
			STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(&h, 1, UN), STATUS_SUCCESS);
	handles_close(&h);
}

/* The handle that locked last unlocks first. */
static void test_one_session_last_locker_out_first(void)
{
	expect_granted("pl-lifo", false, false);
}

/* The order below, through two sessions (two smbd processes). */
static void test_two_sessions_first_locker_out_first(void)
{
	expect_granted("pl-2sess", true, true);
}

/*
 * What is left behind: a kernel read lock on handle 0's descriptor that
 * no SMB lock accounts for.  It refuses exclusive locks through every
 * other descriptor, also another client's.  Handle 0 itself may lock
 * (its own OFD lock is converted), and its next unlock while no other
 * handle of the session holds the range ends it; so does closing it
 * (reopened here for handles_close).
 */
static void check_leftover_lock(struct handles *h, uint32_t refused)
{
	struct smb_client_config cfg = itest_config();
	struct smb_session *so = NULL;
	struct smb_tree *to = itest_connect(&cfg, "plain", &so);
	struct smb2_fileid o;

	printf("\n    server kept a kernel read lock after both unlocks: "
	       "the exclusive lock is refused (0x%08x)\n",
	       refused);
	CU_ASSERT_EQUAL(refused, STATUS_LOCK_NOT_GRANTED);
	expect_kernel_lock(h->name, false);
	if (to) {
		CU_ASSERT_EQUAL_FATAL(itest_create_file(to, h->name, &o), 0);
		CU_ASSERT_EQUAL(lock_status(to, o, EX),
				STATUS_LOCK_NOT_GRANTED);
		CU_ASSERT_EQUAL(smb_file_close(to, o, NULL), 0);
		itest_disconnect(so, to);
	}
	CU_ASSERT_EQUAL(hlock(h, 0, EX), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(h, 0, UN), STATUS_SUCCESS);
	CU_ASSERT(kernel_unlocked(h->name));
	/* Again, and this time closing handle 0 ends it. */
	CU_ASSERT_EQUAL(shared_then_exclusive(h, true),
			STATUS_LOCK_NOT_GRANTED);
	CU_ASSERT_EQUAL(smb_file_close(h->t[0], h->fid[0], NULL), 0);
	CU_ASSERT(kernel_unlocked(h->name));
	CU_ASSERT_EQUAL(hlock(h, 1, EX), STATUS_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(itest_create_file(h->t[0], h->name, &h->fid[0]),
			      0);
}

/*
 * The sqlite sequence, reduced: handles 0 and 1 of one session share
 * the range, 0 (which locked first) unlocks first, then 1; 1's exclusive
 * lock must be granted (MS-FSA 2.1.5.8/2.1.5.9).  A server that grants
 * it holds no other kernel lock either; one that refuses it must have
 * left exactly the leftover lock described above.
 */
static void test_one_session_first_locker_out_first(void)
{
	struct handles h;
	uint32_t st;

	if (!handles_open(&h, "pl-fifo", false))
		return;
	st = shared_then_exclusive(&h, true);
	if (st == STATUS_SUCCESS)
		expect_kernel_lock(h.name, true);
	else
		check_leftover_lock(&h, st);
	CU_ASSERT_EQUAL(hlock(&h, 1, UN), STATUS_SUCCESS);
	handles_close(&h);
}

/*
 * The same history of two local lock owners with every server lock of
 * the file sent through ONE handle (0; the client arbitrates between
 * its owners and stacks their locks there, MS-SMB2 2.2.26 leaving local
 * conflicts to the client): the server sees one descriptor, whose
 * kernel lock follows the SMB locks exactly, and other clients (handle
 * 1, on another session) are still refused.
 */
static void test_one_lock_handle_per_file(void)
{
	struct handles h;

	if (!handles_open(&h, "pl-one", true))
		return;
	/* Owner 1 shares, owner 2 shares, owner 1 leaves, owner 2 leaves. */
	CU_ASSERT_EQUAL(hlock(&h, 0, SH), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(&h, 0, SH), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(&h, 0, UN), STATUS_SUCCESS);
	expect_kernel_lock(h.name, false); /* owner 2 still holds it */
	CU_ASSERT_EQUAL(hlock(&h, 1, EX), STATUS_LOCK_NOT_GRANTED);
	CU_ASSERT_EQUAL(hlock(&h, 0, UN), STATUS_SUCCESS);
	CU_ASSERT(kernel_unlocked(h.name));
	/* Owner 2 takes it exclusively; the other client waits its turn. */
	CU_ASSERT_EQUAL(hlock(&h, 0, EX), STATUS_SUCCESS);
	expect_kernel_lock(h.name, true);
	CU_ASSERT_EQUAL(hlock(&h, 1, SH), STATUS_LOCK_NOT_GRANTED);
	CU_ASSERT_EQUAL(hlock(&h, 0, UN), STATUS_SUCCESS);
	CU_ASSERT(kernel_unlocked(h.name));
	CU_ASSERT_EQUAL(hlock(&h, 1, EX), STATUS_SUCCESS);
	CU_ASSERT_EQUAL(hlock(&h, 1, UN), STATUS_SUCCESS);
	handles_close(&h);
}

static CU_TestInfo tests[] = {
	{"the server backs SMB locks with kernel locks",
	 test_server_maps_locks_to_kernel},
	{"one session, last locker unlocks first: exclusive granted",
	 test_one_session_last_locker_out_first},
	{"two sessions, first locker unlocks first: exclusive granted",
	 test_two_sessions_first_locker_out_first},
	{"one session, first locker unlocks first: granted, or refused by a leftover kernel lock",
	 test_one_session_first_locker_out_first},
	{"all locks through one handle per file: exact on the server",
	 test_one_lock_handle_per_file},
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{"posix locking", NULL, NULL, NULL, NULL, tests},
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	itest_env();
	return cunit_run(suites);
}
