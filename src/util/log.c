// SPDX-License-Identifier: GPL-2.0-or-later
/* The logger: stderr in the foreground, syslog once detached. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "smbfs/log.h"

/*
 * Process-wide, like the syslog connection it stands for: set before the
 * threads start, read by all of them.
 */
static atomic_int log_max = SMB_LOG_INFO;
static atomic_bool log_syslog;
static char log_tag[256];

void smb_log_set_level(enum smb_log_level max)
{
	atomic_store(&log_max, (int)max);
}

bool smb_log_enabled(enum smb_log_level level)
{
	return (int)level <= atomic_load(&log_max);
}

void smb_log_to_syslog(const char *tag)
{
	snprintf(log_tag, sizeof(log_tag), "%s", tag ? tag : "");
	openlog("smbfs", LOG_PID, LOG_DAEMON);
	atomic_store(&log_syslog, true);
}

static int syslog_priority(enum smb_log_level level)
{
	switch (level) {
	case SMB_LOG_ERR:
		return LOG_ERR;
	case SMB_LOG_WARN:
		return LOG_WARNING;
	case SMB_LOG_INFO:
		return LOG_INFO;
	default:
		return LOG_DEBUG;
	}
}

void smb_log(enum smb_log_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!smb_log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (atomic_load(&log_syslog)) {
		if (log_tag[0])
			syslog(syslog_priority(level), "%s: %s", log_tag, line);
		else
			syslog(syslog_priority(level), "%s", line);
		return;
	}
	/* One write per line, so lines of several threads do not mix. */
	fprintf(stderr, "smbfs: %s\n", line);
}
