#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Coherent caching between clients of one share (smbfs-mount(8),
# "Caching"): two smbfs mounts of [plain], A and B, made by the test user,
# and smbclient as a third client, against the environment's private smbd
# (tests/integration/README.md). Runs as root (smbclient reads the
# credentials file of the environment); every mount and every command on
# a mount runs as the test user.
#
#   1  A has a file cached, held open by a process (fs/holder.py) or read
#      in full and closed; B, then smbclient, changes it: (a) writes in
#      place (smbclient: overwrites with as many bytes), (b) truncates
#      (smbclient: overwrites with fewer bytes), (c) replaces it by a
#      rename over it, (d) deletes it. With no wait, a new open on A reads
#      the new bytes, or fails with ENOENT after (d); a held descriptor
#      reads the new bytes after (a) and (b), and after (c) and (d) still
#      reads the old file, as on a local file system (POSIX: the open file
#      lives on without its name). SMB gives the same: Samba renames over
#      an open file, and a file deleted while another client holds it
#      open stays "delete pending" until that close; new opens of it get
#      STATUS_DELETE_PENDING, which is ENOENT.
#   2  A and B hold one file open and write disjoint byte ranges at the
#      same time, several rounds, with the boundary on and off a page
#      boundary: the server's file is the union (after an fsync of both,
#      and after the last round's close); after the fsyncs each
#      descriptor reads the union too.
#   3  A with actimeo=60 has listed a directory, looked names up and
#      cached a negative entry, and stat'ed a file; B creates, renames and
#      deletes entries and rewrites that file with a new size. With no
#      wait A's test -e, stat and ls show it, and A's --stats show
#      notify.events and notify.invalidations went up.
#   4  With a lease held (the file open, or closed within closetimeo),
#      20 x (stat, cat, ls -l) of unchanged files cost no round trips
#      (round_trips from --stats, ECHOes aside); with nolease,actimeo=0 the
#      same costs some. Both numbers are printed. The lease mount has
#      actimeo=60,closetimeo=60, so that the result does not depend on how
#      fast the loop runs.
#   5  A writes through a descriptor it keeps open (no fsync, no close),
#      then smbclient, and separately B, read the file: they see A's
#      bytes (A flushed them before acknowledging the break, so before
#      the reader's open returned), the server's disk holds them, and A's
#      --stats count the break (leases.broken).
#   6  The oplock path: A and B with vers=2.0 (no leases) pass 1, 2 and 5
#      (5 counts oplocks.broken).
#   7  cache=none, then nolease: 1 and 3 still pass (3 without asserting
#      notify counters under cache=none, which may cache nothing to watch).
#   Each configuration also checks that no break acknowledgement of A or
#   B failed (their logs): MS-SMB2 2.2.24.1, a break from level II to none
#   is not acknowledged, and a server answers one with an error.
#
# What the server guarantees, and so how "at once" can hold (Samba 4.17):
#   - An open by another client waits for the acknowledgement of the
#     breaks it causes when they take away write or handle caching, and
#     an overwriting open (smbclient put) breaks leases to none. A write
#     or truncate through a handle opened without overwrite only breaks
#     read caching, and the server need not wait for that (MS-SMB2
#     3.3.1.4): the writer's call may return before A has seen it.
#   - CHANGE_NOTIFY completes after the change, independently of the
#     other client's reply (measured here: a few ms either way).
#   - An open with DELETE access that causes no sharing violation (smbfs
#     shares delete) breaks no handle caching: a deleted or renamed-over
#     file that A still holds (or keeps for a deferred close) stays
#     delete pending, or lives on under no name, until A closes it.
#   The checks assert what the caching specification promises anyway;
#   when they fail, the time the stale view lasted tells which of these
#   was in the way.
#
# "With no wait" means the check looks right after the other client's
# call returned. Where the server tells A of the change without waiting
# for A (a break of read caching only, a change notification), A learns
# of it a few ms after that call returned: the check passes when A shows
# the change within NOTIFY_WINDOW_MS and prints how long it took. When it
# does not, the test looks again every 0.1 s for up to STALE_BOUND_S
# seconds, only to report how long the stale view lasted.
#
# One case waits longer by design: a file A closed less than closetimeo
# ago, deleted by another client. Samba breaks no handle caching for a
# delete that causes no sharing violation, so A's deferred handle keeps
# the file delete pending and a new open on A takes that handle over
# (as cifs.ko does); once the deferred close is done the file is gone
# and the open fails with ENOENT. The check allows closetimeo (1 s) plus
# NOTIFY_WINDOW_MS.
#
# Mounts keep the daemon in the foreground with its messages in
# $SMB_TMPDIR/coherence-logs/NAME.log (tails printed when a part fails).
# Every command on a mount runs under timeout(1). Prints "info: ..."
# lines, "ok"/"FAIL" per check, a CUnit-style summary and "N passed,
# N failed".
set -uo pipefail

. "$(dirname "$0")/fs/lib.sh"
fs_need_env
is_root || die "run as root: smbclient reads the environment's credentials"
[ -n "${SMB_CREDS:-}" ] || die "SMB_CREDS not set: run through scripts/run-tests.sh"
command -v smbclient >/dev/null || die "smbclient is not installed"

DISK=$SMB_SHARE_PATH_PLAIN
LOGS=$SMB_TMPDIR/coherence-logs
OP_TIMEOUT_S=30
FS_HOLDER_TIMEOUT_S=30
STALE_BOUND_S=3
NOTIFY_WINDOW_MS=500
CLOSETIMEO_S=1
# Test 1: not a multiple of the page size, more than one readahead window.
T1_SIZE=200000
T1_SHORT=1000
# Test 2: rounds of two writes each, [0, boundary) by A and [boundary,
# T2_SIZE) by B.
T2_SIZE=$((2 << 20))
T2_BOUNDARIES="1048576 1049576 1047799 1048576"
T4_LOOPS=20
T5_TEXT_BYTES=$((192 << 10))

MA= # mount A of the running configuration
MB= # mount B
FAILED_AT_START=0

coherence_cleanup() {
	fs_holder_stop_all
	fs_cleanup
	rm -rf "$DISK"/coh-* ${DATA:+"$DATA"}
}
trap coherence_cleanup EXIT
trap 'exit 130' INT TERM

fs_prepare
mkdir -p "$LOGS"
chmod 0755 "$LOGS"
DATA=$FS_SCRATCH/coherence-data
rm -rf "$DATA"
fs_user mkdir -p "$DATA"

# ------------------------------------------------------------- helpers

# put_on_disk NAME: stdin becomes a file of the share, made behind the
# server's back (owned by the share's user, as smbd would make it).
put_on_disk() {
	cat >"$DISK/$1" && chown "$SMB_USER:" "$DISK/$1" && chmod 0644 "$DISK/$1"
}

# random_text BYTES: printable random bytes (base64, no newline), safe as
# a holder.py write argument.
random_text() {
	head -c $(($1 * 3 / 4 + 3)) /dev/urandom | base64 -w 0 | head -c "$1"
}

sha_of() { echo "sha256 $(sha256sum <"$1" | cut -d' ' -f1)"; }

# mount_logged NAME OPTIONS: mounts [plain] as the test user with the
# daemon's messages in $LOGS/NAME.log; the mount point in MNT. On failure
# MOUNT_ERROR says why.
mount_logged() {
	local log=$LOGS/$1.log
	: >"$log"
	MOUNT_ERROR=
	if ! fs_mount_logged "$1" plain "$2" "$log"; then
		MOUNT_ERROR="mount -o ${2:-(defaults)}: $(tail -n 2 "$log" | tr '\n' ' ')"
		return 1
	fi
	MNT=$FS_MNT
}

# show_log NAME: the tail of a mount's log, for the record.
show_log() {
	local log=$LOGS/$1.log
	[ -s "$log" ] || { echo "  ($1: smbfs logged nothing)"; return 0; }
	echo "  $1 log ($(wc -l <"$log") lines, last 15):"
	tail -n 15 "$log" | sed -e 's/^/  | /'
}

# user_run CMD...: CMD as the test user under timeout(1); stdout and
# stderr in OUT, status in RC.
user_run() {
	OUT=$(fs_user timeout -k 2 "$OP_TIMEOUT_S" "$@" 2>&1)
	RC=$?
}

# user_sees PATH: PATH exists for the test user.
user_sees() {
	user_run test -e "$1"
	[ "$RC" -eq 0 ]
}

# smbc COMMANDS: smbclient as the third client; its output in OUT, status
# in RC (non-zero also when it printed an NT_STATUS error).
smbc() {
	OUT=$(timeout -k 2 "$OP_TIMEOUT_S" smbclient "//$SMB_HOST/plain" \
		-p "$SMB_PORT" -A "$SMB_CREDS" -c "$1" 2>&1)
	RC=$?
	if [ "$RC" -eq 0 ] && [[ $OUT == *NT_STATUS_* ]]; then
		RC=1
	fi
}

# The *_state functions look at something as the test user and leave
# what they saw in STATE (never run them in a subshell: the holder's
# command counter must advance in this shell).

# file_state PATH: what a new open of PATH reads: "sha256 HEX", or the
# error text (e.g. "No such file or directory").
file_state() {
	local out
	if out=$(fs_user timeout -k 2 "$OP_TIMEOUT_S" sha256sum "$1" 2>&1); then
		STATE="sha256 ${out%% *}"
	else
		STATE=${out##*: }
	fi
}

# holder_state NAME: what the held descriptor reads from offset 0 to the
# end: "sha256 HEX", or the error text.
holder_state() {
	fs_holder "$1" "sha256 0 $((64 << 20))"
	case $FS_HOLDER_REPLY in
	"ok "*) STATE="sha256 ${FS_HOLDER_REPLY#ok }" ;;
	"error "*) STATE=${FS_HOLDER_REPLY#error * } ;;
	*) STATE=$FS_HOLDER_REPLY ;;
	esac
}

# exists_state PATH: "yes" when test -e PATH succeeds, else "no".
exists_state() {
	if fs_user timeout -k 2 "$OP_TIMEOUT_S" test -e "$1"; then
		STATE=yes
	else
		STATE=no
	fi
}

# size_state PATH: stat's size of PATH, or the error text.
size_state() {
	local out
	if out=$(fs_user timeout -k 2 "$OP_TIMEOUT_S" stat -c %s "$1" 2>&1); then
		STATE=$out
	else
		STATE=${out##*: }
	fi
}

# listing_state DIR: ls DIR on one line.
listing_state() {
	STATE=$(fs_user timeout -k 2 "$OP_TIMEOUT_S" ls "$1" 2>&1 | tr '\n' ' ')
	STATE=${STATE% }
}

# shows WANT FUNCTION ARGS...: the state function sees WANT.
shows() {
	local want=$1
	shift
	"$@"
	[ "$STATE" = "$want" ]
}

# expect_at_once DESC WANT FUNCTION ARGS...: the state function, run once
# now, sees WANT. When it does not, it runs again for up to STALE_BOUND_S
# seconds to report how long the stale view lasted; the check fails
# either way.
expect_at_once() {
	local desc=$1 want=$2 got t0 ms
	shift 2
	t0=$(now_ms)
	"$@"
	got=$STATE
	if [ "$got" = "$want" ]; then
		pass "$desc"
		return 0
	fi
	if fs_wait_for "$STALE_BOUND_S" shows "$want" "$@"; then
		ms=$(fs_ms_since "$t0")
		if [ "$ms" -le "$NOTIFY_WINDOW_MS" ]; then
			pass "$desc (after $ms ms)"
			return 0
		fi
		fail "$desc: got [$got] at once; right $ms ms later"
	else
		fail "$desc: got [$got] at once, and still [$STATE] ${STALE_BOUND_S} s later; expected [$want]"
	fi
	return 1
}

# expect_within DESC SECONDS WANT FUNCTION ARGS...: the state function
# sees WANT within SECONDS.
expect_within() {
	local desc=$1 bound=$2 want=$3 t0
	shift 3
	t0=$(now_ms)
	if fs_wait_for "$bound" shows "$want" "$@"; then
		pass "$desc (after $(fs_ms_since "$t0") ms)"
		return 0
	fi
	fail "$desc: still [$STATE] after $bound s; expected [$want]"
	return 1
}

# stats_snap MNT FILE: fs_stats, the failure (if any) kept in FILE.
stats_snap() { fs_stats "$1" "$2" || true; }

# expect_rose DESC BEFORE AFTER KEY: KEY went up between two snapshots.
expect_rose() {
	local d
	if ! d=$(fs_stat_delta "$2" "$3" "$4"); then
		fail "$1: $d"
	elif [ "$d" -gt 0 ]; then
		pass "$1 ($4 +$d)"
	else
		fail "$1: $4 went up by $d"
	fi
}

# round_trip_cost BEFORE AFTER: round_trips spent between two snapshots,
# ECHOes left out (no requests.ECHO line counts as no ECHO); non-zero with
# the reason printed when round_trips is missing.
round_trip_cost() {
	local rt echo_n
	rt=$(fs_stat_delta "$1" "$2" round_trips) || { echo "$rt"; return 1; }
	echo_n=$(fs_stat_delta "$1" "$2" requests.ECHO) || echo_n=0
	echo $((rt - echo_n))
}

# stats_line FILE KEY...: "KEY=V ..." for the record.
stats_line() {
	local f=$1 k v line=
	shift
	for k in "$@"; do
		v=$(fs_stat_value "$f" "$k") || v="?"
		line+=" $k=$v"
	done
	echo "${line# }"
}

# not_run DESC REASON: a part that could not run counts as failed.
not_run() { fail "$1: not run: $2"; }

# ----------------------------------------- 1: another client changes a file

T1_OLD=$DATA/t1-old
T1_NEW=$DATA/t1-new
T1_PREFIX=$DATA/t1-prefix

t1_make_data() {
	head -c "$T1_SIZE" /dev/urandom >"$T1_OLD"
	head -c "$T1_SIZE" /dev/urandom >"$T1_NEW"
	head -c "$T1_SHORT" "$T1_OLD" >"$T1_PREFIX"
	chmod 0644 "$T1_OLD" "$T1_NEW" "$T1_PREFIX"
}

# t1_change WRITER OP NAME: the other client changes file NAME; status in
# RC, output in OUT.
t1_change() {
	local writer=$1 op=$2 f=$3 b=$MB/$3
	case $writer/$op in
	smbfs-B/write) user_run dd if="$T1_NEW" of="$b" bs=64k conv=notrunc \
		status=none ;;
	smbfs-B/truncate) user_run truncate -s "$T1_SHORT" "$b" ;;
	smbfs-B/rename) user_run sh -c 'cp "$1" "$2.new" && mv -f "$2.new" "$2"' \
		sh "$T1_NEW" "$b" ;;
	smbfs-B/delete) user_run rm "$b" ;;
	smbclient/write) smbc "put $T1_NEW $f" ;;
	smbclient/truncate) smbc "put $T1_PREFIX $f" ;;
	smbclient/rename) smbc "put $T1_NEW $f.new; rename $f.new $f -f" ;;
	smbclient/delete) smbc "del $f" ;;
	esac
}

# t1_case P CFG WRITER STATE OP
t1_case() {
	local p=$1 cfg=$2 writer=$3 state=$4 op=$5 f want old new
	local label="${p}1 [$cfg] $writer $op, A $state"
	f=coh-t1-${cfg//[^a-z0-9]/}-$writer-$state-$op
	old=$(sha_of "$T1_OLD")
	new=$(sha_of "$T1_NEW")
	put_on_disk "$f" <"$T1_OLD"
	# Put on the server's disk by this test: A hears of the new name
	# from the server's change notification (within NOTIFY_WINDOW_MS).
	fs_wait_for 1 user_sees "$MA/$f" || true
	# A reads it all: into the page cache, attributes and entry cached.
	if [ "$state" = held ]; then
		if ! fs_holder_start t1 "$MA/$f" ro; then
			fail "$label: A opens it: $FS_HOLDER_REPLY"
			fs_holder_stop t1
			return
		fi
		holder_state t1
	else
		file_state "$MA/$f"
	fi
	if [ "$STATE" != "$old" ]; then
		fail "$label: A reads the original first: got [$STATE]"
		fs_holder_stop t1
		rm -f "$DISK/$f"
		return
	fi
	t1_change "$writer" "$op" "$f"
	if [ "$RC" -ne 0 ]; then
		fail "$label: the $op by $writer failed (status $RC): $OUT"
		fs_holder_stop t1
		rm -f "$DISK/$f" "$DISK/$f.new"
		return
	fi
	case $op in
	write) want=$new ;;
	truncate) want=$(sha_of "$T1_PREFIX") ;;
	rename) want=$new ;;
	delete) want="No such file or directory" ;;
	esac
	if [ "$state" = held ]; then
		case $op in
		write | truncate)
			expect_at_once "$label: the held descriptor reads the new bytes at once" \
				"$want" holder_state t1 ;;
		rename | delete)
			expect_at_once "$label: the held descriptor still reads the old file (POSIX)" \
				"$old" holder_state t1 ;;
		esac
	fi
	if [ "$op" = delete ] && [ "$state" = closed ]; then
		expect_within "$label: a new open on A fails with ENOENT once A's deferred close is done" \
			"$((CLOSETIMEO_S + 1))" "$want" file_state "$MA/$f"
	elif [ "$op" = delete ]; then
		expect_at_once "$label: a new open on A fails with ENOENT at once" \
			"$want" file_state "$MA/$f"
	else
		expect_at_once "$label: a new open on A reads the new bytes at once" \
			"$want" file_state "$MA/$f"
	fi
	fs_holder_stop t1
	rm -f "$DISK/$f" "$DISK/$f.new"
}

test_1() {
	local p=$1 cfg=$2 writer state op
	for writer in smbfs-B smbclient; do
		for state in closed held; do
			for op in write truncate rename delete; do
				t1_case "$p" "$cfg" "$writer" "$state" "$op"
			done
		done
	done
}

# ------------------------------------- 2: disjoint writes from A and B

# t2_write_both FILE BOUNDARY EXPECTED: A writes [0, BOUNDARY), B the rest
# of T2_SIZE, both at once; EXPECTED (a local file) gets the same bytes.
t2_write_both() {
	local label=$1 boundary=$2 expected=$3 ta tb ra rb ok=0
	ta=$(random_text "$boundary")
	tb=$(random_text $((T2_SIZE - boundary)))
	fs_holder_send t2a "write 0 $ta"
	fs_holder_send t2b "write $boundary $tb"
	fs_holder_reply t2a "$FS_HOLDER_TIMEOUT_S" || ok=1
	ra=$FS_HOLDER_REPLY
	fs_holder_reply t2b "$FS_HOLDER_TIMEOUT_S" || ok=1
	rb=$FS_HOLDER_REPLY
	printf '%s' "$ta" | dd of="$expected" conv=notrunc status=none
	printf '%s' "$tb" | dd of="$expected" bs=64k seek="$boundary" \
		oflag=seek_bytes conv=notrunc status=none
	if [ "$ok" -ne 0 ] || [ "$ra" != "ok $boundary" ] ||
		[ "$rb" != "ok $((T2_SIZE - boundary))" ]; then
		fail "$label: the writes: A answered [$ra], B answered [$rb]"
		return 1
	fi
}

# t2_expect_disk DESC EXPECTED FILE
t2_expect_disk() {
	if cmp -s "$2" "$DISK/$3"; then
		pass "$1"
	else
		fail "$1: $(cmp "$2" "$DISK/$3" 2>&1 | head -n 1)"
	fi
}

test_2() {
	local p=$1 cfg=$2 f expected r=0 boundary label n want
	f=coh-t2-${cfg//[^a-z0-9]/}
	expected=$SMB_TMPDIR/coherence-t2.expected
	head -c "$T2_SIZE" /dev/zero >"$expected"
	put_on_disk "$f" <"$expected"
	# Put on the server's disk: A and B hear of it by notification.
	fs_wait_for 1 user_sees "$MA/$f" || true
	fs_wait_for 1 user_sees "$MB/$f" || true
	if ! fs_holder_start t2a "$MA/$f" rw || ! fs_holder_start t2b "$MB/$f" rw; then
		not_run "${p}2 [$cfg] disjoint writes" "open: $FS_HOLDER_REPLY"
		fs_holder_stop t2a
		fs_holder_stop t2b
		return
	fi
	n=$(wc -w <<<"$T2_BOUNDARIES")
	for boundary in $T2_BOUNDARIES; do
		r=$((r + 1))
		label="${p}2 [$cfg] round $r/$n (A [0,$boundary), B [$boundary,$T2_SIZE))"
		t2_write_both "$label" "$boundary" "$expected" || break
		if [ "$r" -eq "$n" ]; then
			fs_holder_stop t2a
			fs_holder_stop t2b
			t2_expect_disk "$label, both closed: the server's file is the union" \
				"$expected" "$f"
			break
		fi
		if ! fs_holder t2a fsync || ! fs_holder t2b fsync; then
			fail "$label: fsync: $FS_HOLDER_REPLY"
			break
		fi
		t2_expect_disk "$label, both fsync'ed: the server's file is the union" \
			"$expected" "$f"
		want=$(sha_of "$expected")
		holder_state t2a
		check_eq "$label: A's descriptor reads the union" "$want" "$STATE"
		holder_state t2b
		check_eq "$label: B's descriptor reads the union" "$want" "$STATE"
	done
	fs_holder_stop t2a
	fs_holder_stop t2b
	rm -f "$DISK/$f" "$expected"
}

# ------------------------------------ 3: directory changes seen by A at once

# test_3 P CFG A_OPTIONS NOTIFY: A3 mounted with A_OPTIONS watches a
# directory that B changes; with NOTIFY=1 A3's notify counters must rise.
test_3() {
	local p=$1 cfg=$2 opts=$3 notify=$4 dir d a3 before after label name
	label="${p}3 [$cfg]"
	dir=coh-t3-${cfg//[^a-z0-9]/}
	d=$DISK/$dir
	mkdir -p "$d"
	for name in keep old-name doomed; do
		echo "$name" >"$d/$name.txt"
	done
	echo "ten bytes" >"$d/grow.txt"
	chown -R "$SMB_USER:" "$d"
	name=coh-a3-${cfg//[^a-z0-9]/}
	if ! mount_logged "$name" "$opts"; then
		not_run "$label directory changes" "$MOUNT_ERROR"
		rm -rf "$d"
		return
	fi
	a3=$MNT/$dir
	# A3 lists, looks up, caches a negative entry, stats the file.
	user_run sh -c 'cd "$1" && ls && stat keep.txt old-name.txt doomed.txt grow.txt >/dev/null && ! test -e missing.txt' \
		sh "$a3"
	if [ "$RC" -ne 0 ] ||
		[ "$(tr '\n' ' ' <<<"$OUT")" != "doomed.txt grow.txt keep.txt old-name.txt " ]; then
		fail "$label: A lists the directory first (status $RC): $OUT"
		fs_umount "$MNT"
		rm -rf "$d"
		return
	fi
	before=$SMB_TMPDIR/coherence-t3.before
	after=$SMB_TMPDIR/coherence-t3.after
	stats_snap "$MNT" "$before"
	# The rewrite first: its notification (a size change, sent once B's
	# handle is closed) then has the other three changes' time to come.
	user_run sh -c 'cd "$1" && head -c 5000 /dev/zero >grow.txt &&
		echo created >missing.txt && mv old-name.txt new-name.txt &&
		rm doomed.txt' sh "$MB/$dir"
	if [ "$RC" -ne 0 ]; then
		fail "$label: B's changes failed (status $RC): $OUT"
	else
		expect_at_once "$label: test -e of the name A cached as missing, created by B" \
			yes exists_state "$a3/missing.txt"
		expect_at_once "$label: stat of the name B renamed away: ENOENT" \
			"No such file or directory" size_state "$a3/old-name.txt"
		expect_at_once "$label: test -e of the name B deleted: false" \
			no exists_state "$a3/doomed.txt"
		expect_at_once "$label: stat of the file B rewrote: the new size" \
			5000 size_state "$a3/grow.txt"
		expect_at_once "$label: ls shows B's changes" \
			"grow.txt keep.txt missing.txt new-name.txt" listing_state "$a3"
	fi
	stats_snap "$MNT" "$after"
	echo "info: $label A's stats before: $(stats_line "$before" notify.events notify.invalidations notify.watches)"
	echo "info: $label A's stats after:  $(stats_line "$after" notify.events notify.invalidations notify.watches)"
	if [ "$notify" -eq 1 ]; then
		expect_rose "$label: A handled CHANGE_NOTIFY completions" \
			"$before" "$after" notify.events
		expect_rose "$label: and invalidated kernel entries/attributes for them" \
			"$before" "$after" notify.invalidations
	fi
	[ "$FS_FAILED" -eq "$FAILED_AT_START" ] || show_log "$name"
	fs_umount "$MNT"
	rm -rf "$d" "$before" "$after"
}

# ------------------------------------------ 4: no round trips under a lease

# t4_loop MNT DIR FILE: T4_LOOPS x (stat FILE, cat FILE, ls -l DIR) in one
# process of the test user.
t4_loop() {
	user_run sh -c 'i=0; while [ $i -lt "$1" ]; do
		stat "$3/$4" >/dev/null && cat "$3/$4" >/dev/null &&
		ls -l "$3" >/dev/null || exit 1; i=$((i + 1)); done' sh \
		"$T4_LOOPS" "$1" "$1/$2" "$3"
	[ "$RC" -eq 0 ] || echo "$OUT"
	return "$RC"
}

# request_deltas BEFORE AFTER: the requests.* counters that went up.
request_deltas() {
	awk 'NR == FNR { before[$1] = $2; next }
		$1 ~ /^requests\./ && $2 - before[$1] > 0 {
			printf "%s+%d ", substr($1, 10), $2 - before[$1] }' "$1" "$2"
}

# t4_measure LABEL MNT DIR FILE: round trips of one t4_loop (after a first
# loop that fills the caches), in COST; non-zero (reason in COST) when the
# loop failed or --stats gave no round_trips.
t4_measure() {
	local label=$1 b=$SMB_TMPDIR/coherence-t4.before
	local a=$SMB_TMPDIR/coherence-t4.after
	shift
	COST=$(t4_loop "$@") || { COST="the loop failed: $COST"; return 1; }
	stats_snap "$1" "$b"
	COST=$(t4_loop "$@") || { COST="the loop failed: $COST"; return 1; }
	stats_snap "$1" "$a"
	COST=$(round_trip_cost "$b" "$a") || return 1
	echo "info: $label requests: $(request_deltas "$b" "$a")"
	rm -f "$a" "$b"
}

test_4() {
	local dir=coh-t4 d n held="?" closed="?" nolease="?" what
	d=$DISK/$dir
	mkdir -p "$d"
	for n in 1 2 3; do
		head -c $((64 << 10)) /dev/urandom >"$d/f$n"
	done
	chown -R "$SMB_USER:" "$d"
	what="$T4_LOOPS x (stat, cat, ls -l)"
	if ! mount_logged coh-lease "actimeo=60,closetimeo=60"; then
		not_run "4 [lease] $what with f1 held open" "$MOUNT_ERROR"
		not_run "4 [lease] $what with f2 closed within closetimeo" "$MOUNT_ERROR"
	else
		if ! fs_holder_start t4 "$MNT/$dir/f1" ro; then
			fail "4 [lease] hold f1 open: $FS_HOLDER_REPLY"
		elif t4_measure "4 [lease] f1 held:" "$MNT" "$dir" f1; then
			held=$COST
			check_eq "4 [lease] $what with f1 held open: no round trips" 0 "$COST"
		else
			fail "4 [lease] $what with f1 held open: $COST"
		fi
		fs_holder_stop t4
		if t4_measure "4 [lease] f2 closed:" "$MNT" "$dir" f2; then
			closed=$COST
			check_eq "4 [lease] $what with f2 closed within closetimeo: no round trips" \
				0 "$COST"
		else
			fail "4 [lease] $what with f2 closed within closetimeo: $COST"
		fi
		[ "$FS_FAILED" -eq "$FAILED_AT_START" ] || show_log coh-lease
		fs_umount "$MNT"
	fi
	if ! mount_logged coh-nolease-a0 "nolease,actimeo=0"; then
		not_run "4 [nolease,actimeo=0] $what costs round trips" "$MOUNT_ERROR"
	else
		if t4_measure "4 [nolease,actimeo=0]" "$MNT" "$dir" f2; then
			nolease=$COST
			if [ "$COST" -gt 0 ]; then
				pass "4 [nolease,actimeo=0] $what costs round trips ($COST)"
			else
				fail "4 [nolease,actimeo=0] $what costs no round trips: nothing was measured"
			fi
		else
			fail "4 [nolease,actimeo=0] $what: $COST"
		fi
		fs_umount "$MNT"
	fi
	echo "info: 4 round trips (ECHO aside) for $what: lease, f1 held: $held; lease, f2 closed within closetimeo: $closed; nolease,actimeo=0: $nolease"
	rm -rf "$d"
}

# ------------------------------- 5: A's unflushed writes reach the next opener

# t5_case P CFG READER: A writes and keeps the file open; READER reads.
t5_case() {
	local p=$1 cfg=$2 reader=$3 f text label got want t0
	label="${p}5 [$cfg] read by $reader"
	f=coh-t5-${cfg//[^a-z0-9]/}-$reader
	text=$(random_text "$T5_TEXT_BYTES")
	if ! fs_holder_start t5 "$MA/$f" create ||
		! fs_holder t5 "write 0 $text"; then
		fail "$label: A creates and writes it: $FS_HOLDER_REPLY"
		fs_holder_stop t5
		return
	fi
	if [ "$FS_HOLDER_REPLY" != "ok $T5_TEXT_BYTES" ]; then
		fail "$label: A's write answered [$FS_HOLDER_REPLY]"
	fi
	if [ "$reader" = smbclient ]; then
		got=$(timeout -k 2 "$OP_TIMEOUT_S" smbclient "//$SMB_HOST/plain" \
			-p "$SMB_PORT" -A "$SMB_CREDS" -c "get $f -" 2>/dev/null |
			sha256sum | cut -d' ' -f1)
	else
		# B learns of the new name by notification, which the server
		# sends after A's create, on its own time (as in test 2): the
		# point here is what B reads once it opens the file.
		t0=$(now_ms)
		fs_wait_for 2 user_sees "$MB/$f" || true
		echo "info: $label: B saw the new name after $(fs_ms_since "$t0") ms"
		got=$(fs_user timeout -k 2 "$OP_TIMEOUT_S" cat "$MB/$f" 2>/dev/null |
			sha256sum | cut -d' ' -f1)
	fi
	want=$(printf '%s' "$text" | sha256sum | cut -d' ' -f1)
	check_eq "$label: the reader sees A's unflushed bytes" "$want" "$got"
	check_eq "$label: the server's disk holds them, A's file still open" \
		"$want" "$(sha256sum <"$DISK/$f" | cut -d' ' -f1)"
	fs_holder_stop t5
	rm -f "$DISK/$f"
}

# test_5 P CFG BREAK_KEY: BREAK_KEY (leases.broken or oplocks.broken) of
# A must count the breaks.
test_5() {
	local p=$1 cfg=$2 key=$3 before=$SMB_TMPDIR/coherence-t5.before
	local after=$SMB_TMPDIR/coherence-t5.after
	stats_snap "$MA" "$before"
	t5_case "$p" "$cfg" smbclient
	t5_case "$p" "$cfg" smbfs-B
	stats_snap "$MA" "$after"
	echo "info: ${p}5 [$cfg] A's stats after: $(stats_line "$after" leases.granted leases.broken oplocks.granted oplocks.broken)"
	expect_rose "${p}5 [$cfg] A counted the breaks" "$before" "$after" "$key"
	rm -f "$before" "$after"
}

# -------------------------------------------------------- configurations

# expect_no_refused_ack LABEL NAME...: the mounts' logs hold no failed
# break acknowledgement (MS-SMB2 2.2.24.1: a break from level II to none
# is not acknowledged; a server refuses such an acknowledgement).
expect_no_refused_ack() {
	local label=$1 name lines=
	shift
	for name in "$@"; do
		lines+=$(grep -h 'break acknowledgement failed' "$LOGS/$name.log")
	done
	if [ -z "$lines" ]; then
		pass "$label A and B: no break acknowledgement failed (logs)"
	else
		fail "$label A and B: $(wc -l <<<"$lines") failed break acknowledgements: $(head -n 1 <<<"$lines")"
	fi
}

# config NAME OPTIONS P TESTS...: mounts A and B with OPTIONS, runs the
# tests (1, 2, 3, 5) labelled with prefix P, unmounts.
config() {
	local cfg=$1 opts=$2 p=$3 t tag t0
	shift 3
	tag=${cfg//[^a-z0-9]/}
	echo
	echo "===== configuration $cfg (${opts:-default options}): tests $* ====="
	t0=$(now_ms)
	FAILED_AT_START=$FS_FAILED
	if ! mount_logged "coh-a-$tag" "$opts"; then
		for t in "$@"; do not_run "$p$t [$cfg]" "$MOUNT_ERROR"; done
		return
	fi
	MA=$MNT
	if ! mount_logged "coh-b-$tag" "$opts"; then
		for t in "$@"; do not_run "$p$t [$cfg]" "$MOUNT_ERROR"; done
		fs_umount "$MA"
		return
	fi
	MB=$MNT
	for t in "$@"; do
		case $t in
		1) test_1 "$p" "$cfg" ;;
		2) test_2 "$p" "$cfg" ;;
		3) test_3 "$p" "$cfg" "actimeo=60${opts:+,$opts}" \
			"$([ "$opts" = cache=none ] && echo 0 || echo 1)" ;;
		5) test_5 "$p" "$cfg" "$([ "$opts" = vers=2.0 ] &&
			echo oplocks.broken || echo leases.broken)" ;;
		esac
	done
	expect_no_refused_ack "$p$(IFS=,; echo "$*") [$cfg]" "coh-a-$tag" \
		"coh-b-$tag"
	if [ "$FS_FAILED" -ne "$FAILED_AT_START" ]; then
		show_log "coh-a-$tag"
		show_log "coh-b-$tag"
	fi
	fs_umount "$MA"
	fs_umount "$MB"
	echo "time: configuration $cfg: $(fs_seconds "$(fs_ms_since "$t0")")"
}

t1_make_data
config default "" "" 1 2 3 5
echo
echo "===== 4 round trips with a lease held ====="
FAILED_AT_START=$FS_FAILED
test_4
config vers=2.0 vers=2.0 "6/" 1 2 5
config cache=none cache=none "7/" 1 3
config nolease nolease "7/" 1 3

coherence_cleanup
trap - EXIT
echo
fs_summary
