// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The -o option list of smbfs-mount.  Names follow mount.cifs(8) so that an
 * existing cifs fstab line keeps working; options that only mean something
 * to mount(8) or systemd are accepted and ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smbfs/mount_opts.h"

#define DEFAULT_MODE	      0755 /* cifs.ko's file_mode/dir_mode default */
#define DEFAULT_ACTIMEO	      1	   /* cifs.ko: one second */
#define DEFAULT_ECHO_INTERVAL 60   /* cifs.ko: SMB_ECHO_INTERVAL_DEFAULT */
#define DEFAULT_RETRANS	      1	   /* cifs.ko: one retry */
#define DEFAULT_SOFTTIMEO     10   /* cifs.ko waits 10 s for a reconnect */
#define DEFAULT_THREADS	      10   /* libfuse's idle-thread default */
#define DEFAULT_MAX_THREADS   64
#define DEFAULT_CLOSETIMEO    1	   /* cifs.ko: one second */
#define DEFAULT_DIRWATCH      32
#define PW_BUF_MAX	      (1 << 20) /* cap for getpwnam_r/getgrnam_r buffers */

void smbfs_mount_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return;
	n = snprintf(err, errlen, "smbfs-mount: ");
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

void smbfs_opts_init(struct smbfs_mount_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_dialect = SMBFS_DIALECT_210;
	o->max_dialect = SMBFS_DIALECT_311;
	o->sec = SMBFS_SEC_NTLMSSP;
	o->echo_interval = DEFAULT_ECHO_INTERVAL;
	o->soft = true;
	o->retrans = DEFAULT_RETRANS;
	o->softtimeo = DEFAULT_SOFTTIMEO;
	o->threads = DEFAULT_THREADS;
	o->closetimeo = DEFAULT_CLOSETIMEO;
	o->dirwatch = DEFAULT_DIRWATCH;
	o->max_threads = DEFAULT_MAX_THREADS;
	o->uid = getuid();
	o->gid = getgid();
	o->file_mode = DEFAULT_MODE;
	o->dir_mode = DEFAULT_MODE;
	o->cache = SMBFS_CACHE_STRICT;
	o->actimeo = DEFAULT_ACTIMEO;
	o->mapposix = true;
}

static void free_secret(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

void smbfs_opts_free(struct smbfs_mount_opts *o)
{
	free_secret(&o->password);
	free(o->username);
	free(o->domain);
	free(o->credentials);
	smbfs_opts_init(o);
}

/* ------------------------------------------------------ value parsers */

static int bad_value(const char *name, const char *val, char *err,
		     size_t errlen, const char *why)
{
	smbfs_mount_errf(err, errlen, "bad value for %s: '%s'%s%s%s", name, val,
			 why ? " (" : "", why ? why : "", why ? ")" : "");
	return -EINVAL;
}

/* Unsigned number in base 8 or 10, all of val, at most max. */
static int parse_ulong(const char *val, int base, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)val[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(val, &end, base);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int replace_string(char **dst, const char *val, bool secret)
{
	char *copy = strdup(val);

	if (!copy)
		return -ENOMEM;
	if (secret)
		free_secret(dst);
	else
		free(*dst);
	*dst = copy;
	return 0;
}

typedef int (*opt_setter)(struct smbfs_mount_opts *o, const char *name,
			  const char *val, char *err, size_t errlen);

static int set_username(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	(void)name;
	return smbfs_set_username(o, val, true, err, errlen);
}

static int set_password(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	int ret;

	if (strlen(val) > SMBFS_PASSWORD_MAX) {
		smbfs_mount_errf(err, errlen, "%s is longer than %d bytes",
				 name, SMBFS_PASSWORD_MAX);
		return -EINVAL;
	}
	ret = replace_string(&o->password, val, true);
	if (!ret)
		o->pw_source = SMBFS_PW_OPTION;
	return ret;
}

static int set_domain(struct smbfs_mount_opts *o, const char *name,
		      const char *val, char *err, size_t errlen)
{
	int ret;

	if (strlen(val) > SMBFS_DOMAIN_MAX)
		return bad_value(name, val, err, errlen, "too long");
	ret = replace_string(&o->domain, val, false);
	if (!ret)
		o->domain_from_cmdline = true;
	return ret;
}

static int set_credentials(struct smbfs_mount_opts *o, const char *name,
			   const char *val, char *err, size_t errlen)
{
	if (!val[0])
		return bad_value(name, val, err, errlen, NULL);
	return replace_string(&o->credentials, val, false);
}

static int set_port(struct smbfs_mount_opts *o, const char *name,
		    const char *val, char *err, size_t errlen)
{
	unsigned long v;

	if (parse_ulong(val, 10, 65535, &v) || v == 0)
		return bad_value(name, val, err, errlen, "1 to 65535");
	o->port = (uint16_t)v;
	return 0;
}

struct dialect_range {
	const char *name;
	uint16_t min, max;
};

/* mount.cifs(8) vers= names; "3" and "default" are ranges as in cifs.ko. */
static const struct dialect_range dialects[] = {
	{ "2.0", SMBFS_DIALECT_202, SMBFS_DIALECT_202 },
	{ "2.0.2", SMBFS_DIALECT_202, SMBFS_DIALECT_202 },
	{ "2.1", SMBFS_DIALECT_210, SMBFS_DIALECT_210 },
	{ "3.0", SMBFS_DIALECT_300, SMBFS_DIALECT_300 },
	{ "3.0.2", SMBFS_DIALECT_302, SMBFS_DIALECT_302 },
	{ "3.1.1", SMBFS_DIALECT_311, SMBFS_DIALECT_311 },
	{ "3.11", SMBFS_DIALECT_311, SMBFS_DIALECT_311 },
	{ "3", SMBFS_DIALECT_300, SMBFS_DIALECT_311 },
	{ "default", SMBFS_DIALECT_210, SMBFS_DIALECT_311 },
};

static int set_vers(struct smbfs_mount_opts *o, const char *name,
		    const char *val, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++) {
		if (!strcmp(val, dialects[i].name)) {
			o->min_dialect = dialects[i].min;
			o->max_dialect = dialects[i].max;
			return 0;
		}
	}
	return bad_value(name, val, err, errlen,
			 "2.0, 2.1, 3.0, 3.0.2, 3.1.1, 3 or default");
}

static int set_sec(struct smbfs_mount_opts *o, const char *name,
		   const char *val, char *err, size_t errlen)
{
	static const char *const names[] = {
		[SMBFS_SEC_NTLMSSP] = "ntlmssp",
		[SMBFS_SEC_NTLMSSPI] = "ntlmsspi",
		[SMBFS_SEC_NONE] = "none",
		[SMBFS_SEC_KRB5] = "krb5",
		[SMBFS_SEC_KRB5I] = "krb5i",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(val, names[i])) {
			o->sec = (enum smbfs_sec)i;
			return 0;
		}
	}
	return bad_value(name, val, err, errlen,
			 "ntlmssp, ntlmsspi, none, krb5 or krb5i");
}

static int set_cache(struct smbfs_mount_opts *o, const char *name,
		     const char *val, char *err, size_t errlen)
{
	if (!strcmp(val, "strict"))
		o->cache = SMBFS_CACHE_STRICT;
	else if (!strcmp(val, "loose"))
		o->cache = SMBFS_CACHE_LOOSE;
	else if (!strcmp(val, "none"))
		o->cache = SMBFS_CACHE_NONE;
	else
		return bad_value(name, val, err, errlen,
				 "strict, loose or none");
	return 0;
}

/* getpwnam_r/getgrnam_r need a caller buffer; grow it on ERANGE. */
static int lookup_id(const char *val, bool group, unsigned long *id)
{
	size_t len = 4096;
	int ret = -ENOENT;

	while (len <= PW_BUF_MAX) {
		char *buf = malloc(len);
		struct passwd pw, *pwp = NULL;
		struct group gr, *grp = NULL;
		int rc;

		if (!buf)
			return -ENOMEM;
		if (group)
			rc = getgrnam_r(val, &gr, buf, len, &grp);
		else
			rc = getpwnam_r(val, &pw, buf, len, &pwp);
		if (pwp)
			*id = pwp->pw_uid;
		if (grp)
			*id = grp->gr_gid;
		free(buf);
		if (rc == ERANGE) {
			len *= 2;
			continue;
		}
		ret = (pwp || grp) ? 0 : -ENOENT;
		break;
	}
	return ret;
}

/* A number, or a user/group name; (uid_t)-1 means "unset" to the kernel. */
static int parse_id(const char *name, const char *val, bool group,
		    unsigned long *id, char *err, size_t errlen)
{
	int ret;

	if (isdigit((unsigned char)val[0])) {
		if (parse_ulong(val, 10, UINT32_MAX - 1, id))
			return bad_value(name, val, err, errlen, NULL);
		return 0;
	}
	if (!val[0])
		return bad_value(name, val, err, errlen, NULL);
	ret = lookup_id(val, group, id);
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return bad_value(name, val, err, errlen,
				 group ? "no such group" : "no such user");
	return 0;
}

static int set_uid(struct smbfs_mount_opts *o, const char *name,
		   const char *val, char *err, size_t errlen)
{
	unsigned long id;
	int ret = parse_id(name, val, false, &id, err, errlen);

	if (ret)
		return ret;
	o->uid = (uid_t)id;
	o->uid_set = true;
	return 0;
}

static int set_gid(struct smbfs_mount_opts *o, const char *name,
		   const char *val, char *err, size_t errlen)
{
	unsigned long id;
	int ret = parse_id(name, val, true, &id, err, errlen);

	if (ret)
		return ret;
	o->gid = (gid_t)id;
	o->gid_set = true;
	return 0;
}

static int parse_mode(const char *name, const char *val, mode_t *mode,
		      char *err, size_t errlen)
{
	unsigned long v;

	if (parse_ulong(val, 8, 07777, &v))
		return bad_value(name, val, err, errlen,
				 "octal, at most 07777");
	*mode = (mode_t)v;
	return 0;
}

static int set_file_mode(struct smbfs_mount_opts *o, const char *name,
			 const char *val, char *err, size_t errlen)
{
	return parse_mode(name, val, &o->file_mode, err, errlen);
}

static int set_dir_mode(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	return parse_mode(name, val, &o->dir_mode, err, errlen);
}

static int parse_seconds(const char *name, const char *val, uint32_t *out,
			 char *err, size_t errlen)
{
	unsigned long v;

	if (parse_ulong(val, 10, SMBFS_ACTIMEO_MAX, &v))
		return bad_value(name, val, err, errlen, "seconds");
	*out = (uint32_t)v;
	return 0;
}

static int set_actimeo(struct smbfs_mount_opts *o, const char *name,
		       const char *val, char *err, size_t errlen)
{
	return parse_seconds(name, val, &o->actimeo, err, errlen);
}

static int set_acregmax(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	o->acregmax_set = true;
	return parse_seconds(name, val, &o->acregmax, err, errlen);
}

static int set_acdirmax(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	o->acdirmax_set = true;
	return parse_seconds(name, val, &o->acdirmax, err, errlen);
}

/* rsize/wsize: kept as given; the connection caps them to what it got. */
static int parse_io_size(const char *name, const char *val, uint32_t *out,
			 char *err, size_t errlen)
{
	unsigned long v;

	if (parse_ulong(val, 10, UINT32_MAX, &v) || v == 0)
		return bad_value(name, val, err, errlen, "positive bytes");
	*out = (uint32_t)v;
	return 0;
}

static int set_rsize(struct smbfs_mount_opts *o, const char *name,
		     const char *val, char *err, size_t errlen)
{
	return parse_io_size(name, val, &o->rsize, err, errlen);
}

static int set_wsize(struct smbfs_mount_opts *o, const char *name,
		     const char *val, char *err, size_t errlen)
{
	return parse_io_size(name, val, &o->wsize, err, errlen);
}

/* A whole number in [lo, hi] into *out, or the option's error. */
static int parse_bounded(const char *name, const char *val, unsigned long lo,
			 unsigned long hi, const char *what, uint32_t *out,
			 char *err, size_t errlen)
{
	unsigned long v;

	if (parse_ulong(val, 10, hi, &v) || v < lo)
		return bad_value(name, val, err, errlen, what);
	*out = (uint32_t)v;
	return 0;
}

static int set_echo_interval(struct smbfs_mount_opts *o, const char *name,
			     const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 1, SMBFS_ECHO_INTERVAL_MAX,
			     "1 to 600 seconds", &o->echo_interval, err, errlen);
}

static int set_retrans(struct smbfs_mount_opts *o, const char *name,
		       const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 0, SMBFS_RETRANS_MAX, "0 to 100",
			     &o->retrans, err, errlen);
}

static int set_softtimeo(struct smbfs_mount_opts *o, const char *name,
			 const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 1, SMBFS_SOFTTIMEO_MAX,
			     "1 to 3600 seconds", &o->softtimeo, err, errlen);
}

static int set_threads(struct smbfs_mount_opts *o, const char *name,
		       const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 1, SMBFS_THREADS_MAX, "1 to 1024",
			     &o->threads, err, errlen);
}

static int set_max_threads(struct smbfs_mount_opts *o, const char *name,
			   const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 1, SMBFS_THREADS_MAX, "1 to 1024",
			     &o->max_threads, err, errlen);
}

static int set_closetimeo(struct smbfs_mount_opts *o, const char *name,
			  const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 0, SMBFS_CLOSETIMEO_MAX,
			     "0 to 3600 seconds", &o->closetimeo, err, errlen);
}

static int set_dirwatch(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	return parse_bounded(name, val, 0, SMBFS_DIRWATCH_MAX, "0 to 1024",
			     &o->dirwatch, err, errlen);
}

static int ignore_value(struct smbfs_mount_opts *o, const char *name,
			const char *val, char *err, size_t errlen)
{
	(void)o, (void)name, (void)val, (void)err, (void)errlen;
	return 0;
}

/* ------------------------------------------------------- option table */

enum opt_kind {
	OPT_BOOL,   /* flag: stores .value into the bool at .field */
	OPT_IGNORE, /* flag for mount(8)/fstab: accepted, no effect */
	OPT_VALUE,  /* name=value, handled by .set */
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	size_t field;
	bool value;
	opt_setter set;
	bool bare_ignored; /* OPT_VALUE also accepted bare, then ignored */
};

#define FLAG(n, f, v)                                                \
	{                                                            \
		n, OPT_BOOL, offsetof(struct smbfs_mount_opts, f), v \
	}
#define IGNORED(n)            \
	{                     \
		n, OPT_IGNORE \
	}
#define VALUE(n, fn)                       \
	{                                  \
		n, OPT_VALUE, 0, false, fn \
	}

static const struct opt_def opt_defs[] = {
	/* "user" alone is the fstab flag, "user=NAME" the login name. */
	{ "user", OPT_VALUE, 0, false, set_username, true },
	VALUE("username", set_username),
	VALUE("password", set_password),
	VALUE("pass", set_password),
	VALUE("credentials", set_credentials),
	VALUE("cred", set_credentials),
	VALUE("domain", set_domain),
	VALUE("dom", set_domain),
	VALUE("workgroup", set_domain),
	VALUE("port", set_port),
	VALUE("vers", set_vers),
	VALUE("sec", set_sec),
	FLAG("sign", sign, true),
	FLAG("seal", seal, true),
	FLAG("guest", guest, true),
	VALUE("uid", set_uid),
	VALUE("gid", set_gid),
	FLAG("forceuid", forceuid, true),
	FLAG("noforceuid", forceuid, false),
	FLAG("forcegid", forcegid, true),
	FLAG("noforcegid", forcegid, false),
	VALUE("file_mode", set_file_mode),
	VALUE("dir_mode", set_dir_mode),
	FLAG("ro", readonly, true),
	FLAG("rw", readonly, false),
	FLAG("noperm", noperm, true),
	FLAG("perm", noperm, false),
	VALUE("cache", set_cache),
	VALUE("actimeo", set_actimeo),
	VALUE("acregmax", set_acregmax),
	VALUE("acdirmax", set_acdirmax),
	VALUE("rsize", set_rsize),
	VALUE("wsize", set_wsize),
	FLAG("nobrl", nobrl, true),
	FLAG("nolease", nolease, true),
	VALUE("closetimeo", set_closetimeo),
	VALUE("dirwatch", set_dirwatch),
	FLAG("brl", nobrl, false),
	FLAG("mfsymlinks", mfsymlinks, true),
	FLAG("nomfsymlinks", mfsymlinks, false),
	FLAG("noserverino", noserverino, true),
	FLAG("serverino", noserverino, false),
	VALUE("echo_interval", set_echo_interval),
	FLAG("soft", soft, true),
	FLAG("hard", soft, false),
	VALUE("retrans", set_retrans),
	VALUE("softtimeo", set_softtimeo),
	VALUE("threads", set_threads),
	VALUE("max_threads", set_max_threads),
	FLAG("nocase", nocase, true),
	FLAG("ignorecase", nocase, true),
	FLAG("case", nocase, false),
	FLAG("mapposix", mapposix, true),
	FLAG("nomapposix", mapposix, false),
	FLAG("allow_other", allow_other, true),
	FLAG("allow_root", allow_root, true),
	FLAG("default_permissions", default_permissions, true),
	FLAG("auto_unmount", auto_unmount, true),
	/* Generic mount flags, recorded for FUSE. */
	FLAG("exec", noexec, false),
	FLAG("noexec", noexec, true),
	FLAG("suid", nosuid, false),
	FLAG("nosuid", nosuid, true),
	FLAG("dev", nodev, false),
	FLAG("nodev", nodev, true),
	FLAG("atime", noatime, false),
	FLAG("noatime", noatime, true),
	/* Only for mount(8), systemd and fstab. */
	IGNORED("_netdev"),
	IGNORED("nofail"),
	IGNORED("noauto"),
	IGNORED("auto"),
	IGNORED("users"),
	IGNORED("nouser"),
	IGNORED("defaults"),
	IGNORED("relatime"),
	IGNORED("diratime"),
	IGNORED("nodiratime"),
	VALUE("comment", ignore_value),
};

static const struct opt_def *find_opt(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
		if (!strcmp(opt_defs[i].name, name))
			return &opt_defs[i];
	return NULL;
}

/* One "name" or "name=value" item; item is modifiable scratch memory. */
static int parse_one(struct smbfs_mount_opts *o, char *item, char *err,
		     size_t errlen)
{
	char *val = strchr(item, '=');
	const struct opt_def *def;

	if (val)
		*val++ = '\0';
	/* util-linux: x-* options are comments for userspace tools. */
	if (!strncmp(item, "x-", 2))
		return 0;
	def = find_opt(item);
	if (!def) {
		smbfs_mount_errf(err, errlen, "unknown option '%s'", item);
		return -EINVAL;
	}
	if (def->kind != OPT_VALUE && val) {
		smbfs_mount_errf(err, errlen, "option '%s' takes no value",
				 item);
		return -EINVAL;
	}
	switch (def->kind) {
	case OPT_BOOL:
		*(bool *)((char *)o + def->field) = def->value;
		return 0;
	case OPT_IGNORE:
		return 0;
	case OPT_VALUE:
		if (val)
			return def->set(o, item, val, err, errlen);
		if (def->bare_ignored)
			return 0;
		smbfs_mount_errf(err, errlen, "option '%s' needs a value",
				 item);
		return -EINVAL;
	}
	return -EINVAL;
}

int smbfs_opts_parse(struct smbfs_mount_opts *o, const char *optstr, char *err,
		     size_t errlen)
{
	char *copy, *item, *next;
	int ret = 0;

	if (!optstr)
		return 0;
	copy = strdup(optstr);
	if (!copy) {
		smbfs_mount_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Empty items (",," or a trailing comma) are skipped, like mount. */
	for (item = copy; item && !ret; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (*item)
			ret = parse_one(o, item, err, errlen);
	}
	if (ret == -ENOMEM)
		smbfs_mount_errf(err, errlen, "out of memory");
	/* The copy may hold a password. */
	explicit_bzero(copy, strlen(optstr));
	free(copy);
	return ret;
}

int smbfs_opts_check(const struct smbfs_mount_opts *o, char *err, size_t errlen)
{
	if (o->allow_other && o->allow_root) {
		smbfs_mount_errf(err, errlen,
				 "allow_other and allow_root cannot be used "
				 "together");
		return -EINVAL;
	}
	if (o->guest && o->sec != SMBFS_SEC_NTLMSSP &&
	    o->sec != SMBFS_SEC_NTLMSSPI) {
		smbfs_mount_errf(err, errlen,
				 "guest cannot be combined with sec=%s",
				 o->sec == SMBFS_SEC_NONE ? "none" : "krb5");
		return -EINVAL;
	}
	if (o->threads > o->max_threads) {
		smbfs_mount_errf(err, errlen,
				 "threads=%u is more than max_threads=%u",
				 o->threads, o->max_threads);
		return -EINVAL;
	}
	if (o->sec == SMBFS_SEC_KRB5 || o->sec == SMBFS_SEC_KRB5I) {
		smbfs_mount_errf(err, errlen, "Kerberos is not supported yet");
		return -EOPNOTSUPP;
	}
	if (o->seal) {
		smbfs_mount_errf(err, errlen,
				 "seal (SMB3 encryption) is not supported yet");
		return -EOPNOTSUPP;
	}
	return 0;
}

uint32_t smbfs_opts_attr_timeout(const struct smbfs_mount_opts *o, bool dir)
{
	if (dir)
		return o->acdirmax_set ? o->acdirmax : o->actimeo;
	return o->acregmax_set ? o->acregmax : o->actimeo;
}

static const char *dialect_name(uint16_t d)
{
	size_t i;

	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++)
		if (dialects[i].min == d && dialects[i].max == d)
			return dialects[i].name;
	return "?";
}

int smbfs_opts_describe(const struct smbfs_mount_opts *o, char *buf, size_t len)
{
	static const char *const cache[] = { "strict", "loose", "none" };
	static const char *const sec[] = { "ntlmssp", "ntlmsspi", "none",
					   "krb5", "krb5i" };
	int n;

	n = snprintf(buf, len,
		     "username=%s,domain=%s,password=%s,vers=%s-%s,sec=%s%s%s"
		     "%s,uid=%u,gid=%u,file_mode=%04o,dir_mode=%04o,"
		     "cache=%s,actimeo=%u,echo_interval=%u,%s%s%s%s%s"
		     ",retrans=%u,softtimeo=%u,threads=%u,max_threads=%u"
		     ",closetimeo=%u,dirwatch=%u%s",
		     o->username ? o->username : "", o->domain ? o->domain : "",
		     o->password ? "<set>" : "<unset>",
		     dialect_name(o->min_dialect), dialect_name(o->max_dialect),
		     sec[o->sec], o->sign ? ",sign" : "",
		     o->seal ? ",seal" : "", o->guest ? ",guest" : "",
		     (unsigned int)o->uid, (unsigned int)o->gid,
		     (unsigned int)o->file_mode, (unsigned int)o->dir_mode,
		     cache[o->cache], o->actimeo, o->echo_interval,
		     o->readonly ? "ro" : "rw", o->nocase ? ",nocase" : "",
		     o->mapposix ? ",mapposix" : "", o->noperm ? ",noperm" : "",
		     o->soft ? ",soft" : ",hard", o->retrans, o->softtimeo,
		     o->threads, o->max_threads, o->closetimeo, o->dirwatch,
		     o->nolease ? ",nolease" : "");
	if (n < 0)
		return -EIO;
	return (size_t)n >= len ? -ENOSPC : 0;
}
