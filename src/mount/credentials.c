// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Credentials files in the mount.cifs format:
 *
 *	username=DOMAIN/user	(or user=, or DOMAIN\user)
 *	password=anything, even commas = and spaces
 *	domain=WORKGROUP
 *
 * The file holds a password, so it is refused unless only its owner (the
 * caller or root) can read it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smbfs/mount_opts.h"

#define CRED_FILE_MAX (64 * 1024) /* far more than three short lines */

int smbfs_set_username(struct smbfs_mount_opts *o, const char *value,
		       bool from_cmdline, char *err, size_t errlen)
{
	const char *sep = strpbrk(value, "/\\");
	const char *user = sep ? sep + 1 : value;
	/*
	 * A domain= option beats a DOMAIN/ prefix, and anything on the
	 * command line beats the credentials file.
	 */
	bool take_domain =
		sep && !o->domain_from_cmdline && (from_cmdline || !o->domain);
	char *u, *d = NULL;

	if (!user[0] || strlen(user) > SMBFS_USERNAME_MAX ||
	    (sep && (size_t)(sep - value) > SMBFS_DOMAIN_MAX)) {
		smbfs_mount_errf(err, errlen, "bad value for username: '%s'",
				 value);
		return -EINVAL;
	}
	u = strdup(user);
	if (take_domain)
		d = strndup(value, (size_t)(sep - value));
	if (!u || (take_domain && !d)) {
		free(u);
		free(d);
		smbfs_mount_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	free(o->username);
	o->username = u;
	if (take_domain) {
		free(o->domain);
		o->domain = d;
	}
	if (from_cmdline) {
		o->username_from_cmdline = true;
		o->domain_from_cmdline |= take_domain;
	}
	return 0;
}

/* Owner, type and mode checks on the open file (no race with a rename). */
static int check_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int e = errno;

		smbfs_mount_errf(err, errlen, "cannot stat %s: %s", path,
				 strerror(e));
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		smbfs_mount_errf(err, errlen,
				 "credentials file %s is not a regular file",
				 path);
		return -EPERM;
	}
	if (st.st_uid != getuid() && st.st_uid != 0) {
		smbfs_mount_errf(err, errlen,
				 "credentials file %s is not owned by you or "
				 "root",
				 path);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		smbfs_mount_errf(err, errlen,
				 "credentials file %s is readable by group or "
				 "others: chmod 600 %s",
				 path, path);
		return -EPERM;
	}
	if (st.st_size > CRED_FILE_MAX) {
		smbfs_mount_errf(err, errlen, "credentials file %s is too big",
				 path);
		return -EFBIG;
	}
	return 0;
}

/* Reads all of fd into a NUL-terminated buffer of at most max bytes. */
static int read_all(int fd, size_t max, char **out)
{
	char *buf = malloc(max + 1);
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	while (len < max) {
		ssize_t n = read(fd, buf + len, max - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			explicit_bzero(buf, len);
			free(buf);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return (int)len;
}

static char *trim_left(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void trim_right(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int cred_line(struct smbfs_mount_opts *o, char *line, const char *path,
		     unsigned int lineno, char *err, size_t errlen)
{
	char *key = trim_left(line), *val;
	size_t n = strlen(key);

	if (n && key[n - 1] == '\r') /* files written on Windows */
		key[--n] = '\0';
	if (!key[0] || key[0] == '#')
		return 0;
	val = strchr(key, '=');
	if (!val) {
		smbfs_mount_errf(err, errlen, "%s line %u: expected key=value",
				 path, lineno);
		return -EINVAL;
	}
	*val++ = '\0';
	trim_right(key);
	if (!strcasecmp(key, "password") || !strcasecmp(key, "pass")) {
		/* The password is the rest of the line, exactly. */
		if (o->pw_source == SMBFS_PW_OPTION)
			return 0;
		if (strlen(val) > SMBFS_PASSWORD_MAX) {
			smbfs_mount_errf(err, errlen,
					 "%s line %u: password longer than %d "
					 "bytes",
					 path, lineno, SMBFS_PASSWORD_MAX);
			return -EINVAL;
		}
		if (o->password)
			explicit_bzero(o->password, strlen(o->password));
		free(o->password);
		o->password = strdup(val);
		if (!o->password)
			return -ENOMEM;
		o->pw_source = SMBFS_PW_CREDENTIALS;
		return 0;
	}
	trim_right(val);
	if (!strcasecmp(key, "username") || !strcasecmp(key, "user")) {
		if (o->username_from_cmdline)
			return 0;
		return smbfs_set_username(o, val, false, err, errlen);
	}
	if (!strcasecmp(key, "domain")) {
		if (o->domain_from_cmdline)
			return 0;
		free(o->domain);
		o->domain = strdup(val);
		return o->domain ? 0 : -ENOMEM;
	}
	smbfs_mount_errf(err, errlen, "%s line %u: unknown key '%s'", path,
			 lineno, key);
	return -EINVAL;
}

int smbfs_credentials_load(struct smbfs_mount_opts *o, const char *path,
			   char *err, size_t errlen)
{
	char *buf = NULL, *line, *next;
	unsigned int lineno = 1;
	int fd, ret;
	size_t len;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		smbfs_mount_errf(err, errlen,
				 "cannot open credentials file %s: %s", path,
				 strerror(-ret));
		return ret;
	}
	ret = check_file(fd, path, err, errlen);
	if (!ret) {
		ret = read_all(fd, CRED_FILE_MAX, &buf);
		if (ret < 0)
			smbfs_mount_errf(err, errlen, "cannot read %s: %s",
					 path, strerror(-ret));
	}
	close(fd);
	if (ret < 0)
		return ret;
	len = (size_t)ret;
	ret = 0;
	for (line = buf; line && !ret; line = next, lineno++) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		ret = cred_line(o, line, path, lineno, err, errlen);
	}
	if (ret == -ENOMEM)
		smbfs_mount_errf(err, errlen, "out of memory");
	explicit_bzero(buf, len);
	free(buf);
	return ret;
}
