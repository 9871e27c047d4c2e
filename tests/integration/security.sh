#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Security of real mounts, as the test user, against the private smbd of
# the `security` configuration (conf/security.conf: `debug encryption =
# yes`, so smbd logs every session key it derives):
#   - seal: the mount works, says it is encrypted, and files written
#     through it arrive intact; seal with vers=2.1 fails at once;
#   - signing by default (the mount says so), nosign leaves it off;
#   - secrets: a mount at the highest debug level (-d) logs neither the
#     password, nor its NT hash, nor any session, signing or cipher key
#     smbd derived for the mount's sessions;
#   - downgrade: build/tests/smbproxy rewrites the server's NEGOTIATE
#     response (patch-first-frame).  A lowered dialect or altered
#     capabilities on 3.1.1 break the preauth integrity hash, on 3.0
#     VALIDATE_NEGOTIATE sees them: the mount fails, saying the
#     negotiation may have been tampered with.  The same proxy without a
#     patch mounts, so the failures are the tampering's.
# Ends with a CUnit-style summary and the line "N passed, N failed".
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root (it reads smbd's logs and passdb)"
PROXY=$FS_BUILD/tests/smbproxy
[ -x "$PROXY" ] || die "$PROXY was not built (make tests)"

WORK=$(mktemp -d "${SMB_TMPDIR:-/tmp}/security.XXXXXX") || die "mktemp"
chmod 0755 "$WORK"
CTL=$WORK/ctl
PROXY_PID=
PROXY_PORT=

security_cleanup() {
	fs_cleanup
	[ -z "$PROXY_PID" ] || terminate_pids 5 "$PROXY_PID"
	rm -rf "$WORK"
	rm -f "$SMB_SHARE_PATH_PLAIN"/security-*
}
trap security_cleanup EXIT
trap 'exit 130' INT TERM

ctl() { fs_proxy_ctl "$CTL" "$@"; }

# mount_logged NAME PORT LOG [FLAGS] OPTIONS: smbfs-mount in the
# foreground (FLAGS e.g. -d), its messages in LOG; 0 once mounted, 1 when
# it exited instead (within 30 s).
mount_logged() {
	local name=$1 port=$2 log=$3 flags=$4 opts=$5 mnt pid deadline
	fs_prepare
	mnt=$SMB_MNT_DIR/$name
	fs_user mkdir -p "$mnt"
	: >"$log"
	chmod 0666 "$log"
	# shellcheck disable=SC2086 # FLAGS is a list of words
	fs_user "$FS_MOUNT_BIN" "//$SMB_HOST:$port/plain" "$mnt" -f $flags \
		-o "credentials=$FS_CREDS${opts:+,$opts}" </dev/null \
		>>"$log" 2>&1 &
	pid=$!
	deadline=$(($(now_ms) + 30000))
	until is_mounted "$mnt"; do
		if ! pid_alive "$pid" || [ "$(now_ms)" -ge "$deadline" ]; then
			wait "$pid" 2>/dev/null
			return 1
		fi
		sleep 0.05
	done
	FS_MOUNTS+=("$mnt")
	FS_MNT=$mnt
	return 0
}

# file_roundtrip MNT NAME: 3 MiB written through the mount arrive on the
# server's disk intact and read back the same.
file_roundtrip() {
	local src=$WORK/$2.src
	head -c $((3 << 20)) /dev/urandom >"$src"
	chmod 0644 "$src"
	fs_user cp "$src" "$1/$2" &&
		cmp -s "$src" "$SMB_SHARE_PATH_PLAIN/$2" &&
		fs_user cmp -s "$src" "$1/$2"
}

# unsigned_logon LOG: the "logged on" line names no signing or cipher.
unsigned_logon() {
	grep -q "logged on (dialect" "$1" &&
		! grep -q "signed with\|encrypted with" "$1"
}

# --- seal and signing ---
if mount_logged security-seal "$SMB_PORT" "$WORK/seal.log" "-d" seal; then
	pass "seal: mounted"
	check "seal: the mount says it is encrypted (AES-128-GCM)" \
		grep -q "encrypted with AES-128-GCM" "$WORK/seal.log"
	check "seal: 3 MiB through the sealed mount, intact" \
		file_roundtrip "$FS_MNT" security-seal.bin
	fs_umount "$FS_MNT"
else
	fail "seal: mount failed: $(tail -n 3 "$WORK/seal.log")"
fi
check_fails_with "seal needs SMB 3.0" "seal,vers=2.1: refused at once" \
	fs_user "$FS_MOUNT_BIN" "//$SMB_HOST:$SMB_PORT/plain" \
	"$SMB_MNT_DIR/security-x" -o "credentials=$FS_CREDS,seal,vers=2.1"
if mount_logged security-sign "$SMB_PORT" "$WORK/sign.log" "-d" ""; then
	check "default: signed with AES-128-GMAC" \
		grep -q "signed with AES-128-GMAC" "$WORK/sign.log"
	fs_umount "$FS_MNT"
else
	fail "default mount failed: $(tail -n 3 "$WORK/sign.log")"
fi
if mount_logged security-nosign "$SMB_PORT" "$WORK/nosign.log" "-d" nosign; then
	check "nosign: logged on, neither signed nor encrypted" \
		unsigned_logon "$WORK/nosign.log"
	check "nosign: 3 MiB through the mount, intact" \
		file_roundtrip "$FS_MNT" security-nosign.bin
	fs_umount "$FS_MNT"
else
	fail "nosign mount failed: $(tail -n 3 "$WORK/nosign.log")"
fi

# --- no secret in a debug log ---
# hex_of_dump: smbd's "Xxx Key [0000] 2A E0 ..." lines as lowercase hex.
hex_of_dump() {
	sed -n 's/^ *[A-Za-z]* *[A-Za-z]* *Key *\[0000\] \(\([0-9A-F][0-9A-F] *\)\{16\}\).*/\1/p' |
		tr -d ' ' | tr 'A-F' 'a-f'
}

# log_lacks LOG SECRET: LOG holds SECRET in no case and no spacing.
log_lacks() {
	local flat
	flat=$(tr -d ' :\n' <"$1" | tr 'A-F' 'a-f')
	[[ $flat != *"$2"* ]] && ! grep -qiF -- "$2" "$1"
}

SMBD_LOG=$SMB_DIR/log/log.127.0.0.1
keys_before=$(hex_of_dump <"$SMBD_LOG" 2>/dev/null | wc -l)
if mount_logged security-debug "$SMB_PORT" "$WORK/debug.log" "-d" seal; then
	fs_user ls -la "$FS_MNT" >/dev/null
	fs_user sh -c "echo secret-test > '$FS_MNT/security-debug.txt'"
	fs_user cat "$FS_MNT/security-debug.txt" >/dev/null
	fs_umount "$FS_MNT"
	nt_hash=$(pdbedit -s "$SMB_CONF" -L -w "$SMB_USER" 2>/dev/null |
		cut -d: -f4 | tr 'A-F' 'a-f')
	mapfile -t keys < <(hex_of_dump <"$SMBD_LOG" | tail -n +$((keys_before + 1)))
	check "debug log: the mount logged at debug level" \
		test "$(wc -l <"$WORK/debug.log")" -gt 20
	check "debug log: no password" log_lacks "$WORK/debug.log" "$SMB_PASS"
	if [ ${#nt_hash} -eq 32 ]; then
		check "debug log: no NT hash" log_lacks "$WORK/debug.log" "$nt_hash"
	else
		fail "debug log: the NT hash of $SMB_USER not found with pdbedit"
	fi
	if [ ${#keys[@]} -ge 5 ]; then
		leaked=0
		for k in "${keys[@]}"; do
			log_lacks "$WORK/debug.log" "$k" || leaked=$((leaked + 1))
		done
		check_eq "debug log: none of the ${#keys[@]} keys smbd derived" 0 "$leaked"
	else
		fail "debug log: smbd logged no session keys (debug encryption)"
	fi
else
	fail "debug mount failed: $(tail -n 3 "$WORK/debug.log")"
fi

# --- downgrade: a proxy that rewrites the NEGOTIATE response ---
"$PROXY" --listen "$SMB_HOST:0" --target "$SMB_HOST:$SMB_PORT" \
	--control "$CTL" --log "$WORK/proxy.log" >"$WORK/proxy.out" &
PROXY_PID=$!
for _ in $(seq 100); do
	PROXY_PORT=$(sed -n 's/^PORT=\([0-9][0-9]*\)$/\1/p' "$WORK/proxy.out")
	[ -n "$PROXY_PORT" ] && break
	sleep 0.05
done
[ -n "$PROXY_PORT" ] || die "smbproxy did not start"

if mount_logged security-proxy "$PROXY_PORT" "$WORK/proxy-ok.log" "" ""; then
	pass "through the proxy, unaltered: mounted"
	fs_umount "$FS_MNT"
else
	fail "through the proxy, unaltered: $(tail -n 3 "$WORK/proxy-ok.log")"
fi

# tampered DESC PATCH OPTIONS: with the NEGOTIATE response patched, the
# mount fails within 30 s and says why.
tampered() {
	local desc=$1 log=$WORK/tamper.log reply
	reply=$(ctl patch-first-frame "$2")
	if [[ $reply != "ok patch="* ]]; then
		fail "$desc: proxy not armed: $reply"
		return
	fi
	if mount_logged security-tamper "$PROXY_PORT" "$log" "" "$3"; then
		fail "$desc: mounted all the same"
		fs_umount "$FS_MNT"
	elif grep -q "tampered with" "$log"; then
		pass "$desc: refused ($(grep -o 'smbfs-mount: .*' "$log" | tail -n 1))"
	else
		fail "$desc: failed, but not as tampering: $(tail -n 2 "$log")"
	fi
	ctl patch-first-frame off >/dev/null
}

# NEGOTIATE response (MS-SMB2 2.2.4) offsets: SecurityMode 66,
# DialectRevision 68, Capabilities 88.
tampered "3.1.1 lowered to 3.0.2 (preauth hash)" "68 0203" ""
tampered "3.1.1 capabilities cleared (preauth hash)" "88 00000000" ""
tampered "3.0 capabilities cleared (VALIDATE_NEGOTIATE)" "88 00000000" vers=3.0
tampered "3.0.2 security mode altered (VALIDATE_NEGOTIATE)" "66 0300" vers=3.0.2
kill -TERM "$PROXY_PID" && wait "$PROXY_PID"
PROXY_PID=

fs_summary
