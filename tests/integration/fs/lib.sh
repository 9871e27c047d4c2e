# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared helpers for the smbfs FUSE integration tests: mounting a share as
# the ordinary test user, unmounting it again whatever happens, and
# counting checks. Source it; do not run it.
#
# The server's description comes from the environment that
# scripts/run-tests.sh exports (see tests/integration/README.md): SMB_HOST,
# SMB_PORT, SMB_USER, SMB_PASS, SMB_MNT_DIR, SMB_SHARE_PATH_*, SMB_TMPDIR,
# SMB_TEST_USER, SMBFS_BUILD, SMBFS_ROOT.
#
# Works as root (every command that touches the mount runs as the test
# user through runuser) and as the test user itself (commands run
# directly), so the scripts run both from itest_fs_ops, which drops root
# before it starts them, and by hand as root.
#
#   fs_mount NAME SHARE [OPTIONS]   mounts //host:port/SHARE on
#                                   $SMB_MNT_DIR/NAME; sets FS_MNT
#   fs_umount MOUNTPOINT            fusermount3 -u, or kill the daemon
#   fs_user CMD...                  runs CMD as the test user
#   check DESC CMD...               CMD must succeed
#   check_fails_with ERRTEXT DESC CMD...
#                                   CMD must fail and print strerror text
#   fs_finish                       prints "N passed, N failed"; exit status
#   fs_summary                      a CUnit-style summary, then fs_finish

FS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FS_ROOT=${SMBFS_ROOT:-$(cd "$FS_LIB_DIR/../../.." && pwd)}
FS_BUILD=${SMBFS_BUILD:-$FS_ROOT/build}
FS_USER=${SMB_TEST_USER:-smbfstest}
FS_MOUNT_BIN=${SMBFS_MOUNT_BIN:-$FS_BUILD/smbfs-mount}
FS_MOUNT_TIMEOUT_S=30
FS_DAEMON_EXIT_TIMEOUT_S=30

SMBFS_LIB_NAME=${SMBFS_LIB_NAME:-$(basename "$0")}
# log, die, pids_with_arg, pid_alive, now_ms, fuse_mounts_under.
. "$FS_ROOT/scripts/lib.sh"

export LC_ALL=C # error messages are matched as text

FS_PASSED=0
FS_FAILED=0
FS_MOUNTS=()
declare -A FS_DAEMON_PID=()

fs_need_env() {
	local v
	for v in SMB_HOST SMB_PORT SMB_USER SMB_PASS SMB_MNT_DIR \
		SMB_SHARE_PATH_PLAIN; do
		[ -n "${!v:-}" ] ||
			die "$v is not set: run through scripts/run-tests.sh (make check)"
	done
	[ -x "$FS_MOUNT_BIN" ] || die "$FS_MOUNT_BIN was not built"
	id -u "$FS_USER" >/dev/null 2>&1 || die "no account $FS_USER"
	if ! is_root && [ "$(id -un)" != "$FS_USER" ]; then
		die "run as root or as $FS_USER"
	fi
}

# fs_user CMD...: runs CMD as the test user.
fs_user() {
	if is_root; then
		runuser -u "$FS_USER" -- "$@"
	else
		"$@"
	fi
}

# fs_user_sh SCRIPT [ARGS...]: runs a bash snippet as the test user.
fs_user_sh() {
	local script=$1
	shift
	fs_user bash -c "$script" fs-test "$@"
}

# fs_prepare: the credentials file and a scratch directory, both owned by
# the test user. Sets FS_CREDS and FS_SCRATCH (exported).
fs_prepare() {
	local dir=$SMB_MNT_DIR/.creds
	FS_CREDS=$dir/credentials
	if [ ! -f "$FS_CREDS" ]; then
		fs_user mkdir -p "$dir"
		fs_user chmod 0700 "$dir"
		# umask first: the password never sits in a readable file.
		printf 'username=%s\npassword=%s\n' "$SMB_USER" "$SMB_PASS" |
			fs_user_sh 'umask 077 && cat >"$1.tmp" && mv "$1.tmp" "$1"' \
				"$FS_CREDS"
	fi
	FS_SCRATCH=${FS_SCRATCH:-${SMB_TMPDIR:-/tmp}/fs-scratch}
	if is_root; then
		mkdir -p "$FS_SCRATCH"
		chown "$FS_USER:" "$FS_SCRATCH"
		chmod 0755 "$FS_SCRATCH"
	elif ! [ -d "$FS_SCRATCH" ] && ! mkdir -p "$FS_SCRATCH" 2>/dev/null; then
		FS_SCRATCH=$(mktemp -d /tmp/fs-scratch.XXXXXX)
	fi
	export FS_CREDS FS_SCRATCH
}

# smbfs_mount_pids: pids of running smbfs-mount processes of the test user.
smbfs_mount_pids() {
	local p uid
	uid=$(id -u "$FS_USER")
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = smbfs-mount ] || continue
		# The real uid: the daemon is not dumpable (PR_SET_DUMPABLE),
		# so its /proc directory belongs to root.
		[ "$(awk '/^Uid:/ { print $2 }' "$p/status" 2>/dev/null)" = "$uid" ] ||
			continue
		echo "${p#/proc/}"
	done
}

# fs_mount NAME SHARE [OPTIONS]: mounts the share as the test user on
# $SMB_MNT_DIR/NAME, waits until it is a mount point and sets FS_MNT.
# Returns non-zero (after printing why) when the mount did not appear.
# With FS_MOUNT_LOG set (see fs_mount_logged) the daemon stays in the
# foreground and its messages go to that file (with FUSE's debug output
# too when FS_MOUNT_DEBUG is set, see fs_mount_debug).
fs_mount() {
	local name=$1 share=$2 opts=${3:-} mnt before after p deadline rc=0
	local unc=//$SMB_HOST:$SMB_PORT/$share fg_job=
	fs_prepare
	mnt=$SMB_MNT_DIR/$name
	if is_mounted "$mnt"; then
		log "$mnt is still mounted from an earlier run: unmounting"
		fs_umount "$mnt"
	fi
	fs_user mkdir -p "$mnt"
	before=" $(smbfs_mount_pids | tr '\n' ' ') "
	if [ -n "${FS_MOUNT_LOG:-}" ]; then
		fs_user "$FS_MOUNT_BIN" "$unc" "$mnt" -f ${FS_MOUNT_DEBUG:+-d} \
			-o "credentials=$FS_CREDS${opts:+,$opts}" \
			</dev/null >>"$FS_MOUNT_LOG" 2>&1 &
		fg_job=$!
	else
		fs_user "$FS_MOUNT_BIN" "$unc" "$mnt" \
			-o "credentials=$FS_CREDS${opts:+,$opts}" || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		log "smbfs-mount $unc $mnt -o ...${opts:+,$opts} exited with status $rc"
		return 1
	fi
	deadline=$(($(now_ms) + FS_MOUNT_TIMEOUT_S * 1000))
	until is_mounted "$mnt"; do
		if [ -n "$fg_job" ] && ! pid_alive "$fg_job"; then
			wait "$fg_job" || rc=$?
			log "smbfs-mount -f $unc $mnt -o ...${opts:+,$opts} exited with status $rc: $(tail -n 3 "$FS_MOUNT_LOG")"
			return 1
		fi
		if [ "$(now_ms)" -ge "$deadline" ]; then
			log "$mnt: not a mount point ${FS_MOUNT_TIMEOUT_S}s after smbfs-mount returned"
			return 1
		fi
		sleep 0.05
	done
	FS_MOUNTS+=("$mnt")
	after=$(smbfs_mount_pids)
	for p in $after; do
		[[ $before == *" $p "* ]] && continue
		FS_DAEMON_PID[$mnt]=$p
	done
	if [ -z "${FS_DAEMON_PID[$mnt]:-}" ]; then
		p=$(fs_find_daemon "$mnt")
		[ -z "$p" ] || FS_DAEMON_PID[$mnt]=$p
	fi
	FS_MNT=$mnt
	return 0
}

# fs_find_daemon MOUNTPOINT: the test user's smbfs-mount process whose
# command line names MOUNTPOINT (the daemon may rewrite its arguments, so
# fs_mount also notes the process that appeared with the mount).
fs_find_daemon() {
	local p arg
	for p in $(smbfs_mount_pids); do
		while IFS= read -r -d '' arg; do
			if [ "$arg" = "$1" ]; then
				echo "$p"
				return 0
			fi
		done <"/proc/$p/cmdline" 2>/dev/null
	done
}

# fs_daemon_pid MOUNTPOINT: the daemon serving it, when known.
fs_daemon_pid() {
	echo "${FS_DAEMON_PID[$1]:-}"
}

fs_forget_mount() {
	local m keep=()
	for m in "${FS_MOUNTS[@]}"; do
		[ "$m" = "$1" ] || keep+=("$m")
	done
	FS_MOUNTS=("${keep[@]}")
}

# fs_umount MOUNTPOINT: fusermount3 -u as the test user (retried while the
# kernel still holds the mount busy for a moment); when that fails, kill the
# daemon by its pid and detach lazily. Returns non-zero when a normal
# unmount failed, so a test can notice.
fs_umount() {
	local mnt=$1 pid rc=1
	for _ in 1 2 3 4 5; do
		is_mounted "$mnt" || { rc=0; break; }
		if fs_user fusermount3 -u "$mnt" 2>/dev/null; then
			rc=0
			break
		fi
		sleep 0.2
	done
	if [ "$rc" -ne 0 ]; then
		log "fusermount3 -u $mnt failed: killing the daemon"
		fs_user fusermount3 -u "$mnt" || true # show the reason
		pid=$(fs_daemon_pid "$mnt")
		[ -z "$pid" ] || terminate_pids 5 "$pid"
		fs_user fusermount3 -u -z "$mnt" 2>/dev/null || true
	fi
	fs_wait_daemon_exit "$mnt" || rc=1
	fs_forget_mount "$mnt"
	unset "FS_DAEMON_PID[$mnt]"
	return "$rc"
}

# fs_wait_daemon_exit MOUNTPOINT: the daemon must exit once unmounted.
fs_wait_daemon_exit() {
	local pid deadline
	pid=$(fs_daemon_pid "$1")
	[ -n "$pid" ] || return 0
	deadline=$(($(now_ms) + FS_DAEMON_EXIT_TIMEOUT_S * 1000))
	while pid_alive "$pid"; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			log "daemon $pid of $1 still runs ${FS_DAEMON_EXIT_TIMEOUT_S}s after the unmount: killing it"
			terminate_pids 5 "$pid"
			return 1
		fi
		sleep 0.05
	done
	return 0
}

fs_cleanup() {
	local m
	for m in "${FS_MOUNTS[@]}"; do
		fs_umount "$m" || true
	done
}

# fs_trap: always unmount what this script mounted.
fs_trap() {
	trap 'fs_cleanup' EXIT
	trap 'exit 130' INT TERM
}

pass() {
	FS_PASSED=$((FS_PASSED + 1))
	echo "ok   - $*"
}

fail() {
	FS_FAILED=$((FS_FAILED + 1))
	echo "FAIL - $*"
}

# check DESC CMD...: CMD (run as the caller, usually the test user) must
# exit 0.
check() {
	local desc=$1 rc=0
	shift
	"$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		pass "$desc"
	else
		fail "$desc (exit status $rc: $*)"
	fi
}

# check_fails_with ERRTEXT DESC CMD...: CMD must fail and its error output
# must name ERRTEXT (a strerror text such as "File exists").
check_fails_with() {
	local want=$1 desc=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$desc: succeeded, expected \"$want\" ($*)"
	elif [[ $out != *"$want"* ]]; then
		fail "$desc: expected \"$want\", got: $out"
	else
		pass "$desc"
	fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1: expected [$2], got [$3]"
	fi
}

fs_finish() {
	echo "$FS_PASSED passed, $FS_FAILED failed"
	[ "$FS_FAILED" -eq 0 ] && [ "$FS_PASSED" -gt 0 ]
}

# fs_summary: CUnit's "Run Summary" table, from which scripts/run-tests.sh
# counts a shell test's checks, then fs_finish.
fs_summary() {
	local total=$((FS_PASSED + FS_FAILED))
	echo "Run Summary:    Type  Total    Ran Passed Failed Inactive"
	printf '               tests %6d %6d %6d %6d        0\n' \
		"$total" "$total" "$FS_PASSED" "$FS_FAILED"
	fs_finish
}

# fs_time LABEL CMD...: runs CMD and prints how long it took.
fs_time() {
	local label=$1 t0 rc=0
	shift
	t0=$(now_ms)
	"$@" || rc=$?
	echo "time: $label $(($(now_ms) - t0)) ms"
	return "$rc"
}

# fs_make_tree DIR [SYMLINKS]: a deterministic tree of 5,000 files in
# nested directories (sizes 0 bytes to 3 MiB, mtimes with microseconds, a
# few read-only files, a few names with : ? and trailing dots or spaces);
# with SYMLINKS=1 also a few symlinks. Built once per scratch directory.
fs_make_tree() {
	local dir=$1 links=${2:-0}
	[ -f "$dir.complete" ] && return 0
	fs_user rm -rf "$dir"
	fs_user /usr/bin/python3 "$FS_LIB_DIR/make_tree.py" "$dir" 5000 \
		"$links" || return 1
	fs_user touch "$dir.complete"
}

# fs_workload_start NAME [MOUNT_OPTIONS]: the common start of a wl_*.sh
# script: environment checks, the unmount trap, a mount of [plain] on
# $SMB_MNT_DIR/NAME and a fresh directory wl-NAME on it. Sets FS_MNT, M
# (the directory on the mount) and D (the same directory on the server's
# disk). Exits when the mount fails.
fs_workload_start() {
	local name=$1 opts=${2:-}
	fs_need_env
	fs_trap
	fs_prepare
	if ! fs_mount "$name" plain "$opts"; then
		fail "mount //$SMB_HOST:$SMB_PORT/plain${opts:+ -o $opts}"
		fs_finish
		exit 1
	fi
	# M and D are for the calling script.
	# shellcheck disable=SC2034
	M=$FS_MNT/wl-$name
	# shellcheck disable=SC2034
	D=$SMB_SHARE_PATH_PLAIN/wl-$name
	fs_user rm -rf "$M"
	if ! fs_user mkdir "$M"; then
		fail "mkdir $M"
		fs_finish
		exit 1
	fi
}

# tree_listing DIR: one line per entry: type, path, size for files and the
# target for symlinks (what a copy must reproduce).
tree_listing() {
	(cd "$1" && find . -mindepth 1 \( -type l -printf 'l %p -> %l\n' \) \
		-o \( -type f -printf 'f %p %s\n' \) \
		-o \( -type d -printf 'd %p\n' \) | sort)
}

# file_times DIR: regular files with their mtimes (to the nanosecond).
file_times() {
	(cd "$1" && find . -type f -printf '%p %T@\n' | sort)
}

# readonly_files DIR: regular files without any write bit.
readonly_files() {
	(cd "$1" && find . -type f ! -perm /222 -printf '%p\n' | sort)
}

# same_output DESC CMD1 -- CMD2: both commands print the same; shows the
# first differences otherwise.
same_output() {
	local desc=$1 a b
	shift
	local left=() right=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		left+=("$1")
		shift
	done
	shift
	right=("$@")
	a=$(mktemp)
	b=$(mktemp)
	"${left[@]}" >"$a" 2>&1
	"${right[@]}" >"$b" 2>&1
	if cmp -s "$a" "$b"; then
		pass "$desc"
	else
		fail "$desc: outputs differ (left: first command, right: second):"
		comm -3 <(sort "$a") <(sort "$b") | head -n 20
	fi
	rm -f "$a" "$b"
}

# ------------------------------------------------ servers that go away

# fs_mount_logged NAME SHARE OPTIONS LOG: fs_mount with the daemon kept in
# the foreground (-f) as a background job of the script, so what smbfs
# logs (on stderr in the foreground) is appended to LOG.
fs_mount_logged() {
	local rc=0
	FS_MOUNT_LOG=$4
	fs_mount "$1" "$2" "$3" || rc=$?
	FS_MOUNT_LOG=
	return "$rc"
}

# fs_mount_debug NAME SHARE OPTIONS LOG: fs_mount_logged with -d, so LOG
# also holds every FUSE request ("opcode: GETATTR" lines and the like).
fs_mount_debug() {
	local rc=0
	FS_MOUNT_DEBUG=1
	fs_mount_logged "$@" || rc=$?
	FS_MOUNT_DEBUG=
	return "$rc"
}

# fs_server kill|start-again|status: scripts/samba.sh on the server of the
# environment (SMB_DIR): kill SIGKILLs all its processes at once, as a
# crash would; start-again starts it on the same port with the same
# password and share directories (see scripts/samba.sh).
fs_server() {
	is_root || die "fs_server $1 must run as root"
	"$FS_ROOT/scripts/samba.sh" "$1" "$SMB_DIR" >/dev/null
}

# fs_proxy_ctl SOCKET COMMAND...: one command to the control socket of
# build/tests/smbproxy; prints the reply line.
fs_proxy_ctl() {
	local sock=$1
	shift
	/usr/bin/python3 - "$sock" "$*" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
print(s.makefile().readline().rstrip("\n"))
EOF
}

# fs_ms_since T0: milliseconds since T0 (a now_ms value).
fs_ms_since() { echo $(($(now_ms) - $1)); }

# fs_seconds MS: MS milliseconds as seconds, e.g. "2.3 s".
fs_seconds() { printf '%d.%d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# fs_wait_for TIMEOUT_S CMD...: runs CMD every 0.1 s until it succeeds;
# non-zero after TIMEOUT_S. CMD must not hang (wrap it in timeout).
fs_wait_for() {
	local deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# fs_log_has LOG ERE: LOG has a line matching the extended regex ERE.
fs_log_has() { grep -qE -- "$2" "$1" 2>/dev/null; }

# fs_log_wait LOG ERE TIMEOUT_S: waits until LOG has such a line.
fs_log_wait() { fs_wait_for "$3" fs_log_has "$1" "$2"; }

# fs_ere STRING: STRING with the characters special in an ERE escaped.
fs_ere() { printf '%s' "$1" | sed -e 's/[][\.*^$?+(){}|]/\\&/g'; }

# --- a process holding one file open (fs/holder.py) ---

declare -A FS_HOLDER_DIR=() FS_HOLDER_N=()
FS_HOLDER_REPLY=
FS_HOLDER_TIMEOUT_S=60

# fs_holder_start NAME PATH MODE: a process of the test user opens PATH
# (MODE ro, rw or create) and keeps it open for fs_holder commands.
# Non-zero when the open failed or did not finish; FS_HOLDER_REPLY says
# what happened.
fs_holder_start() {
	local name=$1 dir
	fs_prepare
	dir=$FS_SCRATCH/holder-$name
	rm -rf "$dir"
	mkdir -p "$dir"
	is_root && chown "$FS_USER:" "$dir"
	FS_HOLDER_DIR[$name]=$dir
	FS_HOLDER_N[$name]=0
	fs_user /usr/bin/python3 "$FS_LIB_DIR/holder.py" "$dir" "$2" "$3" \
		</dev/null >>"$dir.log" 2>&1 &
	fs_holder_reply "$name" "$FS_HOLDER_TIMEOUT_S"
}

# fs_holder_reply NAME TIMEOUT_S: waits for the answer to the last command.
fs_holder_reply() {
	local dir=${FS_HOLDER_DIR[$1]} n=${FS_HOLDER_N[$1]}
	if ! fs_wait_for "$2" test -f "$dir/reply.$n"; then
		FS_HOLDER_REPLY="no answer within $2 s"
		return 1
	fi
	FS_HOLDER_REPLY=$(cat "$dir/reply.$n")
	[[ $FS_HOLDER_REPLY == ok* ]]
}

# fs_holder_send NAME COMMAND: sends one holder.py command without waiting;
# fs_holder_reply NAME TIMEOUT_S collects the answer. Two holders can so
# run their commands at the same time.
fs_holder_send() {
	local name=$1 dir=${FS_HOLDER_DIR[$1]} n
	n=$((FS_HOLDER_N[$name] + 1))
	FS_HOLDER_N[$name]=$n
	printf '%s\n' "$2" >"$dir/cmd.$n.tmp"
	mv "$dir/cmd.$n.tmp" "$dir/cmd.$n"
}

# fs_holder NAME COMMAND [TIMEOUT_S]: runs one holder.py command on the
# held descriptor; zero when it answered "ok ...". The answer is in
# FS_HOLDER_REPLY.
fs_holder() {
	fs_holder_send "$1" "$2"
	fs_holder_reply "$1" "${3:-$FS_HOLDER_TIMEOUT_S}"
}

# fs_holder_stop NAME: closes the file, or kills the holder when it does
# not answer within 10 s.
fs_holder_stop() {
	local name=$1 dir=${FS_HOLDER_DIR[$1]:-} pid
	[ -n "$dir" ] || return 0
	pid=$(cat "$dir/pid" 2>/dev/null)
	if pid_running "$pid" && ! fs_holder "$name" close 10; then
		terminate_pids 5 "$pid"
	fi
	rm -rf "$dir"
	unset "FS_HOLDER_DIR[$name]" "FS_HOLDER_N[$name]"
}

# fs_holder_stop_all: for the EXIT trap, before unmounting.
fs_holder_stop_all() {
	local name
	for name in "${!FS_HOLDER_DIR[@]}"; do
		fs_holder_stop "$name"
	done
}

# --- per-mount statistics (smbfs-mount --stats) ---

# fs_stats MOUNTPOINT FILE: the "key value" lines of smbfs-mount --stats,
# run as the test user, in FILE. Non-zero when it failed; FILE then holds
# "--stats failed (status N): " and what it printed.
fs_stats() {
	local out rc=0
	out=$(fs_user timeout -k 2 10 "$FS_MOUNT_BIN" --stats "$1" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf -- '--stats failed (status %d): %s\n' "$rc" "$out" >"$2"
		return 1
	fi
	printf '%s\n' "$out" >"$2"
}

# fs_stat_value FILE KEY: KEY's value in a fs_stats FILE; non-zero when the
# file has no such line.
fs_stat_value() {
	awk -v k="$2" '$1 == k && $2 ~ /^[0-9]+$/ { print $2; found = 1; exit }
		END { exit !found }' "$1"
}

# fs_stat_delta BEFORE AFTER KEY: the value in AFTER minus the one in
# BEFORE; non-zero (printing why) when either lacks KEY.
fs_stat_delta() {
	local b a
	if ! b=$(fs_stat_value "$1" "$3") || ! a=$(fs_stat_value "$2" "$3"); then
		if grep -q -- '^--stats failed' "$1" "$2"; then
			grep -h -m 1 -- '^--stats failed' "$1" "$2" | head -n 1
		else
			echo "no \"$3 N\" line in the --stats output"
		fi
		return 1
	fi
	echo $((a - b))
}
