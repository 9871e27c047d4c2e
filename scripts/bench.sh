#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: smbfs against the other SMB clients on ONE private Samba
# server, in one run, and the ratios between them.
#
#   sequential write and read of BENCH_SIZE_MB (default 256) MiB, and
#   BENCH_FILES (default 500) small files created, stat'ed and removed.
#
# Clients: smbfs (this FUSE mount), smbclient (Samba's own CLI, no
# mount), rclone mount (smb backend) and smbnetfs (libsmbclient FUSE);
# and encrypted: smbfs-seal (the mount with seal, AES-128-GCM, Samba's
# choice) against smbclient-e (smbclient --client-protection=encrypt,
# formerly -e, the same cipher).
# A client whose package is missing is installed if we are root, else
# skipped and said so.  Runs as root; mounts are made by the ordinary
# user smbfstest, as users would.
set -euo pipefail

SMBFS_LIB_NAME=bench
. "$(dirname "$0")/lib.sh"
ROOT=$(repo_root)
cd "$ROOT"

SIZE_MB=${BENCH_SIZE_MB:-256}
FILES=${BENCH_FILES:-500}
USER_NAME=smbfstest

is_root || die "run as root: it starts a private smbd and mounts as $USER_NAME"
[ -x build/smbfs-mount ] || die "build first (make)"
for pkg in rclone smbnetfs smbclient; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
		log "installing $pkg for the comparison"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 ||
			log "could not install $pkg; it will be skipped"
	fi
done
id "$USER_NAME" >/dev/null 2>&1 || die "user $USER_NAME missing: run scripts/install-deps.sh"
chmod 0666 /dev/fuse

WORK=$(mktemp -d /tmp/smbfs-bench.XXXXXX)
chmod 0755 "$WORK"
MOUNTS=()
PIDS=()

cleanup() {
	local m p
	for m in "${MOUNTS[@]}"; do
		is_mounted "$m" && runuser -u "$USER_NAME" -- fusermount3 -u "$m" 2>/dev/null
		is_mounted "$m" && runuser -u "$USER_NAME" -- fusermount -u "$m" 2>/dev/null
		is_mounted "$m" && umount -l "$m" 2>/dev/null
	done
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	bash scripts/samba.sh stop "$WORK/srv" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

bash scripts/samba.sh start "$WORK/srv" >/dev/null
set -a
. "$WORK/srv/env"
set +a
install -o "$USER_NAME" -m 0600 "$SMB_CREDS" "$WORK/creds"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/data"
chmod 0644 "$WORK/data"

now() { date +%s.%N; }
as_user() { runuser -u "$USER_NAME" -- "$@"; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { if (t <= 0) t = 1e-9; printf "%.1f", n / t }'; }

wait_mounted() {
	local m=$1 i
	for ((i = 0; i < 100; i++)); do
		is_mounted "$m" && return 0
		sleep 0.1
	done
	return 1
}

# bench_dir NAME DIR: write, read, metadata on a mounted directory.
declare -A WRITE READ META
bench_dir() {
	local name=$1 dir=$2 t0 t1
	t0=$(now)
	as_user dd if="$WORK/data" of="$dir/bench-$name.bin" bs=1M conv=fsync status=none
	t1=$(now)
	WRITE[$name]=$(rate "$SIZE_MB" "$(echo "$t1 - $t0" | bc)")
	t0=$(now)
	as_user dd if="$dir/bench-$name.bin" of=/dev/null bs=1M status=none
	t1=$(now)
	READ[$name]=$(rate "$SIZE_MB" "$(echo "$t1 - $t0" | bc)")
	as_user cmp -s "$WORK/data" "$dir/bench-$name.bin" || die "$name: read back differs"
	as_user rm -f "$dir/bench-$name.bin"
	t0=$(now)
	as_user python3 - "$dir/meta-$name" "$FILES" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.mkdir(d)
for i in range(n):
    with open(os.path.join(d, "f%05d" % i), "w") as f:
        f.write("x")
for i in range(n):
    os.stat(os.path.join(d, "f%05d" % i))
for i in range(n):
    os.unlink(os.path.join(d, "f%05d" % i))
os.rmdir(d)
EOF
	t1=$(now)
	META[$name]=$(rate "$FILES" "$(echo "$t1 - $t0" | bc)")
}

# mount_smbfs NAME [OPTIONS]: the smbfs mount of [plain], with OPTIONS.
mount_smbfs() {
	local m=$WORK/m-$1
	mkdir -p "$m" && chown "$USER_NAME" "$m"
	as_user build/smbfs-mount "//$SMB_HOST:$SMB_PORT/plain" "$m" \
		-o "credentials=$WORK/creds${2:+,$2}"
	MOUNTS+=("$m")
	wait_mounted "$m" && MNT=$m
}

mount_rclone() {
	local m=$WORK/m-rclone conf=$WORK/rclone.conf
	command -v rclone >/dev/null || return 1
	mkdir -p "$m" && chown "$USER_NAME" "$m"
	cat >"$conf" <<EOF
[bench]
type = smb
host = $SMB_HOST
port = $SMB_PORT
user = $SMB_USER
pass = $(rclone obscure "$SMB_PASS")
EOF
	chown "$USER_NAME" "$conf"
	chmod 0600 "$conf"
	as_user rclone --config "$conf" mount bench:plain "$m" >"$WORK/rclone.log" 2>&1 &
	PIDS+=($!)
	MOUNTS+=("$m")
	wait_mounted "$m" && MNT=$m
}

mount_smbnetfs() {
	local m=$WORK/m-smbnetfs home cfgdir
	command -v smbnetfs >/dev/null || return 1
	home=$(getent passwd "$USER_NAME" | cut -d: -f6)
	cfgdir=$WORK/smbnetfs-home/.smb
	mkdir -p "$cfgdir" "$m"
	printf 'auth "%s" "%s" "%s"\n' "$SMB_HOST" "$SMB_USER" "$SMB_PASS" >"$cfgdir/smbnetfs.conf"
	chown -R "$USER_NAME" "$WORK/smbnetfs-home" "$m"
	chmod 0700 "$cfgdir"
	chmod 0600 "$cfgdir/smbnetfs.conf"
	HOME=$WORK/smbnetfs-home runuser -u "$USER_NAME" -- env HOME="$WORK/smbnetfs-home" smbnetfs "$m" >"$WORK/smbnetfs.log" 2>&1 || return 1
	MOUNTS+=("$m")
	wait_mounted "$m" || return 1
	: "$home"
	# smbnetfs reaches a non-445 port through the host:port path element.
	MNT="$m/$SMB_HOST:$SMB_PORT/plain"
}

# bench_smbclient NAME [ARGS...]: put and get with smbclient ARGS.
bench_smbclient() {
	local name=$1 t0 t1 c
	shift
	c=(smbclient "//$SMB_HOST/plain" -p "$SMB_PORT" -A "$SMB_CREDS" -m SMB3_11 "$@")
	command -v smbclient >/dev/null || return 1
	t0=$(now)
	"${c[@]}" -c "put $WORK/data bench-$name.bin" >/dev/null 2>&1 || return 1
	t1=$(now)
	WRITE[$name]=$(rate "$SIZE_MB" "$(echo "$t1 - $t0" | bc)")
	t0=$(now)
	"${c[@]}" -c "get bench-$name.bin /dev/null" >/dev/null 2>&1 || return 1
	t1=$(now)
	READ[$name]=$(rate "$SIZE_MB" "$(echo "$t1 - $t0" | bc)")
	"${c[@]}" -c "del bench-$name.bin" >/dev/null 2>&1
	META[$name]="n/a"
}

command -v bc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q bc >/dev/null
CLIENTS=()
MNT=
if mount_smbfs smbfs; then bench_dir smbfs "$MNT"; CLIENTS+=(smbfs); fi
[ ${#CLIENTS[@]} -eq 1 ] || die "smbfs did not mount"
if mount_smbfs smbfs-seal seal; then
	bench_dir smbfs-seal "$MNT"
	CLIENTS+=(smbfs-seal)
else
	die "smbfs did not mount with seal"
fi
if bench_smbclient smbclient; then CLIENTS+=(smbclient); else log "smbclient: skipped"; fi
# Samba 4.17's smbclient spells -e as --client-protection=encrypt.
if bench_smbclient smbclient-e --client-protection=encrypt; then
	CLIENTS+=(smbclient-e)
else
	log "smbclient --client-protection=encrypt: failed, skipped"
fi
if mount_rclone; then bench_dir rclone "$MNT"; CLIENTS+=(rclone); else log "rclone: did not mount, skipped"; fi
if mount_smbnetfs && as_user test -d "$MNT"; then
	bench_dir smbnetfs "$MNT"
	CLIENTS+=(smbnetfs)
else
	log "smbnetfs: did not mount, skipped"
fi

printf '\nsmbfs benchmark: %d MiB sequential, %d small files, one Samba %s on loopback\n\n' \
	"$SIZE_MB" "$FILES" "$(smbd -V 2>/dev/null | awk '{print $2}')"
printf '%-12s %12s %12s %16s\n' client "write MB/s" "read MB/s" "files/s (meta)"
for c in "${CLIENTS[@]}"; do
	printf '%-12s %12s %12s %16s\n' "$c" "${WRITE[$c]}" "${READ[$c]}" "${META[$c]}"
done
ratio() { [ "$2" = n/a ] && { echo n/a; return; }; awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# ratio_line LABEL A B: A's figures over B's.
ratio_line() {
	printf '%-24s write %s  read %s  meta %s\n' "$1" \
		"$(ratio "${WRITE[$2]}" "${WRITE[$3]}")" \
		"$(ratio "${READ[$2]}" "${READ[$3]}")" \
		"$(ratio "${META[$2]}" "${META[$3]}")"
}
printf '\nratios (smbfs / other; above 1 means smbfs is faster)\n'
for c in "${CLIENTS[@]}"; do
	case $c in smbfs | smbfs-seal | smbclient-e) continue ;; esac
	ratio_line "$c" smbfs "$c"
done
printf '\nencryption (AES-128-GCM)\n'
ratio_line "smbfs sealed / plain" smbfs-seal smbfs
[ -z "${WRITE[smbclient-e]:-}" ] ||
	ratio_line "smbfs-seal / smbclient-e" smbfs-seal smbclient-e
