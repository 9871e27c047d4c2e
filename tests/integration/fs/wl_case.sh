#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Names differing only in case on a case-insensitive share never lose
# data: the shell's redirection, cp of a tree holding README and readme,
# tar extracting both, and mv onto a case variant all report an error and
# leave the existing file as it was.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fs_workload_start case
S=$FS_SCRATCH/case-src
fs_user rm -rf "$S"
fs_user mkdir -p "$S/tree/sub"
echo "upper README" | fs_user tee "$S/tree/README" >/dev/null
echo "lower readme" | fs_user tee "$S/tree/readme" >/dev/null
echo "plain" | fs_user tee "$S/tree/sub/other" >/dev/null

# Redirection: > opens with O_CREAT|O_TRUNC.
check "echo A > Foo" fs_user bash -c 'echo A >"$1/Foo"' x "$M"
check_fails_with "File exists" "echo B > foo fails with EEXIST" \
	fs_user bash -c 'echo B >"$1/foo"' x "$M"
check_fails_with "File exists" "echo B >> FOO fails with EEXIST" \
	fs_user bash -c 'echo B >>"$1/FOO"' x "$M"
check_eq "Foo keeps A" A "$(fs_user cat "$M/Foo" 2>&1)"
check_eq "server holds Foo only, with A" "Foo:A" \
	"$(cd "$D" && for f in *; do printf '%s:%s' "$f" "$(cat "$f")"; done)"

# cp of a tree with README and readme: one fails, the other is intact.
rc=0
out=$(fs_user cp -r "$S/tree" "$M/tree" 2>&1) || rc=$?
echo "$out"
check "cp reports an error" test "$rc" -ne 0
check "the error names a case variant" \
	grep -qiE "readme.*(File exists|exists)" <<<"$out"
names=$(fs_user ls "$M/tree" 2>&1 | tr '\n' ' ')
case $names in
"README sub " | "readme sub ")
	pass "one of README/readme was copied ($names)"
	n=$(echo "$names" | cut -d' ' -f1)
	check_eq "its content is its own" "$(cat "$S/tree/$n")" \
		"$(fs_user cat "$M/tree/$n" 2>&1)"
	check_eq "the server has the same" "$(cat "$S/tree/$n")" \
		"$(cat "$D/tree/$n" 2>&1)"
	;;
*) fail "expected README or readme and sub on the mount, got: $names" ;;
esac
check_eq "the rest of the tree was copied" plain "$(fs_user cat "$M/tree/sub/other" 2>&1)"

# tar extracting both names.
fs_user tar -C "$S" -cf "$S/tree.tar" tree
fs_user mkdir "$M/untar"
rc=0
out=$(fs_user tar -C "$M/untar" -xf "$S/tree.tar" 2>&1) || rc=$?
echo "$out"
check "tar reports an error" test "$rc" -ne 0
n=$(fs_user ls "$M/untar/tree" 2>&1 | grep -i readme)
case $n in
README | readme)
	check_eq "tar: $n keeps its content" "$(cat "$S/tree/$n")" \
		"$(fs_user cat "$M/untar/tree/$n" 2>&1)"
	;;
*) fail "tar: expected one of README/readme, got: $n" ;;
esac

# mv onto a case variant of another file.
echo Z | fs_user tee "$M/Baz" >/dev/null
echo O | fs_user tee "$M/other" >/dev/null
check_fails_with "File exists" "mv other baz fails with EEXIST" \
	fs_user mv -T "$M/other" "$M/baz"
check_eq "Baz keeps Z" Z "$(fs_user cat "$M/Baz" 2>&1)"
check_eq "other still there" O "$(fs_user cat "$M/other" 2>&1)"
check_fails_with "File exists" "mkdir BAZ fails with EEXIST" \
	fs_user mkdir "$M/BAZ"
check_eq "server copy of Baz" Z "$(cat "$D/Baz" 2>&1)"
fs_user rm -rf "$S"
fs_finish
