/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line of smbfs-mount: the UNC path, the -o option list (mount.cifs
 * names), credentials files and where the password comes from.
 *
 * Everything here is pure parsing with no network access, so it can be
 * tested on its own.  Functions return 0 on success or a negative errno and,
 * on failure, write a one-line message starting with "smbfs-mount: " into
 * err (errlen bytes, always NUL terminated when errlen > 0).  Messages never
 * contain a password.
 */
#ifndef SMBFS_MOUNT_OPTS_H
#define SMBFS_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit status of smbfs-mount, documented in smbfs-mount(8). */
enum smbfs_exit {
	SMBFS_EXIT_OK = 0,
	SMBFS_EXIT_USAGE = 1,	    /* bad command line or option */
	SMBFS_EXIT_CONNECT = 2,	    /* unreachable, refused, timeout, no name */
	SMBFS_EXIT_AUTH = 3,	    /* authentication failed */
	SMBFS_EXIT_SHARE = 4,	    /* share not found or access denied */
	SMBFS_EXIT_MOUNTPOINT = 5,  /* mountpoint missing, not a dir, busy */
	SMBFS_EXIT_FUSE = 6,	    /* FUSE session or mount failed */
	SMBFS_EXIT_PROTOCOL = 7,    /* protocol or any other error */
	SMBFS_EXIT_UNSUPPORTED = 8, /* feature not supported yet */
};

/*
 * Writes "smbfs-mount: <message>" into err (truncating); used by every
 * parser here so messages look the same.
 */
void smbfs_mount_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------ UNC */

#define SMBFS_SHARE_NAME_MAX 80 /* MS-SRVS 2.2.4.101: netname length */

struct smbfs_unc {
	char *host;    /* name or address, IPv6 without brackets */
	uint16_t port; /* 0: not given in the UNC */
	char *share;
	char *subdir;  /* relative to the share, '/' separated, may be "" */
	char *display; /* canonical "//host/share" ("//[v6]/share") */
};

/*
 * Parses //host[:port]/share[/sub/dir], //[v6addr][:port]/share[/...] or the
 * same with backslashes.  On failure u is left empty (safe to free).
 */
int smbfs_unc_parse(struct smbfs_unc *u, const char *unc, char *err,
		    size_t errlen);
void smbfs_unc_free(struct smbfs_unc *u);

/* -------------------------------------------------------------- options */

/* SMB dialect numbers as sent in NEGOTIATE (MS-SMB2 2.2.3). */
#define SMBFS_DIALECT_202 0x0202
#define SMBFS_DIALECT_210 0x0210
#define SMBFS_DIALECT_300 0x0300
#define SMBFS_DIALECT_302 0x0302
#define SMBFS_DIALECT_311 0x0311

enum smbfs_sec {
	SMBFS_SEC_NTLMSSP = 0, /* default */
	SMBFS_SEC_NTLMSSPI,    /* NTLMSSP with signing required */
	SMBFS_SEC_NONE,	       /* anonymous (null session) */
	SMBFS_SEC_KRB5,	       /* parsed, refused by smbfs_opts_check() */
	SMBFS_SEC_KRB5I,       /* parsed, refused by smbfs_opts_check() */
};

enum smbfs_cache {
	SMBFS_CACHE_STRICT = 0, /* default */
	SMBFS_CACHE_LOOSE,
	SMBFS_CACHE_NONE,
};

/* Where smbfs_resolve_password() found the password. */
enum smbfs_pw_source {
	SMBFS_PW_UNSET = 0,
	SMBFS_PW_OPTION,      /* password= / pass= */
	SMBFS_PW_CREDENTIALS, /* credentials= file */
	SMBFS_PW_ENV,	      /* PASSWD */
	SMBFS_PW_FD,	      /* PASSWD_FD */
	SMBFS_PW_FILE,	      /* PASSWD_FILE */
	SMBFS_PW_PROMPT,      /* typed on the terminal */
	SMBFS_PW_NOT_NEEDED,  /* guest or sec=none */
};

#define SMBFS_USERNAME_MAX	256 /* same limits as cifs.ko */
#define SMBFS_DOMAIN_MAX	256
#define SMBFS_PASSWORD_MAX	512
#define SMBFS_ACTIMEO_MAX	(UINT32_MAX / 1000) /* seconds, fits in ms */
#define SMBFS_ECHO_INTERVAL_MAX 600
#define SMBFS_RETRANS_MAX	100
#define SMBFS_SOFTTIMEO_MAX	3600
#define SMBFS_THREADS_MAX	1024
#define SMBFS_CLOSETIMEO_MAX	3600
#define SMBFS_DIRWATCH_MAX	1024

struct smbfs_mount_opts {
	/* Identity; strings are malloc'd, NULL when not given. */
	char *username;
	char *domain;
	char *password;	   /* wiped by smbfs_opts_free() */
	char *credentials; /* path of the credentials= file */
	bool username_from_cmdline;
	bool domain_from_cmdline;
	enum smbfs_pw_source pw_source;
	/*
	 * Optional, not owned: "//host/share" shown in the password prompt.
	 * The caller may point it at struct smbfs_unc.display.
	 */
	const char *prompt_target;

	/* Connection. */
	uint16_t port;	      /* 0: from the UNC or 445 */
	uint16_t min_dialect; /* vers=, default 2.1 .. 3.1.1 */
	uint16_t max_dialect;
	enum smbfs_sec sec;
	bool sign;  /* require signing */
	bool seal;  /* parsed; refused by smbfs_opts_check() for now */
	bool guest; /* no password */
	uint32_t echo_interval; /* seconds, default 60 */
	bool soft;		/* default: fail calls when server is gone */
	uint32_t retrans;	/* soft: resends of a call lost in flight */
	uint32_t softtimeo;	/* soft: seconds a call waits for the server */
	uint32_t rsize;		/* 0: negotiate; else what the user asked */
	uint32_t wsize;

	/* Ownership and permissions of files shown by the mount. */
	uid_t uid; /* default getuid() */
	gid_t gid; /* default getgid() */
	bool uid_set;
	bool gid_set;
	bool forceuid;
	bool forcegid;
	mode_t file_mode; /* default 0755 */
	mode_t dir_mode;  /* default 0755 */
	bool noperm;

	/* Behaviour. */
	enum smbfs_cache cache;
	uint32_t actimeo;  /* seconds, default 1 */
	uint32_t acregmax; /* seconds; equals actimeo unless given */
	uint32_t acdirmax;
	bool acregmax_set;
	bool acdirmax_set;
	bool nobrl;
	bool nolease;	    /* ask for no leases or oplocks */
	uint32_t closetimeo; /* seconds a last close is deferred, default 1 */
	uint32_t dirwatch;  /* directories watched for changes, default 32 */
	bool mfsymlinks;
	bool noserverino;
	bool nocase;   /* default off: case-sensitive name checks */
	bool mapposix; /* default on */

	/* FUSE. */
	uint32_t threads;     /* worker threads kept ready, default 10 */
	uint32_t max_threads; /* most workers at once, default 64 */
	bool allow_other;
	bool allow_root;
	bool default_permissions;
	bool auto_unmount;

	/* Generic mount flags, for the caller to hand to FUSE. */
	bool readonly;
	bool noexec;
	bool nosuid;
	bool nodev;
	bool noatime;
};

/* Fills in every default (uid/gid from getuid()/getgid()). */
void smbfs_opts_init(struct smbfs_mount_opts *o);

/* Wipes the password and frees every string; o is left initialised. */
void smbfs_opts_free(struct smbfs_mount_opts *o);

/*
 * Parses one comma-separated option list (the argument of one -o) into o.
 * May be called once per -o; later values win.  Because commas separate
 * options, a password= value cannot contain a comma.
 * Returns 0, -EINVAL (unknown option or bad value) or -ENOMEM.
 */
int smbfs_opts_parse(struct smbfs_mount_opts *o, const char *optstr, char *err,
		     size_t errlen);

/*
 * Checks combinations once every -o is parsed: -EINVAL for conflicts
 * (allow_other with allow_root, guest with sec=none/krb5), -EOPNOTSUPP
 * for what is parsed but not implemented yet (sec=krb5*, seal).
 */
int smbfs_opts_check(const struct smbfs_mount_opts *o, char *err,
		     size_t errlen);

/* Signing required, by sign or by sec=ntlmsspi/krb5i. */
static inline bool smbfs_opts_signing_required(const struct smbfs_mount_opts *o)
{
	return o->sign || o->sec == SMBFS_SEC_NTLMSSPI ||
	       o->sec == SMBFS_SEC_KRB5I;
}

/* Attribute cache lifetime in seconds for files (dir=false) or dirs. */
uint32_t smbfs_opts_attr_timeout(const struct smbfs_mount_opts *o, bool dir);

/* Text of the options set in o, password left out, for debug output. */
int smbfs_opts_describe(const struct smbfs_mount_opts *o, char *buf,
			size_t len);

/* ---------------------------------------------------------- credentials */

/*
 * Reads a credentials file (username=, user=, password=, pass=, domain=,
 * '#' comments).  The file must be a regular file owned by the caller or
 * root, with no group or other permission bits.  username/domain are taken
 * only when not given on the command line, the password only when no
 * password= option was given.
 * Returns 0, -EPERM (unsafe permissions or owner), -EINVAL (syntax), or the
 * negative errno of open/read.
 */
int smbfs_credentials_load(struct smbfs_mount_opts *o, const char *path,
			   char *err, size_t errlen);

/*
 * Stores a username in o, splitting "DOMAIN/user" and "DOMAIN\user" forms.
 * The domain part is taken only if no domain was set from a higher
 * priority source (from_cmdline tells which source this is).
 */
int smbfs_set_username(struct smbfs_mount_opts *o, const char *value,
		       bool from_cmdline, char *err, size_t errlen);

/* ------------------------------------------------------------- password */

/*
 * Loads the credentials= file if one was given, then finds the password:
 * password= option, credentials file, PASSWD, PASSWD_FD (one line read
 * from that descriptor), PASSWD_FILE (first line of that file), and last a
 * prompt on /dev/tty with echo off.  With guest or sec=none no password is
 * needed (pw_source = SMBFS_PW_NOT_NEEDED).
 * Returns 0; -ENOTTY when a password is needed and there is no terminal;
 * -EINTR when the prompt was interrupted; or the error of a source.
 */
int smbfs_resolve_password(struct smbfs_mount_opts *o, char *err,
			   size_t errlen);

/*
 * Hides password=/pass= values inside the -o arguments of argv in place so
 * /proc/PID/cmdline no longer shows them.  Call after parsing.
 */
void smbfs_scrub_argv(int argc, char **argv);

/*
 * Overwrites the value of PASSWD in the process's original environment
 * block (what /proc/PID/environ shows) and removes it from environ.
 */
void smbfs_scrub_environ(void);

#endif
