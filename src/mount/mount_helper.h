/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pieces of smbfs-mount's main program that need no server: the
 * command line (as smbfs-mount and as the mount.smbfs helper that
 * mount(8) runs), the mountpoint checks, the kernel mount options handed
 * to FUSE and the mapping of errors to exit codes.  Kept out of main.c so
 * unit tests can reach them.
 *
 * Functions that can fail return 0 or a negative errno and then write a
 * one-line message starting with "smbfs-mount: " into err.
 */
#ifndef SMBFS_MOUNT_HELPER_H
#define SMBFS_MOUNT_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "smbfs/mount_opts.h"

#define SMBFS_VERSION	  "0.1.0"
#define SMBFS_HELPER_NAME "mount.smbfs"

struct smbfs_cmdline {
	bool helper;	 /* run as mount.smbfs (mount(8)'s form) */
	const char *unc; /* point into argv */
	const char *mountpoint;
	const char **optlists; /* the argument of every -o, in order */
	int n_optlists;
	/* smbfs-mount flags */
	bool foreground;    /* -f */
	bool debug;	    /* -d, implies foreground */
	bool single_thread; /* -s */
	bool help;	    /* -h, --help */
	bool version;	    /* -V, --version */
	const char *stats;  /* --stats MOUNTPOINT: print its statistics */
	/* mount.smbfs flags (mount(8) "external helpers") */
	bool fake;    /* -f: do everything but the mount */
	bool sloppy;  /* -s: ignore options we do not know */
	bool nomtab;  /* -n: nothing to do, mtab is not written */
	bool verbose; /* -v */
};

/*
 * Parses argv.  The calling form is chosen by the base name of argv[0]:
 * "mount.smbfs" gives the helper form (-s -f -n -v -o -t), anything else
 * the smbfs-mount form (-f -d -s -h -V -o).  Options and the two
 * positional arguments may come in any order; "--" ends options.
 * -EINVAL for an unknown flag, a missing argument or too many arguments.
 * A missing UNC or mountpoint is reported only when neither -h nor -V
 * was given.
 */
int smbfs_cmdline_parse(struct smbfs_cmdline *c, int argc, char **argv,
			char *err, size_t errlen);
void smbfs_cmdline_free(struct smbfs_cmdline *c);

/*
 * Feeds every -o list to smbfs_opts_parse().  In the helper form,
 * options mount(8) adds on its own that mean nothing here ("symfollow")
 * are dropped, and with -s (sloppy) unknown options are skipped, each
 * with a warning on stderr when verbose.
 */
int smbfs_cmdline_apply_opts(const struct smbfs_cmdline *c,
			     struct smbfs_mount_opts *o, char *err,
			     size_t errlen);

/* The usage text (for -h, and on stderr after a usage error). */
void smbfs_print_usage(const char *prog, bool to_stderr);

/*
 * Checks a mountpoint before anything is sent to the server: it must
 * exist and be a directory; a caller other than root must be allowed to
 * write it (and own it when it is sticky), as fusermount3 requires; it
 * must not be the root of an smbfs mount already, nor a dead FUSE mount.
 * /dev/fd/N (a FUSE descriptor passed by mount.fuse3) is accepted as is.
 * *abs receives the canonical absolute path (malloc'd).
 * Returns 0, or -ENOENT, -ENOTDIR, -EACCES, -EBUSY, -ENOTCONN, -ENOMEM.
 */
int smbfs_mountpoint_check(const char *path, char **abs, char *err,
			   size_t errlen);

/*
 * True when the text of a /proc/PID/mountinfo file lists a mount of type
 * fstype at path (octal escapes such as \040 in the file are decoded).
 */
bool smbfs_mountinfo_has(const char *mountinfo, const char *path,
			 const char *fstype);

/*
 * The -o string for FUSE: fsname (escaped for libfuse's option parser),
 * subtype=smbfs and the kernel/FUSE options present in o; read_only adds
 * "ro" (also used when the server exports the share read-only).
 * Returns 0 with a malloc'd string in *out, or -ENOMEM.
 */
int smbfs_fuse_optstr(const struct smbfs_mount_opts *o, const char *fsname,
		      bool read_only, char **out);

/*
 * The share-relative directory of the UNC ("a/b") in SMB form ("a\\b"),
 * each component mapped as file names are (mapposix).  "" stays "".
 */
int smbfs_subdir_to_smb(const char *subdir, bool mapposix, char **out);

/* Exit codes (enum smbfs_exit) for a failed session setup / tree connect. */
int smbfs_exit_for_session_error(int rc);
int smbfs_exit_for_tree_error(int rc);

#endif
