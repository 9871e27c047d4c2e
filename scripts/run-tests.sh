#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the unit and integration test programs (make check calls this after
# the build) and prints one summary line: "N passed, N failed".
#
#   run-tests.sh [--unit] [--integration] [NAME...]
#
# --unit / --integration run only that part; NAMEs (program or
# configuration names) narrow the run further. Environment: BUILD (default
# build), TEST_TIMEOUT seconds per program (default 900), ITEST_CONFIGS
# (default tests/integration/configs.txt).
#
# Unit tests: every $BUILD/tests/test_* program and tests/unit/test_*.sh.
# Integration tests: for every line of tests/integration/configs.txt a
# private smbd (scripts/samba.sh) in a fresh temporary directory, the
# listed $BUILD/tests/itest_* programs run against it with the server's
# description in the environment (see tests/integration/README.md), then the
# server is stopped and FUSE mounts under the directory are unmounted, also
# when a test fails or the run is interrupted.
#
# Counts come from each program's CUnit "Run Summary" (the tests row). A
# program that exits non-zero without failed tests in its summary (a crash,
# a sanitizer report, a timeout, a missing program) counts one failure.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"

BUILD=${BUILD:-build}
BUILD_ABS=$(cd "$BUILD" 2>/dev/null && pwd) || die "no $BUILD directory: build first"
LOGDIR=$BUILD_ABS/test-logs
CONFIGS=${ITEST_CONFIGS:-$ROOT/tests/integration/configs.txt}
TEST_TIMEOUT=${TEST_TIMEOUT:-900}
TEST_USER=smbfstest

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

TOTAL_PASSED=0
TOTAL_FAILED=0
RESULTS=()
WORK=
EXPORTED=()
TAIL_PID=

# record LABEL PASSED FAILED NOTE
record() {
	local label=$1 passed=$2 failed=$3 note=${4:-} verdict=PASS
	[ "$failed" -eq 0 ] || verdict=FAIL
	TOTAL_PASSED=$((TOTAL_PASSED + passed))
	TOTAL_FAILED=$((TOTAL_FAILED + failed))
	RESULTS+=("$(printf '%s %-44s %4d passed, %3d failed%s' "$verdict" \
		"$label" "$passed" "$failed" "${note:+  ($note)}")")
}

# summary_counts LOG: prints "passed failed" from CUnit's Run Summary, or
# nothing when there is no summary. Suites whose setup failed count as
# failed tests: their tests never ran.
summary_counts() {
	awk '
	/^Run Summary:/ { in_summary = 1; next }
	in_summary && $1 == "suites" && NF >= 6 { suites_failed = $5 }
	in_summary && $1 == "tests" && NF >= 6 {
		passed = $4; failed = $5; found = 1
	}
	END { if (found) print passed, failed + suites_failed }
	' "$1"
}

# run_program LABEL PROGRAM: runs it with its output shown and logged.
# The output goes to a file, not a pipe, so a process the test leaves
# behind (a FUSE daemon, say) cannot hold the runner up.
run_program() {
	local label=$1 prog=$2 log rc counts passed failed note="" tail_pid
	log=$LOGDIR/${label//\//_}.log
	echo
	echo "===== $label ====="
	if [ ! -x "$prog" ]; then
		echo "MISSING: $prog was not built (is its source in tests/?)" |
			tee "$log"
		record "$label" 0 1 "program missing"
		return 0
	fi
	: >"$log"
	tail -n +1 -f -s 0.1 "$log" &
	tail_pid=$!
	TAIL_PID=$tail_pid
	set +e
	timeout -k 10 "$TEST_TIMEOUT" "$prog" </dev/null >"$log" 2>&1
	rc=$?
	set -e
	sleep 0.2 # let tail show the last lines
	kill "$tail_pid" 2>/dev/null || true
	wait "$tail_pid" 2>/dev/null || true
	TAIL_PID=
	counts=$(summary_counts "$log")
	if [ -z "$counts" ]; then
		passed=0 failed=1 note="no CUnit summary, exit status $rc"
	else
		read -r passed failed <<<"$counts"
		if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
			failed=1 note="exit status $rc after the summary"
		fi
	fi
	[ "$rc" -eq 124 ] && note="timed out after ${TEST_TIMEOUT}s"
	record "$label" "$passed" "$failed" "$note"
}

wanted() {
	local name
	[ ${#FILTERS[@]} -eq 0 ] && return 0
	for name in "${FILTERS[@]}"; do
		[ "$name" = "$1" ] && return 0
	done
	return 1
}

run_unit_tests() {
	local prog name found=0
	# Built programs, then checks written in shell (tests/unit/*.sh).
	for prog in "$BUILD_ABS"/tests/test_* "$ROOT"/tests/unit/test_*.sh; do
		[ -f "$prog" ] && [ -x "$prog" ] || continue
		name=$(basename "$prog")
		wanted "$name" || continue
		found=1
		run_program "$name" "$prog"
	done
	if [ "$found" -eq 0 ] && [ ${#FILTERS[@]} -eq 0 ]; then
		record "unit tests" 0 1 "no $BUILD/tests/test_* programs"
	fi
}

cleanup_config() {
	[ -n "$WORK" ] || return 0
	unmount_fuse_under "$WORK"
	"$HERE/samba.sh" stop "$WORK/srv" || log "could not stop smbd in $WORK"
	if [ -d "$WORK/srv/log" ]; then
		mkdir -p "$LOGDIR/samba-$CONFIG_NAME"
		cp -r "$WORK/srv/log/." "$LOGDIR/samba-$CONFIG_NAME/" || true
	fi
	if [ -z "$(fuse_mounts_under "$WORK")" ]; then
		rm -rf --one-file-system "$WORK"
	else
		log "leaving $WORK: a mount is still active"
	fi
	WORK=
}

# export_server_env FILE: exports samba.sh's KEY=VALUE lines.
export_server_env() {
	local key value
	while IFS='=' read -r key value; do
		[[ $key =~ ^[A-Z][A-Z0-9_]*$ ]] || continue
		export "$key=$value"
		EXPORTED+=("$key")
	done <"$1"
}

# run_config NAME EXTRA PROGRAM...
run_config() {
	local name=$1 extra=$2 prog
	shift 2
	CONFIG_NAME=$name
	echo
	echo "##### integration configuration: $name #####"
	if [ $# -eq 0 ]; then
		log "configuration $name lists no programs"
		return 0
	fi
	if ! is_root; then
		record "$name" 0 1 "integration tests need root (smbd)"
		return 0
	fi
	local args=()
	if [ "$extra" != - ]; then
		case $extra in /*) ;; *) extra=$ROOT/tests/integration/$extra ;; esac
		if [ ! -r "$extra" ]; then
			record "$name" 0 1 "missing conf-extra file $extra"
			return 0
		fi
		args=(--conf-extra "$extra")
	fi
	WORK=$(mktemp -d /tmp/smbfs-test.XXXXXX)
	chmod 0755 "$WORK" # smbd's session user must reach the shares
	if ! "$HERE/samba.sh" start "$WORK/srv" "${args[@]}"; then
		record "$name" 0 1 "smbd did not start"
		cleanup_config
		return 0
	fi
	mkdir -p "$WORK/mnt" "$WORK/tmp"
	if id -u "$TEST_USER" >/dev/null 2>&1; then
		chown "$TEST_USER:" "$WORK/mnt"
	fi
	export_server_env "$WORK/srv/env"
	export SMB_CONFIG_NAME=$name SMB_MNT_DIR=$WORK/mnt \
		SMB_TMPDIR=$WORK/tmp SMB_TEST_USER=$TEST_USER \
		SMBFS_BUILD=$BUILD_ABS SMBFS_ROOT=$ROOT
	EXPORTED+=(SMB_CONFIG_NAME SMB_MNT_DIR SMB_TMPDIR SMB_TEST_USER \
		SMBFS_BUILD SMBFS_ROOT)
	for prog in "$@"; do
		# Shell tests live in the source tree; C ones are built.
		case $prog in
		*.sh) run_program "$name/$prog" "$ROOT/tests/integration/$prog" ;;
		*) run_program "$name/$prog" "$BUILD_ABS/tests/$prog" ;;
		esac
	done
	unset "${EXPORTED[@]}"
	EXPORTED=()
	unmount_fuse_under "$WORK"
	cleanup_config
}

run_integration_tests() {
	local line name extra progs registered=() prog base
	[ -f "$CONFIGS" ] || { record "integration" 0 1 "no $CONFIGS"; return 0; }
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		read -r name extra progs <<<"$line" || true
		[ -n "$name" ] || continue
		[ -n "$extra" ] || extra=-
		# shellcheck disable=SC2206
		local list=($progs)
		registered+=("${list[@]}")
		if wanted "$name"; then
			run_config "$name" "$extra" "${list[@]}"
		else
			local some=()
			for prog in "${list[@]}"; do
				wanted "$prog" && some+=("$prog")
			done
			[ ${#some[@]} -eq 0 ] || run_config "$name" "$extra" "${some[@]}"
		fi
	done <"$CONFIGS"
	# A built integration program nobody registered would never run.
	[ ${#FILTERS[@]} -eq 0 ] || return 0
	for prog in "$BUILD_ABS"/tests/itest_*; do
		[ -f "$prog" ] && [ -x "$prog" ] || continue
		base=$(basename "$prog")
		if [[ " ${registered[*]} " != *" $base "* ]]; then
			record "$base" 0 1 "in no line of tests/integration/configs.txt"
		fi
	done
}

on_exit() {
	local rc=$?
	[ -z "$TAIL_PID" ] || kill "$TAIL_PID" 2>/dev/null || true
	cleanup_config
	exit "$rc"
}

main() {
	local do_unit=1 do_itest=1
	FILTERS=()
	while [ $# -gt 0 ]; do
		case $1 in
		--unit) do_itest=0 ;;
		--integration) do_unit=0 ;;
		-h | --help) sed -n '4,12p' "$0"; exit 0 ;;
		-*) die "unknown option $1" ;;
		*) FILTERS+=("$1") ;;
		esac
		shift
	done
	mkdir -p "$LOGDIR"
	trap on_exit EXIT
	trap 'exit 130' INT TERM

	[ "$do_unit" -eq 0 ] || run_unit_tests
	[ "$do_itest" -eq 0 ] || run_integration_tests

	echo
	echo "===== results (logs in $LOGDIR) ====="
	printf '%s\n' "${RESULTS[@]}"
	echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
	[ "$TOTAL_FAILED" -eq 0 ]
}

main "$@"
