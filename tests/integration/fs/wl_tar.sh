#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tar on the mount (POSIX format, which keeps sub-second mtimes): an
# archive of the 5,000-file tree created on the mount and extracted from
# it; the tree extracted onto the mount (mtimes kept) and archived from it
# again. Every copy compares equal to the source.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start tar mfsymlinks
T=$FS_SCRATCH/tree
check "build the source tree" fs_time make-tree fs_make_tree "$T" 1
OUT=$FS_SCRATCH/tar-out
fs_user rm -rf "$OUT"
fs_user mkdir -p "$OUT/a" "$OUT/b"

check "tar create onto the mount" fs_time tar-create-onto \
	fs_user tar --format=posix -C "$(dirname "$T")" -cf "$M/tree.tar" \
		"$(basename "$T")"
check "tar extract from the mount" fs_time tar-extract-from \
	fs_user tar -C "$OUT/a" -xf "$M/tree.tar"
check "extracted tree equals the source" \
	fs_user diff -r --no-dereference "$T" "$OUT/a/$(basename "$T")"
check "archive on the server equals the archive on the mount" \
	fs_user cmp "$M/tree.tar" "$D/tree.tar"

fs_user mkdir "$M/x"
check "tar extract onto the mount" fs_time tar-extract-onto \
	fs_user tar -C "$M/x" -xpf "$M/tree.tar"
check "tree extracted on the mount equals the source" \
	fs_user diff -r --no-dereference "$T" "$M/x/$(basename "$T")"
same_output "mtimes kept by tar on the mount" \
	file_times "$T" -- fs_user bash -c "$(declare -f file_times); file_times '$M/x/$(basename "$T")'"
check "tar create from the mount" fs_time tar-create-from \
	fs_user tar --format=posix -C "$M/x" -cf "$OUT/from-mount.tar" \
		"$(basename "$T")"
check "extract that archive locally" \
	fs_user tar -C "$OUT/b" -xf "$OUT/from-mount.tar"
check "round trip equals the source" \
	fs_user diff -r --no-dereference "$T" "$OUT/b/$(basename "$T")"
check "rm -rf on the mount" fs_user rm -rf "$M/x" "$M/tree.tar"
check "nothing left on the server" test -z "$(ls -A "$D")"
fs_user rm -rf "$OUT"
fs_finish
