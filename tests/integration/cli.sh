#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Command-line tests of smbfs-mount against the private smbd described by
# the environment (tests/integration/README.md): error exits and their
# messages, a mount by an ordinary user, hidden passwords, the
# mount.smbfs helper, fstab entries (smbfs "user,noauto" and fuse.smbfs)
# and unmounting.  Runs as root.  Ends with a CUnit-style summary and the
# line "N passed, N failed"; exits 1 when something failed.
#
# By hand:
#   scripts/samba.sh start /tmp/s1
#   set -a; . /tmp/s1/env; set +a
#   mkdir -p /tmp/s1/mnt && chown smbfstest: /tmp/s1/mnt
#   SMB_MNT_DIR=/tmp/s1/mnt tests/integration/cli.sh
#
# Temporary system changes, all undone by the EXIT trap even on failure:
# an /etc/fstab line (the file is restored byte for byte), the symlinks
# /sbin/mount.smbfs and /usr/local/bin/smbfs (only created when absent),
# and every mount this script made.
set -uo pipefail

ROOT=${SMBFS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$ROOT/scripts/lib.sh"
SMBFS_LIB_NAME=cli.sh
BUILD=${SMBFS_BUILD:-$ROOT/build}
BIN=$BUILD/smbfs-mount
TUSER=${SMB_TEST_USER:-smbfstest}
HOST=${SMB_HOST:-127.0.0.1}
: "${SMB_PORT:?run with the server environment (see the header)}"
: "${SMB_USER:?}" "${SMB_PASS:?}" "${SMB_CREDS:?}" "${SMB_MNT_DIR:?}"
UNC=//$HOST:$SMB_PORT/plain
MOUNT_TIMEOUT=30

PASSED=0
FAILED=0
MOUNTS=()
FSTAB_BACKUP=
CREATED_LINKS=()
WORK=

ok() {
	PASSED=$((PASSED + 1))
	echo "ok   - $1"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL - $1${2:+: $2}"
}

# check NAME COMMAND...: one assertion.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}

quiet() { "$@" >/dev/null 2>&1; }

# Run as the ordinary user (an array, so timeout(1) can run it too).
AS_USER=(runuser -u "$TUSER" --)

mount_line() { awk -v m="$1" '$2 == m' /proc/mounts; }

# Polls for up to 5 s: a FUSE daemon exits shortly after its unmount.
wait_unmounted() {
	local i
	for ((i = 0; i < 50; i++)); do
		is_mounted "$1" || return 0
		sleep 0.1
	done
	return 1
}

track() { MOUNTS+=("$1"); }

cleanup() {
	local m
	for m in "${MOUNTS[@]}"; do
		is_mounted "$m" || continue
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			log "could not unmount $m"
	done
	if [ -n "$FSTAB_BACKUP" ] && [ -f "$FSTAB_BACKUP" ]; then
		cat "$FSTAB_BACKUP" >/etc/fstab
		cmp -s "$FSTAB_BACKUP" /etc/fstab || log "/etc/fstab NOT restored"
	fi
	for m in "${CREATED_LINKS[@]}"; do
		rm -f "$m"
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_mount OUT ERR CMD...: runs a mount command with a time limit;
# its exit status goes to $RC.
run_mount() {
	local out=$1 err=$2
	shift 2
	timeout "$MOUNT_TIMEOUT" "$@" >"$out" 2>"$err"
	RC=$?
}

# expect_failure NAME CODE PATTERN MNT CMD...: exit CODE, one line on
# stderr matching PATTERN, nothing mounted on MNT.
expect_failure() {
	local name=$1 code=$2 pattern=$3 mnt=$4 lines
	shift 4
	run_mount "$WORK/out" "$WORK/err" "$@"
	lines=$(wc -l <"$WORK/err")
	if [ "$RC" -ne "$code" ]; then
		fail "$name" "exit $RC, want $code; stderr: $(head -c 300 "$WORK/err")"
	elif ! grep -qE "$pattern" "$WORK/err"; then
		fail "$name" "stderr lacks /$pattern/: $(head -c 300 "$WORK/err")"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines lines on stderr, want 1"
	elif is_mounted "$mnt"; then
		fail "$name" "something is mounted on $mnt"
	else
		ok "$name"
	fi
}

new_mountpoint() {
	local d=$SMB_MNT_DIR/$1
	mkdir -p "$d"
	chown "$TUSER:" "$d"
	echo "$d"
}

setup() {
	[ "$(id -u)" -eq 0 ] || die "run as root"
	[ -x "$BIN" ] || die "$BIN not built (make all)"
	id -u "$TUSER" >/dev/null 2>&1 || die "no user $TUSER (scripts/install-deps.sh)"
	WORK=$(mktemp -d "$SMB_MNT_DIR/cli-work.XXXXXX")
	chmod 0711 "$WORK"
	# A credentials file of the ordinary user (root's SMB_CREDS is 0600).
	UCREDS=$WORK/ucreds
	install -o "$TUSER" -m 0600 "$SMB_CREDS" "$UCREDS"
	MNT=$(new_mountpoint cli-mnt)
	MNT2=$(new_mountpoint cli-mnt2)
}

# ---------------------------------------------------------------- failures

test_failures() {
	local closed file=$WORK/not-a-dir start elapsed
	expect_failure "bad option: exit 1, names it" 1 \
		"^smbfs-mount: unknown option 'bogus_opt'" "$MNT" \
		"$BIN" "$UNC" "$MNT" -o "credentials=$SMB_CREDS,bogus_opt"
	expect_failure "bad flag: exit 1" 1 "unknown option '-x'" "$MNT" \
		"$BIN" "$UNC" "$MNT" -x
	expect_failure "wrong password: exit 3, logon failure" 3 \
		"^smbfs-mount: //$HOST/plain: logon failure" "$MNT" \
		env PASSWD=wrong-password "$BIN" "$UNC" "$MNT" \
		-o "username=$SMB_USER"
	expect_failure "missing share: exit 4" 4 "share 'no_such_share'" \
		"$MNT" "$BIN" "//$HOST:$SMB_PORT/no_such_share" "$MNT" \
		-o "credentials=$SMB_CREDS"
	expect_failure "missing directory in share: exit 4" 4 \
		"'no/such/dir' does not exist" "$MNT" \
		"$BIN" "$UNC/no/such/dir" "$MNT" -o "credentials=$SMB_CREDS"
	closed=$(pick_free_port) || closed=1
	start=$(now_ms)
	expect_failure "unreachable server: exit 2" 2 "cannot connect" \
		"$MNT" "$BIN" "//$HOST:$closed/plain" "$MNT" \
		-o "credentials=$SMB_CREDS"
	elapsed=$(($(now_ms) - start))
	check "unreachable server fails fast (${elapsed} ms)" \
		test "$elapsed" -lt 6000
	: >"$file"
	expect_failure "mountpoint not a directory: exit 5" 5 \
		": not a directory" "$file" \
		"$BIN" "$UNC" "$file" -o "credentials=$SMB_CREDS"
	expect_failure "missing mountpoint: exit 5" 5 "no such directory" \
		"$WORK/none" "$BIN" "$UNC" "$WORK/none" \
		-o "credentials=$SMB_CREDS"
	expect_failure "sec=krb5 without a ticket: exit 3, run kinit" 3 \
		"Kerberos: no credential cache .*run kinit" "$MNT" \
		env KRB5CCNAME="FILE:$WORK/no-ccache" \
		"$BIN" "$UNC" "$MNT" -o "credentials=$SMB_CREDS,sec=krb5"
	expect_failure "no password and no terminal: exit 1" 1 "." "$MNT" \
		setsid -w "$BIN" "$UNC" "$MNT" -o "username=$SMB_USER" </dev/null
	chmod 0644 "$UCREDS"
	expect_failure "credentials file readable by others: exit 1" 1 \
		"readable by group or others" "$MNT" \
		"${AS_USER[@]}" "$BIN" "$UNC" "$MNT" -o "credentials=$UCREDS"
	chmod 0600 "$UCREDS"
	expect_failure "mountpoint of another user: exit 5" 5 \
		"mount on a directory of your own" "$WORK" \
		"${AS_USER[@]}" "$BIN" "$UNC" "$WORK" -o "credentials=$UCREDS"
}

# ------------------------------------------------------- user mount, files

# The smbfs-mount daemon serving MNT (not a runuser or timeout around it).
daemon_pid() {
	local p
	for p in $(pids_with_arg "$1"); do
		[ "$(readlink -f "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] &&
			{ echo "$p"; return 0; }
	done
	return 1
}

# proc_lacks PID FILE SECRET: /proc/PID/FILE does not hold SECRET.
proc_lacks() {
	[ -r "/proc/$1/$2" ] || { echo "cannot read /proc/$1/$2" >&2; return 1; }
	if grep -qaF -- "$3" "/proc/$1/$2"; then
		echo "found in /proc/$1/$2 of: $(tr '\0' ' ' <"/proc/$1/cmdline")" >&2
		return 1
	fi
}

test_user_mount() {
	local line uid pid data=$WORK/data
	uid=$(id -u "$TUSER")
	run_mount "$WORK/out" "$WORK/err" \
		"${AS_USER[@]}" "$BIN" "$UNC" "$MNT" -o "credentials=$UCREDS"
	track "$MNT"
	if [ "$RC" -ne 0 ]; then
		fail "user mount" "exit $RC: $(cat "$WORK/err")"
		return
	fi
	ok "user mount with a credentials file: exit 0"
	line=$(mount_line "$MNT")
	check "/proc/mounts: fuse.smbfs from //$HOST/plain" \
		test "$(awk '{print $1, $3}' <<<"$line")" = "//$HOST/plain fuse.smbfs"
	check "/proc/mounts: owned by $TUSER" \
		grep -q "user_id=$uid," <<<"$line"
	check "mount root owned by $TUSER" \
		test "$("${AS_USER[@]}" stat -c %U "$MNT")" = "$TUSER"
	expect_failure "second mount on the same directory: exit 5" 5 \
		"already mounted" "/nonexistent" \
		"${AS_USER[@]}" "$BIN" "$UNC" "$MNT" -o "credentials=$UCREDS"

	head -c 100000 /dev/urandom >"$data"
	chmod 0644 "$data"
	"${AS_USER[@]}" mkdir "$MNT/cli-dir" 2>"$WORK/err"
	check "mkdir through the mount" test -d "$SMB_SHARE_PATH_PLAIN/cli-dir"
	if "${AS_USER[@]}" cp "$data" "$MNT/cli-dir/file" 2>"$WORK/err"; then
		check "file written through the mount reaches the server" \
			cmp -s "$data" "$SMB_SHARE_PATH_PLAIN/cli-dir/file"
		check "file reads back through the mount" \
			"${AS_USER[@]}" cmp -s "$data" "$MNT/cli-dir/file"
		check "listing shows the file" \
			grep -qx file < <("${AS_USER[@]}" ls "$MNT/cli-dir")
	else
		fail "write a file through the mount" "$(cat "$WORK/err")"
	fi
	rm -rf "$SMB_SHARE_PATH_PLAIN/cli-dir"

	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" fusermount3 -u "$MNT"
	check "fusermount3 -u by $TUSER" test "$RC" -eq 0
	check "nothing mounted after fusermount3 -u" wait_unmounted "$MNT"
}

# Passwords given on the command line or in PASSWD must not stay visible.
test_password_hidden() {
	local pid
	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" env -u SMB_PASS \
		"$BIN" "$UNC" "$MNT" -o "username=$SMB_USER,password=$SMB_PASS"
	track "$MNT"
	if [ "$RC" -ne 0 ]; then
		fail "mount with password=" "exit $RC: $(cat "$WORK/err")"
	else
		pid=$(daemon_pid "$MNT")
		if [ -z "$pid" ]; then
			fail "find the daemon of $MNT"
		else
			check "password not in /proc/PID/cmdline" \
				proc_lacks "$pid" cmdline "$SMB_PASS"
		fi
		"${AS_USER[@]}" fusermount3 -u "$MNT"
		wait_unmounted "$MNT"
	fi

	# A clean environment: this script's own SMB_PASS must not count.
	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin "PASSWD=$SMB_PASS" \
		"$BIN" "$UNC" "$MNT" -o "username=$SMB_USER"
	if [ "$RC" -ne 0 ]; then
		fail "mount with PASSWD" "exit $RC: $(cat "$WORK/err")"
		return
	fi
	pid=$(daemon_pid "$MNT")
	if [ -z "$pid" ]; then
		fail "find the daemon of $MNT"
	else
		check "password not in /proc/PID/environ" \
			proc_lacks "$pid" environ "$SMB_PASS"
	fi
	"${AS_USER[@]}" fusermount3 -u "$MNT"
	check "daemon exits after unmount" wait_unmounted "$MNT"
}

test_read_only_share() {
	run_mount "$WORK/out" "$WORK/err" \
		"$BIN" "//$HOST:$SMB_PORT/ro" "$MNT2" -o "credentials=$SMB_CREDS"
	track "$MNT2"
	if [ "$RC" -ne 0 ]; then
		fail "mount the ro share" "exit $RC: $(cat "$WORK/err")"
		return
	fi
	check "read-only share mounted ro" \
		grep -q '^ro,' <<<"$(mount_line "$MNT2" | awk '{print $4}')"
	check "mkdir on a read-only share: EROFS" \
		bash -c 'mkdir "$1/x" 2>&1 | grep -q "Read-only file system"' _ \
		"$MNT2"
	fusermount3 -u "$MNT2"
	wait_unmounted "$MNT2"
}

# ----------------------------------------------------- mount(8) and fstab

# link_if_absent LINK: a temporary symlink to smbfs-mount.
link_if_absent() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		[ "$(readlink -f "$1")" = "$(readlink -f "$BIN")" ] && return 0
		log "$1 exists and is not this build: skipping what needs it"
		return 1
	fi
	ln -s "$BIN" "$1" || return 1
	CREATED_LINKS+=("$1")
}

add_fstab_line() {
	if [ -z "$FSTAB_BACKUP" ]; then
		FSTAB_BACKUP=$WORK/fstab.orig
		cp -a /etc/fstab "$FSTAB_BACKUP"
	fi
	cat "$FSTAB_BACKUP" >/etc/fstab
	# An fstab without a final newline must not swallow our line.
	[ -s /etc/fstab ] && [ -n "$(tail -c 1 /etc/fstab)" ] && echo >>/etc/fstab
	printf '%s\n' "$1" >>/etc/fstab
}

test_mount_t_smbfs() {
	if ! link_if_absent /sbin/mount.smbfs; then
		fail "mount -t smbfs" "cannot install /sbin/mount.smbfs"
		return
	fi
	run_mount "$WORK/out" "$WORK/err" mount -t smbfs "$UNC" "$MNT2" \
		-o "credentials=$SMB_CREDS,_netdev,nofail"
	track "$MNT2"
	check "mount -t smbfs as root: exit 0" test "$RC" -eq 0
	check "mount -t smbfs: fuse.smbfs in /proc/mounts" \
		test "$(mount_line "$MNT2" | awk '{print $3}')" = fuse.smbfs
	run_mount "$WORK/out" "$WORK/err" umount "$MNT2"
	check "umount as root" test "$RC" -eq 0
	check "nothing mounted after umount" wait_unmounted "$MNT2"
	expect_failure "mount -t smbfs with a bad option: exit 1" 1 \
		"unknown option 'bogus_opt'" "$MNT2" \
		mount -t smbfs "$UNC" "$MNT2" -o "credentials=$SMB_CREDS,bogus_opt"
}

test_fstab_user() {
	local uid
	uid=$(id -u "$TUSER")
	if ! link_if_absent /sbin/mount.smbfs; then
		fail "fstab user mount" "cannot install /sbin/mount.smbfs"
		return
	fi
	add_fstab_line "$UNC $MNT smbfs user,noauto,credentials=$UCREDS,_netdev 0 0"
	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" mount "$MNT"
	track "$MNT"
	if [ "$RC" -ne 0 ]; then
		fail "fstab user,noauto: mount MNT by $TUSER" \
			"exit $RC: $(cat "$WORK/err")"
		return
	fi
	ok "fstab user,noauto: mount MNT by $TUSER"
	check "fstab user mount belongs to $TUSER" \
		grep -q "user_id=$uid," <<<"$(mount_line "$MNT")"
	check "fstab user mount lists the share" quiet "${AS_USER[@]}" ls "$MNT"
	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" umount "$MNT"
	check "umount MNT by $TUSER" test "$RC" -eq 0
	check "nothing mounted after umount" wait_unmounted "$MNT"

	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" mount "$MNT"
	check "fstab user mount again" test "$RC" -eq 0
	run_mount "$WORK/out" "$WORK/err" "${AS_USER[@]}" fusermount3 -u "$MNT"
	check "fusermount3 -u of an fstab user mount" test "$RC" -eq 0
	wait_unmounted "$MNT"
}

# mount.fuse3 runs the program named by the subtype ("smbfs") from the
# PATH mount(8) sets (/usr/local/bin among others).
test_fstab_fuse_type() {
	if ! link_if_absent /usr/local/bin/smbfs; then
		fail "fuse.smbfs" "cannot install /usr/local/bin/smbfs"
		return
	fi
	add_fstab_line "$UNC $MNT2 fuse.smbfs noauto,credentials=$SMB_CREDS,_netdev 0 0"
	run_mount "$WORK/out" "$WORK/err" mount "$MNT2"
	track "$MNT2"
	check "fstab fuse.smbfs through mount.fuse3: exit 0" test "$RC" -eq 0
	check "fuse.smbfs mount shows //$HOST/plain" \
		test "$(mount_line "$MNT2" | awk '{print $1, $3}')" = "//$HOST/plain fuse.smbfs"
	run_mount "$WORK/out" "$WORK/err" umount "$MNT2"
	check "umount of the fuse.smbfs mount" test "$RC" -eq 0
	wait_unmounted "$MNT2"
}

summary() {
	local total=$((PASSED + FAILED))
	echo
	echo "Run Summary:    Type  Total    Ran Passed Failed Inactive"
	printf '               tests %6d %6d %6d %6d        0\n' \
		"$total" "$total" "$PASSED" "$FAILED"
	echo "$PASSED passed, $FAILED failed"
}

main() {
	setup
	test_failures
	test_user_mount
	test_password_hidden
	test_read_only_share
	test_mount_t_smbfs
	test_fstab_user
	test_fstab_fuse_type
	summary
	[ "$FAILED" -eq 0 ]
}

main "$@"
