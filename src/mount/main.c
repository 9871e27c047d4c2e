// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * smbfs-mount: mounts an SMB2/3 share with FUSE.  Also mount(8)'s
 * external helper when run as mount.smbfs (see smbfs-mount(8)).
 *
 * The share is connected, logged on and checked before the program
 * detaches, so every failure is reported by the command the user ran, with
 * one line and a documented exit code, and nothing is left mounted.  The
 * detaching fork happens BEFORE the connection is opened: the connection
 * runs threads of its own, and fork() copies only the calling thread.  The
 * parent waits on a pipe for the child to say "mounted" (or exit with a
 * code) and exits with that status.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pwd.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../fs/smbfs.h"
#include "mount_helper.h"
#include "watchdog.h"
#include "smbfs/log.h"
#include "smbfs/mount_opts.h"

#define ERRLEN		      512

struct mount_ctx {
	struct smbfs_cmdline cl;
	struct smbfs_mount_opts o;
	struct smbfs_unc unc;
	char *mountpoint; /* canonical */
	char *fsname;	  /* "//host/share[/dir]" for /proc/mounts */
	char *subdir;	  /* SMB form */
	struct smb_pool *pool;
	struct pool_tree *tree;
	struct smbfs fs;
	bool fs_ready;
	bool read_only;
	struct fuse_session *se;
	bool mounted;
	int status_fd; /* to the waiting parent; -1 in the foreground */
	char err[ERRLEN];
};

static void fail_msg(const char *msg)
{
	fprintf(stderr, "%s\n", msg);
}

static void verbose(const struct mount_ctx *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void verbose(const struct mount_ctx *m, const char *fmt, ...)
{
	va_list ap;

	if (!m->cl.verbose)
		return;
	va_start(ap, fmt);
	fputs("smbfs-mount: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ------------------------------------------------------ before connecting */

static int parse_command_line(struct mount_ctx *m, int argc, char **argv)
{
	int rc =
		smbfs_cmdline_parse(&m->cl, argc, argv, m->err, sizeof(m->err));

	if (rc) {
		fail_msg(m->err);
		return SMBFS_EXIT_USAGE;
	}
	smbfs_opts_init(&m->o);
	if (m->cl.help || m->cl.version || m->cl.stats)
		return 0;
	rc = smbfs_cmdline_apply_opts(&m->cl, &m->o, m->err, sizeof(m->err));
	if (!rc)
		rc = smbfs_opts_check(&m->o, m->err, sizeof(m->err));
	if (!rc)
		rc = smbfs_unc_parse(&m->unc, m->cl.unc, m->err,
				     sizeof(m->err));
	if (rc) {
		fail_msg(m->err);
		return rc == -EOPNOTSUPP ? SMBFS_EXIT_UNSUPPORTED
					 : SMBFS_EXIT_USAGE;
	}
	return 0;
}

static int check_fuse_device(struct mount_ctx *m)
{
	if (!strncmp(m->mountpoint, "/dev/fd/", 8))
		return 0; /* mount.fuse3 opened it for us */
	if (access("/dev/fuse", F_OK)) {
		fail_msg("smbfs-mount: /dev/fuse does not exist "
			 "(modprobe fuse, or run where FUSE is available)");
		return SMBFS_EXIT_FUSE;
	}
	/* Root opens it whatever its mode; fusermount3 needs it open. */
	if (getuid() != 0 && access("/dev/fuse", R_OK | W_OK)) {
		fprintf(stderr,
			"smbfs-mount: cannot open /dev/fuse: %s "
			"(chmod 0666 /dev/fuse or run as root)\n",
			strerror(errno));
		return SMBFS_EXIT_FUSE;
	}
	return 0;
}

static void default_username(struct smbfs_mount_opts *o)
{
	struct passwd *pw;

	if (o->username || o->guest || o->sec == SMBFS_SEC_NONE ||
	    smbfs_opts_kerberos(o))
		return;
	/* mount.cifs logs on as the local user by default. */
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		o->username = strdup(pw->pw_name);
}

static int resolve_identity(struct mount_ctx *m, int argc, char **argv)
{
	int rc;

	m->o.prompt_target = m->unc.display;
	/* The prompt names the user; credentials= may still change it. */
	default_username(&m->o);
	rc = smbfs_resolve_password(&m->o, m->err, sizeof(m->err));
	/* Hide what was typed on the command line whatever happened. */
	smbfs_scrub_argv(argc, argv);
	smbfs_scrub_environ();
	if (rc) {
		fail_msg(m->err);
		return SMBFS_EXIT_USAGE;
	}
	if (m->cl.verbose) {
		char desc[1024];

		if (smbfs_opts_describe(&m->o, desc, sizeof(desc)) >= 0)
			verbose(m, "options: %s", desc);
	}
	return 0;
}

/* ------------------------------------------------------------- detaching */

/*
 * Forks; the parent waits for the child's status byte (0 = mounted) or
 * its exit and never returns.  Runs before any thread exists.
 */
static int detach_fork(struct mount_ctx *m)
{
	int pfd[2], status;
	unsigned char code;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC)) {
		perror("smbfs-mount: pipe");
		return SMBFS_EXIT_PROTOCOL;
	}
	pid = fork();
	if (pid < 0) {
		perror("smbfs-mount: fork");
		return SMBFS_EXIT_PROTOCOL;
	}
	if (pid == 0) {
		close(pfd[0]);
		m->status_fd = pfd[1];
		return 0;
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &code, 1);
	while (n < 0 && errno == EINTR);
	if (n == 1)
		_exit(code);
	/* The child failed (and said why) or died. */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : SMBFS_EXIT_PROTOCOL);
}

/* The share is mounted: release the parent and leave the terminal. */
static void detach_finish(struct mount_ctx *m)
{
	unsigned char ok = SMBFS_EXIT_OK;
	int fd;

	if (m->status_fd < 0)
		return;
	if (setsid() < 0)
		smb_log(SMB_LOG_WARN, "setsid: %s", strerror(errno));
	if (chdir("/"))
		smb_log(SMB_LOG_WARN, "chdir /: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	smb_log_to_syslog(m->mountpoint);
	if (write(m->status_fd, &ok, 1) != 1)
		smb_log(SMB_LOG_WARN, "cannot report the mount to the parent");
	close(m->status_fd);
	m->status_fd = -1;
}

/* ------------------------------------------------------------ connecting */

static void pool_config_fill(const struct mount_ctx *m,
			     struct smb_pool_config *pc)
{
	const struct smbfs_mount_opts *o = &m->o;

	memset(pc, 0, sizeof(*pc));
	pc->host = m->unc.host;
	pc->port = o->port ? o->port : m->unc.port;
	/*
	 * A server that misses two echo intervals is dead for cifs.ko; the
	 * pool gives a request no longer than that, and at most 30 s.
	 */
	pc->echo_interval_s = o->echo_interval;
	pc->dialect_min = o->min_dialect;
	pc->dialect_max = o->max_dialect;
	pc->user = o->username;
	pc->domain = o->domain;
	pc->password = o->password;
	/*
	 * guest without a user name logs on anonymously, as mount.cifs
	 * does (an empty user and password); servers map that to their
	 * guest account for shares that allow it.
	 */
	pc->anonymous = o->sec == SMBFS_SEC_NONE || (o->guest && !o->username);
	pc->guest = o->guest;
	pc->krb5 = smbfs_opts_kerberos(o);
	pc->krb5_keytab = o->keytab;
	pc->krb5_principal = o->principal;
	pc->krb5_spn = o->spn;
	pc->sign = smbfs_opts_signing_required(o);
	pc->nosign = o->nosign;
	pc->seal = o->seal || o->require256;
	pc->require256 = o->require256;
	pc->hard = !o->soft;
	pc->soft_timeout_s = o->softtimeo;
	pc->retrans = o->retrans;
	pc->rsize = o->rsize;
	pc->wsize = o->wsize;
	pc->readahead = o->rasize_set ? (int64_t)o->rasize : -1;
}

static void wipe_password(struct smbfs_mount_opts *o)
{
	if (!o->password)
		return;
	explicit_bzero(o->password, strlen(o->password));
	free(o->password);
	o->password = NULL;
}

static int connect_share(struct mount_ctx *m)
{
	struct smb_pool_config pc;
	struct smb_session_info si;
	struct smb_tree_info ti;
	char cerr[ERRLEN] = "";
	int rc;

	pool_config_fill(m, &pc);
	verbose(m, "connecting to %s port %u", pc.host,
		pc.port ? pc.port : 445);
	rc = smb_pool_open(&pc, &m->pool, cerr, sizeof(cerr));
	wipe_password(&m->o);
	if (rc < 0) {
		fprintf(stderr, "smbfs-mount: %s: %s\n", m->unc.display,
			cerr[0] ? cerr : strerror(-rc));
		return smbfs_exit_for_session_error(rc);
	}
	rc = smb_pool_tree(m->pool, m->unc.share, &m->tree, cerr, sizeof(cerr));
	if (rc < 0) {
		fprintf(stderr, "smbfs-mount: %s: %s\n", m->unc.display,
			cerr[0] ? cerr : strerror(-rc));
		return smbfs_exit_for_tree_error(rc);
	}
	pool_session_get_info(m->tree, &si);
	verbose(m, "logged on (dialect %x.%x.%x%s%s%s%s%s)", si.dialect >> 8,
		(si.dialect >> 4) & 0xf, si.dialect & 0xf,
		si.signing ? ", signed with " : "",
		si.signing ? smb2_signing_algo_name(si.sign_algo) : "",
		si.encrypting ? ", encrypted with " : "",
		si.encrypting ? smb2_cipher_name(si.cipher) : "",
		si.guest ? ", as guest" : "");
	pool_tree_get_info(m->tree, &ti);
	if (ti.share_type != SMB2_SHARE_TYPE_DISK) {
		fprintf(stderr, "smbfs-mount: %s: not a disk share (a %s)\n",
			m->unc.display,
			ti.share_type == SMB2_SHARE_TYPE_PIPE ? "named pipe"
							      : "printer");
		return SMBFS_EXIT_SHARE;
	}
	/*
	 * MS-SMB2 2.2.10: MaximalAccess is what this user may do on the
	 * share; without write rights the server exports it read-only, so
	 * the kernel mount is made read-only too (EROFS, not EACCES).
	 */
	m->read_only = m->o.readonly;
	if (ti.maximal_access &&
	    !(ti.maximal_access & (FILE_WRITE_DATA | FILE_ADD_FILE))) {
		if (!m->read_only)
			verbose(m, "the server exports %s read-only",
				m->unc.display);
		m->read_only = true;
	}
	return 0;
}

/* --------------------------------------------------------------- the fs */

static int build_fs_config(struct mount_ctx *m, struct smbfs_config *cfg)
{
	const struct smbfs_mount_opts *o = &m->o;
	uint32_t t_file = smbfs_opts_attr_timeout(o, false);
	uint32_t t_dir = smbfs_opts_attr_timeout(o, true);
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->uid = o->uid;
	cfg->gid = o->gid;
	cfg->file_mode = o->file_mode;
	cfg->dir_mode = o->dir_mode;
	cfg->read_only = m->read_only;
	cfg->serverino = !o->noserverino;
	cfg->mfsymlinks = o->mfsymlinks;
	/* modefromsid, idsfromsid and sfu build on cifsacl. */
	cfg->cifsacl = o->cifsacl || o->modefromsid || o->idsfromsid || o->sfu;
	cfg->sfu = o->sfu;
	cfg->modefromsid = o->modefromsid;
	cfg->idsfromsid = o->idsfromsid;
	cfg->nocase = o->nocase;
	cfg->mapposix = o->mapposix;
	cfg->nobrl = o->nobrl;
	cfg->noperm = o->noperm;
	/* cache=none caches nothing, attributes and names included. */
	if (o->cache == SMBFS_CACHE_NONE)
		t_file = t_dir = 0;
	cfg->cache = o->cache == SMBFS_CACHE_NONE    ? SMBFS_CACHE_MODE_NONE
		     : o->cache == SMBFS_CACHE_LOOSE ? SMBFS_CACHE_MODE_LOOSE
						     : SMBFS_CACHE_MODE_STRICT;
	/* One lifetime for both kinds: the shorter one is the safe one. */
	cfg->attr_timeout = t_file < t_dir ? t_file : t_dir;
	cfg->acregmax_ms = t_file * 1000;
	cfg->acdirmax_ms = t_dir * 1000;
	/* cache=none caches nothing: no lease, no deferred close. */
	cfg->nolease = o->nolease || o->cache == SMBFS_CACHE_NONE;
	cfg->closetimeo_ms = cfg->nolease ? 0 : o->closetimeo * 1000;
	cfg->dirwatch = o->cache == SMBFS_CACHE_NONE ? 0 : o->dirwatch;
	cfg->rsize = o->rsize;
	cfg->wsize = o->wsize;
	rc = smbfs_subdir_to_smb(m->unc.subdir ? m->unc.subdir : "",
				 o->mapposix, &m->subdir);
	if (rc) {
		fprintf(stderr, "smbfs-mount: %s: bad directory '%s': %s\n",
			m->unc.display, m->unc.subdir, strerror(-rc));
		return SMBFS_EXIT_USAGE;
	}
	cfg->subdir = m->subdir;
	return 0;
}

static int init_fs(struct mount_ctx *m)
{
	struct smbfs_config cfg;
	int rc = build_fs_config(m, &cfg);

	if (rc)
		return rc;
	rc = smbfs_init_state(&m->fs, m->pool, m->tree, &cfg);
	m->fs_ready = true;
	if (rc == 0)
		return 0;
	if (m->subdir[0] && (rc == -ENOENT || rc == -ENOTDIR)) {
		fprintf(stderr, "smbfs-mount: %s: '%s' %s in share '%s'\n",
			m->unc.display, m->unc.subdir,
			rc == -ENOENT ? "does not exist" : "is not a directory",
			m->unc.share);
		return SMBFS_EXIT_SHARE;
	}
	fprintf(stderr, "smbfs-mount: %s: cannot read the share's root: %s\n",
		m->unc.display, strerror(-rc));
	return smbfs_exit_for_tree_error(rc);
}

static int make_fsname(struct mount_ctx *m)
{
	const char *sub = m->unc.subdir ? m->unc.subdir : "";
	int n = asprintf(&m->fsname, "%s%s%s", m->unc.display,
			 sub[0] ? "/" : "", sub);

	if (n < 0) {
		m->fsname = NULL;
		fail_msg("smbfs-mount: out of memory");
		return SMBFS_EXIT_PROTOCOL;
	}
	return 0;
}

static int fuse_setup(struct mount_ctx *m)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_lowlevel_ops ops;
	char *optstr = NULL;
	int rc;

	rc = make_fsname(m);
	if (rc)
		return rc;
	if (smbfs_fuse_optstr(&m->o, m->fsname, m->read_only, &optstr) ||
	    fuse_opt_add_arg(&args, "smbfs-mount") ||
	    fuse_opt_add_arg(&args, "-o") || fuse_opt_add_arg(&args, optstr) ||
	    (m->cl.debug && fuse_opt_add_arg(&args, "-d"))) {
		free(optstr);
		fuse_opt_free_args(&args);
		fail_msg("smbfs-mount: out of memory");
		return SMBFS_EXIT_FUSE;
	}
	verbose(m, "FUSE options: %s", optstr);
	free(optstr);
	smbfs_ops_fill(&m->fs.cfg, &ops);
	m->se = fuse_session_new(&args, &ops, sizeof(ops), &m->fs);
	fuse_opt_free_args(&args);
	if (!m->se) {
		fail_msg("smbfs-mount: cannot set up the FUSE session");
		return SMBFS_EXIT_FUSE;
	}
	m->fs.se = m->se;
	if (fuse_set_signal_handlers(m->se)) {
		fail_msg("smbfs-mount: cannot install signal handlers");
		return SMBFS_EXIT_FUSE;
	}
	if (fuse_session_mount(m->se, m->mountpoint)) {
		fprintf(stderr, "smbfs-mount: %s: mounting on %s failed%s\n",
			m->fsname, m->mountpoint,
			getuid() ? " (fusermount3 said why above)" : "");
		return SMBFS_EXIT_FUSE;
	}
	m->mounted = true;
	verbose(m, "mounted %s on %s", m->fsname, m->mountpoint);
	return 0;
}

/*
 * FUSE's worker threads (threads= ready, max_threads= at most) are the
 * mount's; the pool has threads of its own for events and reconnects.
 * The watchdog ends waits for a lost server once the session ends.
 */
static int serve(struct mount_ctx *m)
{
	struct mount_watchdog wd = {0};
	struct fuse_loop_config *lc = NULL;
	int rc;

	rc = mount_watchdog_start(&wd, m->se, m->pool);
	if (rc < 0)
		return rc;
	if (m->cl.single_thread) {
		rc = fuse_session_loop(m->se);
		goto out;
	}
	lc = fuse_loop_cfg_create();
	if (!lc) {
		rc = -ENOMEM;
		goto out;
	}
	fuse_loop_cfg_set_clone_fd(lc, 0);
	fuse_loop_cfg_set_max_threads(lc, m->o.max_threads);
	fuse_loop_cfg_set_idle_threads(lc, m->o.threads);
	rc = fuse_session_loop_mt(m->se, lc);
	fuse_loop_cfg_destroy(lc);
out:
	mount_watchdog_stop(&wd);
	return rc;
}

static void teardown(struct mount_ctx *m)
{
	/*
	 * Deferred handles and watches go while the pool still works, and
	 * the event and service threads stop before the session's device
	 * is closed: they write invalidations to it.
	 */
	if (m->fs_ready)
		smbfs_shutdown(&m->fs);
	if (m->se) {
		if (m->mounted)
			fuse_session_unmount(m->se);
		fuse_remove_signal_handlers(m->se);
		fuse_session_destroy(m->se);
	}
	/* No pool thread asks the inode table for a path after this. */
	smb_pool_close(m->pool);
	if (m->fs_ready)
		smbfs_free_state(&m->fs);
	free(m->fsname);
	free(m->subdir);
	free(m->mountpoint);
	smbfs_unc_free(&m->unc);
	smbfs_opts_free(&m->o);
	smbfs_cmdline_free(&m->cl);
}

/* Everything after the (optional) fork: connect, mount, serve. */
static int mount_and_serve(struct mount_ctx *m)
{
	int rc = connect_share(m);

	if (!rc)
		rc = init_fs(m);
	if (!rc)
		rc = fuse_setup(m);
	if (rc)
		return rc;
	detach_finish(m);
	rc = serve(m);
	/*
	 * The loop ends on unmount, or on a signal (a positive number);
	 * either is a clean end.
	 */
	if (rc < 0) {
		smb_log(SMB_LOG_WARN, "FUSE loop ended with %s", strerror(-rc));
		return SMBFS_EXIT_PROTOCOL;
	}
	return SMBFS_EXIT_OK;
}

/* --stats: prints the statistics a mount keeps (see smbfs-mount(8)). */
static int print_stats(const char *mountpoint)
{
	ssize_t len = getxattr(mountpoint, FS_STATS_XATTR, NULL, 0);
	char *buf = len > 0 ? malloc((size_t)len) : NULL;

	if (len > 0 && buf)
		len = getxattr(mountpoint, FS_STATS_XATTR, buf, (size_t)len);
	if (len <= 0 || !buf) {
		fprintf(stderr, "smbfs-mount: %s: %s\n", mountpoint,
			errno == ENODATA || errno == ENOTSUP
				? "not an smbfs mount"
				: strerror(errno));
		free(buf);
		return SMBFS_EXIT_USAGE;
	}
	fwrite(buf, 1, (size_t)len, stdout);
	free(buf);
	return SMBFS_EXIT_OK;
}

static int run(struct mount_ctx *m, int argc, char **argv)
{
	const char *prog = m->cl.helper ? SMBFS_HELPER_NAME : "smbfs-mount";
	int rc;

	if (m->cl.help) {
		smbfs_print_usage(prog, false);
		return SMBFS_EXIT_OK;
	}
	if (m->cl.version) {
		printf("smbfs-mount %s\n", SMBFS_VERSION);
		return SMBFS_EXIT_OK;
	}
	if (m->cl.stats)
		return print_stats(m->cl.stats);
	/* -d: every message, per-request detail included (never secrets). */
	if (m->cl.debug)
		smb_log_set_level(SMB_LOG_DEBUG);
	rc = smbfs_mountpoint_check(m->cl.mountpoint, &m->mountpoint, m->err,
				    sizeof(m->err));
	if (rc) {
		fail_msg(m->err);
		return rc == -ENOMEM ? SMBFS_EXIT_PROTOCOL
				     : SMBFS_EXIT_MOUNTPOINT;
	}
	rc = check_fuse_device(m);
	if (rc)
		return rc;
	if (m->cl.fake) {
		verbose(m, "-f (fake): not mounting %s on %s", m->unc.display,
			m->mountpoint);
		return SMBFS_EXIT_OK;
	}
	rc = resolve_identity(m, argc, argv);
	if (rc)
		return rc;
	/* mount(8) waits for its helper: the helper always detaches. */
	if (!m->cl.foreground || m->cl.helper) {
		rc = detach_fork(m);
		if (rc)
			return rc;
	}
	return mount_and_serve(m);
}

/*
 * READs and WRITEs move buffers of up to the server's 8 MiB at a time.
 * glibc would map each one on its own and unmap it when freed, so every
 * page of every buffer would be faulted in and zeroed again (and, on a
 * virtual machine that hands freed memory back to its host, fetched from
 * the host too): a fifth of the daemon's CPU time in a 1 GiB copy.  They
 * come from the heap instead, which keeps freed memory for the next.
 * An allocator that takes no such advice (a sanitizer's) costs only
 * speed: its answer is not checked.
 */
static void allocator_tune(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

int main(int argc, char **argv)
{
	struct mount_ctx m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.status_fd = -1;
	/*
	 * The process holds the NT hash and session keys: no core dump
	 * and no ptrace attach by the same user may read them out.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		fprintf(stderr, "smbfs-mount: cannot disable core dumps: %s\n",
			strerror(errno));
	/* A server that closes the connection must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	allocator_tune();
	rc = parse_command_line(&m, argc, argv);
	if (rc) {
		smbfs_scrub_argv(argc, argv);
		smbfs_scrub_environ();
	} else {
		rc = run(&m, argc, argv);
	}
	teardown(&m);
	return rc;
}
