// SPDX-License-Identifier: GPL-2.0-or-later
/* Check failures under libFuzzer: report and abort, so the input is kept. */
#include <stdio.h>

#include "fuzz_common.h"

unsigned long fuzz_checks_run;

void fuzz_check_failed(const char *file, int line, const char *expr)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, expr);
	abort();
}
