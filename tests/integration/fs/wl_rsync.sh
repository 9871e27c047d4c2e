#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# rsync -a of the 5,000-file tree onto the mount; a second rsync finds
# nothing to do (sizes, mtimes, modes and links were kept), a change to
# three files transfers exactly those three.
#
# Without POSIX extensions a share keeps one permission fact, the DOS
# read-only attribute (chmod without owner write sets it), and the mount
# shows file_mode/dir_mode minus write bits for read-only files. The source
# copy therefore uses only modes the share can hold: 0644, 0444 and 0755
# for directories, with file_mode=0644,dir_mode=0755.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start rsync mfsymlinks,file_mode=0644,dir_mode=0755
T=$FS_SCRATCH/tree
check "build the source tree" fs_time make-tree fs_make_tree "$T" 1
SRC=$FS_SCRATCH/rsync-src
fs_user rm -rf "$SRC"
check "local copy of the tree" fs_user cp -a "$T" "$SRC"
check "modes the share can hold" fs_user bash -c '
	find "$1" -type d -exec chmod 0755 {} + &&
	find "$1" -type f -perm /222 -exec chmod 0644 {} + &&
	find "$1" -type f ! -perm /222 -exec chmod 0444 {} +' x "$SRC"

check "rsync -a onto the mount" fs_time rsync-first \
	fs_user rsync -a "$SRC/" "$M/tree/"
check "diff -r source and mount" \
	fs_user diff -r --no-dereference "$SRC" "$M/tree"
out=$(fs_time rsync-second fs_user rsync -a --itemize-changes "$SRC/" "$M/tree/" 2>&1)
out=$(printf '%s\n' "$out" | grep -v '^time: ')
check_eq "second rsync -a transfers nothing" "" "$out"

# Change three files (content and mtime): exactly they move.
changed=$(cd "$SRC" && find . -type f -size +100c -regextype posix-extended \
	-regex '.*/f[0-9]+-[a-z]+' | sort | sed -n '10p;200p;3000p')
for f in $changed; do
	printf 'changed\n' | fs_user tee -a "$SRC/$f" >/dev/null
	fs_user touch -d '2020-02-02 02:02:02.123456' "$SRC/$f"
done
out=$(fs_user rsync -a --itemize-changes "$SRC/" "$M/tree/" 2>&1 |
	awk '{print $2}' | sort)
want=$(printf '%s\n' $changed | sed 's|^\./||' | sort)
check_eq "rsync after a change transfers exactly the changed files" "$want" "$out"
out=$(fs_user rsync -a --itemize-changes "$SRC/" "$M/tree/" 2>&1)
check_eq "then nothing again" "" "$out"
check "diff -r after the update" \
	fs_user diff -r --no-dereference "$SRC" "$M/tree"
check "rm -rf on the mount" fs_user rm -rf "$M/tree"
fs_user rm -rf "$SRC"
fs_finish
