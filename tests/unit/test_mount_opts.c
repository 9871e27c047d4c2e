// SPDX-License-Identifier: GPL-2.0-or-later
/* smbfs-mount command line: UNC, -o options, credentials, passwords. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cunit_main.h"
#include "smbfs/mount_opts.h"

#define SCRUB_CHILD_FLAG "--scrub-child"

static char errbuf[512];

/* ---------------------------------------------------------------- UNC */

static void unc_ok(const char *in, const char *host, uint16_t port,
		   const char *share, const char *subdir, const char *display)
{
	struct smbfs_unc u;
	int ret = smbfs_unc_parse(&u, in, errbuf, sizeof(errbuf));

	CU_ASSERT_EQUAL(ret, 0);
	if (ret) {
		fprintf(stderr, "\n%s: %s\n", in, errbuf);
		return;
	}
	CU_ASSERT_STRING_EQUAL(u.host, host);
	CU_ASSERT_EQUAL(u.port, port);
	CU_ASSERT_STRING_EQUAL(u.share, share);
	CU_ASSERT_STRING_EQUAL(u.subdir, subdir);
	CU_ASSERT_STRING_EQUAL(u.display, display);
	smbfs_unc_free(&u);
	CU_ASSERT_PTR_NULL(u.host);
}

static void test_unc_forms(void)
{
	unc_ok("//server/share", "server", 0, "share", "", "//server/share");
	unc_ok("//server/share/", "server", 0, "share", "", "//server/share");
	unc_ok("//server/share/sub/dir", "server", 0, "share", "sub/dir",
	       "//server/share");
	unc_ok("//server/share//a///b/", "server", 0, "share", "a/b",
	       "//server/share");
	unc_ok("//server:1445/share", "server", 1445, "share", "",
	       "//server/share");
	unc_ok("//127.0.0.1:65535/C$", "127.0.0.1", 65535, "C$", "",
	       "//127.0.0.1/C$");
	unc_ok("//[::1]/share", "::1", 0, "share", "", "//[::1]/share");
	unc_ok("//[fe80::1%lo]:8445/data/x y", "fe80::1%lo", 8445, "data",
	       "x y", "//[fe80::1%lo]/data");
	unc_ok("\\\\host\\share\\sub", "host", 0, "share", "sub",
	       "//host/share");
	unc_ok("\\\\host:99\\My Share\\a\\b", "host", 99, "My Share", "a/b",
	       "//host/My Share");
	unc_ok("//my-host.example_1/share/..a/b..", "my-host.example_1", 0,
	       "share", "..a/b..", "//my-host.example_1/share");
}

static void unc_bad(const char *in, const char *msg_part)
{
	struct smbfs_unc u;
	int ret;

	errbuf[0] = '\0';
	ret = smbfs_unc_parse(&u, in, errbuf, sizeof(errbuf));
	CU_ASSERT_EQUAL(ret, -EINVAL);
	CU_ASSERT_PTR_NULL(u.host);
	CU_ASSERT_PTR_NULL(u.share);
	CU_ASSERT_PTR_NULL(u.subdir);
	CU_ASSERT_PTR_NULL(u.display);
	CU_ASSERT(strncmp(errbuf, "smbfs-mount: ", 13) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, msg_part));
	if (!strstr(errbuf, msg_part))
		fprintf(stderr, "\n%s -> '%s', wanted '%s'\n", in, errbuf,
			msg_part);
}

static void test_unc_rejected(void)
{
	unc_bad("", "not a UNC path");
	unc_bad("server/share", "not a UNC path");
	unc_bad("/server/share", "not a UNC path");
	unc_bad("smb://server/share", "not a UNC path");
	unc_bad("//", "empty host");
	unc_bad("///share", "empty host");
	unc_bad("//:445/share", "empty host");
	unc_bad("//server", "missing share");
	unc_bad("//server/", "empty share");
	unc_bad("//server//share", "empty share");
	unc_bad("//server:/share", "bad port");
	unc_bad("//server:0/share", "bad port");
	unc_bad("//server:65536/share", "bad port");
	unc_bad("//server:99999999/share", "bad port");
	unc_bad("//server:-1/share", "bad port");
	unc_bad("//server:12a/share", "bad port");
	unc_bad("//[::1]:/share", "bad port");
	unc_bad("//[::1]:70000/share", "bad port");
	unc_bad("//[::1/share", "missing ']'");
	unc_bad("//[zz::1]/share", "bad IPv6");
	unc_bad("//[]/share", "bad IPv6");
	unc_bad("//[::1]x/share", "unexpected text");
	unc_bad("//::1/share", "brackets");
	unc_bad("//fe80::1:445/share", "brackets");
	unc_bad("//ho st/share", "bad host name");
	unc_bad("//host;rm/share", "bad host name");
	unc_bad("//host/sh*re", "bad share name");
	unc_bad("//host/a:b", "bad share name");
	unc_bad("//host/share/../etc", "'..'");
	unc_bad("//host/share/a/..", "'..'");
	unc_bad("//host/share/./a", "'.'");
	unc_bad("\\\\host\\share\\..\\x", "'..'");
}

/* ------------------------------------------------------------ options */

static int parse(struct smbfs_mount_opts *o, const char *s)
{
	errbuf[0] = '\0';
	return smbfs_opts_parse(o, s, errbuf, sizeof(errbuf));
}

static void test_opts_defaults(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_PTR_NULL(o.username);
	CU_ASSERT_PTR_NULL(o.password);
	CU_ASSERT_PTR_NULL(o.domain);
	CU_ASSERT_PTR_NULL(o.credentials);
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_UNSET);
	CU_ASSERT_EQUAL(o.port, 0);
	CU_ASSERT_EQUAL(o.min_dialect, 0x0210);
	CU_ASSERT_EQUAL(o.max_dialect, 0x0311);
	CU_ASSERT_EQUAL(o.sec, SMBFS_SEC_NTLMSSP);
	CU_ASSERT_FALSE(o.sign);
	CU_ASSERT_FALSE(o.seal);
	CU_ASSERT_FALSE(o.guest);
	CU_ASSERT_EQUAL(o.uid, getuid());
	CU_ASSERT_EQUAL(o.gid, getgid());
	CU_ASSERT_FALSE(o.uid_set || o.gid_set || o.forceuid || o.forcegid);
	CU_ASSERT_EQUAL(o.file_mode, 0755);
	CU_ASSERT_EQUAL(o.dir_mode, 0755);
	CU_ASSERT_FALSE(o.readonly || o.noperm || o.nobrl || o.mfsymlinks);
	CU_ASSERT_EQUAL(o.cache, SMBFS_CACHE_STRICT);
	CU_ASSERT_EQUAL(o.actimeo, 1);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, false), 1);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, true), 1);
	CU_ASSERT_EQUAL(o.rsize, 0);
	CU_ASSERT_EQUAL(o.wsize, 0);
	CU_ASSERT_FALSE(o.noserverino);
	CU_ASSERT_EQUAL(o.echo_interval, 60);
	CU_ASSERT_TRUE(o.soft);
	CU_ASSERT_EQUAL(o.retrans, 1);
	CU_ASSERT_EQUAL(o.softtimeo, 10);
	CU_ASSERT_EQUAL(o.threads, 10);
	CU_ASSERT_EQUAL(o.max_threads, 64);
	CU_ASSERT_EQUAL(o.closetimeo, 1);
	CU_ASSERT_EQUAL(o.dirwatch, 32);
	CU_ASSERT_FALSE(o.nolease);
	CU_ASSERT_FALSE(o.nocase);
	CU_ASSERT_TRUE(o.mapposix);
	CU_ASSERT_FALSE(o.allow_other || o.allow_root ||
			o.default_permissions || o.auto_unmount);
	CU_ASSERT_FALSE(o.noexec || o.nosuid || o.nodev || o.noatime);
	CU_ASSERT_FALSE(smbfs_opts_signing_required(&o));
	CU_ASSERT_EQUAL(parse(&o, NULL), 0);
	CU_ASSERT_EQUAL(parse(&o, ""), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)), 0);
	smbfs_opts_free(&o);
}

static void test_opts_identity(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "username=alice,password=p w;x"), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "alice");
	CU_ASSERT_STRING_EQUAL(o.password, "p w;x");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_OPTION);
	CU_ASSERT_TRUE(o.username_from_cmdline);
	CU_ASSERT_EQUAL(parse(&o, "user=bob,pass=,dom=CORP"), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "bob");
	CU_ASSERT_STRING_EQUAL(o.password, "");
	CU_ASSERT_STRING_EQUAL(o.domain, "CORP");
	CU_ASSERT_EQUAL(parse(&o, "workgroup=WG"), 0);
	CU_ASSERT_STRING_EQUAL(o.domain, "WG");
	CU_ASSERT_EQUAL(parse(&o, "domain=D2,credentials=/etc/c"), 0);
	CU_ASSERT_STRING_EQUAL(o.domain, "D2");
	CU_ASSERT_STRING_EQUAL(o.credentials, "/etc/c");
	/* "user" alone is the fstab flag and leaves the name alone. */
	CU_ASSERT_EQUAL(parse(&o, "user"), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "bob");
	smbfs_opts_free(&o);
	CU_ASSERT_PTR_NULL(o.password);
	CU_ASSERT_PTR_NULL(o.username);

	/* DOMAIN/user and DOMAIN\user; an explicit domain= wins. */
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "user=SALES/carol"), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "carol");
	CU_ASSERT_STRING_EQUAL(o.domain, "SALES");
	CU_ASSERT_EQUAL(parse(&o, "domain=HR"), 0);
	CU_ASSERT_STRING_EQUAL(o.domain, "HR");
	smbfs_opts_free(&o);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "domain=HR,username=SALES\\dave"), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "dave");
	CU_ASSERT_STRING_EQUAL(o.domain, "HR");
	CU_ASSERT_EQUAL(parse(&o, "username="), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: bad value for username: ''");
	CU_ASSERT_EQUAL(parse(&o, "user=DOM/"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "credentials="), -EINVAL);
	smbfs_opts_free(&o);
}

static void test_opts_password_limits(void)
{
	struct smbfs_mount_opts o;
	char opt[SMBFS_PASSWORD_MAX + 32];

	smbfs_opts_init(&o);
	strcpy(opt, "password=");
	memset(opt + 9, 'p', SMBFS_PASSWORD_MAX);
	opt[9 + SMBFS_PASSWORD_MAX] = '\0';
	CU_ASSERT_EQUAL(parse(&o, opt), 0);
	CU_ASSERT_EQUAL(strlen(o.password), SMBFS_PASSWORD_MAX);
	strcat(opt, "q");
	CU_ASSERT_EQUAL(parse(&o, opt), -EINVAL);
	/* The message never repeats a password. */
	CU_ASSERT_PTR_NULL(strstr(errbuf, "ppp"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "password"));
	smbfs_opts_free(&o);
}

static void test_opts_connection(void)
{
	static const struct {
		const char *vers;
		uint16_t min, max;
	} vers[] = {
		{ "2.0", 0x0202, 0x0202 },     { "2.0.2", 0x0202, 0x0202 },
		{ "2.1", 0x0210, 0x0210 },     { "3.0", 0x0300, 0x0300 },
		{ "3.0.2", 0x0302, 0x0302 },   { "3.1.1", 0x0311, 0x0311 },
		{ "3.11", 0x0311, 0x0311 },    { "3", 0x0300, 0x0311 },
		{ "default", 0x0210, 0x0311 },
	};
	struct smbfs_mount_opts o;
	char opt[64];
	size_t i;

	smbfs_opts_init(&o);
	for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
		snprintf(opt, sizeof(opt), "vers=%s", vers[i].vers);
		CU_ASSERT_EQUAL(parse(&o, opt), 0);
		CU_ASSERT_EQUAL(o.min_dialect, vers[i].min);
		CU_ASSERT_EQUAL(o.max_dialect, vers[i].max);
	}
	CU_ASSERT_EQUAL(parse(&o, "vers=1.0"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "bad value for vers: '1.0'"));
	CU_ASSERT_EQUAL(parse(&o, "vers=3.1"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "port=1445"), 0);
	CU_ASSERT_EQUAL(o.port, 1445);
	CU_ASSERT_EQUAL(parse(&o, "port=0"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "port=65536"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "port=+5"), -EINVAL);
	CU_ASSERT_EQUAL(o.port, 1445);

	CU_ASSERT_EQUAL(parse(&o, "sec=ntlmsspi"), 0);
	CU_ASSERT_EQUAL(o.sec, SMBFS_SEC_NTLMSSPI);
	CU_ASSERT_TRUE(smbfs_opts_signing_required(&o));
	CU_ASSERT_EQUAL(parse(&o, "sec=none"), 0);
	CU_ASSERT_EQUAL(o.sec, SMBFS_SEC_NONE);
	CU_ASSERT_EQUAL(parse(&o, "sec=krb5i"), 0);
	CU_ASSERT_EQUAL(o.sec, SMBFS_SEC_KRB5I);
	CU_ASSERT_EQUAL(parse(&o, "sec=krb5"), 0);
	CU_ASSERT_EQUAL(o.sec, SMBFS_SEC_KRB5);
	CU_ASSERT_EQUAL(parse(&o, "sec=ntlmv2"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "sec=ntlmssp,sign,seal,guest"), 0);
	CU_ASSERT_EQUAL(o.sec, SMBFS_SEC_NTLMSSP);
	CU_ASSERT_TRUE(o.sign && o.seal && o.guest);
	CU_ASSERT_TRUE(smbfs_opts_signing_required(&o));

	CU_ASSERT_EQUAL(parse(&o, "echo_interval=600,hard"), 0);
	CU_ASSERT_EQUAL(o.echo_interval, 600);
	CU_ASSERT_FALSE(o.soft);
	CU_ASSERT_EQUAL(parse(&o, "soft"), 0);
	CU_ASSERT_TRUE(o.soft);
	CU_ASSERT_EQUAL(parse(&o, "echo_interval=0"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "echo_interval=601"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "echo_interval=1"), 0);
	CU_ASSERT_EQUAL(o.echo_interval, 1);
	CU_ASSERT_EQUAL(parse(&o, "retrans=0,softtimeo=3600"), 0);
	CU_ASSERT_EQUAL(o.retrans, 0);
	CU_ASSERT_EQUAL(o.softtimeo, 3600);
	CU_ASSERT_EQUAL(parse(&o, "retrans=101"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "softtimeo=0"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "softtimeo=3601"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "softtimeo=x"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "threads=4,max_threads=128"), 0);
	CU_ASSERT_EQUAL(o.threads, 4);
	CU_ASSERT_EQUAL(o.max_threads, 128);
	CU_ASSERT_EQUAL(parse(&o, "threads=0"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "nolease,closetimeo=0,dirwatch=0"), 0);
	CU_ASSERT_TRUE(o.nolease);
	CU_ASSERT_EQUAL(o.closetimeo, 0);
	CU_ASSERT_EQUAL(o.dirwatch, 0);
	CU_ASSERT_EQUAL(parse(&o, "closetimeo=3601"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "dirwatch=1025"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "max_threads=1025"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "rsize=65536,wsize=16777216"), 0);
	CU_ASSERT_EQUAL(o.rsize, 65536);
	CU_ASSERT_EQUAL(o.wsize, 16777216);
	CU_ASSERT_EQUAL(parse(&o, "rsize=0"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "wsize=4294967296"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "wsize=-1"), -EINVAL);
	smbfs_opts_free(&o);
}

static void test_opts_ownership(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "uid=1000,gid=100,forceuid,forcegid"), 0);
	CU_ASSERT_EQUAL(o.uid, 1000);
	CU_ASSERT_EQUAL(o.gid, 100);
	CU_ASSERT_TRUE(o.uid_set && o.gid_set && o.forceuid && o.forcegid);
	CU_ASSERT_EQUAL(parse(&o, "uid=root,gid=root"), 0);
	CU_ASSERT_EQUAL(o.uid, 0);
	CU_ASSERT_EQUAL(o.gid, 0);
	CU_ASSERT_EQUAL(parse(&o, "uid=4294967294"), 0);
	CU_ASSERT_EQUAL(o.uid, 4294967294u);
	CU_ASSERT_EQUAL(parse(&o, "uid=12abc"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: bad value for uid: '12abc'");
	CU_ASSERT_EQUAL(parse(&o, "uid=no_such_user_zz"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(errbuf, "bad value for uid: 'no_such_user_zz'"));
	CU_ASSERT_EQUAL(parse(&o, "gid=no_such_group_zz"), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "no such group"));
	CU_ASSERT_EQUAL(parse(&o, "uid=4294967295"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "gid=-1"), -EINVAL);
	CU_ASSERT_EQUAL(o.uid, 4294967294u);

	CU_ASSERT_EQUAL(parse(&o, "file_mode=0644,dir_mode=755"), 0);
	CU_ASSERT_EQUAL(o.file_mode, 0644);
	CU_ASSERT_EQUAL(o.dir_mode, 0755);
	CU_ASSERT_EQUAL(parse(&o, "dir_mode=07777"), 0);
	CU_ASSERT_EQUAL(o.dir_mode, 07777);
	CU_ASSERT_EQUAL(parse(&o, "file_mode=0648"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: bad value for file_mode: '0648' "
			       "(octal, at most 07777)");
	CU_ASSERT_EQUAL(parse(&o, "dir_mode=010000"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "noforceuid,noforcegid,noperm"), 0);
	CU_ASSERT_FALSE(o.forceuid || o.forcegid);
	CU_ASSERT_TRUE(o.noperm);
	CU_ASSERT_EQUAL(parse(&o, "perm"), 0);
	CU_ASSERT_FALSE(o.noperm);
	smbfs_opts_free(&o);
}

static void test_opts_behaviour(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "cache=loose"), 0);
	CU_ASSERT_EQUAL(o.cache, SMBFS_CACHE_LOOSE);
	CU_ASSERT_EQUAL(parse(&o, "cache=none"), 0);
	CU_ASSERT_EQUAL(o.cache, SMBFS_CACHE_NONE);
	CU_ASSERT_EQUAL(parse(&o, "cache=strict"), 0);
	CU_ASSERT_EQUAL(o.cache, SMBFS_CACHE_STRICT);
	CU_ASSERT_EQUAL(parse(&o, "cache=fast"), -EINVAL);

	CU_ASSERT_EQUAL(parse(&o, "actimeo=30"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, false), 30);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, true), 30);
	CU_ASSERT_EQUAL(parse(&o, "acdirmax=5"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, true), 5);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, false), 30);
	CU_ASSERT_EQUAL(parse(&o, "acregmax=0"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_attr_timeout(&o, false), 0);
	CU_ASSERT_EQUAL(parse(&o, "actimeo=4294967"), 0);
	CU_ASSERT_EQUAL(parse(&o, "actimeo=4294968"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "actimeo=1s"), -EINVAL);

	CU_ASSERT_EQUAL(parse(&o, "nobrl,mfsymlinks,noserverino,nocase,"
				  "nomapposix"),
			0);
	CU_ASSERT_TRUE(o.nobrl && o.mfsymlinks && o.noserverino && o.nocase);
	CU_ASSERT_FALSE(o.mapposix);
	CU_ASSERT_EQUAL(parse(&o, "brl,serverino,case,mapposix"), 0);
	CU_ASSERT_FALSE(o.nobrl || o.noserverino || o.nocase);
	CU_ASSERT_TRUE(o.mapposix);

	CU_ASSERT_EQUAL(parse(&o, "allow_other,default_permissions,"
				  "auto_unmount"),
			0);
	CU_ASSERT_TRUE(o.allow_other && o.default_permissions &&
		       o.auto_unmount);
	CU_ASSERT_EQUAL(parse(&o, "allow_root"), 0);
	CU_ASSERT_TRUE(o.allow_root);
	smbfs_opts_free(&o);
}

static void test_opts_mount_flags_and_fstab(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "ro,noexec,nosuid,nodev,noatime"), 0);
	CU_ASSERT_TRUE(o.readonly && o.noexec && o.nosuid && o.nodev &&
		       o.noatime);
	CU_ASSERT_EQUAL(parse(&o, "rw,exec,suid,dev,atime"), 0);
	CU_ASSERT_FALSE(o.readonly || o.noexec || o.nosuid || o.nodev ||
			o.noatime);
	CU_ASSERT_EQUAL(parse(&o, "_netdev,nofail,noauto,auto,user,users,"
				  "nouser,x-systemd.automount,"
				  "x-systemd.mount-timeout=30,"
				  "x-systemd.requires=network-online.target,"
				  "comment=a=b,defaults,relatime,diratime,"
				  "nodiratime"),
			0);
	CU_ASSERT_PTR_NULL(o.username);
	CU_ASSERT_FALSE(o.readonly);
	/* Empty items are skipped; several -o accumulate. */
	CU_ASSERT_EQUAL(parse(&o, ",,ro,,"), 0);
	CU_ASSERT_EQUAL(parse(&o, "uid=7"), 0);
	CU_ASSERT_TRUE(o.readonly);
	CU_ASSERT_EQUAL(o.uid, 7);
	smbfs_opts_free(&o);
}

static void test_opts_errors_name_option(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "ro,foo,rw"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf, "smbfs-mount: unknown option 'foo'");
	/* Options before the bad one took effect, later ones did not. */
	CU_ASSERT_TRUE(o.readonly);
	CU_ASSERT_EQUAL(parse(&o, "frobnicate=3"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: unknown option 'frobnicate'");
	CU_ASSERT_EQUAL(parse(&o, "ro=1"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: option 'ro' takes no value");
	CU_ASSERT_EQUAL(parse(&o, "uid"), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: option 'uid' needs a value");
	CU_ASSERT_EQUAL(parse(&o, "_netdev=1"), -EINVAL);
	CU_ASSERT_EQUAL(parse(&o, "Ro"), -EINVAL); /* names are exact */
	CU_ASSERT_EQUAL(parse(&o, "x"), -EINVAL);
	smbfs_opts_free(&o);
}

static void test_opts_check(void)
{
	struct smbfs_mount_opts o;

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "sec=krb5"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)),
			-EOPNOTSUPP);
	CU_ASSERT_STRING_EQUAL(errbuf,
			       "smbfs-mount: Kerberos is not supported yet");
	CU_ASSERT_EQUAL(parse(&o, "sec=krb5i"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)),
			-EOPNOTSUPP);
	CU_ASSERT_EQUAL(parse(&o, "sec=ntlmssp,seal"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)),
			-EOPNOTSUPP);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not supported yet"));
	smbfs_opts_free(&o);

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "allow_other,allow_root"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)), -EINVAL);
	smbfs_opts_free(&o);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "guest,sec=none"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf, "smbfs-mount: guest cannot be combined "
				       "with sec=none");
	CU_ASSERT_EQUAL(parse(&o, "sec=ntlmsspi"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)), 0);
	smbfs_opts_free(&o);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "threads=20,max_threads=8"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_check(&o, errbuf, sizeof(errbuf)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(errbuf, "smbfs-mount: threads=20 is more than "
				       "max_threads=8");
	smbfs_opts_free(&o);
}

static void test_opts_describe_hides_password(void)
{
	struct smbfs_mount_opts o;
	char buf[1024];

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "user=u1,password=Hunter2,uid=5,ro"), 0);
	CU_ASSERT_EQUAL(smbfs_opts_describe(&o, buf, sizeof(buf)), 0);
	CU_ASSERT_PTR_NULL(strstr(buf, "Hunter2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "username=u1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "uid=5"));
	CU_ASSERT_EQUAL(smbfs_opts_describe(&o, buf, 10), -ENOSPC);
	smbfs_opts_free(&o);
}

static void test_exit_codes(void)
{
	CU_ASSERT_EQUAL(SMBFS_EXIT_OK, 0);
	CU_ASSERT_EQUAL(SMBFS_EXIT_USAGE, 1);
	CU_ASSERT_EQUAL(SMBFS_EXIT_CONNECT, 2);
	CU_ASSERT_EQUAL(SMBFS_EXIT_AUTH, 3);
	CU_ASSERT_EQUAL(SMBFS_EXIT_SHARE, 4);
	CU_ASSERT_EQUAL(SMBFS_EXIT_MOUNTPOINT, 5);
	CU_ASSERT_EQUAL(SMBFS_EXIT_FUSE, 6);
	CU_ASSERT_EQUAL(SMBFS_EXIT_PROTOCOL, 7);
	CU_ASSERT_EQUAL(SMBFS_EXIT_UNSUPPORTED, 8);
}

/* -------------------------------------------------------- credentials */

static char tmpdir[64];

static int make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/smbfs-test-opts-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Writes a file with exactly this mode (umask does not apply). */
static const char *write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	CU_ASSERT_FATAL(fchmod(fd, mode) == 0);
	close(fd);
	return path;
}

static int load(struct smbfs_mount_opts *o, const char *path)
{
	errbuf[0] = '\0';
	return smbfs_credentials_load(o, path, errbuf, sizeof(errbuf));
}

static void test_cred_parse(void)
{
	struct smbfs_mount_opts o;
	const char *p;

	p = write_file("c1",
		       "# smbfs credentials\n"
		       "\n"
		       "   \t\n"
		       "username=CORP/alice\r\n"
		       "  # indented comment\n"
		       "password=a,b=c d ,\r\n",
		       0600);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "alice");
	CU_ASSERT_STRING_EQUAL(o.domain, "CORP");
	CU_ASSERT_STRING_EQUAL(o.password, "a,b=c d ,");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_CREDENTIALS);
	smbfs_opts_free(&o);

	p = write_file("c2", "user=WG\\bob\ndomain=OTHER\npass==x=", 0400);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "bob");
	CU_ASSERT_STRING_EQUAL(o.domain, "OTHER");
	CU_ASSERT_STRING_EQUAL(o.password, "=x=");
	smbfs_opts_free(&o);

	/* domain= first, then a prefixed name: domain= still wins. */
	p = write_file("c3", "domain=D1\nusername=D2/eve\npassword=\n", 0600);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "eve");
	CU_ASSERT_STRING_EQUAL(o.domain, "D1");
	CU_ASSERT_STRING_EQUAL(o.password, "");
	smbfs_opts_free(&o);

	p = write_file("c4", "username=x\nsecret=y\n", 0600);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "line 2: unknown key 'secret'"));
	smbfs_opts_free(&o);

	p = write_file("c5", "username x\n", 0600);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "line 1"));
	smbfs_opts_free(&o);
}

static void test_cred_cmdline_wins(void)
{
	struct smbfs_mount_opts o;
	const char *p = write_file("c6",
				   "username=FILEDOM/fileuser\n"
				   "password=filepw\n",
				   0600);

	/*
	 * The command-line user wins; the file's username line is skipped
	 * whole, so its DOMAIN/ prefix is not taken either.
	 */
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "user=cmduser,password=cmdpw"), 0);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "cmduser");
	CU_ASSERT_PTR_NULL(o.domain);
	CU_ASSERT_STRING_EQUAL(o.password, "cmdpw");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_OPTION);
	smbfs_opts_free(&o);

	p = write_file("c7", "username=fu\ndomain=FD\npassword=fp\n", 0600);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "domain=CD"), 0);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "fu");
	CU_ASSERT_STRING_EQUAL(o.domain, "CD");
	CU_ASSERT_STRING_EQUAL(o.password, "fp");
	smbfs_opts_free(&o);

	/* A DOMAIN/ prefix on the command line also beats domain= in a file. */
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "user=CMD/u"), 0);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.username, "u");
	CU_ASSERT_STRING_EQUAL(o.domain, "CMD");
	smbfs_opts_free(&o);
}

static void test_cred_permissions(void)
{
	struct smbfs_mount_opts o;
	char want[512], dir[128];
	const char *p;

	p = write_file("perm", "username=u\npassword=p\n", 0640);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, p), -EPERM);
	snprintf(want, sizeof(want),
		 "smbfs-mount: credentials file %s is readable by group or "
		 "others: chmod 600 %s",
		 p, p);
	CU_ASSERT_STRING_EQUAL(errbuf, want);
	CU_ASSERT_PTR_NULL(o.username);
	CU_ASSERT_PTR_NULL(o.password);
	CU_ASSERT_EQUAL(chmod(p, 0604), 0);
	CU_ASSERT_EQUAL(load(&o, p), -EPERM);
	CU_ASSERT_EQUAL(chmod(p, 0620), 0);
	CU_ASSERT_EQUAL(load(&o, p), -EPERM);
	CU_ASSERT_EQUAL(chmod(p, 0600), 0);
	CU_ASSERT_EQUAL(load(&o, p), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "p");
	smbfs_opts_free(&o);

	/* Owned by someone else (only root can set that up). */
	if (geteuid() == 0) {
		CU_ASSERT_EQUAL(chown(p, 12345, 12345), 0);
		smbfs_opts_init(&o);
		CU_ASSERT_EQUAL(load(&o, p), -EPERM);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not owned by"));
		smbfs_opts_free(&o);
	}

	snprintf(dir, sizeof(dir), "%s/dir", tmpdir);
	CU_ASSERT_EQUAL(mkdir(dir, 0700), 0);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(load(&o, dir), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not a regular file"));
	snprintf(dir, sizeof(dir), "%s/missing", tmpdir);
	CU_ASSERT_EQUAL(load(&o, dir), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cannot open"));
	smbfs_opts_free(&o);
}

/* ----------------------------------------------------------- password */

static void clear_pw_env(void)
{
	unsetenv("PASSWD");
	unsetenv("PASSWD_FD");
	unsetenv("PASSWD_FILE");
}

static int resolve(struct smbfs_mount_opts *o)
{
	errbuf[0] = '\0';
	return smbfs_resolve_password(o, errbuf, sizeof(errbuf));
}

/* Every source present; each step removes the winner and re-resolves. */
static void test_password_order(void)
{
	struct smbfs_mount_opts o;
	const char *cred = write_file("pwcred", "password=from-file\n", 0600);
	char credpath[128], fdstr[16], rest[16];
	const char *pwfile;
	int pfd[2];

	strcpy(credpath, cred);
	pwfile = write_file("pwfile", "from-pwfile\r\nsecond line\n", 0600);
	CU_ASSERT_FATAL(pipe(pfd) == 0);
	CU_ASSERT_FATAL(write(pfd[1], "from-fd\nrest", 12) == 12);
	snprintf(fdstr, sizeof(fdstr), "%d", pfd[0]);
	setenv("PASSWD", "from-env", 1);
	setenv("PASSWD_FD", fdstr, 1);
	setenv("PASSWD_FILE", pwfile, 1);

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "password=from-option"), 0);
	CU_ASSERT_EQUAL(parse(&o, "credentials="), -EINVAL);
	o.credentials = strdup(credpath);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "from-option");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_OPTION);
	smbfs_opts_free(&o);

	smbfs_opts_init(&o);
	o.credentials = strdup(credpath);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "from-file");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_CREDENTIALS);
	smbfs_opts_free(&o);

	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "from-env");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_ENV);
	smbfs_opts_free(&o);

	unsetenv("PASSWD");
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "from-fd");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_FD);
	smbfs_opts_free(&o);
	/* Only the first line was consumed from the descriptor. */
	close(pfd[1]);
	CU_ASSERT_EQUAL(read(pfd[0], rest, sizeof(rest)), 4);
	CU_ASSERT_EQUAL(memcmp(rest, "rest", 4), 0);
	close(pfd[0]);

	unsetenv("PASSWD_FD");
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "from-pwfile");
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_FILE);
	smbfs_opts_free(&o);
	clear_pw_env();
}

static void test_password_not_needed(void)
{
	struct smbfs_mount_opts o;

	setenv("PASSWD", "unused", 1);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "guest,password=x"), 0);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_NOT_NEEDED);
	CU_ASSERT_PTR_NULL(o.password);
	smbfs_opts_free(&o);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(parse(&o, "sec=none"), 0);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_EQUAL(o.pw_source, SMBFS_PW_NOT_NEEDED);
	smbfs_opts_free(&o);
	clear_pw_env();
}

static void test_password_source_errors(void)
{
	struct smbfs_mount_opts o;
	char longline[SMBFS_PASSWORD_MAX + 8];
	const char *p;
	int pfd[2];

	clear_pw_env();
	setenv("PASSWD_FD", "12x", 1);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "bad PASSWD_FD value '12x'"));
	smbfs_opts_free(&o);

	/* An over-long line is refused, not silently cut. */
	CU_ASSERT_FATAL(pipe(pfd) == 0);
	memset(longline, 'z', sizeof(longline));
	CU_ASSERT_FATAL(write(pfd[1], longline, sizeof(longline)) ==
			(ssize_t)sizeof(longline));
	close(pfd[1]);
	snprintf(longline, sizeof(longline), "%d", pfd[0]);
	setenv("PASSWD_FD", longline, 1);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), -EMSGSIZE);
	CU_ASSERT_PTR_NULL(o.password);
	smbfs_opts_free(&o);
	close(pfd[0]);
	unsetenv("PASSWD_FD");

	/* An empty PASSWD_FILE gives an empty password. */
	p = write_file("empty", "", 0600);
	setenv("PASSWD_FILE", p, 1);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), 0);
	CU_ASSERT_STRING_EQUAL(o.password, "");
	smbfs_opts_free(&o);
	setenv("PASSWD_FILE", "/nonexistent/pw", 1);
	smbfs_opts_init(&o);
	CU_ASSERT_EQUAL(resolve(&o), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "PASSWD_FILE"));
	smbfs_opts_free(&o);

	/* A 0644 credentials file stops resolution before any other source. */
	p = write_file("open", "password=x\n", 0644);
	setenv("PASSWD", "env", 1);
	smbfs_opts_init(&o);
	o.credentials = strdup(p);
	CU_ASSERT_EQUAL(resolve(&o), -EPERM);
	CU_ASSERT_PTR_NULL(o.password);
	smbfs_opts_free(&o);
	clear_pw_env();
}

/* Without a controlling terminal there is nobody to ask. */
static void test_password_no_tty(void)
{
	pid_t pid = fork();
	int status;

	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		struct smbfs_mount_opts o;
		int ret;

		setsid();
		clear_pw_env();
		smbfs_opts_init(&o);
		ret = resolve(&o);
		_exit(ret == -ENOTTY && strstr(errbuf, "no terminal") ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Opens a pty pair; the slave is not yet anyone's controlling tty. */
static int open_pty(int *master, char *slave_name, size_t len)
{
	*master = posix_openpt(O_RDWR | O_NOCTTY);
	if (*master < 0 || grantpt(*master) || unlockpt(*master) ||
	    ptsname_r(*master, slave_name, len))
		return -1;
	return 0;
}

/* Child side: the pty becomes the controlling terminal, then prompt. */
static void __attribute__((noreturn)) prompt_child(const char *slave_name)
{
	struct smbfs_mount_opts o;
	struct termios t;
	int s, ret;

	setsid();
	s = open(slave_name, O_RDWR);
	if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0)
		_exit(10);
	clear_pw_env();
	smbfs_opts_init(&o);
	if (parse(&o, "user=DOM/bob"))
		_exit(11);
	o.prompt_target = "//h/s";
	ret = resolve(&o);
	if (ret || o.pw_source != SMBFS_PW_PROMPT)
		_exit(12);
	if (strcmp(o.password, "pty secret"))
		_exit(13);
	if (tcgetattr(s, &t) < 0 || !(t.c_lflag & ECHO))
		_exit(14);
	smbfs_opts_free(&o);
	_exit(0);
}

/* Reads from the pty master until want is seen (or 5 s pass). */
static size_t read_until(int master, char *buf, size_t size, const char *want)
{
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	size_t len = 0;

	buf[0] = '\0';
	while (len < size - 1 && (!want || !strstr(buf, want))) {
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			break;
		n = read(master, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return len;
}

static void test_password_prompt_no_echo(void)
{
	char slave[64], out[1024];
	int master, status;
	pid_t pid;

	CU_ASSERT_FATAL(open_pty(&master, slave, sizeof(slave)) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		prompt_child(slave);
	read_until(master, out, sizeof(out), ": ");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Password for DOM\\bob@//h/s: "));
	CU_ASSERT_EQUAL(write(master, "pty secret\n", 11), 11);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "\nprompt child status %d\n", status);
	read_until(master, out, sizeof(out), NULL);
	CU_ASSERT_PTR_NULL(strstr(out, "pty secret"));
	close(master);
}

/* Ctrl-C at the prompt: the process dies of SIGINT, echo comes back. */
static void test_password_prompt_interrupted(void)
{
	char slave[64], out[1024];
	struct termios t;
	int master, s, status;
	pid_t pid;

	CU_ASSERT_FATAL(open_pty(&master, slave, sizeof(slave)) == 0);
	s = open(slave, O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(s >= 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(s);
		prompt_child(slave);
	}
	read_until(master, out, sizeof(out), ": ");
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Password for"));
	CU_ASSERT_EQUAL(tcgetattr(s, &t), 0);
	CU_ASSERT_FALSE(t.c_lflag & ECHO); /* the prompt turned it off */
	CU_ASSERT_EQUAL(write(master, "\x03", 1), 1); /* VINTR */
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT);
	CU_ASSERT_EQUAL(tcgetattr(s, &t), 0);
	CU_ASSERT_TRUE(t.c_lflag & ECHO);
	close(s);
	close(master);
}

/* ------------------------------------------------------------ scrubbing */

static void test_scrub_argv_buffers(void)
{
	char a0[] = "smbfs-mount", a1[] = "//h/s", a2[] = "-o";
	char a3[] = "uid=1,password=hunter2,ro";
	char a4[] = "-opass=averyveryverylongsecret,gid=2";
	char a5[] = "-fo", a6[] = "password=abc", a7[] = "password=keep";
	char a8[] = "--", a9[] = "-o", a10[] = "password=after";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, NULL };
	size_t len4 = sizeof(a4);

	smbfs_scrub_argv(11, argv);
	CU_ASSERT_STRING_EQUAL(a3, "uid=1,password=*******,ro");
	CU_ASSERT_STRING_EQUAL(a4, "-opass=********,gid=2");
	/* The freed tail holds no leftover bytes of the secret. */
	CU_ASSERT_PTR_NULL(memmem(a4, len4, "secret", 6));
	CU_ASSERT_STRING_EQUAL(a6, "password=***");
	CU_ASSERT_STRING_EQUAL(a7, "password=keep");   /* not after -o */
	CU_ASSERT_STRING_EQUAL(a10, "password=after"); /* after "--" */
	CU_ASSERT_STRING_EQUAL(a1, "//h/s");
}

static char *read_proc(const char *path, size_t *len)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	*len = 0;
	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf + *len, sizeof(buf) - *len)) > 0)
		*len += (size_t)n;
	close(fd);
	return buf;
}

static bool proc_has(const char *path, const char *needle)
{
	size_t len;
	char *buf = read_proc(path, &len);

	return buf && memmem(buf, len, needle, strlen(needle));
}

/*
 * Runs in a re-executed copy of this program whose argv and environment
 * carry passwords; the exit code tells the parent which check failed.
 */
static int scrub_child(int argc, char **argv)
{
	const char *env = getenv("PASSWD");

	if (!env || strcmp(env, "Sekrit3"))
		return 20;
	if (!proc_has("/proc/self/cmdline", "Sekrit1") ||
	    !proc_has("/proc/self/cmdline", "Sekrit2") ||
	    !proc_has("/proc/self/environ", "Sekrit3"))
		return 21; /* the test could not have failed */
	smbfs_scrub_argv(argc, argv);
	smbfs_scrub_environ();
	if (proc_has("/proc/self/cmdline", "Sekrit"))
		return 22;
	if (proc_has("/proc/self/environ", "Sekrit"))
		return 23;
	if (getenv("PASSWD"))
		return 24;
	if (!proc_has("/proc/self/cmdline", "uid=1,password=*******,ro") ||
	    !proc_has("/proc/self/environ", "SMBFS_TEST_KEEP=1"))
		return 25;
	return 0;
}

static void test_scrub_proc(void)
{
	extern char **environ;
	char *argv[] = { "test_mount_opts",	      SCRUB_CHILD_FLAG, "-o",
			 "uid=1,password=Sekrit1,ro", "-opass=Sekrit2", NULL };
	char *envp[256];
	size_t n = 0;
	int status;
	pid_t pid;
	char **e;

	for (e = environ; *e && n < 250; e++)
		if (strncmp(*e, "PASSWD", 6))
			envp[n++] = *e;
	envp[n++] = "PASSWD=Sekrit3";
	envp[n++] = "SMBFS_TEST_KEEP=1";
	envp[n] = NULL;
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status));
	CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

/* --------------------------------------------------------------- main */

static int suite_setup(void)
{
	return make_tmpdir();
}

static int suite_teardown(void)
{
	clear_pw_env();
	return remove_tmpdir();
}

static CU_TestInfo unc_tests[] = {
	{ "UNC forms", test_unc_forms },
	{ "UNC rejections", test_unc_rejected },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo opt_tests[] = {
	{ "defaults", test_opts_defaults },
	{ "identity options", test_opts_identity },
	{ "password length limit", test_opts_password_limits },
	{ "connection options", test_opts_connection },
	{ "ownership and modes", test_opts_ownership },
	{ "cache and behaviour", test_opts_behaviour },
	{ "mount flags and fstab-only options",
	  test_opts_mount_flags_and_fstab },
	{ "errors name the option", test_opts_errors_name_option },
	{ "combination checks", test_opts_check },
	{ "describe hides the password", test_opts_describe_hides_password },
	{ "exit codes", test_exit_codes },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo cred_tests[] = {
	{ "file syntax and domain forms", test_cred_parse },
	{ "command line wins", test_cred_cmdline_wins },
	{ "permissions, owner, type", test_cred_permissions },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo pw_tests[] = {
	{ "source order", test_password_order },
	{ "guest and sec=none need none", test_password_not_needed },
	{ "source errors", test_password_source_errors },
	{ "no terminal", test_password_no_tty },
	{ "prompt without echo", test_password_prompt_no_echo },
	{ "prompt interrupted restores echo",
	  test_password_prompt_interrupted },
	{ "argv scrub on buffers", test_scrub_argv_buffers },
	{ "scrub seen through /proc", test_scrub_proc },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "unc", NULL, NULL, NULL, NULL, unc_tests },
	{ "options", NULL, NULL, NULL, NULL, opt_tests },
	{ "credentials", suite_setup, suite_teardown, NULL, NULL, cred_tests },
	{ "password", suite_setup, suite_teardown, NULL, NULL, pw_tests },
	CU_SUITE_INFO_NULL,
};

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], SCRUB_CHILD_FLAG))
		return scrub_child(argc, argv);
	return cunit_run(suites);
}
