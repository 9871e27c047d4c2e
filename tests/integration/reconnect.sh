#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A server that goes away under a mount (smbfs-mount(8), "Lost
# connections"): the private smbd of the environment
# (tests/integration/README.md) is killed with SIGKILL and started again on
# the same port, told to drop the share or the client, reached through the
# fault-injecting proxy build/tests/smbproxy, or replaced by a listener
# that never answers. Runs as root; every mount is made by the test user.
# It kills and restarts its server, so it has a configs.txt line of its own.
#
#   1  a copy of 300 MiB onto a hard mount survives a server restart
#   2  the same for a copy off the mount
#   3  a descriptor held open across a restart keeps reading and writing
#   4  a file changed on the server while the connection was down: its
#      descriptors fail with EIO, and nothing of ours reaches the file
#   5  soft,softtimeo=5: EIO within a bound while the server is down, and
#      the mount works again once it is back
#   6a smbcontrol close-share: the share is connected again unnoticed
#   6b smbcontrol kill-client-ip: the connection too, and an open file
#      keeps working (durable handle)
#   7  through smbproxy (hard,echo_interval=2): a frame cut short, a stall
#      longer than the request timeout, a delay, refused reconnects
#   8  fusermount3 -u and umount -l with the server gone: within 5 s, and
#      the daemon exits
#   9  a detached mount logs the loss and the reconnect to syslog, each
#      line prefixed with the mount point, never the password
#  10  mounting from a server that accepts TCP but never answers fails with
#      exit status 2 within 15 s
#
# Syslog (9): smbfs logs through syslog(3), which writes to /dev/log. This
# test needs no syslog daemon and leaves a machine's logging alone:
#   - when there is no /dev/log (machines without an init system), it binds
#     a datagram socket there itself (fs/sockets.py syslog-sink), for the
#     duration of the test only; the bind fails when anything appeared at
#     that path meanwhile, and only that socket (same inode) is removed;
#   - when /dev/log exists (a real syslog or journald), that socket is not
#     touched: the mount runs in a private mount namespace (unshare -m, a
#     process holding it, nsenter for each command) in which a socket of
#     the test is bind-mounted over /dev/log. That mount, and the FUSE
#     mount made in that namespace, are seen by nothing outside it, and
#     both vanish with the namespace's last process.
#
# Mounts other than 9's keep the daemon in the foreground, its messages in
# $SMB_TMPDIR/reconnect-logs/NAME.log; each test prints their tail. Every
# wait is bounded and every command that touches a mount while its server
# may be gone runs under timeout(1). Prints "time: ..." lines with what it
# measured, "info: ..." lines with what the log says, "ok"/"FAIL" per
# check, a CUnit-style summary and "N passed, N failed".
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root: it kills and restarts the server"
[ -n "${SMB_DIR:-}" ] && [ -n "${SMB_CONF:-}" ] ||
	die "SMB_DIR/SMB_CONF not set: run through scripts/run-tests.sh"

PROXY_BIN=$FS_BUILD/tests/smbproxy
PY=/usr/bin/python3
SOCKETS_PY=$FS_LIB_DIR/sockets.py
DISK=$SMB_SHARE_PATH_PLAIN
HOST_RE=$(fs_ere "$SMB_HOST")
BIG_MIB=300
PROXY_FILE_MIB=64
# The copy must be under way when the server dies: kill it once this much
# has arrived (copies run at several hundred MB/s on loopback, which
# leaves a few hundred ms; a copy that ended first fails as inconclusive).
KILL_AFTER_BYTES=$((32 << 20))
DOWN_S=2
COPY_TIMEOUT_S=90
# Test 4: the other client's change must come later than our last answer
# plus the 1 s of slack the reopen check allows.
CHANGE_AFTER_S=2.5
SOFTTIMEO_S=5
EIO_BOUND_S=$((SOFTTIMEO_S + 10))
RECOVER_BOUND_S=20
OP_TIMEOUT_S=20
FS_HOLDER_TIMEOUT_S=30
# Once a command of a test ran into its time limit, the mount is most
# likely stuck: later commands of that test get this long, so a stuck mount
# costs one time limit per test and not one per command.
STUCK_LIMIT_S=5
UNMOUNT_BOUND_MS=5000
SILENT_MOUNT_BOUND_S=15
# Test 7a cuts the first server frame at least this big: a READ response
# with 64 KiB of data or more. Buffered reads reach the daemon in pieces
# of the kernel's readahead window (128 KiB), so no READ response comes
# near 1 MB.
CUT_MIN_BYTES=65536

LOGS=$SMB_TMPDIR/reconnect-logs
BG_PIDS=()
PROXY_PID=
PROXY_CTL=
SYSLOG_SINK_PID=
SYSLOG_SINK_PATH=
SYSLOG_SINK_INODE=
SYSLOG_NS_PID=
SYSLOG_NS=()
SYSLOG_MNT=
SYSLOG_DAEMON=

reconnect_cleanup() {
	fs_holder_stop_all
	proxy_stop
	[ ${#BG_PIDS[@]} -eq 0 ] || terminate_pids 5 "${BG_PIDS[@]}"
	syslog_unmount
	syslog_capture_stop
	fs_cleanup
	rm -f "$DISK"/reconnect-*
}
trap reconnect_cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$LOGS"
chmod 0755 "$LOGS"

# ------------------------------------------------------------- helpers

# bg_track PID: a background process to stop at the end.
bg_track() { BG_PIDS+=("$1"); }

# server_up: starts the server again if an earlier test left it down.
# When that is refused (someone stopped it with samba.sh stop), there is
# nothing left to test against.
server_up() {
	fs_server status >/dev/null 2>&1 && return 0
	log "the server is down: starting it again"
	fs_server start-again && return 0
	fail "the server cannot be started again: giving up"
	finish
}

# restart_server: SIGKILL, DOWN_S seconds without a server, start again.
restart_server() {
	fs_server kill || return 1
	sleep "$DOWN_S"
	fs_server start-again
}

# mount_logged NAME OPTIONS: mounts [plain] with the daemon in the
# foreground logging to $LOGS/NAME.log; sets M and MLOG.
mount_logged() {
	MLOG=$LOGS/$1.log
	: >"$MLOG"
	if ! fs_mount_logged "$1" plain "$2" "$MLOG"; then
		fail "mount //$SMB_HOST:$SMB_PORT/plain -o ${2:-(defaults)}: $(tail -n 3 "$MLOG")"
		return 1
	fi
	M=$FS_MNT
}

# show_log FILE: the daemon's messages, for the record.
show_log() {
	[ -s "$1" ] || { echo "  (smbfs logged nothing)"; return 0; }
	echo "  smbfs log ($(wc -l <"$1") lines, last 30):"
	tail -n 30 "$1" | sed -e 's/^/  | /'
}

# on_disk NAME: a file of the share as the server's disk holds it.
on_disk() { cat "$DISK/$1" 2>&1; }

# disk_is NAME TEXT: the server's disk holds TEXT as NAME.
disk_is() { [ "$(on_disk "$1")" = "$2" ]; }

# put_on_disk NAME: stdin becomes a file of the share, made behind the
# server's back (owned by the share's user, as smbd would make it).
put_on_disk() {
	cat >"$DISK/$1" && chown "$SMB_USER:" "$DISK/$1" && chmod 0644 "$DISK/$1"
}

sha_of() { sha256sum <"$1" | cut -d' ' -f1; }

# limit SECONDS: SECONDS, or STUCK_LIMIT_S once the test saw a time-out.
limit() {
	if [ "$STUCK" -eq 0 ]; then echo "$1"; else echo "$STUCK_LIMIT_S"; fi
}

# as_user_timed SECONDS CMD...: CMD as the test user under timeout(1);
# its output in OUT, status in RC, duration in ELAPSED_MS.
as_user_timed() {
	local t0
	t0=$(now_ms)
	OUT=$(fs_user timeout -k 5 "$(limit "$1")" "${@:2}" 2>&1)
	RC=$?
	ELAPSED_MS=$(fs_ms_since "$t0")
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		STUCK=1
		OUT="(timed out) $OUT"
	fi
}

# holder_cmd NAME COMMAND [SECONDS]: fs_holder with the test's time limit.
holder_cmd() {
	local rc=0
	fs_holder "$1" "$2" "$(limit "${3:-$FS_HOLDER_TIMEOUT_S}")" || rc=$?
	[[ $FS_HOLDER_REPLY != "no answer"* ]] || STUCK=1
	return "$rc"
}

# expect_ok DESC SECONDS CMD...: CMD as the test user must succeed.
expect_ok() {
	local desc=$1
	shift
	as_user_timed "$@"
	if [ "$RC" -eq 0 ]; then
		pass "$desc"
	else
		fail "$desc: exit status $RC after $(fs_seconds "$ELAPSED_MS"): $OUT"
	fi
}

# expect_log DESC FILE ERE [TIMEOUT_S]: the daemon logged such a line.
expect_log() {
	if fs_log_wait "$2" "$3" "${4:-5}"; then
		pass "$1"
	else
		fail "$1: no line matching /$3/ in $2"
	fi
}

# expect_holder_error DESC ENAME NAME COMMAND: the held descriptor fails.
expect_holder_error() {
	holder_cmd "$3" "$4"
	if [[ $FS_HOLDER_REPLY == "error $2 "* ]]; then
		pass "$1"
	else
		fail "$1: $4 answered: $FS_HOLDER_REPLY"
	fi
}

# expect_holder_ok DESC NAME COMMAND [WANT]: the held descriptor works
# (and answers exactly WANT, if given).
expect_holder_ok() {
	if ! holder_cmd "$2" "$3"; then
		fail "$1: $3 answered: $FS_HOLDER_REPLY"
	elif [ $# -ge 4 ] && [ "$FS_HOLDER_REPLY" != "$4" ]; then
		fail "$1: $3 answered [$FS_HOLDER_REPLY], expected [$4]"
	else
		pass "$1"
	fi
}

# reopen_kind LOG PATH: how the daemon reopened \PATH after a reconnect.
reopen_kind() {
	local p
	p=$(fs_ere "\\$2")
	grep -E "$p: (durable handle|reopened|changed on the server)" "$1" |
		sed -e 's/^.*\\/\\/' | tr '\n' ';'
}

# ----------------------------------------- 1, 2: copies across a restart

# copy_across_restart DESC SRC DST WATCH: cp SRC DST as the test user,
# SRC holding the bytes of $BIG; once WATCH (the growing destination, seen
# from outside the mount) holds KILL_AFTER_BYTES the server is killed and
# started again. WATCH must then equal $BIG byte for byte.
copy_across_restart() {
	local desc=$1 src=$2 dst=$3 watch=$4 job rc=0 size t_kill t_back
	fs_user timeout -k 5 "$COPY_TIMEOUT_S" cp "$src" "$dst" &
	job=$!
	size=0
	while pid_alive "$job"; do
		size=$(stat -c %s "$watch" 2>/dev/null || echo 0)
		[ "$size" -ge "$KILL_AFTER_BYTES" ] && break
		sleep 0.01
	done
	if ! pid_alive "$job"; then
		wait "$job"
		fail "$desc: the copy ended (status $?) before the server could be killed ($size bytes seen): inconclusive"
		return
	fi
	t_kill=$(now_ms)
	fs_server kill || { fail "$desc: killing the server failed"; return; }
	size=$(stat -c %s "$watch" 2>/dev/null || echo 0)
	if [ "$size" -ge "$(stat -c %s "$BIG")" ] && ! pid_alive "$job"; then
		wait "$job"
		fail "$desc: the copy was complete (status $?) before the server died: inconclusive"
		return
	fi
	sleep "$DOWN_S"
	fs_server start-again || { fail "$desc: restarting the server failed"; return; }
	t_back=$(now_ms)
	wait "$job" || rc=$?
	echo "time: $desc: killed at $((size >> 20)) MiB, server back after $(fs_seconds $((t_back - t_kill))), copy done $(fs_seconds "$(fs_ms_since "$t_back")") after the restart"
	if [ "$rc" -eq 0 ]; then
		pass "$desc: cp exits 0 across the server restart"
	else
		fail "$desc: cp exits with status $rc"
	fi
	if cmp -s "$BIG" "$watch"; then
		pass "$desc: the copy is byte-identical"
	else
		fail "$desc: the copy differs: $(cmp "$BIG" "$watch" 2>&1 | head -n 1)"
	fi
}

test_copy_onto_mount() {
	mount_logged reconnect-onto hard || return
	copy_across_restart "1 copy of $BIG_MIB MiB onto a hard mount" "$BIG" \
		"$M/reconnect-onto.bin" "$DISK/reconnect-onto.bin"
	show_log "$MLOG"
	fs_umount "$M"
	rm -f "$DISK/reconnect-onto.bin"
}

test_copy_off_mount() {
	local out=$FS_SCRATCH/reconnect-off.bin
	put_on_disk reconnect-off.bin <"$BIG"
	rm -f "$out"
	mount_logged reconnect-off hard || return
	copy_across_restart "2 copy of $BIG_MIB MiB off a hard mount" \
		"$M/reconnect-off.bin" "$out" "$out"
	show_log "$MLOG"
	fs_umount "$M"
	rm -f "$out" "$DISK/reconnect-off.bin"
}

# --------------------------------- 3: one descriptor across a restart

test_open_file_survives() {
	local f=reconnect-held.txt kind
	mount_logged reconnect-held hard || return
	if ! fs_holder_start held "$M/$f" create; then
		fail "3 open $f: $FS_HOLDER_REPLY"
		fs_umount "$M"
		return
	fi
	expect_holder_ok "3 write \"before\" through the held descriptor" held \
		'write 0 before\n'
	# Under a write lease a small write waits in write-behind (up to a
	# second) for more: by then it is on the server's disk.
	fs_wait_for 5 disk_is "$f" before
	check_eq "3 the server's disk holds \"before\"" before "$(on_disk "$f")"
	restart_server || { fail "3 restarting the server failed"; return; }
	expect_holder_ok "3 write \"after\" through the same descriptor after the restart" \
		held 'write 7 after\n'
	expect_holder_ok "3 read both back through the same descriptor" held \
		'read 0 13' 'ok before\nafter\n'
	check_eq "3 the server's disk holds both" "$(printf 'before\nafter')" \
		"$(on_disk "$f")"
	fs_holder_stop held
	kind=$(reopen_kind "$MLOG" "$f")
	echo "info: 3 how $f was reopened: ${kind:-(nothing logged)}"
	if [[ $kind == *"durable handle reconnected"* || $kind == *": reopened"* ]]; then
		pass "3 the log tells how the file was reopened (durable or checked plain reopen)"
	else
		fail "3 no \"durable handle reconnected\" or \"reopened\" line for \\$f"
	fi
	show_log "$MLOG"
	fs_umount "$M"
}

# ------------------------- 4: changed on the server while disconnected

# The change is made on the server's disk while no smbd runs: the mount
# cannot reconnect before it, so it comes after our last answer for sure,
# and later than that by more than the reopen check's slack.
test_changed_while_down() {
	local a=reconnect-changed.txt b=reconnect-replaced.txt sha_a sha_b
	printf 'original contents of %s\n' "$a" | put_on_disk "$a"
	printf 'original contents of %s\n' "$b" | put_on_disk "$b"
	mount_logged reconnect-changed hard || return
	# The holders read nothing before the failure: a read afterwards
	# cannot be served from the page cache.
	if ! fs_holder_start changed "$M/$a" rw ||
		! fs_holder_start replaced "$M/$b" rw; then
		fail "4 open the files: $FS_HOLDER_REPLY"
		fs_holder_stop_all
		fs_umount "$M"
		return
	fi
	fs_server kill || { fail "4 killing the server failed"; return; }
	sleep "$CHANGE_AFTER_S"
	# In place (same file id, later change time) ...
	printf 'CHANGED BY ANOTHER CLIENT' |
		dd of="$DISK/$a" conv=notrunc status=none
	# ... and replaced by another file (another file id).
	printf 'a new file made by another client\n' | put_on_disk "$b.new"
	mv "$DISK/$b.new" "$DISK/$b"
	sha_a=$(sha_of "$DISK/$a")
	sha_b=$(sha_of "$DISK/$b")
	fs_server start-again || { fail "4 restarting the server failed"; return; }
	expect_holder_error "4 read of a file changed in place while disconnected: EIO" \
		EIO changed 'read 0 100'
	expect_holder_error "4 write to it: EIO" EIO changed 'write 0 ours'
	expect_holder_error "4 read of a file replaced while disconnected: EIO" \
		EIO replaced 'read 0 100'
	expect_holder_error "4 write to it: EIO" EIO replaced 'write 0 ours'
	fs_holder_stop changed
	fs_holder_stop replaced
	check_eq "4 the changed file holds the other client's bytes only" \
		"$sha_a" "$(sha_of "$DISK/$a")"
	check_eq "4 the replaced file holds the other client's bytes only" \
		"$sha_b" "$(sha_of "$DISK/$b")"
	expect_log "4 logged: changed on the server while disconnected" "$MLOG" \
		"$(fs_ere "\\$a"): changed on the server while disconnected; its open descriptors now fail with EIO"
	echo "info: 4 what was logged for $b: $(reopen_kind "$MLOG" "$b")"
	expect_ok "4 a new open sees the other client's contents" "$OP_TIMEOUT_S" \
		grep -q 'CHANGED BY ANOTHER CLIENT' "$M/$a"
	show_log "$MLOG"
	fs_umount "$M"
}

# ---------------------------------------------- 5: soft with the server gone

# expect_eio_in_time DESC CMD...: with the server down, CMD fails with
# "Input/output error" within EIO_BOUND_S.
expect_eio_in_time() {
	local desc=$1
	shift
	as_user_timed $((EIO_BOUND_S + 30)) "$@"
	echo "time: $desc: failed after $(fs_seconds "$ELAPSED_MS") (status $RC)"
	if [ "$RC" -eq 0 ]; then
		fail "$desc: succeeded with the server down: $OUT"
	elif [[ $OUT != *"Input/output error"* ]]; then
		fail "$desc: expected \"Input/output error\", got (status $RC): $OUT"
	elif [ "$ELAPSED_MS" -gt $((EIO_BOUND_S * 1000)) ]; then
		fail "$desc: EIO only after $(fs_seconds "$ELAPSED_MS"), bound ${EIO_BOUND_S} s"
	else
		pass "$desc: EIO within ${EIO_BOUND_S} s"
	fi
}

user_stat_quiet() { fs_user timeout -k 2 10 stat "$1" >/dev/null 2>&1; }

test_soft() {
	local a=reconnect-soft-a.txt b=reconnect-soft-b.txt t0
	echo "soft a" | put_on_disk "$a"
	echo "soft b" | put_on_disk "$b"
	mount_logged reconnect-soft "soft,softtimeo=$SOFTTIMEO_S" || return
	expect_ok "5 cat works while the server is up" "$OP_TIMEOUT_S" cat "$M/$a"
	fs_server kill || { fail "5 killing the server failed"; return; }
	# $b was never looked up: stat must ask the server.
	expect_eio_in_time "5 stat with the server down (softtimeo=$SOFTTIMEO_S)" \
		stat "$M/$b"
	expect_eio_in_time "5 cat with the server down (softtimeo=$SOFTTIMEO_S)" \
		cat "$M/$a"
	fs_server start-again || { fail "5 restarting the server failed"; return; }
	t0=$(now_ms)
	if fs_wait_for "$RECOVER_BOUND_S" user_stat_quiet "$M/$b"; then
		echo "time: 5 stat works again $(fs_seconds "$(fs_ms_since "$t0")") after the server is back"
		pass "5 stat works again without remounting"
	else
		fail "5 stat still fails ${RECOVER_BOUND_S} s after the server is back: $(fs_user timeout 10 stat "$M/$b" 2>&1)"
	fi
	as_user_timed "$OP_TIMEOUT_S" cat "$M/$a"
	check_eq "5 cat works again and reads the file" "soft a" "$OUT"
	show_log "$MLOG"
	fs_umount "$M"
}

# ------------------------------------------------------ 6: smbcontrol

smbd_has_tree() {
	smbstatus -s "$SMB_CONF" -S 2>/dev/null | grep -q "^$1 "
}

# expect_mount_works LABEL FILE NEW: on the mount M, ls lists FILE, cat
# reads its "control", and NEW written through the mount reaches the
# server.
expect_mount_works() {
	local label=$1 f=$2 new=$3
	as_user_timed "$OP_TIMEOUT_S" ls "$M"
	if [ "$RC" -eq 0 ] && grep -qx "$f" <<<"$OUT"; then
		pass "$label: ls"
	else
		fail "$label: ls: status $RC: $OUT"
	fi
	as_user_timed "$OP_TIMEOUT_S" cat "$M/$f"
	check_eq "$label: cat" control "$OUT"
	expect_ok "$label: write" "$OP_TIMEOUT_S" \
		sh -c "echo written > '$M/$new'"
	check_eq "$label: the write reached the server" written "$(on_disk "$new")"
}

test_close_share() {
	local f=reconnect-ctl.txt out
	echo control | put_on_disk "$f"
	mount_logged reconnect-tdis "" || return
	expect_ok "6a cat before close-share" "$OP_TIMEOUT_S" cat "$M/$f"
	if out=$(smbcontrol -s "$SMB_CONF" smbd close-share plain 2>&1); then
		pass "6a smbcontrol smbd close-share plain"
	else
		fail "6a smbcontrol smbd close-share plain: $out"
	fi
	fs_wait_for 5 eval '! smbd_has_tree plain' ||
		log "smbstatus still lists a connection to [plain]"
	expect_mount_works "6a after close-share" "$f" reconnect-ctl-new.txt
	expect_log "6a logged: the server disconnected the share" "$MLOG" \
		"$HOST_RE: the server disconnected the share 'plain'; connecting it again"
	expect_log "6a logged: the share is connected again" "$MLOG" \
		"$HOST_RE: share 'plain' connected again"
	show_log "$MLOG"
	fs_umount "$M"
}

# smbd's parent survives kill-client-ip and keeps the durable handle of
# the killed connection's open for its reconnect.
test_kill_client_ip() {
	local f=reconnect-ctl.txt h=reconnect-ctl-held.txt out
	echo control | put_on_disk "$f"
	mount_logged reconnect-kill "" || return
	if ! fs_holder_start ctl "$M/$h" create; then
		fail "6b open $h: $FS_HOLDER_REPLY"
		fs_umount "$M"
		return
	fi
	expect_holder_ok "6b write \"one\" before kill-client-ip" ctl \
		'write 0 one\n'
	if out=$(smbcontrol -s "$SMB_CONF" smbd kill-client-ip "$SMB_HOST" 2>&1); then
		pass "6b smbcontrol smbd kill-client-ip $SMB_HOST"
	else
		fail "6b smbcontrol smbd kill-client-ip $SMB_HOST: $out"
	fi
	expect_log "6b logged: connection lost" "$MLOG" \
		"connection to $HOST_RE lost: " 10
	expect_holder_ok "6b the held descriptor writes after kill-client-ip" \
		ctl 'write 4 two\n'
	expect_holder_ok "6b and reads both back" ctl 'read 0 8' \
		'ok one\ntwo\n'
	fs_holder_stop ctl
	check_eq "6b the server's disk holds both" "$(printf 'one\ntwo')" \
		"$(on_disk "$h")"
	echo "info: 6b how $h was reopened: $(reopen_kind "$MLOG" "$h")"
	expect_log "6b logged: durable handle reconnected" "$MLOG" \
		"$(fs_ere "\\$h"): durable handle reconnected"
	expect_mount_works "6b after kill-client-ip" "$f" reconnect-ctl-new2.txt
	show_log "$MLOG"
	fs_umount "$M"
}

# ---------------------------------------------------------- 7: smbproxy

proxy_start() {
	local out=$LOGS/smbproxy.out port
	PROXY_CTL=$SMB_TMPDIR/smbproxy.ctl
	rm -f "$PROXY_CTL"
	"$PROXY_BIN" --listen 127.0.0.1:0 --target "127.0.0.1:$SMB_PORT" \
		--control "$PROXY_CTL" --pidfile "$SMB_TMPDIR/smbproxy.pid" \
		--log "$LOGS/smbproxy.log" </dev/null >"$out" 2>&1 &
	PROXY_PID=$!
	bg_track "$PROXY_PID"
	if ! fs_wait_for 10 grep -q '^PORT=[0-9]' "$out" ||
		! fs_wait_for 5 test -S "$PROXY_CTL"; then
		fail "7 smbproxy did not start: $(head -c 300 "$out")"
		return 1
	fi
	port=$(sed -n 's/^PORT=\([0-9]*\).*/\1/p' "$out" | head -n 1)
	PROXY_PORT=$port
}

# proxy_stop: the proxy this test started, and the process its pid file
# names if that is another smbproxy.
proxy_stop() {
	local p
	[ -n "$PROXY_PID" ] || return 0
	p=$(cat "$SMB_TMPDIR/smbproxy.pid" 2>/dev/null)
	if [ -n "$p" ] && [ "$p" != "$PROXY_PID" ] &&
		[ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$PROXY_BIN")" ]; then
		terminate_pids 5 "$p"
	fi
	terminate_pids 5 "$PROXY_PID"
	PROXY_PID=
}

# proxy_ctl COMMAND: one command on the control socket; the reply in
# PROXY_REPLY, zero when it starts with "ok".
proxy_ctl() {
	PROXY_REPLY=$(timeout 15 "$PY" "$SOCKETS_PY" ask "$PROXY_CTL" "$1" 2>&1)
	[[ $PROXY_REPLY == ok* ]]
}

# proxy_stat KEY: one value of the status reply.
proxy_stat() {
	proxy_ctl status || { echo "?"; return 1; }
	tr ' ' '\n' <<<"$PROXY_REPLY" | sed -n "s/^$1=//p"
}

expect_proxy_ok() {
	if proxy_ctl "$2"; then
		pass "$1"
	else
		fail "$1: smbproxy answered: $PROXY_REPLY"
	fi
}

# proxy_mount PART: a fresh mount through the proxy for one part of test
# 7, so that what one fault leaves behind does not decide the next part.
proxy_mount() {
	mount_logged "reconnect-proxy-$1" "port=$PROXY_PORT,hard,echo_interval=2"
}

# (a) a server frame cut in the middle, then the connection closed
proxy_cut() {
	local total0 total1
	proxy_mount cut || return
	total0=$(proxy_stat total)
	expect_proxy_ok "7a cut-next-frame $CUT_MIN_BYTES" \
		"cut-next-frame $CUT_MIN_BYTES"
	as_user_timed 60 sha256sum "$M/$PROXY_FILE"
	echo "time: 7a reading $PROXY_FILE_MIB MiB with a cut frame: $(fs_seconds "$ELAPSED_MS")"
	if [ "$RC" -eq 0 ] && [ "${OUT%% *}" = "$PROXY_SHA" ]; then
		pass "7a the read completes with the right checksum"
	else
		fail "7a the read completes with the right checksum: status $RC: $OUT"
	fi
	check_eq "7a the cut happened (smbproxy cut_fired)" 1 "$(proxy_stat cut_fired)"
	total1=$(proxy_stat total)
	check "7a a new connection was made (proxy connections $total0 -> $total1)" \
		test "$total1" -gt "$total0"
	show_log "$MLOG"
	fs_umount "$M"
}

# (b) a stall longer than the request timeout (2 x echo_interval)
proxy_stall() {
	local total0 total1 t0
	proxy_mount stall || return
	if ! fs_holder_start proxy "$M/$PROXY_FILE" ro ||
		! holder_cmd proxy "sha256 0 $((8 << 20))"; then
		fail "7b start reading: $FS_HOLDER_REPLY"
	else
		total0=$(proxy_stat total)
		expect_proxy_ok "7b stall 10" "stall 10"
		t0=$(now_ms)
		holder_cmd proxy "sha256 0 $((PROXY_FILE_MIB << 20))" 40
		echo "time: 7b reading on through a 10 s stall: $(fs_seconds "$(fs_ms_since "$t0")")"
		check_eq "7b the read completes within 40 s with the right checksum" \
			"ok $PROXY_SHA" "$FS_HOLDER_REPLY"
		total1=$(proxy_stat total)
		check "7b the stalled connection was given up (proxy connections $total0 -> $total1)" \
			test "$total1" -gt "$total0"
	fi
	fs_holder_stop proxy
	expect_ok "7b the mount works on by itself (ls)" "$OP_TIMEOUT_S" ls "$M"
	show_log "$MLOG"
	fs_umount "$M"
}

# (c) every frame delayed by 20 ms
proxy_delay() {
	local t0
	proxy_mount delay || return
	expect_proxy_ok "7c delay 20" "delay 20"
	check_eq "7c smbproxy reports the delay" 20 "$(proxy_stat delay_ms)"
	t0=$(now_ms)
	expect_ok "7c write 4 MiB with the delay" "$OP_TIMEOUT_S" \
		cp "$FS_SCRATCH/reconnect-4m.bin" "$M/reconnect-proxy-4m.bin"
	check "7c the server has the same bytes" \
		cmp -s "$FS_SCRATCH/reconnect-4m.bin" "$DISK/reconnect-proxy-4m.bin"
	expect_ok "7c read them back with the delay" "$OP_TIMEOUT_S" \
		cmp "$FS_SCRATCH/reconnect-4m.bin" "$M/reconnect-proxy-4m.bin"
	expect_ok "7c ls with the delay" "$OP_TIMEOUT_S" ls "$M"
	echo "time: 7c write, read back and ls with 20 ms delay: $(fs_seconds "$(fs_ms_since "$t0")")"
	expect_proxy_ok "7c delay 0" "delay 0"
	show_log "$MLOG"
	fs_umount "$M"
}

# (d) the connection reset while new connections are refused
proxy_refuse() {
	local t0 job rc=0
	head -c $((4 << 20)) "$BIG" | put_on_disk reconnect-proxy-4m-d.bin
	proxy_mount refuse || return
	expect_ok "7d the mount answers" "$OP_TIMEOUT_S" ls "$M"
	expect_proxy_ok "7d refuse on" "refuse on"
	expect_proxy_ok "7d reset" reset
	fs_user timeout -k 5 40 cat "$M/reconnect-proxy-4m-d.bin" \
		>"$FS_SCRATCH/reconnect-4m.back" 2>"$LOGS/7d.err" &
	job=$!
	expect_log "7d logged: a failed reconnect attempt and the next delay" \
		"$MLOG" "$HOST_RE: reconnect attempt [0-9]+ failed: .*; next in [0-9]+ ms" 10
	expect_proxy_ok "7d refuse off" "refuse off"
	t0=$(now_ms)
	wait "$job" || rc=$?
	echo "time: 7d the waiting read finished $(fs_seconds "$(fs_ms_since "$t0")") after refuse off"
	check_eq "7d the read waiting on the hard mount completes" "0" \
		"$rc$(head -c 200 "$LOGS/7d.err")"
	check "7d it read the right bytes" \
		cmp -s "$FS_SCRATCH/reconnect-4m.bin" "$FS_SCRATCH/reconnect-4m.back"
	expect_log "7d logged: reconnected" "$MLOG" \
		"$HOST_RE: reconnected after [0-9]+\.[0-9]+ s \(attempt [0-9]+\)"
	show_log "$MLOG"
	fs_umount "$M"
}

test_proxy() {
	if [ ! -x "$PROXY_BIN" ]; then
		fail "7 $PROXY_BIN is missing (tests/tools/smbproxy.c not built: make tests)"
		return
	fi
	proxy_start || return
	PROXY_FILE=reconnect-proxy.bin
	head -c $((PROXY_FILE_MIB << 20)) /dev/urandom | put_on_disk "$PROXY_FILE"
	PROXY_SHA=$(sha_of "$DISK/$PROXY_FILE")
	head -c $((4 << 20)) "$BIG" >"$FS_SCRATCH/reconnect-4m.bin"
	proxy_cut
	STUCK=0
	proxy_stall
	STUCK=0
	proxy_delay
	STUCK=0
	proxy_refuse
	proxy_stop
	rm -f "$FS_SCRATCH"/reconnect-4m.*
}

# ------------------------------------------- 8: unmount, server gone

# unmount_in_time DESC MNT CMD...: CMD unmounts MNT within 5 s, MNT leaves
# the mount table and its daemon exits within 5 s.
unmount_in_time() {
	local desc=$1 mnt=$2 pid t0 rc=0 out
	shift 2
	pid=$(fs_daemon_pid "$mnt")
	t0=$(now_ms)
	out=$(timeout -k 2 30 "$@" 2>&1) || rc=$?
	ELAPSED_MS=$(fs_ms_since "$t0")
	echo "time: 8 $desc: $(fs_seconds "$ELAPSED_MS") (status $rc)"
	if [ "$rc" -ne 0 ]; then
		fail "8 $desc: status $rc: $out"
	elif [ "$ELAPSED_MS" -gt "$UNMOUNT_BOUND_MS" ]; then
		fail "8 $desc: took $(fs_seconds "$ELAPSED_MS"), bound 5 s"
	else
		pass "8 $desc returns within 5 s"
	fi
	if is_mounted "$mnt"; then
		fail "8 $desc: $mnt is still in /proc/mounts"
	else
		pass "8 $desc: gone from /proc/mounts"
	fi
	if [ -z "$pid" ]; then
		fail "8 $desc: the daemon's pid was never known"
	elif fs_wait_for 5 eval "! pid_running $pid"; then
		pass "8 $desc: the daemon exits within 5 s"
	else
		fail "8 $desc: daemon $pid still runs 5 s later"
	fi
	fs_umount "$mnt" >/dev/null 2>&1 # kills what is left
}

test_unmount_server_gone() {
	local hard soft lazy m
	mount_logged reconnect-um-hard hard || return
	hard=$M
	mount_logged reconnect-um-soft soft || return
	soft=$M
	mount_logged reconnect-um-lazy hard || return
	lazy=$M
	expect_ok "8 the hard mount answers" "$OP_TIMEOUT_S" ls "$hard"
	expect_ok "8 the soft mount answers" "$OP_TIMEOUT_S" ls "$soft"
	expect_ok "8 the second hard mount answers" "$OP_TIMEOUT_S" ls "$lazy"
	fs_server kill || { fail "8 killing the server failed"; return; }
	sleep 0.5
	unmount_in_time "fusermount3 -u of an idle hard mount" "$hard" \
		runuser -u "$FS_USER" -- fusermount3 -u "$hard"
	unmount_in_time "fusermount3 -u of a soft mount" "$soft" \
		runuser -u "$FS_USER" -- fusermount3 -u "$soft"
	unmount_in_time "umount -l (root) of a hard mount" "$lazy" \
		umount -l "$lazy"
	for m in um-hard um-soft um-lazy; do
		echo "  [$m]"
		show_log "$LOGS/reconnect-$m.log"
	done
	fs_server start-again || fail "8 restarting the server failed"
}

# ------------------------------------------------------------ 9: syslog

# syslog_sink PATH: fs/sockets.py serving PATH; non-zero when PATH exists.
syslog_sink() {
	local out=$SMB_TMPDIR/syslog-sink.out
	: >"$out"
	"$PY" "$SOCKETS_PY" syslog-sink "$1" "$SYSLOG_FILE" </dev/null \
		>"$out" 2>&1 &
	SYSLOG_SINK_PID=$!
	if ! fs_wait_for 5 grep -q '^ready ' "$out"; then
		log "syslog sink on $1: $(cat "$out")"
		SYSLOG_SINK_PID=
		return 1
	fi
	SYSLOG_SINK_PATH=$1
	SYSLOG_SINK_INODE=$(sed -n 's/^ready //p' "$out")
}

# syslog_capture_start: see the header. Sets SYSLOG_FILE, SYSLOG_HOW and,
# in a namespace, SYSLOG_NS (the command prefix) and SYSLOG_NS_PID.
syslog_capture_start() {
	local sock=$SMB_TMPDIR/syslog.sock target
	SYSLOG_FILE=$LOGS/syslog.txt
	: >"$SYSLOG_FILE"
	if [ ! -e /dev/log ] && [ ! -L /dev/log ] && syslog_sink /dev/log; then
		SYSLOG_HOW="a socket of the test at /dev/log (there was none)"
		return 0
	fi
	target=$(readlink -f /dev/log)
	[ -e "$target" ] || { log "/dev/log points to nothing"; return 1; }
	syslog_sink "$sock" || return 1
	unshare --mount --propagation private -- /bin/sh -c \
		'mount --bind "$1" "$2" && exec sleep 3600' sh "$sock" "$target" &
	SYSLOG_NS_PID=$!
	if ! fs_wait_for 5 grep -q " $target " "/proc/$SYSLOG_NS_PID/mounts"; then
		log "no private bind mount over $target"
		return 1
	fi
	SYSLOG_NS=(nsenter -t "$SYSLOG_NS_PID" -m --)
	SYSLOG_HOW="a socket of the test bind-mounted over $target in a private mount namespace"
}

syslog_capture_stop() {
	if [ -n "$SYSLOG_NS_PID" ]; then
		terminate_pids 5 "$SYSLOG_NS_PID"
		SYSLOG_NS_PID=
		SYSLOG_NS=()
	fi
	if [ -n "$SYSLOG_SINK_PID" ]; then
		terminate_pids 5 "$SYSLOG_SINK_PID"
		SYSLOG_SINK_PID=
	fi
	# A sink killed too hard to clean up leaves its socket: remove it
	# if it is still that very socket.
	if [ -n "$SYSLOG_SINK_PATH" ] && [ -S "$SYSLOG_SINK_PATH" ] &&
		[ "$(stat -c %i "$SYSLOG_SINK_PATH")" = "$SYSLOG_SINK_INODE" ]; then
		rm -f "$SYSLOG_SINK_PATH"
	fi
	SYSLOG_SINK_PATH=
}

# ns_user_timed SECONDS CMD...: CMD as the test user under timeout(1), in
# the capture's namespace if there is one.
ns_user_timed() {
	timeout -k 2 "$1" "${SYSLOG_NS[@]}" runuser -u "$FS_USER" -- "${@:2}"
}

ns_mounted() {
	awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' \
		"/proc/${SYSLOG_NS_PID:-self}/mounts"
}

syslog_unmount() {
	[ -n "$SYSLOG_MNT" ] || return 0
	if ns_mounted "$SYSLOG_MNT"; then
		ns_user_timed 10 fusermount3 -u "$SYSLOG_MNT" 2>/dev/null ||
			timeout -k 2 10 "${SYSLOG_NS[@]}" umount -l "$SYSLOG_MNT"
	fi
	if [ -n "$SYSLOG_DAEMON" ] &&
		! fs_wait_for 5 eval "! pid_running $SYSLOG_DAEMON"; then
		terminate_pids 5 "$SYSLOG_DAEMON"
	fi
	SYSLOG_MNT=
	SYSLOG_DAEMON=
}

test_syslog() {
	local mnt=$SMB_MNT_DIR/reconnect-syslog before p rc=0 prefix lines
	if ! syslog_capture_start; then
		fail "9 set up a syslog capture"
		return
	fi
	echo "info: 9 syslog capture: $SYSLOG_HOW"
	fs_prepare
	fs_user mkdir -p "$mnt"
	before=" $(smbfs_mount_pids | tr '\n' ' ') "
	ns_user_timed 60 "$FS_MOUNT_BIN" "//$SMB_HOST:$SMB_PORT/plain" "$mnt" \
		-o "credentials=$FS_CREDS,hard" || rc=$?
	SYSLOG_MNT=$mnt
	if [ "$rc" -ne 0 ] || ! fs_wait_for 10 ns_mounted "$mnt"; then
		fail "9 detached mount (status $rc)"
		syslog_unmount
		syslog_capture_stop
		return
	fi
	for p in $(smbfs_mount_pids); do
		[[ $before == *" $p "* ]] || SYSLOG_DAEMON=$p
	done
	if OUT=$(ns_user_timed "$OP_TIMEOUT_S" ls "$mnt" 2>&1); then
		pass "9 ls on the detached mount"
	else
		fail "9 ls on the detached mount: $OUT"
	fi
	restart_server || { fail "9 restarting the server failed"; return; }
	if OUT=$(ns_user_timed "$OP_TIMEOUT_S" ls "$mnt" 2>&1); then
		pass "9 ls after the restart"
	else
		fail "9 ls after the restart: $OUT"
	fi
	prefix="smbfs\[${SYSLOG_DAEMON:-[0-9]+}\]: $(fs_ere "$mnt"): "
	expect_log "9 syslog: connection lost, with the mount point" \
		"$SYSLOG_FILE" "${prefix}connection to $HOST_RE lost: " 10
	expect_log "9 syslog: the connection was lost; reconnecting" \
		"$SYSLOG_FILE" "${prefix}$HOST_RE: the connection was lost; reconnecting"
	expect_log "9 syslog: a failed reconnect attempt" "$SYSLOG_FILE" \
		"${prefix}$HOST_RE: reconnect attempt [0-9]+ failed: .*; next in [0-9]+ ms"
	expect_log "9 syslog: reconnected" "$SYSLOG_FILE" \
		"${prefix}$HOST_RE: reconnected after [0-9]+\.[0-9]+ s \(attempt [0-9]+\)"
	lines=$(grep -E "smbfs\[${SYSLOG_DAEMON:-x}\]: " "$SYSLOG_FILE")
	if [ -n "$lines" ] && ! grep -vqE "$prefix" <<<"$lines"; then
		pass "9 every line of the daemon carries the mount point"
	else
		fail "9 lines of daemon ${SYSLOG_DAEMON:-?} without the mount point: $(grep -vE "$prefix" <<<"$lines" | head -n 3)"
	fi
	if grep -qF -- "$SMB_PASS" "$SYSLOG_FILE"; then
		fail "9 the password appears in syslog"
	else
		pass "9 the password appears nowhere in syslog"
	fi
	echo "  syslog lines of the daemon:"
	sed -e 's/^/  | /' <<<"$lines" | tail -n 30
	syslog_unmount
	syslog_capture_stop
}

# ------------------------------------------- 10: a server that never answers

test_silent_server() {
	local mnt=$SMB_MNT_DIR/reconnect-silent pf=$SMB_TMPDIR/silent.port
	local af=$SMB_TMPDIR/silent.accepted pid port before p
	rm -f "$pf" "$af"
	"$PY" "$SOCKETS_PY" silent-server "$pf" "$af" </dev/null \
		>"$LOGS/silent.out" 2>&1 &
	pid=$!
	bg_track "$pid"
	if ! fs_wait_for 5 test -s "$pf"; then
		fail "10 the silent listener did not start: $(cat "$LOGS/silent.out")"
		return
	fi
	port=$(cat "$pf")
	fs_prepare
	fs_user mkdir -p "$mnt"
	before=" $(smbfs_mount_pids | tr '\n' ' ') "
	as_user_timed 60 "$FS_MOUNT_BIN" "//$SMB_HOST:$port/plain" "$mnt" \
		-o "credentials=$FS_CREDS"
	echo "time: 10 mount from a silent server: $(fs_seconds "$ELAPSED_MS"), status $RC: $OUT"
	check "10 the listener accepted a connection (and said nothing)" \
		test "$(cat "$af")" -ge 1
	check_eq "10 smbfs-mount exits with status 2 (cannot connect)" 2 "$RC"
	if [ "$ELAPSED_MS" -le $((SILENT_MOUNT_BOUND_S * 1000)) ]; then
		pass "10 it fails within ${SILENT_MOUNT_BOUND_S} s"
	else
		fail "10 it took $(fs_seconds "$ELAPSED_MS"), bound ${SILENT_MOUNT_BOUND_S} s"
	fi
	if is_mounted "$mnt"; then
		fail "10 something is mounted on $mnt"
		fs_user fusermount3 -u -z "$mnt"
	else
		pass "10 nothing is mounted"
	fi
	for p in $(smbfs_mount_pids); do
		[[ $before == *" $p "* ]] && continue
		fail "10 smbfs-mount process $p is left behind"
		terminate_pids 5 "$p"
	done
	terminate_pids 5 "$pid"
}

# ---------------------------------------------------------------- main

STUCK=0

# finish: cleans up, prints the summary and exits.
finish() {
	local total=$((FS_PASSED + FS_FAILED))
	rm -f "$BIG"
	reconnect_cleanup
	trap - EXIT
	echo
	echo "Run Summary:    Type  Total    Ran Passed Failed Inactive"
	printf '               tests %6d %6d %6d %6d        0\n' \
		"$total" "$total" "$FS_PASSED" "$FS_FAILED"
	fs_finish
	exit
}

# RECONNECT_ONLY="4 10" runs only the tests with those numbers.
run_test() {
	local t0
	if [ -n "${RECONNECT_ONLY:-}" ] &&
		[[ " $RECONNECT_ONLY " != *" ${1%% *} "* ]]; then
		return
	fi
	STUCK=0
	echo
	echo "===== $1 ====="
	server_up || { fail "$1: the server cannot be started again"; return; }
	t0=$(now_ms)
	"$2"
	echo "time: $1: $(fs_seconds "$(fs_ms_since "$t0")") in all"
}

fs_prepare
BIG=$FS_SCRATCH/reconnect-big.bin
if [ ! -s "$BIG" ]; then
	head -c $((BIG_MIB << 20)) /dev/urandom >"$BIG"
	chmod 0644 "$BIG"
fi

run_test "1 cp onto a hard mount across a server restart" test_copy_onto_mount
run_test "2 cp off a hard mount across a server restart" test_copy_off_mount
run_test "3 an open descriptor across a server restart" test_open_file_survives
run_test "4 a file changed on the server while disconnected" test_changed_while_down
run_test "5 soft mount with the server gone" test_soft
run_test "6a smbcontrol close-share: the share is connected again" \
	test_close_share
run_test "6b smbcontrol kill-client-ip: the connection is made again" \
	test_kill_client_ip
run_test "7 faults injected by smbproxy" test_proxy
run_test "8 unmounting with the server gone" test_unmount_server_gone
run_test "9 syslog of a detached mount" test_syslog
run_test "10 mounting from a server that never answers" test_silent_server

finish
