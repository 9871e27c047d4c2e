# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034 # CDIR, CUSER, CPID and CLIENT_ERR are for the caller
#
# The clients scripts/bench.sh compares, behind one interface. Source it
# after tests/integration/fs/lib.sh (fs_mount, fs_umount, fs_user, ...),
# with WORK (the run's directory) and the server's SMB_* variables set.
#
#   client_up CLIENT SHARE PORT   makes SHARE reachable through CLIENT at
#                                 PORT (the server's, or a proxy's). Sets
#                                 CDIR (the share's root as CLIENT shows it),
#                                 CUSER (the account working there) and CPID
#                                 (the client process whose CPU time counts,
#                                 or empty). Non-zero with CLIENT_ERR set
#                                 when it could not.
#   client_down CLIENT            unmounts it and waits for its processes
#   client_down_all               every client still up (for the trap)
#
# CLIENT is smbfs (build/smbfs-mount), smbnetfs (FUSE 2, libsmbclient),
# rclone (rclone mount, smb backend) or server: the share's own directory
# on the server's disk, worked in as the share's owner.
#
# Every process started here is noted in BENCH_PIDS, so the caller's trap
# can stop exactly those.

BENCH_PIDS=()
CLIENT_ERR=
declare -A CLIENT_MNT=() CLIENT_PID=()

client_up() {
	local client=$1 share=$2 port=$3
	CLIENT_ERR=
	CPID=
	case $client in
	smbfs) smbfs_up "$share" "$port" ;;
	smbnetfs) smbnetfs_up "$share" "$port" ;;
	rclone) rclone_up "$share" "$port" ;;
	server)
		CDIR=$SMB_DIR/shares/$share
		CUSER=$SMB_USER
		;;
	*) CLIENT_ERR="unknown client $client" && return 1 ;;
	esac
}

client_down() {
	local client=$1 mnt=${CLIENT_MNT[$1]:-}
	[ -n "$mnt" ] || return 0
	case $client in
	smbfs) fs_umount "$mnt" || log "smbfs: unmounting $mnt failed" ;;
	*) fuse_client_down "$client" "$mnt" ;;
	esac
	unset "CLIENT_MNT[$client]" "CLIENT_PID[$client]"
}

client_down_all() {
	local c
	for c in "${!CLIENT_MNT[@]}"; do
		client_down "$c"
	done
}

# first_line FILE, last_line FILE: its first or last non-empty line,
# shortened, for reasons.
first_line() {
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | head -n 1 | cut -c1-160
}
last_line() {
	grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1 | cut -c1-160
}

smbfs_up() {
	local share=$1 port=$2 err=$WORK/mount-smbfs.err
	# fs_mount builds //$SMB_HOST:$SMB_PORT/SHARE: point it at PORT.
	# SMBFS_OPTS: mount options of a run (e.g. nosign).
	if ! SMB_PORT=$port fs_mount "smbfs-$share" "$share" "${SMBFS_OPTS:-}" 2>"$err"; then
		CLIENT_ERR="mount failed: $(last_line "$err")"
		return 1
	fi
	CLIENT_MNT[smbfs]=$FS_MNT
	CDIR=$FS_MNT
	CUSER=$FS_USER
	CPID=$(fs_daemon_pid "$FS_MNT")
	CLIENT_PID[smbfs]=$CPID
}

# fuse_mounted_or_dead MOUNTPOINT PID: stops a wait once mounted or when
# the process that should mount has exited.
fuse_mounted_or_dead() {
	is_mounted "$1" || ! pid_running "$2"
}

smbnetfs_up() {
	local share=$1 port=$2 mnt=$SMB_MNT_DIR/smbnetfs home=$WORK/smbnetfs
	local log_file=$WORK/smbnetfs.log p
	command -v smbnetfs >/dev/null || {
		CLIENT_ERR="smbnetfs is not installed${INSTALL_ERR[smbnetfs]:+: ${INSTALL_ERR[smbnetfs]}}"
		return 1
	}
	if [ ! -f "$home/.smb/smbnetfs.conf" ]; then
		mkdir -p "$home/.smb"
		# libsmbclient's own settings: its defaults (SMB2 to SMB3).
		printf '[global]\n' >"$home/.smb/smb.conf"
		# It refuses a config other users can read.
		(umask 077 && printf 'auth "%s" "%s"\nsmb_query_browsers "false"\n' \
			"$SMB_USER" "$SMB_PASS" >"$home/.smb/smbnetfs.conf")
		chown -R "$FS_USER:" "$home"
		chmod 0700 "$home/.smb"
		chmod 0600 "$home/.smb/smbnetfs.conf"
	fi
	fs_user mkdir -p "$mnt"
	if ! fs_user env HOME="$home" smbnetfs "$mnt" </dev/null >>"$log_file" 2>&1 ||
		! fs_wait_for 30 is_mounted "$mnt"; then
		CLIENT_ERR="mount failed: $(last_line "$log_file")"
		fuse_client_down smbnetfs "$mnt"
		return 1
	fi
	CLIENT_MNT[smbnetfs]=$mnt
	for p in $(pids_with_arg "$mnt"); do
		BENCH_PIDS+=("$p")
	done
	# A port other than 445 goes into the path: MNT/HOST:PORT/SHARE.
	CDIR=$mnt/$SMB_HOST:$port/$share
	CUSER=$FS_USER
	if ! fs_wait_for 30 fs_user test -d "$CDIR"; then
		CLIENT_ERR="$CDIR does not appear: $(last_line "$log_file")"
		client_down smbnetfs
		return 1
	fi
}

rclone_up() {
	local share=$1 port=$2 mnt=$SMB_MNT_DIR/rclone dir=$WORK/rclone pid
	command -v rclone >/dev/null || {
		CLIENT_ERR="rclone is not installed${INSTALL_ERR[rclone]:+: ${INSTALL_ERR[rclone]}}"
		return 1
	}
	mkdir -p "$dir/cache"
	(umask 077 && cat >"$dir/rclone.conf" <<EOF
[bench]
type = smb
host = $SMB_HOST
port = $port
user = $SMB_USER
pass = $(rclone obscure "$SMB_PASS")
EOF
	)
	chown -R "$FS_USER:" "$dir"
	fs_user mkdir -p "$mnt"
	# setpriv execs rclone itself, so $! is rclone's pid.
	setpriv --reuid="$FS_USER" --regid="$FS_USER" --init-groups \
		env HOME="$dir" rclone --config "$dir/rclone.conf" \
		mount "bench:$share" "$mnt" --vfs-cache-mode writes \
		--cache-dir "$dir/cache" --log-file "$dir/rclone.log" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	BENCH_PIDS+=("$pid")
	CLIENT_MNT[rclone]=$mnt
	CLIENT_PID[rclone]=$pid
	fs_wait_for 30 fuse_mounted_or_dead "$mnt" "$pid"
	if ! is_mounted "$mnt"; then
		CLIENT_ERR="mount failed: $(last_line "$dir/rclone.log")"
		client_down rclone
		return 1
	fi
	CDIR=$mnt
	CUSER=$FS_USER
	CPID=$pid
}

# fuse_client_down CLIENT MOUNTPOINT: fusermount3 -u as the mounting user,
# then waits for the client's processes, which exit once unmounted.
fuse_client_down() {
	local client=$1 mnt=$2 pids p
	pids=$(pids_with_arg "$mnt")
	[ -z "${CLIENT_PID[$client]:-}" ] || pids+=" ${CLIENT_PID[$client]}"
	for _ in 1 2 3 4 5; do
		is_mounted "$mnt" || break
		fs_user fusermount3 -u "$mnt" 2>/dev/null && break
		sleep 0.5
	done
	if is_mounted "$mnt"; then
		log "$client: $mnt stays mounted: detaching it"
		fs_user fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
	fi
	for p in $pids; do
		fs_wait_for 30 eval "! pid_running $p" ||
			terminate_pids 5 "$p"
	done
}
