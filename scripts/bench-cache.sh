#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The caching part of make bench (smbfs-mount(8), CACHING), against its
# own private smbd on loopback:
#   - re-reading a cached 100 MiB file while a read lease covers it (the
#     file held open by another process), against reading a local copy
#     from the page cache: the ratio;
#   - git status, and a stat of every file (find -printf %s), in a
#     5,000-file checkout on the share: time and round trips (from
#     smbfs-mount --stats) with the default leases and caches against
#     nolease,actimeo=0, and the ratios.
# Figures are medians of RUNS (default 3) runs.  Prints a Markdown table.
#
#   bench-cache.sh [--quick]     (--quick: 20 MiB, 500 files, 1 run)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SMBFS_LIB_NAME=bench-cache
. "$HERE/lib.sh"
ROOT=$(cd "$HERE/.." && pwd)
BIN=${SMBFS_MOUNT_BIN:-$ROOT/build/smbfs-mount}

MIB=100
FILES=5000
RUNS=${RUNS:-3}
if [ "${1:-}" = --quick ]; then
	MIB=20
	FILES=500
	RUNS=1
fi
is_root || die "run as root (drops the page cache, starts smbd)"
[ -x "$BIN" ] || die "$BIN not built: run make first"
command -v git >/dev/null || die "git is not installed"

WORK=$(mktemp -d /tmp/smbfs-bench-cache.XXXXXX)
SRV=$WORK/srv
MNT=$WORK/mnt
HOLDER=
cleanup() {
	[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null || true
	is_mounted "$MNT" && fusermount3 -u "$MNT" 2>/dev/null
	bash "$HERE/samba.sh" stop "$SRV" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$SRV" "$MNT"
chmod 0755 "$WORK"
bash "$HERE/samba.sh" start "$SRV" >/dev/null
. "$SRV/env"
DISK=$SMB_SHARE_PATH_PLAIN

mount_smbfs() {
	"$BIN" "//$SMB_HOST/plain" "$MNT" \
		-o "port=$SMB_PORT,credentials=$SMB_CREDS${1:+,$1}"
	local i
	for i in $(seq 100); do is_mounted "$MNT" && return 0; sleep 0.05; done
	die "smbfs did not mount"
}
umount_smbfs() { fusermount3 -u "$MNT"; }
round_trips() { "$BIN" --stats "$MNT" | awk '$1 == "round_trips" { print $2 }'; }

# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# secs CMD...: wall seconds of one run (3 decimals)
secs() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# --- 1: re-reading a file under a read lease ---
head -c $((MIB << 20)) /dev/urandom >"$DISK/big.bin"
chown "$SMB_USER:" "$DISK/big.bin"
cp "$DISK/big.bin" "$WORK/local.bin"
cat "$WORK/local.bin" >/dev/null
local_s=$(for _ in $(seq "$RUNS"); do secs cat "$WORK/local.bin"; done | median)

mount_smbfs ""
exec 3<"$MNT/big.bin" # holds the lease
HOLDER=
cat "$MNT/big.bin" >/dev/null # into the page cache
rt0=$(round_trips)
lease_s=$(for _ in $(seq "$RUNS"); do secs cat "$MNT/big.bin"; done | median)
rt_reread=$(($(round_trips) - rt0))
exec 3<&-
umount_smbfs
local_mibs=$(awk -v m="$MIB" -v s="$local_s" 'BEGIN { printf "%.0f", m / s }')
lease_mibs=$(awk -v m="$MIB" -v s="$lease_s" 'BEGIN { printf "%.0f", m / s }')

# --- 2: a checkout of FILES files ---
SRC=$WORK/src
mkdir -p "$SRC"
(
	cd "$SRC"
	for d in $(seq 0 49); do
		mkdir -p "dir$d"
		for f in $(seq 0 $((FILES / 50 - 1))); do
			echo "file $d/$f" >"dir$d/f$f.txt"
		done
	done
	git init -q . && git add -A &&
		git -c user.name=b -c user.email=b@b commit -qm tree
)
mount_smbfs ""
git clone -q "$SRC" "$MNT/co"
umount_smbfs
chown -R "$SMB_USER:" "$DISK/co"

# checkout_case OPTIONS: prints "git_s git_rt stat_s stat_rt" (medians;
# a fresh mount, one warm-up run of each first).
checkout_case() {
	local opts=$1 g=() gr=() s=() sr=() i r0
	mount_smbfs "$opts"
	git -C "$MNT/co" status --porcelain >/dev/null
	find "$MNT/co" -printf '%s\n' >/dev/null
	for i in $(seq "$RUNS"); do
		r0=$(round_trips)
		g+=("$(secs git -C "$MNT/co" status --porcelain)")
		gr+=("$(($(round_trips) - r0))")
		r0=$(round_trips)
		s+=("$(secs find "$MNT/co" -printf '%s\n')")
		sr+=("$(($(round_trips) - r0))")
	done
	umount_smbfs
	echo "$(printf '%s\n' "${g[@]}" | median) $(printf '%s\n' "${gr[@]}" | median)" \
		"$(printf '%s\n' "${s[@]}" | median) $(printf '%s\n' "${sr[@]}" | median)"
}
read -r lg lgr ls lsr < <(checkout_case "${CACHE_OPTS:-}")
read -r ng ngr ns nsr < <(checkout_case "nolease,actimeo=0")
# sanity: the status is clean
mount_smbfs ""
dirty=$(git -C "$MNT/co" status --porcelain | wc -l)
umount_smbfs

echo
echo "### Caching (medians of $RUNS; $(nproc) cores, $(uname -r))"
echo
echo "| workload | leases and caches | reference | ratio |"
echo "|---|---|---|---|"
echo "| re-read ${MIB} MiB under a read lease vs local page cache, MiB/s | $lease_mibs ($rt_reread round trips) | $local_mibs | $(ratio "$local_s" "$lease_s") |"
echo "| git status, $FILES files, s (vs nolease,actimeo=0) | $lg | $ng | $(ratio "$lg" "$ng") |"
echo "| git status round trips | $lgr | $ngr | $(ratio "$lgr" "$ngr") |"
echo "| stat of every file (find), s | $ls | $ns | $(ratio "$ls" "$ns") |"
echo "| stat of every file, round trips | $lsr | $nsr | $(ratio "$lsr" "$nsr") |"
echo
target=$(awk -v a="$lease_s" -v b="$local_s" 'BEGIN { print (a <= 1.5 * b) ? "MET" : "MISSED" }')
echo "target: re-reading under a read lease within 1.5x of the local page cache: $target ($(ratio "$lease_s" "$local_s")x)"
[ "$dirty" -eq 0 ] || echo "warning: git status of the checkout was not clean ($dirty lines)"
