# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shared shell helpers for the smbfs scripts. Source it; do not run it.
#
#   . "$(dirname "$0")/lib.sh"

SMBFS_LIB_NAME=${SMBFS_LIB_NAME:-$(basename "$0")}

log() { printf '%s: %s\n' "$SMBFS_LIB_NAME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Repository root: the parent of the directory holding this file.
repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd); }

# port_in_use PORT: true when something listens on PORT on loopback.
port_in_use() {
	local port=$1
	if command -v python3 >/dev/null 2>&1; then
		python3 - "$port" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for fam, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    try:
        s.bind((addr, port))
    except OSError:
        sys.exit(0)          # busy
    finally:
        s.close()
sys.exit(1)                  # free
EOF
		return $?
	fi
	# Fallback without python3: a connect that succeeds means busy.
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# pick_free_port [LOW HIGH]: prints a port nobody listens on.
pick_free_port() {
	local low=${1:-20000} high=${2:-60000} port i
	for ((i = 0; i < 200; i++)); do
		port=$((low + (RANDOM * 32768 + RANDOM) % (high - low)))
		if ! port_in_use "$port"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# port_accepts HOST PORT: true when a TCP connect succeeds.
port_accepts() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# now_ms: monotonic-enough milliseconds for timeouts.
now_ms() { date +%s%3N; }

# pid_alive PID
pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# pid_running PID: alive and not a zombie waiting to be reaped (kill -0
# still succeeds on one).
pid_running() {
	local stat
	pid_alive "$1" || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# pids_with_arg STRING: pids whose command line has STRING as one of its
# arguments or as the value of a --opt=STRING argument. Never matches the
# calling shell.
pids_with_arg() {
	local want=$1 p arg
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] && continue
		[ "$p" = "$BASHPID" ] && continue
		while IFS= read -r -d '' arg; do
			if [ "$arg" = "$want" ] || [ "${arg#*=}" = "$want" ]; then
				echo "$p"
				break
			fi
		done 2>/dev/null <"/proc/$p/cmdline" # it may be gone by now
	done
}

# terminate_pids TIMEOUT_S PID...: SIGTERM, wait, then SIGKILL stragglers.
terminate_pids() {
	local timeout=$1 p deadline left
	shift
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null || true
	deadline=$(($(now_ms) + timeout * 1000))
	while :; do
		left=()
		for p in "$@"; do
			pid_alive "$p" && left+=("$p")
		done
		[ ${#left[@]} -eq 0 ] && return 0
		[ "$(now_ms)" -ge "$deadline" ] && break
		sleep 0.05
	done
	log "killing ${left[*]} after ${timeout}s"
	kill -KILL "${left[@]}" 2>/dev/null || true
	sleep 0.1
}

# is_mounted PATH: true when PATH is a mount point.  Reads the mount
# table, because root cannot stat another user's FUSE mount.
is_mounted() {
	local want=$1 _dev mnt _rest
	while read -r _dev mnt _rest; do
		# /proc/mounts escapes spaces as \040
		[ "$(printf '%b' "$mnt")" = "$want" ] && return 0
	done </proc/mounts
	return 1
}

# fuse_mounts_under DIR: mount points of FUSE file systems below DIR,
# deepest first.
fuse_mounts_under() {
	local dir=$1 _dev mnt type rest
	while read -r _dev mnt type rest; do
		case $type in fuse | fuse.* | fuseblk) ;; *) continue ;; esac
		mnt=$(printf '%b' "$mnt") # /proc/mounts escapes spaces as \040
		case $mnt in "$dir" | "$dir"/*) echo "$mnt" ;; esac
	done </proc/mounts | sort -r
}

# unmount_fuse_under DIR: unmounts every FUSE mount below DIR.
unmount_fuse_under() {
	local m
	while IFS= read -r m; do
		[ -n "$m" ] || continue
		log "unmounting $m"
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			log "could not unmount $m"
	done < <(fuse_mounts_under "$1")
}
