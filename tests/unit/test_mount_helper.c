// SPDX-License-Identifier: GPL-2.0-or-later
/* smbfs-mount's command line, mountpoint checks and FUSE options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/mount/mount_helper.h"
#include "cunit_main.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static char err[512];

static void test_cmdline_any_order_and_clusters(void)
{
	char *argv[] = { "/usr/bin/smbfs-mount",
			 "-o",
			 "ro",
			 "//h/s",
			 "-fo",
			 "uid=1",
			 "/mnt",
			 "-s",
			 "-oguest" };
	struct smbfs_cmdline c;

	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(argv), argv, err, sizeof(err)), 0);
	CU_ASSERT_FALSE(c.helper);
	CU_ASSERT_STRING_EQUAL(c.unc, "//h/s");
	CU_ASSERT_STRING_EQUAL(c.mountpoint, "/mnt");
	CU_ASSERT_TRUE(c.foreground);
	CU_ASSERT_TRUE(c.single_thread);
	CU_ASSERT_FALSE(c.fake);
	CU_ASSERT_EQUAL(c.n_optlists, 3);
	if (c.n_optlists == 3) {
		CU_ASSERT_STRING_EQUAL(c.optlists[0], "ro");
		CU_ASSERT_STRING_EQUAL(c.optlists[1], "uid=1");
		CU_ASSERT_STRING_EQUAL(c.optlists[2], "guest");
	}
	smbfs_cmdline_free(&c);
}

static void test_cmdline_debug_implies_foreground(void)
{
	char *argv[] = { "smbfs-mount", "//h/s", "/mnt", "-d" };
	struct smbfs_cmdline c;

	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(argv), argv, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(c.debug);
	CU_ASSERT_TRUE(c.foreground);
	smbfs_cmdline_free(&c);
}

static void test_cmdline_errors(void)
{
	char *bad_flag[] = { "smbfs-mount", "//h/s", "/mnt", "-x" };
	char *extra[] = { "smbfs-mount", "//h/s", "/mnt", "/other" };
	char *no_mnt[] = { "smbfs-mount", "//h/s" };
	char *no_value[] = { "smbfs-mount", "//h/s", "/mnt", "-o" };
	char *long_opt[] = { "smbfs-mount", "--bogus", "//h/s", "/mnt" };
	char *help[] = { "smbfs-mount", "-h" };
	struct smbfs_cmdline c;

	CU_ASSERT_EQUAL(smbfs_cmdline_parse(&c, ARGC(bad_flag), bad_flag, err,
					    sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "smbfs-mount: unknown option '-x'");
	smbfs_cmdline_free(&c);
	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(extra), extra, err, sizeof(err)),
		-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/other"));
	smbfs_cmdline_free(&c);
	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(no_mnt), no_mnt, err, sizeof(err)),
		-EINVAL);
	smbfs_cmdline_free(&c);
	CU_ASSERT_EQUAL(smbfs_cmdline_parse(&c, ARGC(no_value), no_value, err,
					    sizeof(err)),
			-EINVAL);
	smbfs_cmdline_free(&c);
	CU_ASSERT_EQUAL(smbfs_cmdline_parse(&c, ARGC(long_opt), long_opt, err,
					    sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "--bogus"));
	smbfs_cmdline_free(&c);
	/* -h needs no UNC. */
	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(help), help, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(c.help);
	smbfs_cmdline_free(&c);
}

/* mount(8) runs: mount.smbfs SOURCE TARGET [-sfnv] [-o OPTS] [-t TYPE]. */
static void test_cmdline_helper_form(void)
{
	char *argv[] = { "/sbin/mount.smbfs",
			 "//h/s",
			 "/mnt",
			 "-s",
			 "-f",
			 "-n",
			 "-v",
			 "-o",
			 "rw,user",
			 "-t",
			 "smbfs" };
	struct smbfs_cmdline c;

	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(argv), argv, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(c.helper);
	CU_ASSERT_TRUE(c.sloppy);
	CU_ASSERT_TRUE(c.fake);
	CU_ASSERT_FALSE(c.foreground); /* -f is "fake" for mount helpers */
	CU_ASSERT_FALSE(c.single_thread);
	CU_ASSERT_TRUE(c.nomtab);
	CU_ASSERT_TRUE(c.verbose);
	CU_ASSERT_EQUAL(c.n_optlists, 1);
	smbfs_cmdline_free(&c);
}

static void test_apply_opts_sloppy_and_symfollow(void)
{
	char *strict[] = { "mount.smbfs", "//h/s", "/m", "-o", "bogus,uid=5" };
	char sloppy_opts[] = "bogus,uid=5,symfollow";
	char *sloppy[] = {
		"mount.smbfs", "//h/s", "/m", "-s", "-o", sloppy_opts
	};
	char *plain[] = { "smbfs-mount", "//h/s", "/m", "-o", "symfollow" };
	struct smbfs_mount_opts o;
	struct smbfs_cmdline c;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(strict), strict, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(smbfs_cmdline_apply_opts(&c, &o, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown option 'bogus'"));
	smbfs_cmdline_free(&c);
	smbfs_opts_free(&o);

	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(sloppy), sloppy, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(smbfs_cmdline_apply_opts(&c, &o, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(o.uid, 5);
	CU_ASSERT_TRUE(o.uid_set);
	smbfs_cmdline_free(&c);
	smbfs_opts_free(&o);

	/* Only mount(8) adds symfollow; typed by hand it is an error. */
	CU_ASSERT_EQUAL(
		smbfs_cmdline_parse(&c, ARGC(plain), plain, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(smbfs_cmdline_apply_opts(&c, &o, err, sizeof(err)),
			-EINVAL);
	smbfs_cmdline_free(&c);
	smbfs_opts_free(&o);
}

static void test_mountinfo_has(void)
{
	const char *mi = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
			 "40 22 0:40 / /tmp/my\\040mnt rw,nosuid shared:1 - "
			 "fuse.smbfs //h/s rw,user_id=0\n"
			 "41 22 0:41 / /tmp/other rw - fuse.sshfs x rw";

	CU_ASSERT_TRUE(smbfs_mountinfo_has(mi, "/tmp/my mnt", "fuse.smbfs"));
	CU_ASSERT_FALSE(
		smbfs_mountinfo_has(mi, "/tmp/my\\040mnt", "fuse.smbfs"));
	CU_ASSERT_FALSE(smbfs_mountinfo_has(mi, "/tmp/other", "fuse.smbfs"));
	CU_ASSERT_TRUE(smbfs_mountinfo_has(mi, "/tmp/other", "fuse.sshfs"));
	CU_ASSERT_FALSE(smbfs_mountinfo_has(mi, "/tmp", "fuse.smbfs"));
	CU_ASSERT_FALSE(smbfs_mountinfo_has("", "/", "proc"));
	CU_ASSERT_FALSE(smbfs_mountinfo_has("garbage\n", "/", "proc"));
}

static void test_fuse_optstr(void)
{
	struct smbfs_mount_opts o;
	char *s = NULL;

	smbfs_opts_init(&o);
	/* cifsacl (the default): the kernel checks the modes shown. */
	CU_ASSERT_EQUAL(smbfs_fuse_optstr(&o, "//h/s", false, &s), 0);
	CU_ASSERT_STRING_EQUAL(s,
			       "fsname=//h/s,subtype=smbfs,default_permissions");
	free(s);
	o.noperm = true;
	CU_ASSERT_EQUAL(smbfs_fuse_optstr(&o, "//h/s", false, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "fsname=//h/s,subtype=smbfs");
	free(s);
	o.noperm = false;
	o.cifsacl = false;
	CU_ASSERT_EQUAL(smbfs_fuse_optstr(&o, "//h/s", false, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "fsname=//h/s,subtype=smbfs");
	free(s);
	o.allow_root = o.default_permissions = o.noexec = o.noatime = true;
	CU_ASSERT_EQUAL(smbfs_fuse_optstr(&o, "//h/a,b", true, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "fsname=//h/a\\,b,subtype=smbfs,allow_root,"
				  "default_permissions,ro,noatime,noexec");
	free(s);
	smbfs_opts_free(&o);
}

static void test_subdir_to_smb(void)
{
	char *s = NULL;

	CU_ASSERT_EQUAL(smbfs_subdir_to_smb("", true, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	CU_ASSERT_EQUAL(smbfs_subdir_to_smb("a/b/c", true, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "a\\b\\c");
	free(s);
	/* ':' travels as U+F022 with mapposix (UTF-8 ef 80 a2). */
	CU_ASSERT_EQUAL(smbfs_subdir_to_smb("x:y", true, &s), 0);
	CU_ASSERT_STRING_EQUAL(s, "x\xef\x80\xa2y");
	free(s);
	s = NULL;
	CU_ASSERT_NOT_EQUAL(smbfs_subdir_to_smb("x:y", false, &s), 0);
	CU_ASSERT_PTR_NULL(s);
}

static void test_exit_codes(void)
{
	CU_ASSERT_EQUAL(smbfs_exit_for_session_error(-ECONNREFUSED),
			SMBFS_EXIT_CONNECT);
	CU_ASSERT_EQUAL(smbfs_exit_for_session_error(-ETIMEDOUT),
			SMBFS_EXIT_CONNECT);
	CU_ASSERT_EQUAL(smbfs_exit_for_session_error(-ENOENT),
			SMBFS_EXIT_CONNECT);
	CU_ASSERT_EQUAL(smbfs_exit_for_session_error(-EACCES), SMBFS_EXIT_AUTH);
	CU_ASSERT_EQUAL(smbfs_exit_for_session_error(-EPROTO),
			SMBFS_EXIT_PROTOCOL);
	CU_ASSERT_EQUAL(smbfs_exit_for_tree_error(-ENOENT), SMBFS_EXIT_SHARE);
	CU_ASSERT_EQUAL(smbfs_exit_for_tree_error(-EACCES), SMBFS_EXIT_SHARE);
	CU_ASSERT_EQUAL(smbfs_exit_for_tree_error(-ECONNRESET),
			SMBFS_EXIT_CONNECT);
	CU_ASSERT_EQUAL(smbfs_exit_for_tree_error(-EBADMSG),
			SMBFS_EXIT_PROTOCOL);
}

static void test_mountpoint_check(void)
{
	char dir[] = "/tmp/smbfs-mh-XXXXXX", file[64], *abs = NULL;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/file", dir);
	f = fopen(file, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);

	CU_ASSERT_EQUAL(smbfs_mountpoint_check(dir, &abs, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(abs, dir);
	free(abs);
	CU_ASSERT_EQUAL(smbfs_mountpoint_check(file, &abs, err, sizeof(err)),
			-ENOTDIR);
	CU_ASSERT_PTR_NULL(abs);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ": not a directory"));
	CU_ASSERT_EQUAL(smbfs_mountpoint_check("/nonexistent/x", &abs, err,
					       sizeof(err)),
			-ENOENT);
	/* mount.fuse3's drop_privileges passes an open /dev/fuse. */
	CU_ASSERT_EQUAL(
		smbfs_mountpoint_check("/dev/fd/7", &abs, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(abs, "/dev/fd/7");
	free(abs);
	unlink(file);
	rmdir(dir);
}

static CU_TestInfo cmdline_tests[] = {
	{ "any order and clusters", test_cmdline_any_order_and_clusters },
	{ "-d implies -f", test_cmdline_debug_implies_foreground },
	{ "errors", test_cmdline_errors },
	{ "mount.smbfs form", test_cmdline_helper_form },
	{ "sloppy and symfollow", test_apply_opts_sloppy_and_symfollow },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo mount_tests[] = {
	{ "mountinfo parsing", test_mountinfo_has },
	{ "FUSE option string", test_fuse_optstr },
	{ "subdir to SMB form", test_subdir_to_smb },
	{ "exit codes", test_exit_codes },
	{ "mountpoint checks", test_mountpoint_check },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mount command line", NULL, NULL, NULL, NULL, cmdline_tests },
	{ "mount helpers", NULL, NULL, NULL, NULL, mount_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return cunit_run(suites);
}
