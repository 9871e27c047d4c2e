#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# smbfs mounted from a hostile server: tests/tools/hostile_smbd.py, an
# SMB 2.1 server written for this test, on loopback, that answers
# requests on its "evil-*" entries maliciously (its header lists them)
# and everything else correctly.  A mount as the test user must neither
# crash nor hang: each malicious answer fails its operation with EIO
# within a bound (or, for bad names in a listing, leaves those names
# out), smbfs logs what happened, and afterwards the mount still reads
# an ordinary file and unmounts cleanly.
#   - READ: more data than asked, DataLength past the frame, DataOffset
#     into the header, a MessageId never sent, a frame header promising
#     more than comes, no credits granted any more, 65535 credits a time,
#     a frame header claiming 16 MiB;
#   - CREATE: a create contexts offset into the header, a NextCommand
#     pointing back into the header;
#   - QUERY_DIRECTORY: OutputBufferLength past the frame, an offset into
#     the header, names with '/', '..', '.' and NUL, a listing that
#     never ends;
#   - with the sign option: a READ response whose signature does not
#     verify;
#   - a server that never grants a credit: the mount fails in time.
# The private smbd of the environment is not used; the daemons run in
# the foreground with their messages in $WORK (printed on failure).
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root (the server and the mounts of the test user)"

SERVER=$FS_ROOT/tests/tools/hostile_smbd.py
PYTHON=/usr/bin/python3
HELLO="hello from the hostile server"
# A request gets 2 x echo_interval; a soft mount gives up 3 s after that.
OPTS=echo_interval=2,softtimeo=3
# Bound for one failing operation: two request timeouts, a reconnect and
# softtimeo, with room to spare on a loaded machine.
FAIL_WITHIN_S=60
WORK=$(mktemp -d "${SMB_TMPDIR:-/tmp}/hostile.XXXXXX") || die "mktemp"
chmod 0755 "$WORK"
SERVER_PIDS=()

hostile_cleanup() {
	fs_cleanup
	[ ${#SERVER_PIDS[@]} -eq 0 ] || terminate_pids 5 "${SERVER_PIDS[@]}"
	if [ "$FS_FAILED" -gt 0 ]; then
		for f in "$WORK"/*.log; do
			[ -f "$f" ] || continue
			echo "--- $(basename "$f") ---"
			tail -n 60 "$f"
		done
	fi
	rm -rf "$WORK"
}
trap hostile_cleanup EXIT
trap 'exit 130' INT TERM

# server_start NAME [ARGS...]: starts hostile_smbd.py; sets HPORT.
server_start() {
	local name=$1 deadline
	shift
	"$PYTHON" "$SERVER" --port-file "$WORK/$name.port" --user "$SMB_USER" \
		--password "$SMB_PASS" --log "$WORK/$name-server.log" "$@" &
	SERVER_PIDS+=($!)
	deadline=$(($(now_ms) + 10000))
	until [ -s "$WORK/$name.port" ]; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			fail "hostile server $name did not start"
			return 1
		fi
		sleep 0.05
	done
	HPORT=$(cat "$WORK/$name.port")
}

# hostile_mount NAME OPTIONS: mounts the server's share as the test user,
# daemon in the foreground logging to $WORK/NAME-smbfs.log; sets M, MLOG.
hostile_mount() {
	MLOG=$WORK/$1-smbfs.log
	: >"$MLOG"
	chmod 0666 "$MLOG"
	SMB_PORT=$HPORT fs_mount_logged "hostile-$1" share "$2" "$MLOG" ||
		return 1
	M=$FS_MNT
}

# within SECONDS CMD...: CMD as the test user, killed after SECONDS.
within() {
	local s=$1
	shift
	fs_user timeout -k 5 "$s" "$@" </dev/null
}

# still_usable WHAT: the daemon lives and an ordinary file reads back.
still_usable() {
	local pid
	pid=$(fs_daemon_pid "$M")
	if [ -n "$pid" ] && ! pid_alive "$pid"; then
		fail "after $1: the smbfs daemon is gone"
		return
	fi
	check_eq "after $1: the mount still reads hello.txt" "$HELLO" \
		"$(within 30 cat "$M/hello.txt" 2>&1)"
}

# reads FILE: FILE reads without error within the bound (contents unused).
reads() {
	within "$FAIL_WITHIN_S" cat "$1" >/dev/null
}

# good_reads N FILE: how many of N reads of FILE (holding $HELLO) give
# it back, each within the bound.
good_reads() {
	local ok=0
	for _ in $(seq "$1"); do
		[ "$(within "$FAIL_WITHIN_S" cat "$2" 2>&1)" = "$HELLO" ] &&
			ok=$((ok + 1))
	done
	echo "$ok"
}

# logged WHAT ERE: the mount's log has a line matching ERE (the daemon
# may still be writing it: a bounded wait).
logged() {
	if fs_log_wait "$MLOG" "$2" 10; then
		pass "$1 is logged"
	else
		fail "$1 is logged: no line matching /$2/ in the smbfs log"
	fi
}

# eio_case CMD ENTRY WHAT ERE: CMD (cat or ls) on ENTRY fails with EIO in
# time, the log has ERE, the mount stays usable.
eio_case() {
	check_fails_with "Input/output error" "$3: $1 fails with EIO" \
		within "$FAIL_WITHIN_S" "$1" "$M/$2"
	logged "$3" "$4"
	still_usable "$3"
}

# --- the ordinary mount ---
server_start main || { fs_summary; exit 1; }
if ! hostile_mount main "$OPTS"; then
	fail "mount of the hostile server's share"
	fs_summary
	exit 1
fi
pass "mount of the hostile server's share"
check_eq "an ordinary file reads back" "$HELLO" \
	"$(within 30 cat "$M/hello.txt" 2>&1)"

# One line a case: the command (cat or ls), the entry, what the server
# does, the ERE of smbfs's log line.
while IFS='|' read -r cmd entry what ere; do
	eio_case "$cmd" "$entry" "$what" "$ere"
done <<'EOF'
cat|evil-readlong.txt|a READ response longer than asked|malformed READ response
cat|evil-readpast.txt|a READ DataLength past the frame|malformed READ response
cat|evil-readoffhdr.txt|a READ DataOffset into the header|malformed READ response
cat|evil-createoff.txt|a CREATE contexts offset into the header|malformed CREATE response
ls|evil-dirpast|a QUERY_DIRECTORY length past the frame|malformed QUERY_DIRECTORY response
ls|evil-diroffback|a QUERY_DIRECTORY offset into the header|malformed QUERY_DIRECTORY response
ls|evil-endless|a directory listing that never ends|listing from the server goes on past [0-9]+ entries
cat|evil-wrongmid.txt|a response with a MessageId never sent|matches no request \(MessageId [0-9]+, never sent\)
cat|evil-framelen.txt|a frame header promising more than comes|no answer to READ
cat|evil-framehuge.txt|a frame header claiming 16 MiB|bad frame \(type 0x00, 16777215 bytes\)
cat|evil-chainback.txt|a NextCommand pointing back into the header|malformed response from
EOF

# Names with '/', '..', '.' or NUL are left out, the good name stays.
check_eq "names with '/', '..', '.' and NUL are left out of a listing" \
	"good.txt" "$(within "$FAIL_WITHIN_S" ls -A "$M/evil-badnames" 2>&1 |
		tr '\n' ' ' | sed 's/ $//')"
logged "a name with '/'" 'skipping "bad/slash"'
logged "a name with '..'" 'skipping "\.\./escape"'
logged "a name with NUL" 'skipped [0-9]+ names? in "\\evil-badnames"'
still_usable "bad names"

# No credit any more on this connection: the client runs dry, gives
# the connection up in time and the next one works.
check "the READ that ends the credits itself succeeds" \
	reads "$M/evil-zerocredits.txt"
check_eq "zero credits forever: 100 later reads all succeed" 100 \
	"$(good_reads 100 "$M/hello.txt")"
logged "a server that stops granting credits" 'grants no credits'
still_usable "zero credits"

# 65535 credits per response: nothing overflows, everything works.
check "the READ that starts the huge grants succeeds" \
	reads "$M/evil-hugecredits.txt"
check_eq "huge credit grants: 100 later reads all succeed" 100 \
	"$(good_reads 100 "$M/sub/inner.txt")"
still_usable "huge credit grants"

check "the mount unmounts cleanly, the daemon exits" fs_umount "$M"

# --- signed: a signature that does not verify ---
if hostile_mount signed "$OPTS,sign"; then
	pass "signed mount of the hostile server's share"
	check_eq "signed: an ordinary file reads back" "$HELLO" \
		"$(within 30 cat "$M/hello.txt" 2>&1)"
	eio_case cat evil-badsig.txt "a READ response with a bad signature" \
		'bad signature on READ response'
	check "the signed mount unmounts cleanly" fs_umount "$M"
else
	fail "signed mount of the hostile server's share"
fi

# --- a server that never grants a credit: the mount fails in time ---
server_start nocredits --zero-credits || { fs_summary; exit 1; }
t0=$(now_ms)
if hostile_mount nocredits "$OPTS"; then
	fail "a server that grants no credits: the mount succeeded"
else
	pass "a server that grants no credits: the mount fails"
	if [ "$(fs_ms_since "$t0")" -le $((FAIL_WITHIN_S * 1000)) ]; then
		pass "... within ${FAIL_WITHIN_S} s"
	else
		fail "... within ${FAIL_WITHIN_S} s: took $(fs_seconds "$(fs_ms_since "$t0")")"
	fi
	logged "a server that grants no credits" 'grants no credits'
fi

fs_summary
