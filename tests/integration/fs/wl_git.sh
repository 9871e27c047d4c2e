#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# git on the mount: init, add, commit, rename, gc (which removes read-only
# loose objects and renames packs), status clean; clone from the mount to
# local disk, from there back onto the mount, and within the mount (hard
# links); git fsck clean everywhere.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start git
HOME=$FS_SCRATCH/git-home
export HOME GIT_CONFIG_NOSYSTEM=1
fs_user rm -rf "$HOME" "$FS_SCRATCH/git-clone"
fs_user mkdir -p "$HOME"
fs_user git config --global user.name "smbfs test"
fs_user git config --global user.email "test@smbfs.invalid"
fs_user git config --global init.defaultBranch main
R=$M/repo

populate() {
	local i
	mkdir -p "$1"
	for i in $(seq 1 60); do
		mkdir -p "$1/src/sub$((i % 6))"
		seq 1 $((i * 37)) | sed "s/^/line $i: /" >"$1/src/sub$((i % 6))/file$i.txt"
	done
	head -c 300000 /dev/urandom >"$1/blob.bin"
	printf '#!/bin/sh\necho hi\n' >"$1/run.sh"
}
export -f populate

check "git init on the mount" fs_user git init -q "$R"
check "write the work tree" fs_user bash -c 'populate "$1"' x "$R"
check "git add" fs_user git -C "$R" add -A
check "git commit" fs_time git-commit fs_user git -C "$R" commit -q -m first
check "edit, git mv, git rm, commit" fs_user bash -c '
	set -e
	cd "$1"
	for i in 3 7 11 19 23; do echo "edit $i" >>src/sub$((i % 6))/file$i.txt; done
	git mv src/sub1/file1.txt src/renamed.txt
	git mv src/sub2 src/moved
	git rm -q src/sub3/file9.txt
	git commit -q -am second' x "$R"
check "git gc" fs_time git-gc fs_user git -C "$R" gc --quiet
check_eq "git status clean" "" "$(fs_user git -C "$R" status --porcelain 2>&1)"
check "git fsck --full on the mount" fs_user git -C "$R" fsck --full --no-dangling
check_eq "two commits" 2 "$(fs_user git -C "$R" rev-list --count HEAD 2>&1)"

C1=$FS_SCRATCH/git-clone
check "git clone from the mount to local disk" fs_time git-clone-out \
	fs_user git clone -q "$R" "$C1"
check "git fsck of the local clone" fs_user git -C "$C1" fsck --full --no-dangling
check "work trees equal" fs_user diff -r --exclude=.git "$R" "$C1"
check "git clone back onto the mount" fs_time git-clone-in \
	fs_user git clone -q "$C1" "$M/clone2"
check "git fsck of the clone on the mount" \
	fs_user git -C "$M/clone2" fsck --full --no-dangling
check "work trees equal" fs_user diff -r --exclude=.git "$R" "$M/clone2"
check_eq "status of the clone clean" "" "$(fs_user git -C "$M/clone2" status --porcelain 2>&1)"
check "git clone within the mount (hard links)" \
	fs_user git clone -q "$R" "$M/clone3"
check "git fsck of that clone" fs_user git -C "$M/clone3" fsck --full --no-dangling
check "commit in the clone on the mount" fs_user bash -c '
	set -e
	cd "$1"
	echo third >third.txt
	git add third.txt
	git commit -q -m third
	git gc --quiet --prune=now
	git fsck --full --no-dangling' x "$M/clone2"
check_eq "three commits in the clone" 3 "$(fs_user git -C "$M/clone2" rev-list --count HEAD 2>&1)"
check "rm -rf of the repositories" fs_user rm -rf "$R" "$M/clone2" "$M/clone3"
check "nothing left on the server" test -z "$(ls -A "$D")"
[ -z "$(ls -A "$D")" ] || find "$D" | head -n 20
fs_user rm -rf "$C1" "$HOME"
fs_finish
