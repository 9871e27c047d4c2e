#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The layers of smbfs, checked on the source:
#
#   mount -> fs -> cache -> pool -> client -> conn -> wire / auth / crypto -> util
#
# Each source folder may include the headers of its own layer and of the
# layers below it, nothing above; and src/fs, which must ask the layers
# below for operations, calls no client, connection or wire function and
# builds no SMB2 request.  One check per folder (and two for fs); ends
# with a CUnit-style summary for scripts/run-tests.sh.
set -uo pipefail

cd "$(dirname "$0")/../.."

PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "  PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "  FAIL $1"; }

# The layer a project header belongs to.
header_layer() {
	case $1 in
	smbfs/bytes.h | smbfs/utf16.h | smbfs/log.h | smbfs/timed_list.h) echo util ;;
	smbfs/smb2.h) echo smb2 ;; # protocol constants every layer names
	smbfs/ntstatus.h | smbfs/wire/*) echo wire ;;
	smbfs/crypto.h) echo crypto ;;
	smbfs/asn1.h | smbfs/spnego.h | smbfs/ntlmssp.h | smbfs/auth.h) echo auth ;;
	smbfs/conn.h | smbfs/credits.h) echo conn ;;
	smbfs/client.h) echo client ;;
	smbfs/pool.h) echo pool ;;
	smbfs/cache.h) echo cache ;;
	smbfs/mount_opts.h) echo mount ;;
	../fs/*) echo fs ;;
	*) echo local ;; # the folder's own private headers
	esac
}

# The layers each folder may include.
allowed_layers() {
	case $1 in
	util) echo "util" ;;
	wire) echo "util smb2 wire" ;;
	crypto) echo "util smb2 crypto" ;;
	auth) echo "util smb2 crypto auth" ;;
	conn) echo "util smb2 wire crypto conn" ;;
	client) echo "util smb2 wire crypto auth conn client" ;;
	pool) echo "util smb2 crypto client pool" ;;
	cache) echo "util smb2 client pool cache" ;;
	fs) echo "util smb2 crypto client pool cache" ;;
	mount) echo "util smb2 client pool cache fs mount" ;;
	tools) echo "util smb2 wire crypto auth conn client" ;;
	*) echo "" ;;
	esac
}

check_folder() {
	local dir=$1 layer allowed f inc hl bad=()
	layer=$(basename "$dir")
	allowed=" $(allowed_layers "$layer") local "
	for f in "$dir"/*.[ch]; do
		[ -e "$f" ] || continue
		while IFS= read -r inc; do
			hl=$(header_layer "$inc")
			[[ $allowed == *" $hl "* ]] ||
				bad+=("$f includes $inc ($hl)")
		done < <(sed -n 's/^#include "\(.*\)"/\1/p' "$f")
	done
	if [ ${#bad[@]} -eq 0 ]; then
		pass "src/$layer includes only its own and lower layers"
	else
		fail "src/$layer reaches above or around its layer:"
		printf '      %s\n' "${bad[@]}"
	fi
}

# src/fs asks the pool (and the cache): no client, connection, session or
# wire call.  smb_log and smb_secure_zero are the util layer's.
check_fs_calls() {
	local hits
	hits=$(grep -nE '\b(smb_(file|path|tree|session|call|req|conn|dir|ioctl|query|set|oplock|lease)_[a-z0-9_]*|smb2_[a-z0-9_]+_(encode|decode)|fscc_[a-z0-9_]+_(encode|decode))[[:space:]]*\(' \
		src/fs/*.c src/fs/*.h 2>/dev/null)
	if [ -z "$hits" ]; then
		pass "src/fs calls no client, connection or wire function"
	else
		fail "src/fs calls below the pool:"
		printf '      %s\n' "$hits"
	fi
}

for d in src/*/; do
	check_folder "${d%/}"
done
check_fs_calls

echo
echo "Run Summary:    Type  Total    Ran Passed Failed Inactive"
printf '               tests %6d %6d %6d %6d        0\n' \
	$((PASSED + FAILED)) $((PASSED + FAILED)) "$PASSED" "$FAILED"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
