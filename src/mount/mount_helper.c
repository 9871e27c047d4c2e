// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Command line, mountpoint checks and FUSE mount options of smbfs-mount
 * (see mount_helper.h).  Nothing here talks to a server.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fs/smbfs.h"
#include "mount_helper.h"

#define MOUNTINFO_MAX (4u << 20)

/* ---------------------------------------------------------- command line */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void smbfs_print_usage(const char *prog, bool to_stderr)
{
	static const char *const lines[] = {
		"",
		"UNC: //host/share[/dir], //host:port/share, "
		"//[ipv6]:port/share, \\\\host\\share",
		"  -o opts  mount options: username=, credentials=, uid=, "
		"ro...",
		"           (see smbfs-mount(8))",
		"  -f       stay in the foreground",
		"  -d       debug output (implies -f)",
		"  -s       single-threaded",
		"  -h       this help",
		"  -V       version",
		"Unmount with: fusermount3 -u MOUNTPOINT",
	};
	FILE *f = to_stderr ? stderr : stdout;
	size_t i;

	fprintf(f,
		"usage: %s UNC MOUNTPOINT [-o opt[,opt...]] [-f] [-d] [-s]\n",
		prog);
	fprintf(f, "       %s --stats MOUNTPOINT\n", prog);
	fprintf(f, "       %s -h | -V\n", prog);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(f, "%s\n", lines[i]);
}

static int cmdline_add_optlist(struct smbfs_cmdline *c, const char *list,
			       char *err, size_t errlen)
{
	const char **n = realloc(c->optlists, (c->n_optlists + 1) * sizeof(*n));

	if (!n) {
		smbfs_mount_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->optlists = n;
	c->optlists[c->n_optlists++] = list;
	return 0;
}

static int cmdline_positional(struct smbfs_cmdline *c, const char *arg,
			      char *err, size_t errlen)
{
	if (!c->unc) {
		c->unc = arg;
	} else if (!c->mountpoint) {
		c->mountpoint = arg;
	} else {
		smbfs_mount_errf(err, errlen, "unexpected argument '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

/* mount(8) external helper flags: -s sloppy, -f fake, -n, -v. */
static bool helper_flag(struct smbfs_cmdline *c, char f)
{
	bool *flag = f == 's'	? &c->sloppy
		     : f == 'f' ? &c->fake
		     : f == 'n' ? &c->nomtab
		     : f == 'v' ? &c->verbose
		     : f == 'h' ? &c->help
		     : f == 'V' ? &c->version
				: NULL;

	if (flag)
		*flag = true;
	return flag;
}

static bool mount_flag(struct smbfs_cmdline *c, char f)
{
	bool *flag = f == 'f'	? &c->foreground
		     : f == 'd' ? &c->debug
		     : f == 's' ? &c->single_thread
		     : f == 'h' ? &c->help
		     : f == 'V' ? &c->version
				: NULL;

	if (flag)
		*flag = true;
	if (c->debug)
		c->foreground = c->verbose = true;
	return flag;
}

/*
 * One flag character; *takes_value is set for -o, and in the helper form
 * for -t TYPE and -N NAMESPACE, which mount(8) may pass.
 */
static int cmdline_flag(struct smbfs_cmdline *c, char f, bool *takes_value,
			char *err, size_t errlen)
{
	*takes_value = f == 'o' || (c->helper && (f == 't' || f == 'N'));
	if (*takes_value)
		return 0;
	if (c->helper ? helper_flag(c, f) : mount_flag(c, f))
		return 0;
	smbfs_mount_errf(err, errlen, "unknown option '-%c'", f);
	return -EINVAL;
}

/* A "-xyz" cluster; the last flag may take a value ("-fo list"). */
static int cmdline_cluster(struct smbfs_cmdline *c, int argc, char **argv,
			   int *i, char *err, size_t errlen)
{
	const char *a = argv[*i];
	size_t k;

	for (k = 1; a[k]; k++) {
		bool takes_value;
		const char *val;
		int rc = cmdline_flag(c, a[k], &takes_value, err, errlen);

		if (rc)
			return rc;
		if (!takes_value)
			continue;
		if (a[k + 1]) {
			val = a + k + 1;
		} else if (*i + 1 < argc) {
			val = argv[++*i];
		} else {
			smbfs_mount_errf(err, errlen,
					 "option '-%c' needs a value", a[k]);
			return -EINVAL;
		}
		/* -t TYPE and -N NS come from mount(8): nothing to do. */
		return a[k] == 'o' ? cmdline_add_optlist(c, val, err, errlen)
				   : 0;
	}
	return 0;
}

int smbfs_cmdline_parse(struct smbfs_cmdline *c, int argc, char **argv,
			char *err, size_t errlen)
{
	bool options_done = false;
	int i, rc;

	memset(c, 0, sizeof(*c));
	c->helper = argc > 0 && !strcmp(base_name(argv[0]), SMBFS_HELPER_NAME);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options_done || a[0] != '-' || !a[1]) {
			rc = cmdline_positional(c, a, err, errlen);
		} else if (!strcmp(a, "--")) {
			options_done = true;
			rc = 0;
		} else if (!strcmp(a, "--help")) {
			c->help = true;
			rc = 0;
		} else if (!strcmp(a, "--version")) {
			c->version = true;
			rc = 0;
		} else if (!strcmp(a, "--stats")) {
			rc = 0;
			if (i + 1 < argc) {
				c->stats = argv[++i];
			} else {
				smbfs_mount_errf(err, errlen,
						 "--stats needs a mount point");
				rc = -EINVAL;
			}
		} else if (a[1] == '-') {
			smbfs_mount_errf(err, errlen, "unknown option '%s'", a);
			rc = -EINVAL;
		} else {
			rc = cmdline_cluster(c, argc, argv, &i, err, errlen);
		}
		if (rc)
			return rc;
	}
	if (c->help || c->version || c->stats)
		return 0;
	if (!c->unc || !c->mountpoint) {
		smbfs_mount_errf(err, errlen, "%s",
				 c->unc ? "no mountpoint given"
					: "no UNC (//host/share) given");
		return -EINVAL;
	}
	return 0;
}

void smbfs_cmdline_free(struct smbfs_cmdline *c)
{
	free(c->optlists);
	memset(c, 0, sizeof(*c));
}

/*
 * Sloppy and helper parsing work item by item.  The items are parsed one
 * at a time by the same parser, so the result is the same as for the
 * whole list; the copy may hold a password and is wiped.
 */
static int apply_items(const struct smbfs_cmdline *c, const char *list,
		       struct smbfs_mount_opts *o, char *err, size_t errlen)
{
	char *copy = strdup(list), *item, *next;
	size_t len = strlen(list);
	int rc = 0;

	if (!copy) {
		smbfs_mount_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (item = copy; item && !rc; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		/* util-linux 2.39+ adds it to user mounts' helper options. */
		if (!*item || !strcmp(item, "symfollow"))
			continue;
		rc = smbfs_opts_parse(o, item, err, errlen);
		if (rc == -EINVAL && c->sloppy &&
		    strstr(err, ": unknown option '")) {
			if (c->verbose)
				fprintf(stderr, "%s (ignored: sloppy)\n", err);
			rc = 0;
		}
	}
	explicit_bzero(copy, len);
	free(copy);
	return rc;
}

int smbfs_cmdline_apply_opts(const struct smbfs_cmdline *c,
			     struct smbfs_mount_opts *o, char *err,
			     size_t errlen)
{
	int i, rc;

	for (i = 0; i < c->n_optlists; i++) {
		if (c->helper)
			rc = apply_items(c, c->optlists[i], o, err, errlen);
		else
			rc = smbfs_opts_parse(o, c->optlists[i], err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------ mountpoint */

/* Decodes mountinfo's \ooo escapes in place. */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

/*
 * One line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE
 * SOURCE SUPER_OPTIONS (proc(5)).
 */
static bool mountinfo_line_matches(char *line, const char *path,
				   const char *fstype)
{
	char *field[5], *save = NULL, *tok, *type = NULL;
	int n = 0;

	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		if (n < 5) {
			field[n++] = tok;
		} else if (!strcmp(tok, "-")) {
			type = strtok_r(NULL, " ", &save);
			break;
		}
	}
	if (n < 5 || !type || strcmp(type, fstype))
		return false;
	mountinfo_unescape(field[4]);
	return !strcmp(field[4], path);
}

bool smbfs_mountinfo_has(const char *mountinfo, const char *path,
			 const char *fstype)
{
	const char *p = mountinfo;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char *line = strndup(p, len);
		bool hit;

		if (!line)
			return false;
		hit = mountinfo_line_matches(line, path, fstype);
		free(line);
		if (hit)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static char *read_mountinfo(void)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (!buf || fd < 0)
		goto fail;
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = cap < MOUNTINFO_MAX ? realloc(buf, cap * 2)
						       : NULL;

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* fusermount3's rule for users other than root (its check_perm()). */
static int mountpoint_user_allowed(const char *path, const struct stat *st,
				   char *err, size_t errlen)
{
	if (getuid() == 0)
		return 0;
	if ((st->st_mode & S_ISVTX) && st->st_uid != getuid()) {
		smbfs_mount_errf(err, errlen,
				 "%s: a sticky directory you do not own; "
				 "mount on a directory of your own",
				 path);
		return -EACCES;
	}
	if (access(path, W_OK) && st->st_uid != getuid()) {
		smbfs_mount_errf(err, errlen,
				 "%s: not yours and not writable by you; "
				 "mount on a directory of your own",
				 path);
		return -EACCES;
	}
	return 0;
}

static bool is_fuse_fd_path(const char *path)
{
	const char *p = path + strlen("/dev/fd/");

	if (strncmp(path, "/dev/fd/", strlen("/dev/fd/")) || !*p)
		return false;
	return strspn(p, "0123456789") == strlen(p);
}

int smbfs_mountpoint_check(const char *path, char **abs, char *err,
			   size_t errlen)
{
	struct stat st;
	char *mi;
	int rc;

	*abs = NULL;
	if (is_fuse_fd_path(path)) {
		*abs = strdup(path);
		return *abs ? 0 : -ENOMEM;
	}
	if (stat(path, &st)) {
		rc = -errno;
		if (rc == -ENOTCONN)
			smbfs_mount_errf(
				err, errlen,
				"%s: a FUSE mount whose daemon is gone "
				"is there; unmount it with "
				"fusermount3 -u %s",
				path, path);
		else
			smbfs_mount_errf(err, errlen, "%s: %s", path,
					 rc == -ENOENT ? "no such directory"
						       : strerror(-rc));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		smbfs_mount_errf(err, errlen, "%s: not a directory", path);
		return -ENOTDIR;
	}
	rc = mountpoint_user_allowed(path, &st, err, errlen);
	if (rc)
		return rc;
	*abs = realpath(path, NULL);
	if (!*abs) {
		rc = -errno;
		smbfs_mount_errf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	mi = read_mountinfo();
	if (mi && smbfs_mountinfo_has(mi, *abs, "fuse.smbfs")) {
		smbfs_mount_errf(err, errlen,
				 "%s: an smbfs share is already mounted there "
				 "(fusermount3 -u %s to unmount it)",
				 *abs, *abs);
		rc = -EBUSY;
	}
	free(mi);
	if (rc) {
		free(*abs);
		*abs = NULL;
	}
	return rc;
}

/* ---------------------------------------------------------- FUSE options */

int smbfs_fuse_optstr(const struct smbfs_mount_opts *o, const char *fsname,
		      bool read_only, char **out)
{
	const struct {
		bool on;
		const char *opt;
	} flags[] = {
		{ true, "subtype=smbfs" },
		{ o->allow_other, "allow_other" },
		/* libfuse 3 takes allow_root itself (see smbfs-mount(8)). */
		{ o->allow_root, "allow_root" },
		{ o->default_permissions, "default_permissions" },
		{ o->auto_unmount, "auto_unmount" },
		{ read_only, "ro" },
		{ o->noatime, "noatime" },
		{ o->nodev, "nodev" },
		{ o->nosuid, "nosuid" },
		{ o->noexec, "noexec" },
	};
	char *opts = NULL, *fsopt;
	size_t i;
	int rc;

	if (asprintf(&fsopt, "fsname=%s", fsname) < 0)
		return -ENOMEM;
	/* A share name may hold a comma: escape it for fuse_opt. */
	rc = fuse_opt_add_opt_escaped(&opts, fsopt);
	free(fsopt);
	for (i = 0; !rc && i < sizeof(flags) / sizeof(flags[0]); i++)
		if (flags[i].on)
			rc = fuse_opt_add_opt(&opts, flags[i].opt);
	if (rc) {
		free(opts);
		return -ENOMEM;
	}
	*out = opts;
	return 0;
}

int smbfs_subdir_to_smb(const char *subdir, bool mapposix, char **out)
{
	char *copy = strdup(subdir), *comp, *save = NULL, *res;
	size_t len = 0, cap = strlen(subdir) * 4 + 1;
	int rc = 0;

	res = malloc(cap);
	if (!copy || !res) {
		free(copy);
		free(res);
		return -ENOMEM;
	}
	res[0] = '\0';
	for (comp = strtok_r(copy, "/", &save); comp && !rc;
	     comp = strtok_r(NULL, "/", &save)) {
		char *smb;
		size_t n;

		rc = name_to_smb(comp, mapposix, &smb);
		if (rc)
			break;
		n = strlen(smb);
		/* Mapped characters take at most 3 UTF-8 bytes for 1. */
		if (len + n + 2 > cap) {
			rc = -ENAMETOOLONG;
		} else {
			if (len)
				res[len++] = '\\';
			memcpy(res + len, smb, n + 1);
			len += n;
		}
		free(smb);
	}
	free(copy);
	if (rc) {
		free(res);
		return rc;
	}
	*out = res;
	return 0;
}

/* ------------------------------------------------------------ exit codes */

static bool is_connection_error(int rc)
{
	switch (rc) {
	case -ECONNREFUSED:
	case -ETIMEDOUT:
	case -EHOSTUNREACH:
	case -EHOSTDOWN:
	case -ENETUNREACH:
	case -ENETDOWN:
	case -ECONNRESET:
	case -ECONNABORTED:
	case -EPIPE:
	case -ENOTCONN:
	case -EADDRNOTAVAIL:
		return true;
	}
	return false;
}

int smbfs_exit_for_session_error(int rc)
{
	/* The transport reports a host name it cannot resolve as ENOENT. */
	if (is_connection_error(rc) || rc == -ENOENT)
		return SMBFS_EXIT_CONNECT;
	switch (rc) {
	case -EACCES:
	case -EPERM:
	case -EKEYREJECTED:
	case -EKEYEXPIRED:
	case -EKEYREVOKED:
		return SMBFS_EXIT_AUTH;
	}
	return SMBFS_EXIT_PROTOCOL;
}

int smbfs_exit_for_tree_error(int rc)
{
	if (is_connection_error(rc))
		return SMBFS_EXIT_CONNECT;
	switch (rc) {
	case -ENOENT:
	case -ENOTDIR:
	case -EACCES:
	case -EPERM:
		return SMBFS_EXIT_SHARE;
	}
	return SMBFS_EXIT_PROTOCOL;
}
