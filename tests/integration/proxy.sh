#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The test proxy build/tests/smbproxy (tests/tools/smbproxy.c) between
# smbclient and the private smbd of the environment
# (tests/integration/README.md):
#   - plain forwarding: a 20 MiB put and get are byte-identical;
#   - "delay 50" makes an ls take at least one added round trip longer;
#   - "cut-next-frame" breaks a get mid-READ, and new connections work;
#   - "stall 3" holds a get until the stall ends;
#   - "reset" kills a get in progress; "refuse on" / "refuse off";
#   - IPv6 on both sides; SIGTERM ends it cleanly;
#   - --self-test prints the proxy's one-stream throughput (the figures
#     are printed, only their presence is asserted).
# Ends with a CUnit-style summary and the line "N passed, N failed".
#
# By hand (as root, for smbd):
#   scripts/samba.sh start /tmp/s1
#   set -a; . /tmp/s1/env; set +a
#   tests/integration/proxy.sh
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"

: "${SMB_PORT:?run with the server environment (see the header)}"
: "${SMB_HOST:?}" "${SMB_HOST6:?}" "${SMB_CREDS:?}" "${SMB_SHARE_PATH_PLAIN:?}"
PROXY=$FS_BUILD/tests/smbproxy
[ -x "$PROXY" ] || die "$PROXY was not built (make tests)"

FILE=proxy-20m # on the share
FILE_BYTES=$((20 << 20))
SELF_TEST_BYTES=1073741824
WORK=$(mktemp -d "${SMB_TMPDIR:-/tmp}/proxy.XXXXXX") || die "mktemp"
CTL=$WORK/ctl
PIDFILE=$WORK/pid
PROXY_PID=
PROXY_PORT=
GET_PID=

proxy_cleanup() {
	[ -z "$GET_PID" ] || terminate_pids 5 "$GET_PID"
	[ -z "$PROXY_PID" ] || terminate_pids 5 "$PROXY_PID"
	if [ "$FS_FAILED" -gt 0 ] && [ -f "$WORK/proxy.log" ]; then
		echo "--- proxy log ---"
		cat "$WORK/proxy.log"
	fi
	rm -rf "$WORK"
	rm -f "$SMB_SHARE_PATH_PLAIN/$FILE"
}
trap proxy_cleanup EXIT
trap 'exit 130' INT TERM

# proxy_start LISTEN TARGET: starts the proxy, waits for its PORT= line;
# sets PROXY_PID and PROXY_PORT.
proxy_start() {
	local deadline=$(($(now_ms) + 10000))
	"$PROXY" --listen "$1" --target "$2" --control "$CTL" \
		--pidfile "$PIDFILE" --log "$WORK/proxy.log" >"$WORK/stdout" &
	PROXY_PID=$!
	PROXY_PORT=
	while [ -z "$PROXY_PORT" ]; do
		if ! pid_alive "$PROXY_PID" || [ "$(now_ms)" -ge "$deadline" ]; then
			log "smbproxy --listen $1 did not start"
			return 1
		fi
		sleep 0.05
		PROXY_PORT=$(sed -n 's/^PORT=\([0-9][0-9]*\)$/\1/p' "$WORK/stdout")
	done
}

# proxy_stop: SIGTERM; the proxy must exit 0 and remove its control socket
# and pid file.
proxy_stop() {
	local rc=0
	kill -TERM "$PROXY_PID"
	wait "$PROXY_PID" || rc=$?
	PROXY_PID=
	[ "$rc" -eq 0 ] && [ ! -e "$CTL" ] && [ ! -e "$PIDFILE" ]
}

# ctl COMMAND...: sends one control command, prints the reply line.
ctl() { fs_proxy_ctl "$CTL" "$@"; }

# status_field NAME: one number from the status reply.
status_field() {
	ctl status | sed -n "s/^ok .*\<$1=\([0-9]*\).*/\1/p"
}

# smbc COMMANDS [SMBCLIENT OPTIONS]: smbclient on [plain] through the
# proxy; shows its output when it fails.
smbc() {
	local cmds=$1 rc=0
	shift
	timeout 60 smbclient "//$SMB_HOST/plain" -p "$PROXY_PORT" \
		-A "$SMB_CREDS" "$@" -c "$cmds" >"$WORK/smbclient.out" 2>&1 ||
		rc=$?
	[ "$rc" -eq 0 ] || sed 's/^/    smbclient: /' "$WORK/smbclient.out"
	return "$rc"
}

# smbc_fails COMMANDS: smbclient exits non-zero or reports an NT status
# error.
smbc_fails() {
	local rc=0
	smbc "$1" || rc=$?
	get_failed "$rc" "$WORK/smbclient.out"
}

# timed CMD...: runs CMD and sets ELAPSED_MS; returns its status.
timed() {
	local t0 rc=0
	t0=$(now_ms)
	"$@" || rc=$?
	ELAPSED_MS=$(($(now_ms) - t0))
	return "$rc"
}

same_as_source() {
	cmp -s "$WORK/src" "$1"
}

test_forwarding() {
	head -c "$FILE_BYTES" /dev/urandom >"$WORK/src"
	check "put of 20 MiB through the proxy" \
		smbc "put $WORK/src $FILE"
	check "the server's copy is byte-identical" \
		same_as_source "$SMB_SHARE_PATH_PLAIN/$FILE"
	check "get of 20 MiB through the proxy" smbc "get $FILE $WORK/got"
	check "the copy that came back is byte-identical" \
		same_as_source "$WORK/got"
	check "status counts the 20 MiB in each direction" \
		test "$(status_field bytes_up)" -ge "$FILE_BYTES" -a \
		"$(status_field bytes_down)" -ge "$FILE_BYTES"
	check_eq "status: both connections ended" 0 "$(status_field conns)"
}

test_delay() {
	local base slow
	check "ls through the proxy" timed smbc ls
	base=$ELAPSED_MS
	check_eq "delay 50 is taken" "ok delay_ms=50" "$(ctl delay 50)"
	check_eq "status shows the delay" 50 "$(status_field delay_ms)"
	check "ls with 50 ms each way" timed smbc ls
	slow=$ELAPSED_MS
	check_eq "delay 0 is taken" "ok delay_ms=0" "$(ctl delay 0)"
	echo "ls: $base ms without delay, $slow ms with 50 ms each way"
	check "the delay adds at least one 100 ms round trip" \
		test $((slow - base)) -ge 100
}

test_cut() {
	check_eq "cut-next-frame is armed" "ok armed" \
		"$(ctl cut-next-frame 1000000)"
	check "a get fails when a READ response of 1 MB or more is cut" \
		smbc_fails "get $FILE $WORK/cut"
	check_eq "status shows that the cut fired" 1 \
		"$(status_field cut_fired)"
	check "a new get after the cut succeeds" \
		smbc "get $FILE $WORK/after-cut"
	check "... byte-identical" same_as_source "$WORK/after-cut"
}

test_stall() {
	check_eq "stall 3 is taken" "ok stall_ms=3000" "$(ctl stall 3)"
	check_eq "status shows the stall" 1 "$(status_field stalled)"
	check "a get started during the stall completes" \
		timed smbc "get $FILE $WORK/stalled"
	echo "get started during a 3 s stall: $ELAPSED_MS ms"
	check "it waited for the stall to end" test "$ELAPSED_MS" -ge 2500
	check "... byte-identical" same_as_source "$WORK/stalled"
	check_eq "status shows the stall over" 0 "$(status_field stalled)"
}

# get_failed STATUS OUTPUT: smbclient exited non-zero or reported an error.
get_failed() {
	[ "$1" -ne 0 ] || grep -q NT_STATUS_ "$2"
}

# The get writes to a pipe nobody reads after the first MiB, so it stays
# in the middle of the transfer until the reset.
test_reset() {
	local first rest rc=0
	mkfifo "$WORK/fifo"
	timeout 60 smbclient "//$SMB_HOST/plain" -p "$PROXY_PORT" \
		-A "$SMB_CREDS" -c "get $FILE -" >"$WORK/fifo" \
		2>"$WORK/reset.err" &
	GET_PID=$!
	exec 8<"$WORK/fifo"
	first=$(head -c 1048576 <&8 | wc -c)
	check_eq "a get streams its first MiB through the proxy" 1048576 \
		"$first"
	check "the get is still in progress" pid_alive "$GET_PID"
	check_eq "reset closes its connection" "ok reset=1" "$(ctl reset)"
	rest=$(wc -c <&8)
	exec 8<&-
	wait "$GET_PID" || rc=$?
	GET_PID=
	check "the get failed" get_failed "$rc" "$WORK/reset.err"
	check "it delivered less than the file" \
		test $((first + rest)) -lt "$FILE_BYTES"
	check_eq "status: no connection left" 0 "$(status_field conns)"
}

test_refuse() {
	local total
	check_eq "refuse on is taken" "ok refuse=on" "$(ctl refuse on)"
	total=$(status_field total)
	check "a new connection fails" smbc_fails ls
	check_eq "the refused connection was never forwarded" "$total" \
		"$(status_field total)"
	check_eq "refuse off is taken" "ok refuse=off" "$(ctl refuse off)"
	check "new connections work again" smbc ls
}

test_ipv6_and_stop() {
	check "SIGTERM ends the proxy cleanly (status 0, files removed)" \
		proxy_stop
	if ! proxy_start "[::1]:0" "[$SMB_HOST6]:$SMB_PORT"; then
		fail "the proxy listens on [::1]"
		return
	fi
	check "ls through [::1] to the server on [$SMB_HOST6]" \
		smbc ls -I ::1
	check_eq "status counts it" 1 "$(status_field total)"
}

# self_test DELAY_MS: prints the figure; it must be a positive rate.
self_test() {
	local out
	out=$("$PROXY" --self-test "$SELF_TEST_BYTES" --delay-ms "$1")
	echo "$out"
	if [[ $out =~ ^smbproxy\ self-test:\ ([0-9]+)\ MiB/s\ \(delay\ $1\ ms\)$ ]] &&
		[ "${BASH_REMATCH[1]}" -gt 0 ]; then
		pass "self-test with $1 ms delay reports a rate"
	else
		fail "self-test with $1 ms delay: [$out]"
	fi
}

main() {
	if ! proxy_start "127.0.0.1:0" "$SMB_HOST:$SMB_PORT"; then
		fail "the proxy starts"
		fs_summary
		exit 1
	fi
	check "the pid file names the proxy" \
		test "$(cat "$PIDFILE" 2>/dev/null)" = "$PROXY_PID"
	test_forwarding
	test_delay
	test_cut
	test_stall
	test_reset
	test_refuse
	test_ipv6_and_stop
	self_test 0
	self_test 5
	fs_summary
}

main "$@"
