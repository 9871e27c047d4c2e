#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cp -a of a 5,000-file tree (nested directories, sizes 0 to 3 MiB, a few
# read-only files, symlinks through -o mfsymlinks, names smbfs must map)
# onto the mount and back: diff -r clean, sizes, mtimes, read-only bits and
# symlinks preserved, then rm -rf on the mount leaves nothing behind.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start cp mfsymlinks
T=$FS_SCRATCH/tree
check "build the source tree" fs_time make-tree fs_make_tree "$T" 1
BACK=$FS_SCRATCH/cp-back
fs_user rm -rf "$BACK"

check "cp -a onto the mount" fs_time cp-onto fs_user cp -a "$T" "$M/tree"
check "diff -r source and mount" \
	fs_user diff -r --no-dereference "$T" "$M/tree"
same_output "same entries, sizes and link targets on the mount" \
	tree_listing "$T" -- fs_user bash -c "$(declare -f tree_listing); tree_listing '$M/tree'"
same_output "mtimes preserved on the mount" \
	file_times "$T" -- fs_user bash -c "$(declare -f file_times); file_times '$M/tree'"
same_output "read-only files stay read-only" \
	readonly_files "$T" -- fs_user bash -c "$(declare -f readonly_files); readonly_files '$M/tree'"
n_src=$(find "$T" -type f -o -type l | wc -l)
n_disk=$(find "$D/tree" -type f | wc -l)
check_eq "server holds every file (symlinks as XSym files)" "$n_src" "$n_disk"

check "cp -a back from the mount" fs_time cp-back fs_user cp -a "$M/tree" "$BACK"
check "diff -r source and copy back" \
	fs_user diff -r --no-dereference "$T" "$BACK"
same_output "same entries after the round trip" \
	tree_listing "$T" -- tree_listing "$BACK"
same_output "mtimes after the round trip" \
	file_times "$T" -- file_times "$BACK"

check "rm -rf on the mount" fs_time rm-mount fs_user rm -rf "$M/tree"
check "nothing left on the server" test ! -e "$D/tree"
fs_user rm -rf "$BACK"
fs_finish
