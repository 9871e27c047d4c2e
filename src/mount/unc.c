// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * UNC paths: //host[:port]/share[/sub/dir], //[v6]:port/share and the
 * Windows form with backslashes.  Both separators are accepted anywhere,
 * as mount.cifs does, because users paste paths from either world.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbfs/mount_opts.h"

#define HOST_NAME_MAX_LEN 253 /* RFC 1035 2.3.4, dotted form */

static bool is_sep(char c)
{
	return c == '/' || c == '\\';
}

static size_t span_to_sep(const char *s)
{
	size_t n = 0;

	while (s[n] && !is_sep(s[n]))
		n++;
	return n;
}

/* Decimal 1..65535 with nothing else around it. */
static int parse_port(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/* Host names and IPv4 addresses: letters, digits, '-', '.', '_'. */
static bool valid_host_name(const char *h, size_t len)
{
	size_t i;

	if (len == 0 || len > HOST_NAME_MAX_LEN)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
	}
	return true;
}

/* An IPv6 literal, optionally with a %zone (fe80::1%eth0). */
static bool valid_ipv6(const char *h, size_t len)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a;
	const char *zone = memchr(h, '%', len);
	size_t addr_len = zone ? (size_t)(zone - h) : len;

	if (addr_len == 0 || addr_len >= sizeof(buf))
		return false;
	if (zone && !valid_host_name(zone + 1, len - addr_len - 1))
		return false;
	memcpy(buf, h, addr_len);
	buf[addr_len] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/*
 * Reads host and optional port from *pp up to the separator before the
 * share, advancing *pp past them.
 */
static int parse_host_port(struct smbfs_unc *u, const char **pp, char *err,
			   size_t errlen)
{
	const char *p = *pp, *host, *colon;
	size_t host_len, n;

	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (!close || memchr(p, '/', (size_t)(close - p)) ||
		    memchr(p, '\\', (size_t)(close - p))) {
			smbfs_mount_errf(err, errlen,
					 "missing ']' after IPv6 address");
			return -EINVAL;
		}
		host = p + 1;
		host_len = (size_t)(close - host);
		if (!valid_ipv6(host, host_len)) {
			smbfs_mount_errf(err, errlen, "bad IPv6 address '%.*s'",
					 (int)host_len, host);
			return -EINVAL;
		}
		p = close + 1;
		n = span_to_sep(p);
		if (n > 0 && *p != ':') {
			smbfs_mount_errf(err, errlen,
					 "unexpected text after ']': '%.*s'",
					 (int)n, p);
			return -EINVAL;
		}
		colon = n > 0 ? p : NULL;
	} else {
		host = p;
		host_len = span_to_sep(p);
		colon = memchr(p, ':', host_len);
		if (colon && memchr(colon + 1, ':',
				    host_len - (size_t)(colon - p) - 1)) {
			smbfs_mount_errf(err, errlen,
					 "IPv6 address must be in brackets: "
					 "//[%.*s]/share",
					 (int)host_len, host);
			return -EINVAL;
		}
		if (colon)
			host_len = (size_t)(colon - p);
		if (host_len == 0) {
			smbfs_mount_errf(err, errlen, "empty host name");
			return -EINVAL;
		}
		if (!valid_host_name(host, host_len)) {
			smbfs_mount_errf(err, errlen, "bad host name '%.*s'",
					 (int)host_len, host);
			return -EINVAL;
		}
		p = host + host_len;
		n = span_to_sep(p);
	}
	if (colon && parse_port(colon + 1, n - 1, &u->port) < 0) {
		smbfs_mount_errf(err, errlen,
				 "bad port '%.*s' (must be 1 to 65535)",
				 (int)(n - 1), colon + 1);
		return -EINVAL;
	}
	u->host = strndup(host, host_len);
	if (!u->host)
		return -ENOMEM;
	*pp = p + n;
	return 0;
}

/* MS-FSCC 2.1.6: characters a share name cannot hold. */
static bool valid_share(const char *s, size_t len)
{
	size_t i;

	if (len > SMBFS_SHARE_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || strchr("\"*:<>?|", c))
			return false;
	}
	return true;
}

static int parse_share(struct smbfs_unc *u, const char **pp, char *err,
		       size_t errlen)
{
	const char *p = *pp;
	size_t n;

	if (!is_sep(*p)) {
		smbfs_mount_errf(err, errlen,
				 "missing share name: use //host/share");
		return -EINVAL;
	}
	p++;
	n = span_to_sep(p);
	if (n == 0) {
		smbfs_mount_errf(err, errlen, "empty share name");
		return -EINVAL;
	}
	if (!valid_share(p, n)) {
		smbfs_mount_errf(err, errlen, "bad share name '%.*s'", (int)n,
				 p);
		return -EINVAL;
	}
	u->share = strndup(p, n);
	if (!u->share)
		return -ENOMEM;
	*pp = p + n;
	return 0;
}

/*
 * The rest is a directory inside the share.  Empty components (doubled or
 * trailing separators) are dropped; "." and ".." are refused so the mount
 * can never climb above the share root.
 */
static int parse_subdir(struct smbfs_unc *u, const char *p, char *err,
			size_t errlen)
{
	size_t out = 0, n;

	u->subdir = malloc(strlen(p) + 1);
	if (!u->subdir)
		return -ENOMEM;
	for (; *p; p += n) {
		if (is_sep(*p)) {
			n = 1;
			continue;
		}
		n = span_to_sep(p);
		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			smbfs_mount_errf(err, errlen,
					 "'%.*s' is not allowed in the path "
					 "inside the share",
					 (int)n, p);
			return -EINVAL;
		}
		if (out)
			u->subdir[out++] = '/';
		memcpy(u->subdir + out, p, n);
		out += n;
	}
	u->subdir[out] = '\0';
	return 0;
}

static int make_display(struct smbfs_unc *u)
{
	const char *fmt = strchr(u->host, ':') ? "//[%s]/%s" : "//%s/%s";

	if (asprintf(&u->display, fmt, u->host, u->share) < 0) {
		u->display = NULL;
		return -ENOMEM;
	}
	return 0;
}

int smbfs_unc_parse(struct smbfs_unc *u, const char *unc, char *err,
		    size_t errlen)
{
	const char *p = unc;
	int ret;

	memset(u, 0, sizeof(*u));
	if (!unc || !is_sep(unc[0]) || !is_sep(unc[1])) {
		smbfs_mount_errf(err, errlen,
				 "'%s' is not a UNC path: use //host/share",
				 unc ? unc : "");
		return -EINVAL;
	}
	p += 2;
	if (*p == '\0' || is_sep(*p)) {
		smbfs_mount_errf(err, errlen, "empty host name");
		return -EINVAL;
	}
	ret = parse_host_port(u, &p, err, errlen);
	if (!ret)
		ret = parse_share(u, &p, err, errlen);
	if (!ret)
		ret = parse_subdir(u, p, err, errlen);
	if (!ret)
		ret = make_display(u);
	if (ret == -ENOMEM)
		smbfs_mount_errf(err, errlen, "out of memory");
	if (ret)
		smbfs_unc_free(u);
	return ret;
}

void smbfs_unc_free(struct smbfs_unc *u)
{
	free(u->host);
	free(u->share);
	free(u->subdir);
	free(u->display);
	memset(u, 0, sizeof(*u));
}
