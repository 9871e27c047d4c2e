// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where the password comes from, in mount.cifs order: the password= option,
 * the credentials file, $PASSWD, $PASSWD_FD, $PASSWD_FILE, and last a
 * prompt on the terminal.  Also hides the password from /proc/PID/cmdline
 * and /proc/PID/environ once it has been read.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "smbfs/mount_opts.h"

/* Room for the longest password, its newline and the NUL. */
#define LINE_BUF (SMBFS_PASSWORD_MAX + 2)

static int store_password(struct smbfs_mount_opts *o, const char *pw,
			  enum smbfs_pw_source src)
{
	char *copy = strdup(pw);

	if (!copy)
		return -ENOMEM;
	if (o->password) {
		explicit_bzero(o->password, strlen(o->password));
		free(o->password);
	}
	o->password = copy;
	o->pw_source = src;
	return 0;
}

/* Drops a trailing "\n" or "\r\n"; returns the new length. */
static size_t chomp(char *s, size_t len)
{
	if (len && s[len - 1] == '\n')
		s[--len] = '\0';
	if (len && s[len - 1] == '\r')
		s[--len] = '\0';
	return len;
}

/*
 * Reads one line from fd a byte at a time, so nothing after the newline
 * is consumed (the descriptor may be shared with the caller).
 * Returns the length, or -EMSGSIZE when the line does not fit.
 */
static int read_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || buf[len] == '\n') {
			len += (size_t)n;
			break;
		}
		if (++len == size - 1)
			return -EMSGSIZE;
	}
	buf[len] = '\0';
	return (int)chomp(buf, len);
}

static int password_from_fd(struct smbfs_mount_opts *o, const char *fdstr,
			    char *err, size_t errlen)
{
	char buf[LINE_BUF], *end;
	long fd;
	int ret;

	errno = 0;
	fd = strtol(fdstr, &end, 10);
	if (errno || !fdstr[0] || *end || fd < 0 || fd > INT32_MAX) {
		smbfs_mount_errf(err, errlen, "bad PASSWD_FD value '%s'",
				 fdstr);
		return -EINVAL;
	}
	ret = read_line((int)fd, buf, sizeof(buf));
	if (ret >= 0)
		ret = store_password(o, buf, SMBFS_PW_FD);
	else
		smbfs_mount_errf(err, errlen,
				 "cannot read password from PASSWD_FD %ld: %s",
				 fd, strerror(-ret));
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

static int password_from_file(struct smbfs_mount_opts *o, const char *path,
			      char *err, size_t errlen)
{
	char buf[LINE_BUF];
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		smbfs_mount_errf(err, errlen, "cannot open PASSWD_FILE %s: %s",
				 path, strerror(-ret));
		return ret;
	}
	ret = read_line(fd, buf, sizeof(buf));
	close(fd);
	if (ret >= 0)
		ret = store_password(o, buf, SMBFS_PW_FILE);
	else
		smbfs_mount_errf(err, errlen,
				 "cannot read password from PASSWD_FILE %s: %s",
				 path, strerror(-ret));
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

/* ----------------------------------------------------------- the prompt */

/*
 * The terminal's echo must come back however the prompt ends, including
 * Ctrl-C.  Rather than global state for a signal handler, the job-control
 * and termination signals are blocked and read from a signalfd while the
 * prompt is up; the terminal is restored before each is acted upon.
 */
struct tty_prompt {
	int tty;
	int sigfd;
	struct termios saved;
	sigset_t caught;
	sigset_t oldmask;
};

static int echo_off(struct tty_prompt *p, const char *prompt)
{
	struct termios t = p->saved;

	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL; /* still move to a new line on Enter */
	if (tcsetattr(p->tty, TCSAFLUSH, &t) < 0)
		return -errno;
	if (write(p->tty, prompt, strlen(prompt)) < 0)
		return -errno;
	return 0;
}

static void echo_restore(struct tty_prompt *p)
{
	while (tcsetattr(p->tty, TCSAFLUSH, &p->saved) < 0 && errno == EINTR)
		;
}

/*
 * A signal arrived while echo was off: restore the terminal, then let the
 * signal take its normal course.  Returns 0 to keep prompting (stopped
 * and continued, or an ignored signal) or -EINTR to give up.
 */
static int prompt_signal(struct tty_prompt *p, const char *prompt)
{
	struct signalfd_siginfo si;
	struct sigaction sa;
	int sig;

	if (read(p->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	sig = (int)si.ssi_signo;
	if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
		return 0;
	echo_restore(p);
	pthread_sigmask(SIG_SETMASK, &p->oldmask, NULL);
	raise(sig); /* for SIGTSTP: stops here until SIGCONT */
	pthread_sigmask(SIG_BLOCK, &p->caught, NULL);
	if (sig != SIGTSTP)
		return -EINTR;
	return echo_off(p, prompt);
}

/* Reads one line from the terminal with echo off. */
static int prompt_read(struct tty_prompt *p, const char *prompt, char *buf,
		       size_t size)
{
	struct pollfd pfd[2] = {
		{ .fd = p->tty, .events = POLLIN },
		{ .fd = p->sigfd, .events = POLLIN },
	};
	size_t len = 0;
	int ret;

	while (!len || buf[len - 1] != '\n') {
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[1].revents & POLLIN) {
			ret = prompt_signal(p, prompt);
			if (ret)
				return ret;
			continue;
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (len == size - 1)
			return -EMSGSIZE;
		n = read(p->tty, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) /* Ctrl-D or hang-up: nothing entered */
			return len ? 0 : -ENODATA;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return (int)chomp(buf, len);
}

static int prompt_open(struct tty_prompt *p)
{
	p->sigfd = -1;
	p->tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (p->tty < 0)
		return -ENOTTY;
	if (tcgetattr(p->tty, &p->saved) < 0) {
		close(p->tty);
		return -ENOTTY;
	}
	sigemptyset(&p->caught);
	sigaddset(&p->caught, SIGINT);
	sigaddset(&p->caught, SIGQUIT);
	sigaddset(&p->caught, SIGTERM);
	sigaddset(&p->caught, SIGHUP);
	sigaddset(&p->caught, SIGTSTP);
	pthread_sigmask(SIG_BLOCK, &p->caught, &p->oldmask);
	p->sigfd = signalfd(-1, &p->caught, SFD_CLOEXEC | SFD_NONBLOCK);
	if (p->sigfd < 0) {
		int e = errno;

		pthread_sigmask(SIG_SETMASK, &p->oldmask, NULL);
		close(p->tty);
		return -e;
	}
	return 0;
}

static void prompt_close(struct tty_prompt *p)
{
	echo_restore(p);
	close(p->sigfd);
	pthread_sigmask(SIG_SETMASK, &p->oldmask, NULL);
	close(p->tty);
}

static int password_from_prompt(struct smbfs_mount_opts *o, char *err,
				size_t errlen)
{
	struct tty_prompt p;
	char prompt[600], buf[LINE_BUF];
	int ret;

	ret = prompt_open(&p);
	if (ret) {
		smbfs_mount_errf(err, errlen,
				 "no password given and no terminal to ask "
				 "for one (use credentials=, PASSWD or "
				 "PASSWD_FD)");
		return ret;
	}
	snprintf(prompt, sizeof(prompt), "Password for %s%s%s%s%s: ",
		 o->domain && o->domain[0] ? o->domain : "",
		 o->domain && o->domain[0] ? "\\" : "",
		 o->username ? o->username : "guest",
		 o->prompt_target ? "@" : "",
		 o->prompt_target ? o->prompt_target : "");
	ret = echo_off(&p, prompt);
	if (!ret)
		ret = prompt_read(&p, prompt, buf, sizeof(buf));
	prompt_close(&p);
	if (ret >= 0)
		ret = store_password(o, buf, SMBFS_PW_PROMPT);
	else if (ret == -EMSGSIZE)
		smbfs_mount_errf(err, errlen, "password longer than %d bytes",
				 SMBFS_PASSWORD_MAX);
	else
		smbfs_mount_errf(err, errlen, "no password entered");
	explicit_bzero(buf, sizeof(buf));
	return ret;
}

int smbfs_resolve_password(struct smbfs_mount_opts *o, char *err, size_t errlen)
{
	const char *env;
	int ret;

	if (o->credentials) {
		ret = smbfs_credentials_load(o, o->credentials, err, errlen);
		if (ret)
			return ret;
	}
	if (o->guest || o->sec == SMBFS_SEC_NONE || smbfs_opts_kerberos(o)) {
		if (o->password) {
			explicit_bzero(o->password, strlen(o->password));
			free(o->password);
			o->password = NULL;
		}
		o->pw_source = SMBFS_PW_NOT_NEEDED;
		return 0;
	}
	if (o->password)
		return 0; /* option or credentials file */
	env = getenv("PASSWD");
	if (env) {
		if (strlen(env) > SMBFS_PASSWORD_MAX) {
			smbfs_mount_errf(err, errlen,
					 "PASSWD is longer than %d bytes",
					 SMBFS_PASSWORD_MAX);
			return -EINVAL;
		}
		ret = store_password(o, env, SMBFS_PW_ENV);
	} else if ((env = getenv("PASSWD_FD"))) {
		ret = password_from_fd(o, env, err, errlen);
	} else if ((env = getenv("PASSWD_FILE"))) {
		ret = password_from_file(o, env, err, errlen);
	} else {
		return password_from_prompt(o, err, errlen);
	}
	if (ret == -ENOMEM)
		smbfs_mount_errf(err, errlen, "out of memory");
	return ret;
}

/* ------------------------------------------------------------ scrubbing */

static size_t password_value_offset(const char *item)
{
	if (!strncmp(item, "password=", 9))
		return 9;
	if (!strncmp(item, "pass=", 5))
		return 5;
	return 0;
}

/*
 * Rewrites one option list in place: each password value becomes at most
 * eight '*' (so a long password's length does not show), the rest of the
 * list moves left and the freed tail is zeroed.
 */
static void scrub_optlist(char *list)
{
	size_t total = strlen(list);
	char *item = list;

	while (item) {
		size_t off = password_value_offset(item);

		if (off) {
			char *val = item + off;
			size_t vlen = strcspn(val, ",");
			size_t mask = vlen < 8 ? vlen : 8;
			size_t len;

			memset(val, '*', mask);
			memmove(val + mask, val + vlen, strlen(val + vlen) + 1);
			len = strlen(list);
			explicit_bzero(list + len, total - len);
			item = val + mask;
		}
		item = strchr(item, ',');
		if (item)
			item++;
	}
}

void smbfs_scrub_argv(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i]; i++) {
		char *a = argv[i], *o;

		if (!strcmp(a, "--"))
			break;
		if (a[0] != '-' || a[1] == '-')
			continue;
		/* -o LIST, -oLIST, or a cluster such as -fo LIST. */
		o = strchr(a + 1, 'o');
		if (!o)
			continue;
		if (o[1])
			scrub_optlist(o + 1);
		else if (i + 1 < argc && argv[i + 1])
			scrub_optlist(argv[++i]);
	}
}

extern char **environ;

void smbfs_scrub_environ(void)
{
	char **e;

	/*
	 * environ's strings still point into the block the kernel set up at
	 * exec, which is what /proc/PID/environ reads; unsetenv() alone
	 * would only drop the pointer.
	 */
	for (e = environ; e && *e; e++)
		if (!strncmp(*e, "PASSWD=", 7))
			explicit_bzero(*e + 7, strlen(*e + 7));
	unsetenv("PASSWD");
}
