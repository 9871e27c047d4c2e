#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Command-line front end of lib.sh for the C tests (itest_fs_ops):
#
#   fsmount.sh prepare                   credentials file + scratch dir
#   fsmount.sh mount NAME SHARE [OPTS]   mount on $SMB_MNT_DIR/NAME
#   fsmount.sh umount NAME               unmount; non-zero if a plain
#                                        fusermount3 -u failed or the
#                                        daemon did not exit
#
# Run as root or as the test user, in the environment run-tests.sh sets.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_need_env
case ${1:-} in
prepare)
	fs_prepare
	;;
mount)
	[ $# -ge 3 ] || die "usage: fsmount.sh mount NAME SHARE [OPTS]"
	fs_mount "$2" "$3" "${4:-}"
	;;
umount)
	[ $# -eq 2 ] || die "usage: fsmount.sh umount NAME"
	mnt=$SMB_MNT_DIR/$2
	pid=$(fs_find_daemon "$mnt")
	# shellcheck disable=SC2034 # read by fs_umount
	[ -z "$pid" ] || FS_DAEMON_PID[$mnt]=$pid
	fs_umount "$mnt"
	;;
*)
	die "usage: fsmount.sh prepare | mount NAME SHARE [OPTS] | umount NAME"
	;;
esac
