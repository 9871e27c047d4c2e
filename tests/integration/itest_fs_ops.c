// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FUSE filesystem end to end: build/smbfs-mount mounts the private
 * smbd's [plain] share as the ordinary test user (tests/integration/fs/
 * lib.sh through fsmount.sh), and every test makes system calls on the
 * mount, checking what they return, what the mount shows afterwards and,
 * behind the server's back, what the share's directory on disk holds.
 *
 * Started as root by scripts/run-tests.sh: main() writes the credentials
 * file and a few fixtures only root can make, then drops to the test user
 * for good, so permission checks (chown to root, access on read-only
 * files) are those an ordinary user meets.
 *
 * Suites: "ops" (one test per FUSE operation group with its error cases;
 * some tests add mounts with other options) and "workloads" (the shell
 * scripts tests/integration/fs/wl_*.sh: cp -a, tar, rsync, git, sqlite,
 * POSIX locks, a 1 GiB file, case collisions, a read-only share, busy
 * unmount).
 * FS_SUITES=ops or FS_TESTS=name,name narrows a run by hand.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/falloc.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "cunit_main.h"

#define MAIN_MNT	    "ops"
#define TEST_BASE	    "fsops" /* directory on the share for these tests */
#define MIB		    (1024 * 1024)
#define MFSYMLINK_FILE_SIZE 1067

struct fs_env {
	const char *root;    /* repository */
	const char *mnt_dir; /* SMB_MNT_DIR */
	const char *disk;    /* the [plain] share's directory */
	char mnt[PATH_MAX];  /* the main mount */
	bool setup_as_root;
};

static struct fs_env env;

/* ---------- assertions with messages that say what went wrong ---------- */

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static bool check_impl(bool ok, const char *file, int line, const char *func,
		       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static bool check_impl(bool ok, const char *file, int line, const char *func,
		       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!ok)
		fprintf(stderr, "\n    FAILED %s:%d: %s\n", func, line, msg);
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned int)line,
				msg, file, func, CU_FALSE);
	return ok;
}

#define CHECK(cond, ...) \
	check_impl((cond), __FILE__, __LINE__, __func__, __VA_ARGS__)

/* expr must succeed (>= 0); evaluates to its value. */
#define OK(expr)                                                  \
	({                                                        \
		errno = 0;                                        \
		long ok_r = (long)(expr);                         \
		int ok_e = errno;                                 \
		CHECK(ok_r >= 0, "%s: %s", #expr, errname(ok_e)); \
		ok_r;                                             \
	})

/* expr must fail with errno want (or want2). */
#define ERR2(expr, want, want2)                                             \
	({                                                                  \
		errno = 0;                                                  \
		long err_r = (long)(expr);                                  \
		int err_e = errno;                                          \
		CHECK(err_r == -1 && (err_e == (want) || err_e == (want2)), \
		      "%s: expected %s, got %s", #expr, errname(want),      \
		      err_r == -1 ? errname(err_e) : "success");            \
	})
#define ERR(expr, want) ERR2(expr, want, want)

#define EQ(a, b)                                                            \
	({                                                                  \
		long long eq_a = (long long)(a), eq_b = (long long)(b);     \
		CHECK(eq_a == eq_b, "%s == %s: %lld != %lld", #a, #b, eq_a, \
		      eq_b);                                                \
	})

/* ---------- paths ---------- */

/* printf into one of a ring of buffers: for paths used right away. */
static char *pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *pathf(const char *fmt, ...)
{
	static char ring[16][PATH_MAX];
	static unsigned int next;
	char *p = ring[next++ % 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p, PATH_MAX, fmt, ap);
	va_end(ap);
	return p;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command; its exit status, or -1. */
static int run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static int fs_mount(const char *name, const char *share, const char *opts)
{
	return run("bash '%s/tests/integration/fs/fsmount.sh' mount %s %s '%s'",
		   env.root, name, share, opts);
}

static int fs_umount(const char *name)
{
	return run("bash '%s/tests/integration/fs/fsmount.sh' umount %s",
		   env.root, name);
}

static char *mnt_of(const char *name)
{
	return pathf("%s/%s", env.mnt_dir, name);
}

/*
 * A fresh directory for one test: <mount>/fsops/<name> (removed first, in
 * case a run by hand left it).  d and disk receive the mount's and the
 * server disk's paths.
 */
static bool test_dir(char d[PATH_MAX], char disk[PATH_MAX], const char *name)
{
	if (snprintf(d, PATH_MAX, "%s/%s/%s", env.mnt, TEST_BASE, name) >=
		    PATH_MAX ||
	    snprintf(disk, PATH_MAX, "%s/%s/%s", env.disk, TEST_BASE, name) >=
		    PATH_MAX)
		return CHECK(false, "path too long");
	if (run("rm -rf '%s'", d) != 0)
		return CHECK(false, "rm -rf %s failed", d);
	if (mkdir(pathf("%s/%s", env.mnt, TEST_BASE), 0755) && errno != EEXIST)
		return CHECK(false, "mkdir %s: %s", TEST_BASE, errname(errno));
	if (mkdir(d, 0755))
		return CHECK(false, "mkdir %s: %s", d, errname(errno));
	return true;
}

/* ---------- files ---------- */

static int put_bytes(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0 || (size_t)n != len) {
		int e = n < 0 ? -errno : -EIO;

		close(fd);
		return e;
	}
	return close(fd) ? -errno : 0;
}

static int put(const char *path, const char *s)
{
	return put_bytes(path, s, strlen(s));
}

/* Whole file, malloc'd (NUL-terminated for convenience); NULL + errno. */
static char *slurp(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY);

	if (!buf || fd < 0) {
		int e = errno;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static bool content_is_impl(const char *path, const void *want, size_t len,
			    const char *file, int line, const char *func)
{
	size_t n = 0, i;
	char *got = slurp(path, &n);
	bool ok;

	if (!got)
		return check_impl(false, file, line, func, "read %s: %s", path,
				  errname(errno));
	ok = n == len && !memcmp(got, want, len);
	if (!ok) {
		for (i = 0; i < n && i < len; i++)
			if (got[i] != ((const char *)want)[i])
				break;
		check_impl(
			false, file, line, func,
			"%s: %zu bytes, expected %zu; first difference at %zu",
			path, n, len, i);
	} else {
		check_impl(true, file, line, func, "content of %s", path);
	}
	free(got);
	return ok;
}

#define CONTENT_IS(path, want, len) \
	content_is_impl((path), (want), (len), __FILE__, __LINE__, __func__)
#define CONTENT_STR(path, s) CONTENT_IS((path), (s), strlen(s))

static void fill(uint8_t *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x | 1); /* never 0: holes are zeros */
	}
}

static uint8_t *pattern(size_t len, uint64_t seed)
{
	uint8_t *b = malloc(len ? len : 1);

	if (!b)
		abort();
	fill(b, len, seed);
	return b;
}

/* Names in a directory, without "." and ".."; returns the count or -1. */
static int list_dir(const char *path, char ***names)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **v = NULL;
	int n = 0;

	*names = NULL;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char **nv;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nv = realloc(v, sizeof(*v) * (size_t)(n + 1));
		if (!nv)
			abort();
		v = nv;
		v[n++] = strdup(de->d_name);
	}
	closedir(d);
	*names = v;
	return n;
}

static void free_names(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static bool names_hold(char **v, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

static bool dir_holds(const char *dir, const char *name)
{
	char **v;
	int n = list_dir(dir, &v);
	bool found = n > 0 && names_hold(v, n, name);

	free_names(v, n > 0 ? n : 0);
	return found;
}

static int dir_count(const char *dir)
{
	char **v;
	int n = list_dir(dir, &v);

	if (n > 0)
		free_names(v, n);
	return n;
}

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static struct timespec now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/* Waits up to seconds for cond(arg); for effects that follow a close(2)
 * asynchronously (FUSE sends RELEASE without waiting for its answer). */
static bool eventually(bool (*cond)(const char *), const char *arg, int seconds)
{
	int i;

	for (i = 0; i < seconds * 20; i++) {
		if (cond(arg))
			return true;
		usleep(50000);
	}
	return cond(arg);
}

static bool dir_is_empty(const char *dir)
{
	return dir_count(dir) == 0;
}

static bool dir_count_is_one(const char *dir)
{
	return dir_count(dir) == 1;
}

/* ---------- suite setup ---------- */

static int ops_init(void)
{
	if (fs_mount(MAIN_MNT, "plain", "") != 0) {
		fprintf(stderr, "mounting //%s:%s/plain failed\n",
			getenv("SMB_HOST"), getenv("SMB_PORT"));
		return 1;
	}
	if (mkdir(pathf("%s/%s", env.mnt, TEST_BASE), 0755) && errno != EEXIST)
		return 1;
	return 0;
}

static int ops_cleanup(void)
{
	return fs_umount(MAIN_MNT) ? 1 : 0;
}

/* ---------- lookup, getattr ---------- */

static void test_lookup_getattr(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct timespec t0, t1;
	struct stat st, ds;
	uint8_t *data = pattern(12345, 1);

	if (!test_dir(d, dd, "getattr"))
		goto out;
	ERR(stat(pathf("%s/missing", d), &st), ENOENT);
	ERR(lstat(pathf("%s/missing", d), &st), ENOENT);
	ERR(stat(pathf("%s/missing/deeper", d), &st), ENOENT);
	ERR(open(pathf("%s/missing", d), O_RDONLY), ENOENT);
	ERR(access(pathf("%s/missing", d), F_OK), ENOENT);

	t0 = now_real();
	EQ(put_bytes(pathf("%s/f", d), data, 12345), 0);
	t1 = now_real();
	if (OK(stat(pathf("%s/f", d), &st)) == 0) {
		CHECK(S_ISREG(st.st_mode), "regular file: mode %o", st.st_mode);
		EQ(st.st_size, 12345);
		EQ(st.st_nlink, 1);
		EQ(st.st_uid, getuid());
		CHECK(st.st_mtim.tv_sec >= t0.tv_sec - 60 &&
			      st.st_mtim.tv_sec <= t1.tv_sec + 60,
		      "mtime %ld is about now (%ld)", (long)st.st_mtim.tv_sec,
		      (long)t0.tv_sec);
		CHECK(st.st_ino != 0, "inode number set");
	}
	if (OK(stat(pathf("%s/f", dd), &ds)) == 0) {
		EQ(ds.st_size, 12345);
		/* cifsacl: the group the server gave the file. */
		EQ(st.st_gid, ds.st_gid);
	}
	if (OK(stat(d, &st)) == 0) {
		CHECK(S_ISDIR(st.st_mode), "directory: mode %o", st.st_mode);
		EQ(st.st_uid, getuid());
	}
	ERR(stat(pathf("%s/f/x", d), &st), ENOTDIR);
	ERR(open(pathf("%s/f/x", d), O_RDONLY | O_CREAT, 0644), ENOTDIR);
out:
	free(data);
}

/* ---------- setattr ---------- */

static void test_truncate(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, buf[32];
	uint8_t want[10000] = { 0 };
	struct stat st;
	int fd;

	if (!test_dir(d, dd, "truncate"))
		return;
	f = pathf("%s/t", d);
	EQ(put(f, "0123456789"), 0);
	OK(truncate(f, 4));
	if (OK(stat(f, &st)) == 0)
		EQ(st.st_size, 4);
	CONTENT_STR(f, "0123");
	CONTENT_STR(pathf("%s/t", dd), "0123");

	OK(truncate(f, 10000));
	memcpy(want, "0123", 4);
	if (OK(stat(f, &st)) == 0)
		EQ(st.st_size, 10000);
	CONTENT_IS(f, want, sizeof(want));
	CONTENT_IS(pathf("%s/t", dd), want, sizeof(want));

	/* ftruncate through an open descriptor, then write past it. */
	fd = OK(open(f, O_RDWR));
	if (fd >= 0) {
		OK(ftruncate(fd, 2));
		if (OK(fstat(fd, &st)) == 0)
			EQ(st.st_size, 2);
		EQ(pwrite(fd, "xy", 2, 5), 2);
		EQ(pread(fd, buf, sizeof(buf), 0), 7);
		CHECK(!memcmp(buf, "01\0\0\0xy", 7), "hole after ftruncate");
		OK(close(fd));
	}
	CONTENT_IS(pathf("%s/t", dd), "01\0\0\0xy", 7);
	OK(truncate(f, 0));
	CONTENT_STR(f, "");
	ERR(truncate(pathf("%s/missing", d), 0), ENOENT);
	ERR(truncate(d, 0), EISDIR);
}

static void test_chmod_readonly(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f;
	struct stat st;
	int fd;

	if (!test_dir(d, dd, "chmod"))
		return;
	f = pathf("%s/ro", d);
	EQ(put(f, "data"), 0);
	OK(chmod(f, 0444));
	if (OK(stat(f, &st)) == 0)
		CHECK(!(st.st_mode & 0222),
		      "no write bits after chmod 0444: %o", st.st_mode);
	ERR(open(f, O_WRONLY), EACCES);
	ERR(open(f, O_RDWR | O_APPEND), EACCES);
	ERR(truncate(f, 0), EACCES);
	ERR(access(f, W_OK), EACCES);
	OK(access(f, R_OK));
	CONTENT_STR(f, "data");
	CONTENT_STR(pathf("%s/ro", dd), "data");

	OK(chmod(f, 0644));
	if (OK(stat(f, &st)) == 0)
		CHECK(st.st_mode & 0200, "owner write bit back: %o",
		      st.st_mode);
	OK(access(f, W_OK));
	fd = OK(open(f, O_WRONLY | O_APPEND));
	if (fd >= 0) {
		EQ(write(fd, "more", 4), 4);
		OK(close(fd));
	}
	CONTENT_STR(f, "datamore");
	CONTENT_STR(pathf("%s/ro", dd), "datamore");
	ERR(chmod(pathf("%s/missing", d), 0644), ENOENT);
}

static void check_times(const char *path, struct timespec atime,
			struct timespec mtime)
{
	struct stat st;

	if (OK(stat(path, &st)) != 0)
		return;
	CHECK(ts_eq(st.st_atim, atime),
	      "%s atime %ld.%09ld, expected %ld.%09ld", path,
	      (long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long)atime.tv_sec,
	      atime.tv_nsec);
	CHECK(ts_eq(st.st_mtim, mtime),
	      "%s mtime %ld.%09ld, expected %ld.%09ld", path,
	      (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, (long)mtime.tv_sec,
	      mtime.tv_nsec);
}

static bool ts_within(struct timespec t, struct timespec lo, struct timespec hi)
{
	/* A second of slack: SMB keeps 100 ns units, clocks tick coarsely. */
	return t.tv_sec >= lo.tv_sec - 1 && t.tv_sec <= hi.tv_sec + 1;
}

/* write, futimens, close: what tar, cp -p and rsync do with each file. */
static void write_set_times_close(const char *path, int flags,
				  struct timespec a, struct timespec m)
{
	struct timespec ts[2] = { a, m };
	int fd = OK(open(path, flags, 0644));

	if (fd < 0)
		return;
	EQ(write(fd, "abc", 3), 3);
	OK(futimens(fd, ts));
	OK(fchmod(fd, 0644));
	OK(close(fd));
}

/*
 * Times set on a file that was written must survive its close: the SMB
 * CLOSE (sent when FUSE releases the file, after close(2) returned) must
 * not make the server stamp the close time over them.  The files are
 * written through a second mount, whose unmount waits until every release
 * was answered; then the server's disk shows the final times.
 */
static void test_utimens_then_close(const char *d, const char *dd)
{
	struct timespec a = { 1100000000, 100 }, m = { 1150000000, 200 };
	char *m2 = pathf("%s/%s/utimens", mnt_of("ops-2"), TEST_BASE);

	EQ(put(pathf("%s/old", d), "old content"), 0);
	if (!CHECK(fs_mount("ops-2", "plain", "") == 0, "second mount"))
		return;
	write_set_times_close(pathf("%s/new", m2), O_WRONLY | O_CREAT | O_EXCL,
			      a, m);
	write_set_times_close(pathf("%s/old", m2), O_WRONLY | O_TRUNC, a, m);
	CHECK(fs_umount("ops-2") == 0, "unmount the second mount");
	check_times(pathf("%s/new", dd), a, m);
	check_times(pathf("%s/old", dd), a, m);
	check_times(pathf("%s/new", d), a, m);
	CONTENT_STR(pathf("%s/old", dd), "abc");
}

static void test_utimens(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, *df;
	struct timespec a = { 1000000000, 123456700 };
	struct timespec m = { 1200000000, 987654300 };
	struct timespec m2 = { 1300000000, 500 };
	struct timespec ts[2], lo, hi;
	struct stat st;

	if (!test_dir(d, dd, "utimens"))
		return;
	f = pathf("%s/u", d);
	df = pathf("%s/u", dd);
	EQ(put(f, "x"), 0);
	ts[0] = a;
	ts[1] = m;
	OK(utimensat(AT_FDCWD, f, ts, 0));
	check_times(f, a, m);
	check_times(df, a, m); /* what the server stored */

	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = m2;
	OK(utimensat(AT_FDCWD, f, ts, 0));
	check_times(f, a, m2);
	check_times(df, a, m2);

	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	lo = now_real();
	OK(utimensat(AT_FDCWD, f, ts, 0));
	hi = now_real();
	if (OK(stat(f, &st)) == 0) {
		CHECK(ts_eq(st.st_atim, a), "UTIME_OMIT kept atime");
		CHECK(ts_within(st.st_mtim, lo, hi),
		      "UTIME_NOW mtime %ld within [%ld, %ld]",
		      (long)st.st_mtim.tv_sec, (long)lo.tv_sec,
		      (long)hi.tv_sec);
	}
	if (OK(stat(df, &st)) == 0)
		CHECK(ts_within(st.st_mtim, lo, hi), "server mtime is now");

	ts[0].tv_nsec = UTIME_NOW;
	ts[1] = m;
	lo = now_real();
	OK(utimensat(AT_FDCWD, f, ts, 0));
	hi = now_real();
	if (OK(stat(f, &st)) == 0) {
		CHECK(ts_within(st.st_atim, lo, hi), "UTIME_NOW atime");
		CHECK(ts_eq(st.st_mtim, m), "mtime set with atime now");
	}

	ERR(utimensat(AT_FDCWD, pathf("%s/missing", d), NULL, 0), ENOENT);
	test_utimens_then_close(d, dd);
}

static void test_chown(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f;
	struct stat st;

	if (!test_dir(d, dd, "chown"))
		return;
	f = pathf("%s/c", d);
	EQ(put(f, "x"), 0);
	OK(chown(f, getuid(), getgid()));
	OK(chown(f, (uid_t)-1, (gid_t)-1));
	OK(chown(f, getuid(), (gid_t)-1));
	OK(lchown(d, getuid(), getgid()));
	if (getuid() != 0) {
		ERR(chown(f, 0, (gid_t)-1), EPERM);
		ERR(chown(f, (uid_t)-1, 0), EPERM);
		ERR(chown(d, 0, 0), EPERM);
	} else {
		CHECK(false, "chown to root must fail: run as the test user");
	}
	if (OK(stat(f, &st)) == 0) {
		EQ(st.st_uid, getuid());
		EQ(st.st_gid, getgid());
	}
}

/* ---------- directories ---------- */

#define BIG_DIR_ENTRIES 1000

static bool all_seen_once(const unsigned char *seen, int n, const char *how)
{
	int i, missing = 0, dups = 0;

	for (i = 0; i < n; i++) {
		if (seen[i] == 0)
			missing++;
		else if (seen[i] > 1)
			dups++;
	}
	return CHECK(!missing && !dups, "%s: %d names missing, %d repeated",
		     how, missing, dups);
}

/* Index of a name "e%04d-..." or -1. */
static int entry_index(const char *name)
{
	int i;

	if (sscanf(name, "e%04d-", &i) != 1 || i < 0 || i >= BIG_DIR_ENTRIES)
		return -1;
	return i;
}

static void readdir_with_getdents(const char *dir)
{
	unsigned char seen[BIG_DIR_ENTRIES] = { 0 };
	char buf[700]; /* a few entries per call: many readdir rounds */
	int fd = OK(open(dir, O_RDONLY | O_DIRECTORY)), dots = 0, other = 0;
	long n;

	if (fd < 0)
		return;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long pos = 0;

		while (pos < n) {
			struct dirent64 *de = (struct dirent64 *)(buf + pos);
			int i = entry_index(de->d_name);

			if (i >= 0)
				seen[i]++;
			else if (!strcmp(de->d_name, ".") ||
				 !strcmp(de->d_name, ".."))
				dots++;
			else
				other++;
			pos += de->d_reclen;
		}
	}
	CHECK(n == 0, "getdents64: %s", errname(errno));
	close(fd);
	EQ(dots, 2);
	EQ(other, 0);
	all_seen_once(seen, BIG_DIR_ENTRIES, "getdents64 in small steps");
}

static void test_readdir_1000(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	unsigned char seen[BIG_DIR_ENTRIES] = { 0 };
	struct dirent *de;
	int i, created = 0, other = 0, removed = 0;
	DIR *dir;

	if (!test_dir(d, dd, "readdir1000"))
		return;
	for (i = 0; i < BIG_DIR_ENTRIES; i++) {
		int fd = open(pathf("%s/e%04d-%.*s", d, i, i % 40,
				    "abcdefghijklmnopqrstuvwxyz0123456789ABCD"),
			      O_WRONLY | O_CREAT | O_EXCL, 0644);

		if (fd < 0)
			break;
		close(fd);
		created++;
	}
	if (!CHECK(created == BIG_DIR_ENTRIES, "created %d of %d files: %s",
		   created, BIG_DIR_ENTRIES, errname(errno)))
		return;
	EQ(dir_count(dd), BIG_DIR_ENTRIES);

	dir = opendir(d);
	if (!CHECK(dir != NULL, "opendir"))
		return;
	while ((de = readdir(dir))) {
		i = entry_index(de->d_name);
		if (i >= 0)
			seen[i]++;
		else if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			other++;
	}
	EQ(other, 0);
	all_seen_once(seen, BIG_DIR_ENTRIES, "readdir");
	/* Again after rewinddir. */
	memset(seen, 0, sizeof(seen));
	rewinddir(dir);
	while ((de = readdir(dir)))
		if ((i = entry_index(de->d_name)) >= 0)
			seen[i]++;
	all_seen_once(seen, BIG_DIR_ENTRIES, "readdir after rewinddir");
	closedir(dir);
	readdir_with_getdents(d);

	/* rm -r's pattern: unlink entries while reading the directory. */
	dir = opendir(d);
	if (!CHECK(dir != NULL, "opendir"))
		return;
	while ((de = readdir(dir)))
		if (entry_index(de->d_name) >= 0 &&
		    !unlinkat(dirfd(dir), de->d_name, 0))
			removed++;
	closedir(dir);
	EQ(removed, BIG_DIR_ENTRIES);
	OK(rmdir(d));
	ERR(stat(dd, &(struct stat){ 0 }), ENOENT);
}

static void test_mkdir_rmdir(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat st;
	int fd;

	if (!test_dir(d, dd, "mkdir"))
		return;
	OK(mkdir(pathf("%s/sub", d), 0755));
	if (OK(stat(pathf("%s/sub", d), &st)) == 0)
		CHECK(S_ISDIR(st.st_mode), "mkdir made a directory");
	if (OK(stat(pathf("%s/sub", dd), &st)) == 0)
		CHECK(S_ISDIR(st.st_mode), "directory on the server");
	ERR(mkdir(pathf("%s/sub", d), 0755), EEXIST);
	ERR(mkdir(pathf("%s/missing/sub", d), 0755), ENOENT);
	OK(mkdir(pathf("%s/sub/deeper", d), 0755));
	EQ(put(pathf("%s/sub/deeper/f", d), "x"), 0);
	ERR(rmdir(pathf("%s/sub", d)), ENOTEMPTY);
	ERR(rmdir(pathf("%s/sub/deeper", d)), ENOTEMPTY);
	ERR(rmdir(pathf("%s/sub/deeper/f", d)), ENOTDIR);
	ERR(unlink(pathf("%s/sub/deeper", d)), EISDIR);
	ERR(mkdir(pathf("%s/sub/deeper/f/x", d), 0755), ENOTDIR);
	ERR(mkdir(pathf("%s/sub/deeper/f", d), 0755), EEXIST);
	ERR(rmdir(pathf("%s/missing", d)), ENOENT);
	fd = open(pathf("%s/sub/deeper/f", dd), O_RDONLY);
	CHECK(fd >= 0, "file still on the server after failed rmdir");
	if (fd >= 0)
		close(fd);
	OK(unlink(pathf("%s/sub/deeper/f", d)));
	OK(rmdir(pathf("%s/sub/deeper", d)));
	OK(rmdir(pathf("%s/sub", d)));
	ERR(stat(pathf("%s/sub", d), &st), ENOENT);
	ERR(stat(pathf("%s/sub", dd), &st), ENOENT);
	fd = OK(open(d, O_RDONLY | O_DIRECTORY));
	if (fd >= 0) {
		OK(fsync(fd)); /* fsyncdir */
		close(fd);
	}
}

static void test_eisdir(void)
{
	char d[PATH_MAX], dd[PATH_MAX], buf[8];
	int fd;

	if (!test_dir(d, dd, "eisdir"))
		return;
	ERR(open(d, O_WRONLY), EISDIR);
	ERR(open(d, O_RDWR), EISDIR);
	ERR(open(d, O_WRONLY | O_CREAT, 0644), EISDIR);
	fd = OK(open(d, O_RDONLY));
	if (fd >= 0) {
		ERR(read(fd, buf, sizeof(buf)), EISDIR);
		close(fd);
	}
	EQ(put(pathf("%s/f", d), "x"), 0);
	ERR(open(pathf("%s/f", d), O_RDONLY | O_DIRECTORY), ENOTDIR);
	ERR(open(pathf("%s/f/", d), O_RDONLY), ENOTDIR);
}

static void test_enametoolong(void)
{
	char d[PATH_MAX], dd[PATH_MAX], n255[256], n256[257], name[600];
	struct stat st;
	int i, fd;

	if (!test_dir(d, dd, "nametoolong"))
		return;
	memset(n255, 'a', 255);
	n255[255] = '\0';
	memset(n256, 'b', 256);
	n256[256] = '\0';
	ERR(open(pathf("%s/%s", d, n256), O_WRONLY | O_CREAT, 0644),
	    ENAMETOOLONG);
	ERR(mkdir(pathf("%s/%s", d, n256), 0755), ENAMETOOLONG);
	ERR(stat(pathf("%s/%s", d, n256), &st), ENAMETOOLONG);
	EQ(dir_count(dd), 0);

	/* 255 bytes is the limit, whatever the characters. */
	fd = OK(open(pathf("%s/%s", d, n255), O_WRONLY | O_CREAT, 0644));
	if (fd >= 0)
		close(fd);
	OK(stat(pathf("%s/%s", d, n255), &st));
	CHECK(dir_holds(d, n255), "255-byte name listed");
	EQ(put(pathf("%s/short", d), "x"), 0);
	ERR(rename(pathf("%s/short", d), pathf("%s/%s", d, n256)),
	    ENAMETOOLONG);
	name[0] = '\0';
	for (i = 0; i < 85; i++) /* 85 x 3 bytes */
		strcat(name, "\xe6\x97\xa5");
	fd = OK(open(pathf("%s/%s", d, name), O_WRONLY | O_CREAT, 0644));
	if (fd >= 0)
		close(fd);
	CHECK(dir_holds(d, name), "255-byte UTF-8 name listed");
	strcat(name, "\xe6\x97\xa5");
	ERR(open(pathf("%s/%s", d, name), O_WRONLY | O_CREAT, 0644),
	    ENAMETOOLONG);
	name[0] = '\0';
	for (i = 0; i < 63; i++) /* 252 bytes, 126 UTF-16 units */
		strcat(name, "\xf0\x9f\x98\x80");
	fd = OK(open(pathf("%s/%s", d, name), O_WRONLY | O_CREAT, 0644));
	if (fd >= 0)
		close(fd);
	CHECK(dir_holds(d, name), "252-byte emoji name listed");
	EQ(dir_count(dd), 4);
}

/* ---------- open, read, write ---------- */

static void test_open_flags(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, buf[16];
	int fd, fd1, fd2;

	if (!test_dir(d, dd, "open"))
		return;
	f = pathf("%s/f", d);
	EQ(put(f, "abc"), 0);
	ERR(open(f, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	ERR(open(d, O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	CONTENT_STR(f, "abc");
	fd = OK(open(f, O_WRONLY | O_CREAT, 0644)); /* no O_EXCL: opens */
	if (fd >= 0)
		close(fd);
	CONTENT_STR(f, "abc");
	fd = OK(open(pathf("%s/new", d), O_RDWR | O_CREAT | O_EXCL, 0644));
	if (fd >= 0) {
		EQ(write(fd, "n", 1), 1);
		close(fd);
	}
	CONTENT_STR(pathf("%s/new", dd), "n");

	/* O_APPEND from two descriptors: every write lands at the end. */
	fd1 = OK(open(f, O_WRONLY | O_APPEND));
	fd2 = OK(open(f, O_WRONLY | O_APPEND));
	if (fd1 >= 0 && fd2 >= 0) {
		EQ(write(fd1, "X", 1), 1);
		EQ(write(fd2, "Y", 1), 1);
		OK(lseek(fd1, 0, SEEK_SET));
		EQ(write(fd1, "Z", 1), 1);
	}
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
	CONTENT_STR(f, "abcXYZ");
	CONTENT_STR(pathf("%s/f", dd), "abcXYZ");

	/* O_TRUNC empties it, also for a descriptor opened before. */
	fd1 = OK(open(f, O_RDONLY));
	fd = OK(open(f, O_WRONLY | O_TRUNC));
	if (fd >= 0) {
		struct stat st;

		if (OK(fstat(fd, &st)) == 0)
			EQ(st.st_size, 0);
		close(fd);
	}
	if (fd1 >= 0) {
		EQ(pread(fd1, buf, sizeof(buf), 0), 0);
		close(fd1);
	}
	CONTENT_STR(f, "");
	CONTENT_STR(pathf("%s/f", dd), "");
	ERR(open(pathf("%s/missing", d), O_RDONLY), ENOENT);
}

static void test_read_write_offsets(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f;
	const size_t big = 3 * MIB + 17, far = 5 * MIB + 3;
	uint8_t *data = pattern(big, 7), *want, *got = malloc(big);
	size_t total = far + 4096;
	struct stat st;
	int fd;

	want = calloc(1, total);
	if (!got || !want)
		abort();
	if (!test_dir(d, dd, "rw"))
		goto out;
	f = pathf("%s/f", d);
	fd = OK(open(f, O_RDWR | O_CREAT | O_TRUNC, 0644));
	if (fd < 0)
		goto out;
	/* One big write (split by the kernel and by the SMB max write),
	 * then writes at odd offsets and one far past the end. */
	EQ(pwrite(fd, data, big, 12345), big);
	memcpy(want + 12345, data, big);
	EQ(pwrite(fd, "hello", 5, 1), 5);
	memcpy(want + 1, "hello", 5);
	EQ(pwrite(fd, data, 4096, far), 4096);
	memcpy(want + far, data, 4096);
	if (OK(fstat(fd, &st)) == 0)
		EQ(st.st_size, total);
	EQ(pread(fd, got, 4096, far), 4096);
	CHECK(!memcmp(got, data, 4096), "read back at the far offset");
	EQ(pread(fd, got, 100, far - 100), 100);
	CHECK(!memcmp(got, want + far - 100, 100), "zeros before far data");
	EQ(pread(fd, got, 10, total), 0);
	EQ(pread(fd, got, 10, total - 3), 3);
	EQ(pread(fd, got, 7, 0), 7);
	CHECK(!memcmp(got, want, 7), "start of file");
	OK(close(fd));
	CONTENT_IS(f, want, total);
	CONTENT_IS(pathf("%s/f", dd), want, total);
out:
	free(data);
	free(want);
	free(got);
}

static void test_fsync(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	uint8_t *data = pattern(300000, 3);
	int fd, dfd;

	if (!test_dir(d, dd, "fsync"))
		goto out;
	fd = OK(open(pathf("%s/f", d), O_RDWR | O_CREAT, 0644));
	if (fd < 0)
		goto out;
	EQ(write(fd, data, 200000), 200000);
	OK(fsync(fd));
	/* The file is still open: what the server holds came from fsync. */
	CONTENT_IS(pathf("%s/f", dd), data, 200000);
	EQ(pwrite(fd, data + 200000, 100000, 200000), 100000);
	OK(fdatasync(fd));
	CONTENT_IS(pathf("%s/f", dd), data, 300000);
	OK(close(fd));
	dfd = OK(open(d, O_RDONLY | O_DIRECTORY));
	if (dfd >= 0) {
		OK(fsync(dfd));
		close(dfd);
	}
out:
	free(data);
}

/* ---------- unlink ---------- */

static bool only_new_file_left(const char *dir)
{
	char **v;
	int n = list_dir(dir, &v);
	bool ok = n == 1 && !strcmp(v[0], "held");

	free_names(v, n > 0 ? n : 0);
	return ok;
}

static void test_unlink_open_file(void)
{
	char d[PATH_MAX], dd[PATH_MAX], buf[64], **v;
	struct stat st;
	int fd, n, i;

	if (!test_dir(d, dd, "unlink"))
		return;
	EQ(put(pathf("%s/plain", d), "x"), 0);
	OK(unlink(pathf("%s/plain", d)));
	ERR(stat(pathf("%s/plain", d), &st), ENOENT);
	ERR(stat(pathf("%s/plain", dd), &st), ENOENT);
	ERR(unlink(pathf("%s/plain", d)), ENOENT);

	fd = OK(open(pathf("%s/held", d), O_RDWR | O_CREAT, 0644));
	if (fd < 0)
		return;
	EQ(write(fd, "hello", 5), 5);
	OK(unlink(pathf("%s/held", d)));
	ERR(stat(pathf("%s/held", d), &st), ENOENT);
	n = list_dir(d, &v);
	EQ(n, 0);
	for (i = 0; i < n; i++)
		CHECK(false, "listing after unlink shows %s", v[i]);
	free_names(v, n > 0 ? n : 0);
	/* The holder keeps reading and writing. */
	if (OK(fstat(fd, &st)) == 0)
		EQ(st.st_size, 5);
	EQ(pwrite(fd, " world", 6, 5), 6);
	memset(buf, 0, sizeof(buf));
	EQ(pread(fd, buf, sizeof(buf), 0), 11);
	CHECK(!strcmp(buf, "hello world"), "read after unlink: %s", buf);
	OK(fsync(fd));
	/* The name is free again: a new file is a different file. */
	EQ(put(pathf("%s/held", d), "new"), 0);
	memset(buf, 0, sizeof(buf));
	EQ(pread(fd, buf, sizeof(buf), 0), 11);
	CHECK(!strcmp(buf, "hello world"), "old file after re-create: %s", buf);
	CONTENT_STR(pathf("%s/held", d), "new");
	OK(close(fd));
	CHECK(eventually(only_new_file_left, dd, 10),
	      "after the last close only the new file is on the server");
	CONTENT_STR(pathf("%s/held", dd), "new");
	OK(unlink(pathf("%s/held", d)));
	CHECK(eventually(dir_is_empty, dd, 10), "server directory empty");
}

static void test_unlink_readonly(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat st;

	if (!test_dir(d, dd, "unlinkro"))
		return;
	/* POSIX (and git, which makes its objects 0444): a read-only file
	 * in a writable directory can be renamed and removed. */
	EQ(put(pathf("%s/a", d), "x"), 0);
	OK(chmod(pathf("%s/a", d), 0444));
	OK(rename(pathf("%s/a", d), pathf("%s/b", d)));
	CONTENT_STR(pathf("%s/b", dd), "x");
	OK(unlink(pathf("%s/b", d)));
	ERR(stat(pathf("%s/b", d), &st), ENOENT);
	ERR(stat(pathf("%s/b", dd), &st), ENOENT);
	EQ(put(pathf("%s/c", d), "y"), 0);
	OK(chmod(pathf("%s/c", d), 0444));
	EQ(put(pathf("%s/e", d), "z"), 0);
	OK(rename(pathf("%s/e", d), pathf("%s/c", d))); /* replace it */
	CONTENT_STR(pathf("%s/c", dd), "z");
}

/* ---------- rename ---------- */

static void test_rename(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat st, st2;

	if (!test_dir(d, dd, "rename"))
		return;
	EQ(put(pathf("%s/a", d), "AAA"), 0);
	EQ(put(pathf("%s/b", d), "B"), 0);
	OK(stat(pathf("%s/a", d), &st));
	OK(rename(pathf("%s/a", d), pathf("%s/b", d)));
	ERR(stat(pathf("%s/a", d), &st2), ENOENT);
	CONTENT_STR(pathf("%s/b", d), "AAA");
	if (OK(stat(pathf("%s/b", d), &st2)) == 0)
		EQ(st2.st_ino, st.st_ino);
	ERR(stat(pathf("%s/a", dd), &st2), ENOENT);
	CONTENT_STR(pathf("%s/b", dd), "AAA");
	OK(rename(pathf("%s/b", d), pathf("%s/b", d)));
	CONTENT_STR(pathf("%s/b", d), "AAA");

	EQ(put(pathf("%s/c", d), "C"), 0);
	ERR(renameat2(AT_FDCWD, pathf("%s/c", d), AT_FDCWD, pathf("%s/b", d),
		      RENAME_NOREPLACE),
	    EEXIST);
	CONTENT_STR(pathf("%s/b", dd), "AAA");
	CONTENT_STR(pathf("%s/c", dd), "C");
	OK(renameat2(AT_FDCWD, pathf("%s/c", d), AT_FDCWD, pathf("%s/c2", d),
		     RENAME_NOREPLACE));
	CONTENT_STR(pathf("%s/c2", dd), "C");

	/* A directory with contents, into another directory. */
	OK(mkdir(pathf("%s/d1", d), 0755));
	OK(mkdir(pathf("%s/d1/sub", d), 0755));
	EQ(put(pathf("%s/d1/sub/y", d), "why"), 0);
	OK(mkdir(pathf("%s/other", d), 0755));
	OK(rename(pathf("%s/d1", d), pathf("%s/other/d2", d)));
	ERR(stat(pathf("%s/d1", d), &st), ENOENT);
	CONTENT_STR(pathf("%s/other/d2/sub/y", d), "why");
	CONTENT_STR(pathf("%s/other/d2/sub/y", dd), "why");
	/* New files inside the moved directory go to the new place. */
	EQ(put(pathf("%s/other/d2/sub/z", d), "zed"), 0);
	CONTENT_STR(pathf("%s/other/d2/sub/z", dd), "zed");

	/* Onto a non-empty directory, across kinds, into itself. */
	OK(mkdir(pathf("%s/full", d), 0755));
	EQ(put(pathf("%s/full/x", d), "x"), 0);
	ERR2(rename(pathf("%s/other/d2", d), pathf("%s/full", d)), ENOTEMPTY,
	     EEXIST);
	CONTENT_STR(pathf("%s/full/x", dd), "x");
	CONTENT_STR(pathf("%s/other/d2/sub/y", dd), "why");
	ERR(rename(pathf("%s/b", d), pathf("%s/full", d)), EISDIR);
	ERR(rename(pathf("%s/full", d), pathf("%s/b", d)), ENOTDIR);
	ERR(rename(pathf("%s/other", d), pathf("%s/other/d2/in", d)), EINVAL);
	ERR(rename(pathf("%s/missing", d), pathf("%s/x", d)), ENOENT);
	ERR(rename(pathf("%s/b", d), pathf("%s/missing/x", d)), ENOENT);
	CONTENT_STR(pathf("%s/b", dd), "AAA");
}

static void test_rename_dir_onto_empty_dir(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat st;

	if (!test_dir(d, dd, "renameempty"))
		return;
	/* rename(2): a directory may replace an empty directory. */
	OK(mkdir(pathf("%s/src", d), 0755));
	EQ(put(pathf("%s/src/f", d), "f"), 0);
	OK(mkdir(pathf("%s/empty", d), 0755));
	OK(rename(pathf("%s/src", d), pathf("%s/empty", d)));
	ERR(stat(pathf("%s/src", d), &st), ENOENT);
	CONTENT_STR(pathf("%s/empty/f", d), "f");
	CONTENT_STR(pathf("%s/empty/f", dd), "f");
}

static void test_rename_over_open_file(void)
{
	char d[PATH_MAX], dd[PATH_MAX], buf[16] = "";
	int fd;

	if (!test_dir(d, dd, "renameopen"))
		return;
	/* An editor saves by renaming a new file over the old one while
	 * another program still reads the old one. */
	EQ(put(pathf("%s/target", d), "old"), 0);
	EQ(put(pathf("%s/tmp", d), "new"), 0);
	fd = OK(open(pathf("%s/target", d), O_RDONLY));
	OK(rename(pathf("%s/tmp", d), pathf("%s/target", d)));
	CONTENT_STR(pathf("%s/target", d), "new");
	CONTENT_STR(pathf("%s/target", dd), "new");
	if (fd >= 0) {
		EQ(pread(fd, buf, sizeof(buf), 0), 3);
		CHECK(!strcmp(buf, "old"), "holder reads the old file: %s",
		      buf);
		close(fd);
	}
	CHECK(eventually(dir_count_is_one, dd, 10),
	      "the replaced file is gone from the server after close");
}

/* ---------- links ---------- */

static void test_hard_link(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat a, b, da, db;

	if (!test_dir(d, dd, "link"))
		return;
	EQ(put(pathf("%s/a", d), "shared"), 0);
	OK(link(pathf("%s/a", d), pathf("%s/b", d)));
	if (OK(stat(pathf("%s/a", d), &a)) == 0 &&
	    OK(stat(pathf("%s/b", d), &b)) == 0) {
		EQ(a.st_nlink, 2);
		EQ(b.st_nlink, 2);
		EQ(a.st_ino, b.st_ino);
	}
	if (OK(stat(pathf("%s/a", dd), &da)) == 0 &&
	    OK(stat(pathf("%s/b", dd), &db)) == 0) {
		EQ(da.st_ino, db.st_ino);
		EQ(da.st_nlink, 2);
	}
	EQ(put(pathf("%s/b", d), "changed via b"), 0);
	CONTENT_STR(pathf("%s/a", d), "changed via b");
	ERR(link(pathf("%s/a", d), pathf("%s/b", d)), EEXIST);
	ERR(link(pathf("%s/missing", d), pathf("%s/c", d)), ENOENT);
	OK(mkdir(pathf("%s/dir", d), 0755));
	ERR(link(pathf("%s/dir", d), pathf("%s/dirlink", d)), EPERM);
	OK(link(pathf("%s/a", d), pathf("%s/dir/c", d)));
	CONTENT_STR(pathf("%s/dir/c", dd), "changed via b");
	OK(unlink(pathf("%s/a", d)));
	if (OK(stat(pathf("%s/b", d), &b)) == 0)
		EQ(b.st_nlink, 2);
	OK(unlink(pathf("%s/dir/c", d)));
	if (OK(stat(pathf("%s/b", d), &b)) == 0)
		EQ(b.st_nlink, 1);
	CONTENT_STR(pathf("%s/b", d), "changed via b");
	/*
	 * git's way to store an object: write a temporary name, link the
	 * final name, unlink the temporary one, at once.  The handle that
	 * wrote it (kept open under the lease) must not keep the temporary
	 * name alive on the server.
	 */
	EQ(put(pathf("%s/tmp_obj", d), "object"), 0);
	OK(link(pathf("%s/tmp_obj", d), pathf("%s/obj", d)));
	OK(unlink(pathf("%s/tmp_obj", d)));
	CHECK(!dir_holds(d, "tmp_obj") && dir_holds(d, "obj"),
	      "listing: the temporary name is gone, the link stays");
	CHECK(!dir_holds(dd, "tmp_obj") && dir_holds(dd, "obj"),
	      "server: the temporary name is gone, the link stays");
	CONTENT_STR(pathf("%s/obj", d), "object");
}

/* mfsymlinks is on by default: "nomfsymlinks" mounts without it. */
static bool nomfs_dir(const char *test, char *out, size_t size)
{
	if (!CHECK(fs_mount("ops-nomfs", "plain", "nomfsymlinks") == 0,
		   "mount with -o nomfsymlinks"))
		return false;
	snprintf(out, size, "%s/%s/%s", mnt_of("ops-nomfs"), TEST_BASE, test);
	return true;
}

static void test_symlink_without_mfsymlinks(void)
{
	char d[PATH_MAX], dd[PATH_MAX], n[PATH_MAX];
	struct stat st;

	if (!test_dir(d, dd, "nosymlink") ||
	    !nomfs_dir("nosymlink", n, sizeof(n)))
		return;
	ERR(symlink("target", pathf("%s/l", n)), EPERM);
	ERR(lstat(pathf("%s/l", n), &st), ENOENT);
	EQ(dir_count(dd), 0);
}

static void test_symlink_mfsymlinks(void)
{
	const char *target = "some dir/target file \xc3\xa9";
	char d[PATH_MAX], dd[PATH_MAX], m[PATH_MAX], buf[PATH_MAX], *raw;
	char n_dir[PATH_MAX], long_target[601];
	struct stat st;
	size_t n;
	ssize_t len;

	if (!test_dir(d, dd, "mfsymlink"))
		return;
	if (!CHECK(fs_mount("ops-mfs", "plain", "mfsymlinks") == 0,
		   "mount with -o mfsymlinks"))
		return;
	snprintf(m, sizeof(m), "%s/%s/mfsymlink", mnt_of("ops-mfs"), TEST_BASE);
	OK(symlink(target, pathf("%s/l", m)));
	if (OK(lstat(pathf("%s/l", m), &st)) == 0) {
		CHECK(S_ISLNK(st.st_mode), "lstat: a symlink (%o)", st.st_mode);
		EQ(st.st_size, strlen(target));
	}
	len = OK(readlink(pathf("%s/l", m), buf, sizeof(buf)));
	CHECK(len == (ssize_t)strlen(target) && !memcmp(buf, target, len),
	      "readlink gives the target back");
	ERR(stat(pathf("%s/l", m), &st), ENOENT); /* dangling */
	ERR(symlink("x", pathf("%s/l", m)), EEXIST);
	/* On the server: a Minshall+French file. */
	raw = slurp(pathf("%s/l", dd), &n);
	CHECK(raw && n == MFSYMLINK_FILE_SIZE && !memcmp(raw, "XSym\n", 5),
	      "server holds an XSym file of %d bytes", MFSYMLINK_FILE_SIZE);
	free(raw);
	/* Without mfsymlinks the same file is a plain file. */
	if (nomfs_dir("mfsymlink", n_dir, sizeof(n_dir)) &&
	    OK(lstat(pathf("%s/l", n_dir), &st)) == 0) {
		CHECK(S_ISREG(st.st_mode), "plain mount: a regular file");
		EQ(st.st_size, MFSYMLINK_FILE_SIZE);
	}
	/* Followed to a file and to a directory. */
	EQ(put(pathf("%s/file", m), "through the link"), 0);
	OK(symlink("file", pathf("%s/tofile", m)));
	CONTENT_STR(pathf("%s/tofile", m), "through the link");
	OK(mkdir(pathf("%s/dir", m), 0755));
	EQ(put(pathf("%s/dir/inner", m), "inner"), 0);
	OK(symlink("dir", pathf("%s/todir", m)));
	if (OK(stat(pathf("%s/todir", m), &st)) == 0)
		CHECK(S_ISDIR(st.st_mode), "link to a directory");
	CONTENT_STR(pathf("%s/todir/inner", m), "inner");
	ERR(readlink(pathf("%s/file", m), buf, sizeof(buf)), EINVAL);
	memset(long_target, 't', 600);
	long_target[600] = '\0';
	OK(symlink(long_target, pathf("%s/long", m)));
	len = OK(readlink(pathf("%s/long", m), buf, sizeof(buf)));
	CHECK(len == 600 && !memcmp(buf, long_target, 600), "600-byte target");
	OK(rename(pathf("%s/tofile", m), pathf("%s/renamed", m)));
	len = OK(readlink(pathf("%s/renamed", m), buf, sizeof(buf)));
	CHECK(len == 4 && !memcmp(buf, "file", 4), "readlink after rename");
	OK(unlink(pathf("%s/l", m)));
	ERR(stat(pathf("%s/l", dd), &st), ENOENT);
	CHECK(fs_umount("ops-mfs") == 0, "unmount the mfsymlinks mount");
	CHECK(fs_umount("ops-nomfs") == 0, "unmount the nomfsymlinks mount");
}

/* A symlink made on the server's disk (main() makes it as root). */
static void test_server_symlink(void)
{
	char buf[PATH_MAX], *p = pathf("%s/fsops-srv/link", env.mnt);
	struct stat st;
	ssize_t len;

	if (!CHECK(env.setup_as_root,
		   "fixture needs root: run as root (make check)"))
		return;
	if (OK(lstat(p, &st)) != 0)
		return;
	if (S_ISLNK(st.st_mode)) {
		len = OK(readlink(p, buf, sizeof(buf)));
		CHECK(len == 10 && !memcmp(buf, "target.txt", 10),
		      "server symlink's target");
	} else {
		CHECK(S_ISREG(st.st_mode), "server symlink followed: %o",
		      st.st_mode);
	}
	CONTENT_STR(p, "server target\n");
}

/* ---------- statfs, access ---------- */

static void test_statfs(void)
{
	struct statvfs sv, dv;

	if (OK(statvfs(env.mnt, &sv)) != 0 || OK(statvfs(env.disk, &dv)))
		return;
	CHECK(sv.f_blocks > 0, "f_blocks %lu", (unsigned long)sv.f_blocks);
	CHECK(sv.f_bsize > 0 && sv.f_frsize > 0, "block sizes");
	CHECK(sv.f_bfree <= sv.f_blocks && sv.f_bavail <= sv.f_blocks,
	      "free <= total");
	CHECK(sv.f_namemax >= 255, "f_namemax %lu",
	      (unsigned long)sv.f_namemax);
	/* The server reports its disk: sizes agree within 1%. */
	{
		double mine = (double)sv.f_blocks * sv.f_frsize;
		double disk = (double)dv.f_blocks * dv.f_frsize;

		CHECK(mine > disk * 0.99 && mine < disk * 1.01,
		      "size %.0f vs server disk %.0f", mine, disk);
	}
}

static void test_access(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f;

	if (!test_dir(d, dd, "access"))
		return;
	f = pathf("%s/f", d);
	EQ(put(f, "x"), 0);
	OK(access(f, F_OK));
	OK(access(f, R_OK | W_OK));
	OK(access(d, R_OK | W_OK | X_OK));
	OK(chmod(f, 0444));
	ERR(access(f, W_OK), EACCES);
	ERR(access(f, R_OK | W_OK), EACCES);
	OK(access(f, R_OK));
	ERR(access(pathf("%s/missing", d), R_OK), ENOENT);
	OK(chmod(f, 0644));
	OK(access(f, W_OK));
}

/* ---------- extended attributes ---------- */

static void test_xattr(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, buf[8192], list[4096];
	char bin[3000];
	ssize_t n;
	size_t i;

	if (!test_dir(d, dd, "xattr"))
		return;
	f = pathf("%s/f", d);
	EQ(put(f, "x"), 0);
	ERR(getxattr(f, "user.test", buf, sizeof(buf)), ENODATA);
	OK(setxattr(f, "user.test", "value1", 6, 0));
	n = OK(getxattr(f, "user.test", buf, sizeof(buf)));
	CHECK(n == 6 && !memcmp(buf, "value1", 6), "value back");
	EQ(getxattr(f, "user.test", NULL, 0), 6);
	ERR(getxattr(f, "user.test", buf, 2), ERANGE);
	ERR(setxattr(f, "user.test", "v", 1, XATTR_CREATE), EEXIST);
	ERR(setxattr(f, "user.other", "v", 1, XATTR_REPLACE), ENODATA);
	OK(setxattr(f, "user.test", "value2!", 7, XATTR_REPLACE));
	n = OK(getxattr(f, "user.test", buf, sizeof(buf)));
	CHECK(n == 7 && !memcmp(buf, "value2!", 7), "replaced value");
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 7); /* includes NUL bytes */
	OK(setxattr(f, "user.binary", bin, sizeof(bin), XATTR_CREATE));
	n = OK(getxattr(f, "user.binary", buf, sizeof(buf)));
	CHECK(n == (ssize_t)sizeof(bin) && !memcmp(buf, bin, sizeof(bin)),
	      "binary value back");

	n = OK(listxattr(f, list, sizeof(list)));
	{
		bool test = false, binary = false;
		ssize_t pos = 0;

		while (pos < n) {
			test |= !strcmp(list + pos, "user.test");
			binary |= !strcmp(list + pos, "user.binary");
			pos += (ssize_t)strlen(list + pos) + 1;
		}
		CHECK(test && binary, "listxattr names user.test, user.binary");
	}
	CHECK(listxattr(f, NULL, 0) == n, "listxattr size query");
	/* The server stored them as extended attributes of the file. */
	n = getxattr(pathf("%s/f", dd), "user.test", buf, sizeof(buf));
	CHECK(n == 7 && !memcmp(buf, "value2!", 7),
	      "server disk holds user.test (%zd)", n);

	OK(removexattr(f, "user.test"));
	ERR(getxattr(f, "user.test", buf, sizeof(buf)), ENODATA);
	ERR(removexattr(f, "user.test"), ENODATA);
	n = OK(getxattr(f, "user.binary", buf, sizeof(buf)));
	EQ(n, sizeof(bin));
	/* Directories hold them too. */
	OK(setxattr(d, "user.dir", "d", 1, 0));
	n = OK(getxattr(d, "user.dir", buf, sizeof(buf)));
	CHECK(n == 1 && buf[0] == 'd', "directory xattr");
	CONTENT_STR(f, "x");
}

/* ---------- fallocate, copy_file_range, lseek ---------- */

static void test_fallocate(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	const size_t len = 256 * 1024;
	uint8_t *want = malloc(len), *zeros = calloc(1, MIB);
	struct stat st;
	int fd;

	if (!want || !zeros)
		abort();
	if (!test_dir(d, dd, "fallocate"))
		goto out;
	fd = OK(open(pathf("%s/grow", d), O_RDWR | O_CREAT, 0644));
	if (fd >= 0) {
		EQ(write(fd, "head", 4), 4);
		OK(fallocate(fd, 0, 0, MIB));
		if (OK(fstat(fd, &st)) == 0)
			EQ(st.st_size, MIB);
		close(fd);
		memcpy(zeros, "head", 4);
		CONTENT_IS(pathf("%s/grow", d), zeros, MIB);
		CONTENT_IS(pathf("%s/grow", dd), zeros, MIB);
	}
	memset(want, 0xAA, len);
	EQ(put_bytes(pathf("%s/punch", d), want, len), 0);
	fd = OK(open(pathf("%s/punch", d), O_RDWR));
	if (fd >= 0) {
		OK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     64 * 1024, 64 * 1024));
		if (OK(fstat(fd, &st)) == 0)
			EQ(st.st_size, len);
		close(fd);
	}
	memset(want + 64 * 1024, 0, 64 * 1024);
	CONTENT_IS(pathf("%s/punch", d), want, len);
	CONTENT_IS(pathf("%s/punch", dd), want, len);
	/* KEEP_SIZE alone past the end leaves the size. */
	fd = OK(open(pathf("%s/punch", d), O_RDWR));
	if (fd >= 0) {
		OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, len, MIB));
		if (OK(fstat(fd, &st)) == 0)
			EQ(st.st_size, len);
		close(fd);
	}
	CONTENT_IS(pathf("%s/punch", dd), want, len);
out:
	free(want);
	free(zeros);
}

static bool copy_range(int in, off_t off_in, int out, off_t off_out, size_t len)
{
	while (len) {
		ssize_t n = copy_file_range(in, &off_in, out, &off_out, len, 0);

		if (n <= 0)
			return CHECK(false, "copy_file_range: %s",
				     n < 0 ? errname(errno) : "returned 0");
		len -= (size_t)n;
	}
	return true;
}

static void test_copy_file_range(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	const size_t len = 4 * MIB + 333;
	uint8_t *src = pattern(len, 11), *want = malloc(len);
	int in, out;

	if (!want)
		abort();
	if (!test_dir(d, dd, "copyrange"))
		goto out;
	OK(mkdir(pathf("%s/sub", d), 0755));
	EQ(put_bytes(pathf("%s/src", d), src, len), 0);
	in = OK(open(pathf("%s/src", d), O_RDONLY));
	out = OK(open(pathf("%s/sub/dst", d), O_RDWR | O_CREAT, 0644));
	if (in >= 0 && out >= 0) {
		copy_range(in, 0, out, 0, len);
		/* A piece at odd offsets over what is there. */
		copy_range(in, 100, out, 5000, 70000);
	}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	memcpy(want, src, len);
	memcpy(want + 5000, src + 100, 70000);
	CONTENT_IS(pathf("%s/sub/dst", d), want, len);
	CONTENT_IS(pathf("%s/sub/dst", dd), want, len);
	CONTENT_IS(pathf("%s/src", dd), src, len);
out:
	free(src);
	free(want);
}

static void test_seek_data_hole(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	const off_t far = 8 * MIB, size = far + 4096;
	uint8_t *data = pattern(4096, 5);
	off_t hole, next;
	int fd;

	if (!test_dir(d, dd, "seek"))
		goto out;
	fd = OK(open(pathf("%s/sparse", d), O_RDWR | O_CREAT, 0644));
	if (fd < 0)
		goto out;
	EQ(pwrite(fd, data, 4096, 0), 4096);
	EQ(pwrite(fd, data, 4096, far), 4096);
	OK(fsync(fd));
	/* Whatever the server made sparse, data offsets are data. */
	EQ(lseek(fd, 0, SEEK_DATA), 0);
	EQ(lseek(fd, 100, SEEK_DATA), 100);
	EQ(lseek(fd, far, SEEK_DATA), far);
	EQ(lseek(fd, far + 100, SEEK_DATA), far + 100);
	hole = lseek(fd, 0, SEEK_HOLE);
	CHECK(hole >= 4096 && hole <= size, "first hole at %lld",
	      (long long)hole);
	if (hole >= 4096 && hole < far) {
		/* A real hole: the next data is the far block. */
		next = lseek(fd, hole, SEEK_DATA);
		CHECK(next > hole && next <= far, "data after the hole at %lld",
		      (long long)next);
	}
	EQ(lseek(fd, far, SEEK_HOLE), size);
	ERR(lseek(fd, size, SEEK_DATA), ENXIO);
	ERR(lseek(fd, size + 10, SEEK_HOLE), ENXIO);
	close(fd);
out:
	free(data);
}

/* ---------- locks ---------- */

static int setlk(int fd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type,
			    .l_whence = SEEK_SET,
			    .l_start = start,
			    .l_len = len };

	return fcntl(fd, F_SETLK, &fl);
}

static void test_flock(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f;
	int fd1, fd2, st;
	pid_t pid;

	if (!test_dir(d, dd, "flock"))
		return;
	f = pathf("%s/f", d);
	EQ(put(f, "lock me"), 0);
	fd1 = OK(open(f, O_RDWR));
	fd2 = OK(open(f, O_RDWR));
	if (fd1 < 0 || fd2 < 0)
		goto out;
	OK(flock(fd1, LOCK_EX | LOCK_NB));
	ERR(flock(fd2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	ERR(flock(fd2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	/* Another process sees it too. */
	pid = fork();
	if (pid == 0) {
		int fd = open(f, O_RDONLY);

		_exit(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == -1 &&
				      errno == EWOULDBLOCK
			      ? 0
			      : 1);
	}
	if (OK(pid) > 0 && OK(waitpid(pid, &st, 0)) > 0)
		CHECK(WIFEXITED(st) && !WEXITSTATUS(st),
		      "child's flock conflicts");
	OK(flock(fd1, LOCK_UN));
	OK(flock(fd2, LOCK_EX | LOCK_NB));
	OK(flock(fd2, LOCK_UN));
	OK(flock(fd1, LOCK_SH | LOCK_NB));
	OK(flock(fd2, LOCK_SH | LOCK_NB));
	ERR(flock(fd2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	OK(flock(fd1, LOCK_UN));
	OK(flock(fd2, LOCK_EX | LOCK_NB)); /* upgrade once alone */
out:
	if (fd1 >= 0)
		close(fd1);
	if (fd2 >= 0)
		close(fd2);
}

/*
 * Child side of test_fcntl_locks: checks conflicts with the parent's lock
 * on [0, 100), says so on ready, waits for go (the parent unlocked), then
 * takes the range.  Exit status: 0, or the number of the failed step.
 */
static int fcntl_lock_child(const char *f, int ready_fd, int go_fd)
{
	struct flock fl = { .l_type = F_WRLCK,
			    .l_whence = SEEK_SET,
			    .l_start = 50,
			    .l_len = 10 };
	int fd = open(f, O_RDWR);
	char c = 'r';

	if (fd < 0)
		return 10;
	if (setlk(fd, F_WRLCK, 50, 10) != -1 || errno != EAGAIN)
		return 11;
	if (setlk(fd, F_RDLCK, 0, 10) != -1 || errno != EAGAIN)
		return 12;
	if (fcntl(fd, F_GETLK, &fl) || fl.l_type != F_WRLCK)
		return 13;
	if (setlk(fd, F_WRLCK, 100, 100))
		return 14; /* adjacent, not overlapping */
	if (write(ready_fd, &c, 1) != 1 || read(go_fd, &c, 1) != 1)
		return 15;
	if (setlk(fd, F_WRLCK, 50, 10))
		return 16;
	return 0;
}

static void test_fcntl_locks(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, c;
	int fd, ready[2], go[2], st;
	pid_t pid;

	if (!test_dir(d, dd, "fcntl"))
		return;
	f = pathf("%s/f", d);
	EQ(put(f, "0123456789"), 0);
	fd = OK(open(f, O_RDWR));
	if (fd < 0 || OK(pipe(ready)) || OK(pipe(go)))
		return;
	OK(setlk(fd, F_WRLCK, 0, 100));
	OK(setlk(fd, F_RDLCK, 0, 100)); /* own lock: converts, no conflict */
	OK(setlk(fd, F_WRLCK, 0, 100));
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		_exit(fcntl_lock_child(f, ready[1], go[0]));
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) == 1) { /* EOF: the child failed early */
		OK(setlk(fd, F_UNLCK, 0, 100));
		EQ(write(go[1], "g", 1), 1);
	}
	close(ready[0]);
	close(go[1]);
	if (OK(pid) > 0 && OK(waitpid(pid, &st, 0)) > 0)
		CHECK(WIFEXITED(st) && !WEXITSTATUS(st),
		      "child's byte-range lock steps: failed at step %d "
		      "(11/12 conflict not seen, 13 F_GETLK, 14 disjoint range "
		      "refused, 16 lock after unlock refused)",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(fd);
}

static bool eventually_flock(int fd)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return true;
		usleep(50000);
	}
	return false;
}

/*
 * SQLite's commit on one mount: two processes hold read locks on the same
 * range; one's upgrade to a write lock fails while the other reads, and
 * must succeed once the other has unlocked.
 */
static void test_lock_upgrade_after_conflict(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, c;
	int fd, ready[2], go[2], st;
	pid_t pid;

	if (!test_dir(d, dd, "lockupgrade"))
		return;
	f = pathf("%s/f", d);
	EQ(put(f, "0123456789"), 0);
	fd = OK(open(f, O_RDWR));
	if (fd < 0 || OK(pipe(ready)) || OK(pipe(go)))
		return;
	pid = fork();
	if (pid == 0) {
		int cfd = open(f, O_RDWR);
		int rc = cfd >= 0 && !setlk(cfd, F_RDLCK, 100, 10) ? 0 : 1;

		close(ready[0]);
		close(go[1]);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		if (setlk(cfd, F_UNLCK, 0, 1000))
			rc = 3;
		if (write(ready[1], "u", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(4);
		_exit(rc);
	}
	close(ready[1]);
	close(go[0]);
	if (OK(pid) > 0 && read(ready[0], &c, 1) == 1) {
		OK(setlk(fd, F_RDLCK, 100, 10));
		OK(setlk(fd, F_WRLCK, 5, 1));
		ERR(setlk(fd, F_WRLCK, 100, 10), EAGAIN);
		EQ(write(go[1], "g", 1), 1);
		EQ(read(ready[0], &c, 1), 1); /* the other unlocked */
		OK(setlk(fd, F_WRLCK, 100, 10));
		OK(setlk(fd, F_UNLCK, 0, 0));
		EQ(write(go[1], "g", 1), 1);
	}
	close(ready[0]);
	close(go[1]);
	if (pid > 0 && OK(waitpid(pid, &st, 0)) > 0)
		CHECK(WIFEXITED(st) && !WEXITSTATUS(st), "other process: %d",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(fd);
}

/*
 * Two mounts are two SMB sessions: a conflict between them is the
 * server's SMB2 LOCK at work, not the kernel's local lock table.
 */
static void test_locks_across_mounts(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *f, *g;
	int a = -1, b = -1;

	if (!test_dir(d, dd, "lockmounts"))
		return;
	EQ(put(pathf("%s/f", d), "shared by two mounts"), 0);
	if (!CHECK(fs_mount("ops-2", "plain", "") == 0, "second mount"))
		return;
	f = pathf("%s/f", d);
	g = pathf("%s/%s/lockmounts/f", mnt_of("ops-2"), TEST_BASE);
	a = OK(open(f, O_RDWR));
	b = OK(open(g, O_RDWR));
	if (a < 0 || b < 0)
		goto out;
	OK(setlk(a, F_WRLCK, 0, 100));
	ERR(setlk(b, F_WRLCK, 50, 10), EAGAIN);
	OK(setlk(b, F_WRLCK, 200, 10));
	ERR(setlk(a, F_WRLCK, 205, 1), EAGAIN);
	OK(setlk(a, F_UNLCK, 0, 100));
	OK(setlk(b, F_WRLCK, 50, 10));
	OK(setlk(b, F_UNLCK, 0, 0));
	OK(flock(a, LOCK_EX | LOCK_NB));
	ERR(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	OK(flock(a, LOCK_UN));
	OK(flock(b, LOCK_EX | LOCK_NB));
	close(b);
	b = -1;
	/*
	 * Closing the file releases the server's lock.  The kernel hands a
	 * flock's release to FUSE only inside the asynchronous RELEASE, so
	 * allow it a moment.
	 */
	CHECK(eventually_flock(a), "flock after the other mount's close");
	ERR(rename(f, pathf("%s/%s/lockmounts/g", mnt_of("ops-2"), TEST_BASE)),
	    EXDEV);
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	CHECK(fs_umount("ops-2") == 0, "unmount the second mount");
}

static void test_nobrl_keeps_locks_local(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *g;
	int a = -1, b = -1, b2 = -1;

	if (!test_dir(d, dd, "nobrl"))
		return;
	EQ(put(pathf("%s/f", d), "local locks"), 0);
	if (!CHECK(fs_mount("ops-nobrl", "plain", "nobrl") == 0,
		   "mount with -o nobrl"))
		return;
	g = pathf("%s/%s/nobrl/f", mnt_of("ops-nobrl"), TEST_BASE);
	a = OK(open(pathf("%s/f", d), O_RDWR));
	b = OK(open(g, O_RDWR));
	b2 = OK(open(g, O_RDWR));
	if (a >= 0 && b >= 0 && b2 >= 0) {
		OK(setlk(a, F_WRLCK, 0, 100));
		OK(setlk(b, F_WRLCK, 0, 100)); /* the server never sees it */
		OK(flock(b, LOCK_EX | LOCK_NB));
		/* Within the nobrl mount, locks still conflict. */
		ERR(flock(b2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	if (b2 >= 0)
		close(b2);
	CHECK(fs_umount("ops-nobrl") == 0, "unmount the nobrl mount");
}

/* ---------- inode numbers ---------- */

static void test_inode_stable(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat a, b, sub;
	struct dirent *de;
	int seen = 0;
	DIR *dir;

	if (!test_dir(d, dd, "ino"))
		return;
	EQ(put(pathf("%s/f", d), "x"), 0);
	OK(mkdir(pathf("%s/sub", d), 0755));
	if (OK(stat(pathf("%s/f", d), &a)) || OK(stat(pathf("%s/f", d), &b)) ||
	    OK(stat(pathf("%s/sub", d), &sub)))
		return;
	EQ(a.st_ino, b.st_ino);
	CHECK(a.st_ino != sub.st_ino, "different files, different numbers");
	/* readdir's d_ino agrees with stat. */
	dir = opendir(d);
	if (!CHECK(dir != NULL, "opendir"))
		return;
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, "f")) {
			EQ(de->d_ino, a.st_ino);
			seen++;
		} else if (!strcmp(de->d_name, "sub")) {
			EQ(de->d_ino, sub.st_ino);
			seen++;
		}
	}
	closedir(dir);
	EQ(seen, 2);
	OK(rename(pathf("%s/f", d), pathf("%s/sub/g", d)));
	if (OK(stat(pathf("%s/sub/g", d), &b)) == 0)
		EQ(b.st_ino, a.st_ino);
}

static void test_inode_across_remount(void)
{
	char d[PATH_MAX], dd[PATH_MAX];
	struct stat f0, s0, f1, s1;
	int round;

	if (!test_dir(d, dd, "inoremount"))
		return;
	EQ(put(pathf("%s/f", d), "x"), 0);
	OK(mkdir(pathf("%s/sub", d), 0755));
	if (OK(stat(pathf("%s/f", d), &f0)) ||
	    OK(stat(pathf("%s/sub", d), &s0)))
		return;
	for (round = 0; round < 2; round++) {
		if (!CHECK(fs_mount("ops-2", "plain", "") == 0,
			   "mount again (round %d)", round))
			return;
		if (OK(stat(pathf("%s/%s/inoremount/f", mnt_of("ops-2"),
				  TEST_BASE),
			    &f1)) == 0)
			EQ(f1.st_ino, f0.st_ino);
		if (OK(stat(pathf("%s/%s/inoremount/sub", mnt_of("ops-2"),
				  TEST_BASE),
			    &s1)) == 0)
			EQ(s1.st_ino, s0.st_ino);
		CHECK(fs_umount("ops-2") == 0, "unmount (round %d)", round);
	}
}

static void test_noserverino(void)
{
	char d[PATH_MAX], dd[PATH_MAX], *m;
	struct stat f0, s0, f1, f2, s1;

	if (!test_dir(d, dd, "noserverino"))
		return;
	EQ(put(pathf("%s/f", d), "x"), 0);
	OK(mkdir(pathf("%s/sub", d), 0755));
	if (OK(stat(pathf("%s/f", d), &f0)) ||
	    OK(stat(pathf("%s/sub", d), &s0)))
		return;
	if (!CHECK(fs_mount("ops-nsi", "plain", "noserverino") == 0,
		   "mount with -o noserverino"))
		return;
	m = pathf("%s/%s/noserverino", mnt_of("ops-nsi"), TEST_BASE);
	if (OK(stat(pathf("%s/f", m), &f1)) == 0 &&
	    OK(stat(pathf("%s/f", m), &f2)) == 0 &&
	    OK(stat(pathf("%s/sub", m), &s1)) == 0) {
		CHECK(f1.st_ino != f0.st_ino,
		      "local number %llu differs from the server's %llu",
		      (unsigned long long)f1.st_ino,
		      (unsigned long long)f0.st_ino);
		CHECK(s1.st_ino != s0.st_ino, "directory: local number");
		EQ(f1.st_ino, f2.st_ino);
		CHECK(f1.st_ino != s1.st_ino, "distinct local numbers");
	}
	CHECK(fs_umount("ops-nsi") == 0, "unmount the noserverino mount");
}

/* ---------- names ---------- */

static const char *const awkward_names[] = {
	"back\\slash",
	"co:lon",
	"st*ar",
	"ques?tion",
	"dq\"uote",
	"lt<and>gt",
	"pi|pe",
	"trailing dot.",
	"trailing space ",
	"...",
	" leading space",
	"new\nline",
	"-leading-dash",
	"utf8-\xc3\xa4\xc3\xb6\xc3\xbc-\xe6\x97\xa5\xe6\x9c\xac-\xc3\xb1",
	"emoji-\xf0\x9f\x98\x80-\xf0\x9f\x8e\x89",
	"all \\:*?\"<>| of them .",
};

#define N_AWKWARD (sizeof(awkward_names) / sizeof(awkward_names[0]))

/* UTF-8 of U+F000 + c, the mapping cifs.ko's mapposix uses. */
static size_t put_pua(char *o, unsigned int cp)
{
	o[0] = (char)(0xE0 | (cp >> 12));
	o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[2] = (char)(0x80 | (cp & 0x3F));
	return 3;
}

/*
 * The name the server stores for a Linux name: \ : * ? " < > | become
 * U+F020.., a trailing space U+F028 and a trailing dot U+F029.
 * Control characters may travel as they are or as U+F001..U+F01F:
 * ctl_mapped selects which.
 */
static void server_name(const char *name, bool ctl_mapped, char *out)
{
	static const char map[] = "\"*:<>?\\|";
	size_t len = strlen(name), i, n = 0;

	for (i = 0; i < len; i++) {
		char c = name[i];
		const char *m = c ? strchr(map, c) : NULL;

		if (m)
			n += put_pua(out + n, 0xF020 + (unsigned int)(m - map));
		else if (i == len - 1 && c == ' ')
			n += put_pua(out + n, 0xF028);
		else if (i == len - 1 && c == '.')
			n += put_pua(out + n, 0xF029);
		else if (ctl_mapped && c > 0 && c < 0x20)
			n += put_pua(out + n, 0xF000 + (unsigned int)c);
		else
			out[n++] = c;
	}
	out[n] = '\0';
}

static bool has_pua(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++)
		if (u[0] == 0xEF && u[1] == 0x80 && u[2] >= 0x80 &&
		    u[2] <= 0xBF)
			return true;
	return false;
}

static bool on_disk(const char *disk_dir, const char *name)
{
	char mapped[1024], raw_ctl[1024];

	server_name(name, true, mapped);
	server_name(name, false, raw_ctl);
	return dir_holds(disk_dir, mapped) || dir_holds(disk_dir, raw_ctl);
}

static void test_awkward_names(void)
{
	char d[PATH_MAX], dd[PATH_MAX], renamed[600], **v;
	struct stat st;
	size_t i;
	int n, k;

	if (!test_dir(d, dd, "names"))
		return;
	for (i = 0; i < N_AWKWARD; i++) {
		int rc = put(pathf("%s/%s", d, awkward_names[i]),
			     awkward_names[i]);

		CHECK(rc == 0, "create [%s]: %s", awkward_names[i],
		      rc ? errname(-rc) : "ok");
	}
	n = list_dir(d, &v);
	EQ(n, N_AWKWARD);
	for (i = 0; i < N_AWKWARD; i++)
		CHECK(names_hold(v, n, awkward_names[i]), "listed: [%s]",
		      awkward_names[i]);
	for (k = 0; k < n; k++)
		CHECK(!has_pua(v[k]),
		      "no private-use character reaches Linux: [%s]", v[k]);
	free_names(v, n > 0 ? n : 0);
	for (i = 0; i < N_AWKWARD; i++) {
		const char *name = awkward_names[i];

		if (OK(stat(pathf("%s/%s", d, name), &st)) == 0)
			EQ(st.st_size, strlen(name));
		CONTENT_STR(pathf("%s/%s", d, name), name);
		CHECK(on_disk(dd, name), "server stores [%s] mapped", name);
		snprintf(renamed, sizeof(renamed), "r-%s", name);
		OK(rename(pathf("%s/%s", d, name), pathf("%s/%s", d, renamed)));
		CONTENT_STR(pathf("%s/%s", d, renamed), name);
		CHECK(dir_holds(d, renamed), "listed after rename: [%s]",
		      renamed);
		CHECK(on_disk(dd, renamed), "server has [%s]", renamed);
		OK(unlink(pathf("%s/%s", d, renamed)));
		ERR(stat(pathf("%s/%s", d, renamed), &st), ENOENT);
	}
	EQ(dir_count(d), 0);
	EQ(dir_count(dd), 0);
	/* A directory with such a name holds files like any other. */
	OK(mkdir(pathf("%s/dir:with?chars.", d), 0755));
	EQ(put(pathf("%s/dir:with?chars./in|side ", d), "inside"), 0);
	CONTENT_STR(pathf("%s/dir:with?chars./in|side ", d), "inside");
	CHECK(dir_holds(pathf("%s/dir:with?chars.", d), "in|side "),
	      "listing inside a mapped directory");
	OK(unlink(pathf("%s/dir:with?chars./in|side ", d)));
	OK(rmdir(pathf("%s/dir:with?chars.", d)));
	EQ(dir_count(dd), 0);
}

/*
 * The share is case-insensitive: a name differing only in case from an
 * existing entry must never replace or truncate that entry.
 */
static void test_case_collisions(void)
{
	char d[PATH_MAX], dd[PATH_MAX], **v;
	struct stat st;
	int n;

	if (!test_dir(d, dd, "case"))
		return;
	EQ(put(pathf("%s/CaseFoo", d), "A"), 0);
	ERR(open(pathf("%s/casefoo", d), O_WRONLY | O_CREAT | O_TRUNC, 0644),
	    EEXIST);
	ERR(open(pathf("%s/CASEFOO", d), O_WRONLY | O_CREAT | O_EXCL, 0644),
	    EEXIST);
	ERR(mkdir(pathf("%s/caseFOO", d), 0755), EEXIST);
	EQ(put(pathf("%s/other", d), "O"), 0);
	ERR(rename(pathf("%s/other", d), pathf("%s/casefoo", d)), EEXIST);
	ERR(link(pathf("%s/other", d), pathf("%s/casefoo", d)), EEXIST);
	CHECK(stat(pathf("%s/casefoo", d), &st) == -1,
	      "lookup of a case variant does not find CaseFoo");
	CONTENT_STR(pathf("%s/CaseFoo", d), "A");
	CONTENT_STR(pathf("%s/other", d), "O");
	n = list_dir(dd, &v);
	EQ(n, 2);
	CHECK(names_hold(v, n, "CaseFoo") && names_hold(v, n, "other"),
	      "server holds CaseFoo and other only");
	free_names(v, n > 0 ? n : 0);
	CONTENT_STR(pathf("%s/CaseFoo", dd), "A");
	/* Directories too. */
	OK(mkdir(pathf("%s/Dir", d), 0755));
	EQ(put(pathf("%s/Dir/in", d), "in"), 0);
	ERR(mkdir(pathf("%s/DIR", d), 0755), EEXIST);
	ERR(rename(pathf("%s/other", d), pathf("%s/dir", d)), EEXIST);
	CONTENT_STR(pathf("%s/Dir/in", dd), "in");
}

static void test_case_only_rename(void)
{
	char d[PATH_MAX], dd[PATH_MAX];

	if (!test_dir(d, dd, "caserename"))
		return;
	/* Renaming an entry to a case variant of its own name is no
	 * collision: the new spelling replaces the old. */
	EQ(put(pathf("%s/Readme", d), "text"), 0);
	OK(rename(pathf("%s/Readme", d), pathf("%s/README", d)));
	CHECK(dir_holds(d, "README") && !dir_holds(d, "Readme"),
	      "listing shows the new spelling");
	CHECK(dir_holds(dd, "README") && !dir_holds(dd, "Readme"),
	      "server shows the new spelling");
	CONTENT_STR(pathf("%s/README", d), "text");
}

/* ---------- workloads (tests/integration/fs/wl_*.sh) ---------- */

static void run_workload(const char *script)
{
	double t0 = (double)time(NULL);
	int rc = run("bash '%s/tests/integration/fs/%s'", env.root, script);

	printf("\n    %s: exit %d after %.0f s\n", script, rc,
	       (double)time(NULL) - t0);
	CHECK(rc == 0, "%s exited with status %d (see its output above)",
	      script, rc);
}

#define WORKLOAD(name)                           \
	static void test_wl_##name(void)         \
	{                                        \
		run_workload("wl_" #name ".sh"); \
	}

WORKLOAD(cp)
WORKLOAD(tar)
WORKLOAD(rsync)
WORKLOAD(git)
WORKLOAD(sqlite)
WORKLOAD(posix_locks)
WORKLOAD(bigfile)
WORKLOAD(case)
WORKLOAD(readonly)
WORKLOAD(busy_unmount)

/* ---------- registration ---------- */

static CU_TestInfo ops_tests[] = {
	{ "lookup and getattr", test_lookup_getattr },
	{ "truncate shrink and extend", test_truncate },
	{ "chmod maps to the read-only attribute", test_chmod_readonly },
	{ "utimensat with UTIME_NOW and UTIME_OMIT", test_utimens },
	{ "chown to self works, to others EPERM", test_chown },
	{ "readdir of 1000 entries", test_readdir_1000 },
	{ "mkdir and rmdir", test_mkdir_rmdir },
	{ "EISDIR and ENOTDIR", test_eisdir },
	{ "ENAMETOOLONG", test_enametoolong },
	{ "open O_EXCL O_TRUNC O_APPEND", test_open_flags },
	{ "read and write at offsets", test_read_write_offsets },
	{ "fsync reaches the server", test_fsync },
	{ "unlink of an open file", test_unlink_open_file },
	{ "unlink and rename of read-only files", test_unlink_readonly },
	{ "rename", test_rename },
	{ "rename a directory onto an empty one",
	  test_rename_dir_onto_empty_dir },
	{ "rename over an open file", test_rename_over_open_file },
	{ "hard links", test_hard_link },
	{ "symlink without mfsymlinks: EPERM",
	  test_symlink_without_mfsymlinks },
	{ "symlinks with mfsymlinks", test_symlink_mfsymlinks },
	{ "server-side symlink readable", test_server_symlink },
	{ "statfs", test_statfs },
	{ "access", test_access },
	{ "user xattrs", test_xattr },
	{ "fallocate and punch hole", test_fallocate },
	{ "copy_file_range", test_copy_file_range },
	{ "SEEK_DATA and SEEK_HOLE", test_seek_data_hole },
	{ "flock", test_flock },
	{ "fcntl byte-range locks", test_fcntl_locks },
	{ "lock upgrade after a conflict (sqlite's commit)",
	  test_lock_upgrade_after_conflict },
	{ "locks across two mounts (SMB2 LOCK)", test_locks_across_mounts },
	{ "nobrl keeps locks local", test_nobrl_keeps_locks_local },
	{ "inode numbers stable", test_inode_stable },
	{ "inode numbers across a remount", test_inode_across_remount },
	{ "noserverino gives local numbers", test_noserverino },
	{ "awkward names round-trip", test_awkward_names },
	{ "case collisions never lose data", test_case_collisions },
	{ "case-only rename of one file", test_case_only_rename },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo workload_tests[] = {
	{ "cp -a of 5000 files and back", test_wl_cp },
	{ "tar create and extract", test_wl_tar },
	{ "rsync -a twice", test_wl_rsync },
	{ "git init, commit, clone, fsck", test_wl_git },
	{ "sqlite3: writers on one mount, one process, two mounts",
	  test_wl_sqlite },
	{ "POSIX locks as on a local file system, and a second client",
	  test_wl_posix_locks },
	{ "1 GiB file checksum", test_wl_bigfile },
	{ "case collisions from the shell", test_wl_case },
	{ "read-only share and ro mount", test_wl_readonly },
	{ "unmount with files open", test_wl_busy_unmount },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo all_suites[] = {
	{ "ops", ops_init, ops_cleanup, NULL, NULL, ops_tests },
	{ "workloads", NULL, NULL, NULL, NULL, workload_tests },
	CU_SUITE_INFO_NULL,
};

/* Any comma-separated word of list occurs in name. */
static bool matches(const char *list, const char *name)
{
	char *copy = strdup(list), *save = NULL, *w;
	bool hit = false;

	if (!copy)
		abort();
	for (w = strtok_r(copy, ",", &save); w && !hit;
	     w = strtok_r(NULL, ",", &save))
		hit = strstr(name, w) != NULL;
	free(copy);
	return hit;
}

/*
 * FS_SUITES (suite names) and FS_TESTS (words of test names, e.g.
 * FS_TESTS=rsync,xattr) narrow a run by hand.
 */
static bool listed(const char *list, const char *name)
{
	size_t len = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		bool start = p == list || p[-1] == ',';
		bool end = p[len] == '\0' || p[len] == ',';

		if (start && end)
			return true;
		p += len;
	}
	return false;
}

static void select_tests(CU_SuiteInfo *suites)
{
	const char *want_suites = getenv("FS_SUITES");
	const char *want_tests = getenv("FS_TESTS");
	CU_SuiteInfo *s, *out = suites;

	for (s = suites; s->pName; s++) {
		CU_TestInfo *t, *t_out = s->pTests;

		if (want_suites && !listed(want_suites, s->pName))
			continue;
		for (t = s->pTests; want_tests && t->pName; t++)
			if (matches(want_tests, t->pName))
				*t_out++ = *t;
		if (want_tests) {
			*t_out = (CU_TestInfo)CU_TEST_INFO_NULL;
			if (t_out == s->pTests)
				continue;
		}
		*out++ = *s;
	}
	*out = (CU_SuiteInfo)CU_SUITE_INFO_NULL;
}

/* ---------- setup as root, then the test user for good ---------- */

static const char *need(const char *name)
{
	const char *v = getenv(name);

	if (!v || !*v) {
		fprintf(stderr,
			"%s is not set: run through scripts/run-tests.sh (make "
			"check)\n",
			name);
		exit(2);
	}
	return v;
}

/* The server-side symlink fixture: only root can write the share's
 * directory behind the server's back. */
static int make_root_fixtures(void)
{
	char *dir = pathf("%s/fsops-srv", env.disk), *t;
	struct stat share;
	int rc = 0;

	if (stat(env.disk, &share))
		return -errno;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	t = pathf("%s/target.txt", dir);
	rc = put(t, "server target\n");
	unlink(pathf("%s/link", dir));
	if (!rc && symlink("target.txt", pathf("%s/link", dir)))
		rc = -errno;
	if (!rc && (chown(dir, share.st_uid, share.st_gid) ||
		    chown(t, share.st_uid, share.st_gid) ||
		    lchown(pathf("%s/link", dir), share.st_uid, share.st_gid)))
		rc = -errno;
	return rc;
}

static int drop_to_test_user(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw)
		return -ENOENT;
	if (initgroups(user, pw->pw_gid) ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		return -errno;
	if (!geteuid() || !getuid())
		return -EPERM;
	/* Changing credentials made the process non-dumpable; the leak
	 * checker needs to inspect its own threads. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", user, 1);
	setenv("LOGNAME", user, 1);
	return 0;
}

int main(void)
{
	const char *user;
	char scratch[PATH_MAX];
	int rc;

	env.root = need("SMBFS_ROOT");
	env.mnt_dir = need("SMB_MNT_DIR");
	env.disk = need("SMB_SHARE_PATH_PLAIN");
	user = getenv("SMB_TEST_USER") ? getenv("SMB_TEST_USER") : "smbfstest";
	need("SMB_HOST");
	need("SMB_PORT");
	snprintf(env.mnt, sizeof(env.mnt), "%s/%s", env.mnt_dir, MAIN_MNT);
	if (!getenv("FS_SCRATCH")) {
		snprintf(scratch, sizeof(scratch), "%s/fs-scratch",
			 getenv("SMB_TMPDIR") ? getenv("SMB_TMPDIR") : "/tmp");
		setenv("FS_SCRATCH", scratch, 1);
	}
	setenv("LC_ALL", "C", 1);
	if (run("bash '%s/tests/integration/fs/fsmount.sh' prepare",
		env.root)) {
		fprintf(stderr, "fsmount.sh prepare failed\n");
		return 2;
	}
	if (geteuid() == 0) {
		rc = make_root_fixtures();
		if (rc)
			fprintf(stderr, "server symlink fixture: %s\n",
				strerror(-rc));
		env.setup_as_root = rc == 0;
		rc = drop_to_test_user(user);
		if (rc) {
			fprintf(stderr, "cannot become %s: %s\n", user,
				strerror(-rc));
			return 2;
		}
	}
	select_tests(all_suites);
	return cunit_run(all_suites);
}
