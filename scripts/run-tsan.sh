#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make tsan: the filesystem integration tests (configurations fs and
# coherence: FUSE mounts of smbfs-mount doing real work, two mounts and
# smbclient changing the same files) with every program built with
# ThreadSanitizer in $BUILD (default build-tsan). Each process writes its
# reports to a file of its own; the run fails when any report is found,
# and prints them, whatever the tests themselves said.
#
#   run-tsan.sh [CONFIGURATION...]     (default: fs coherence)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

export BUILD=${BUILD:-build-tsan}
REPORTS=$(mktemp -d /tmp/smbfs-tsan.XXXXXX)
# The mounts run as the test user: it writes its reports here too.
chmod 1777 "$REPORTS"
trap 'rm -rf "$REPORTS"' EXIT
export TSAN_OPTIONS="log_path=$REPORTS/tsan second_deadlock_stack=1 history_size=4"
# Timeouts sized for ThreadSanitizer's slowdown.
export TEST_TIMEOUT=${TEST_TIMEOUT:-2400}

configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(fs coherence)
rc=0
bash scripts/run-tests.sh --integration "${configs[@]}" || rc=$?

shopt -s nullglob
reports=("$REPORTS"/tsan*)
if [ ${#reports[@]} -gt 0 ]; then
	echo
	echo "===== ThreadSanitizer: ${#reports[@]} process(es) reported ====="
	for r in "${reports[@]}"; do
		echo "--- $r"
		cat "$r"
	done
	grep -h '^WARNING: ThreadSanitizer' "${reports[@]}" | sort | uniq -c
	exit 1
fi
echo "ThreadSanitizer: no reports"
exit "$rc"
