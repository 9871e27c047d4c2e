// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics: stderr in the foreground, syslog once daemonized. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <syslog.h>

#include "smbfs.h"

/* The one process-wide switch: where diagnostics go. */
static atomic_bool use_syslog;

void smbfs_log_to_syslog(bool on)
{
	if (on)
		openlog("smbfs", LOG_PID, LOG_DAEMON);
	atomic_store(&use_syslog, on);
}

void smbfs_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (atomic_load(&use_syslog)) {
		vsyslog(LOG_WARNING, fmt, ap);
	} else {
		fputs("smbfs: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}
