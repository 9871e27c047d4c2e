#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make demo: mounts an SMB share as an ordinary user and shows it working.
#
# As root, after `make deps all` (the Makefile does both first):
#   - starts a throwaway private Samba on loopback (scripts/samba.sh) in a
#     new /tmp/smbfs-demo.XXXXXX directory,
#   - mounts its share "plain" as the ordinary user smbfstest with
#     build/smbfs-mount and a 0600 credentials file of that user,
#   - writes, lists and reads files through the mount, showing each
#     command and its output,
#   - leaves the share mounted and the server running for you to try, and
#     prints how to use them and how to clean up.
#
# SERVER=//host/share mounts that share instead of starting a server
# (as smbfstest, logging on as SMBUSER or USER, asking for the password
# unless PASSWD is set).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
. "$HERE/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh's log()
SMBFS_LIB_NAME=demo
ROOT=$(cd "$HERE/.." && pwd)
BIN=$ROOT/build/smbfs-mount
DEMO_USER=smbfstest
STEPS_FAILED=0

bold() {
	if [ -t 1 ]; then
		printf '\n\033[1m%s\033[0m\n' "$*"
	else
		printf '\n== %s\n' "$*"
	fi
}

# show CMD...: prints "$ CMD" and runs it as the demo user.
show() {
	printf '%s$ %s\n' "$DEMO_USER" "$*"
	if ! runuser -u "$DEMO_USER" -- bash -c "$*"; then
		echo "   (this step failed)"
		STEPS_FAILED=$((STEPS_FAILED + 1))
	fi
}

preflight() {
	is_root || die "run as root (sudo make demo): it starts a private" \
		"Samba and mounts as the ordinary user $DEMO_USER"
	[ -x "$BIN" ] || die "$BIN is missing: run make first"
	id -u "$DEMO_USER" >/dev/null 2>&1 ||
		die "user $DEMO_USER is missing: run scripts/install-deps.sh"
	[ -e /dev/fuse ] || die "/dev/fuse is missing (modprobe fuse)"
}

# The build directory may not be reachable by the demo user.
user_binary() {
	if runuser -u "$DEMO_USER" -- test -x "$BIN"; then
		echo "$BIN"
	else
		install -m 0755 "$BIN" "$DIR/smbfs-mount"
		echo "$DIR/smbfs-mount"
	fi
}

start_server() {
	DIR=$(mktemp -d /tmp/smbfs-demo.XXXXXX) || die "mktemp failed"
	bold "Starting a private Samba server on loopback (in $DIR)"
	bash "$HERE/samba.sh" start "$DIR" >/dev/null ||
		die "samba.sh start failed"
	# shellcheck disable=SC1091
	. "$DIR/env"
	UNC=//127.0.0.1:$SMB_PORT/plain
	CREDS=$DIR/demo-credentials
	install -o "$DEMO_USER" -m 0600 "$SMB_CREDS" "$CREDS"
	echo "smbd listens on 127.0.0.1:$SMB_PORT; share 'plain' is" \
		"$SMB_SHARE_PATH_PLAIN on disk."
}

make_mountpoint() {
	MNT=$DIR/mnt
	mkdir -p "$MNT"
	chown "$DEMO_USER:" "$MNT"
}

mount_local() {
	local bin
	bin=$(user_binary)
	bold "Mounting $UNC on $MNT as $DEMO_USER (no root needed)"
	show "$bin $UNC $MNT -o credentials=$CREDS"
	grep -q " $MNT fuse.smbfs " /proc/mounts ||
		die "the mount failed; the server is still running:" \
			"bash scripts/samba.sh stop $DIR"
}

mount_remote() {
	local bin user=${SMBUSER:-${USER:-}}
	DIR=$(mktemp -d /tmp/smbfs-demo.XXXXXX) || die "mktemp failed"
	chmod 0755 "$DIR"
	make_mountpoint
	bin=$(user_binary)
	UNC=$SERVER
	bold "Mounting $UNC on $MNT as $DEMO_USER, logging on as '$user'"
	printf '%s$ %s\n' "$DEMO_USER" "$bin $UNC $MNT -o username=$user"
	runuser -u "$DEMO_USER" -- "$bin" "$UNC" "$MNT" -o "username=$user" ||
		die "the mount failed (see the message above)"
}

exercise() {
	bold "Using the share through the mount"
	show "grep ' $MNT ' /proc/mounts"
	show "echo 'Hello from smbfs' > $MNT/hello.txt"
	show "mkdir -p $MNT/docs && cp /etc/os-release $MNT/docs/"
	show "printf 'line %s\n' 1 2 3 >> $MNT/docs/notes.txt"
	show "ls -la $MNT $MNT/docs"
	show "cat $MNT/hello.txt $MNT/docs/notes.txt"
	show "df -h $MNT"
	if [ -n "${SMB_SHARE_PATH_PLAIN:-}" ]; then
		bold "The same files on the server's disk"
		echo "root\$ ls -la $SMB_SHARE_PATH_PLAIN"
		ls -la "$SMB_SHARE_PATH_PLAIN"
	fi
}

instructions() {
	bold "The share stays mounted: try it"
	cat <<EOF
  runuser -u $DEMO_USER -- ls -la $MNT
  runuser -u $DEMO_USER -- bash        # then cd $MNT and use any program
  (root cannot enter it: FUSE mounts belong to the user who made them,
   unless mounted with -o allow_root or allow_other)
EOF
	bold "Clean up when done"
	echo "  runuser -u $DEMO_USER -- fusermount3 -u $MNT   # or, as root: umount $MNT"
	if [ -z "${SERVER:-}" ]; then
		echo "  bash $HERE/samba.sh stop $DIR"
	fi
	echo "  rm -rf $DIR"
	if [ "$STEPS_FAILED" -gt 0 ]; then
		echo
		log "$STEPS_FAILED step(s) failed (see above)"
		exit 1
	fi
}

main() {
	preflight
	if [ -n "${SERVER:-}" ]; then
		mount_remote
	else
		start_server
		make_mountpoint
		mount_local
	fi
	exercise
	instructions
}

main "$@"
