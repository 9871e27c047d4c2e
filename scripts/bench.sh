#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# make bench: smbfs against the other SMB clients of Linux on ONE private
# Samba on loopback, all in the same run: medians of 3 runs, every figure
# with its ratio smbfs / other client, then smbfs's performance targets
# with PASS or FAIL.
#
# Clients: smbfs (build/smbfs-mount, mounted by the ordinary user
# smbfstest), smbclient (get and put: the protocol's yardstick), smbnetfs
# (FUSE 2 on libsmbclient), rclone mount (smb backend, --vfs-cache-mode
# writes) and the share's own directory on the server's disk (the
# ceiling). Missing packages (smbnetfs, rclone, fio, time) are installed
# with apt-get; a client that cannot be installed or mounted is reported
# as n/a with the reason, and the rest goes on.
#
# Sections (the report prints how each figure is taken under its table):
#   data     1 GiB sequential write (timed until the server holds every
#            byte, as smbclient put is, and again with fsync, which puts
#            it on the server's disk) and read, random 4 KiB reads at queue
#            depth 1 and 16 (fio), CPU seconds per GiB; smbfs's writes
#            and reads again with nosign (signing as smbclient does)
#   sealed   the same writes (without fsync) and reads on the encrypted
#            share [enc]
#   meta     creating 2,000 x 4 KiB and 10,000 empty files (with the rate
#            of the first and the last 1,000), ls -l of 10,000 entries cold
#            and warm, untar, find and rm -rf of this machine's /usr/include
#            (smbclient: put per create, ls, -Tx, deltree), with the CPU
#            time the server's smbd processes spent on each client's work
#   cache    (scripts/bench-cache.sh, last, with its own server) re-reading
#            a file under a read lease against the local page cache; git
#            status and a stat of every file of a 5,000-file checkout with
#            leases and caches against nolease,actimeo=0
#   latency  through build/tests/smbproxy at 5 ms each way: sequential
#            read, cold ls -l of 2,000 entries, untar of 1,000 files and
#            its round trips per file (smbfs-mount --stats); smbclient -Tx
#            of the same tree
#
# As root: make bench (or scripts/bench.sh after make all
# build/tests/smbproxy). Prints the report and writes it, followed by
# every single measurement, to build/bench/results.txt, and ends with
# the same figures as a Markdown table for the README. On 2 cores it
# takes about 30 minutes (BENCH_QUICK=1: about 3).
#
# Environment:
#   BENCH_QUICK=1    small sizes and one run of each, to try the script
#   BENCH_SECTIONS   which sections, e.g. "data meta" (default: all four)
#   BENCH_CLIENTS    which clients, e.g. "smbfs server" (default: all)
#   BENCH_REPS       runs of each measurement (default: 3, quick: 1)
#   BENCH_SLOW_S     smbnetfs and rclone repeat a measurement only while
#                    its run takes at most this many seconds (default: 20)
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SMBFS_LIB_NAME=bench
# fs_mount, fs_umount, fs_user, fs_wait_for and scripts/lib.sh.
. "$ROOT/tests/integration/fs/lib.sh"
. "$HERE/bench-clients.sh"

TOOL=$HERE/bench-tool.py
PROXY_BIN=$ROOT/build/tests/smbproxy
OUT_DIR=$ROOT/build/bench
SECTIONS=${BENCH_SECTIONS:-data sealed meta latency}
CLIENTS=${BENCH_CLIENTS:-smbfs smbclient smbnetfs rclone server}
DELAY_MS=5
OP_TIMEOUT=900
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SIZE_MIB=64 REPS=${BENCH_REPS:-1} N4K=200 N0=2000 LAT_LS_N=500 TREE_FILES=200
	FIO_S=2 TAR_SRC=include/linux
else
	SIZE_MIB=1024 REPS=${BENCH_REPS:-3} N4K=2000 N0=10000 LAT_LS_N=2000 TREE_FILES=1000
	FIO_S=3 TAR_SRC=include
fi
# The sequential read through the proxy stops after LAT_READ_S seconds
# (the figure is what was read by then: a stream's steady rate).
LAT_READ_S=20
# prime_disk: the pauses around its file (see there).
PRIME_PAUSE_S=3
# run_again: a slower run of smbnetfs or rclone is not repeated.
SLOW_S=${BENCH_SLOW_S:-20}
RUN_T0=0
SIZE_BYTES=$((SIZE_MIB * 1024 * 1024))

declare -A INSTALL_ERR=()
STATS_ERR=

# ------------------------------------------------------------ records

calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

# record METRIC CLIENT VALUE / record_na METRIC CLIENT REASON
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$SAMPLES"; }
record_na() {
	printf '%s\t%s\tn/a\t%s\n' "$1" "$2" "$3" >>"$SAMPLES"
	log "$2: $1: n/a ($3)"
}

# info KEY VALUE: a value the report prints.
info() { printf '%s=%s\n' "$1" "$2" >>"$INFO"; }

wants() { [[ " $CLIENTS " == *" $1 "* ]]; }

# run_again CLIENT REP: whether to make run REP of a measurement; called
# at the top of each run. smbfs, smbclient (the protocol's yardstick) and
# the server's own directory always get REPS runs. smbnetfs or rclone
# gets one more only while its previous run took at most SLOW_S seconds:
# their slow rows (rclone's creates and untar, smbnetfs's and rclone's
# 1 GiB writes) take minutes each and stand many times off smbfs's, so a
# median of 3 would change no ratio and push make bench past its time
# budget. The report marks figures made of fewer runs.
run_again() {
	local client=$1 rep=$2 now=$EPOCHREALTIME
	if [ "$rep" -gt 1 ] && { [ "$client" = smbnetfs ] || [ "$client" = rclone ]; } &&
		awk -v a="$RUN_T0" -v b="$now" -v s="$SLOW_S" 'BEGIN { exit !(b - a > s) }'; then
		log "$client: this measurement once only (its run took over $SLOW_S s)"
		return 1
	fi
	RUN_T0=$now
}

# --------------------------------------------------------- measuring

# timed USER DIR CMD...: runs CMD as USER in DIR, its output in CMD_OUT
# and CMD_ERR, timing it inside that shell (no runuser start-up in the
# figure). Sets T0 and T1 (EPOCHREALTIME) and ELAPSED; returns CMD's status.
timed() {
	local user=$1 dir=$2 rc t0 t1
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	runuser -u "$user" -- bash -c 'cd "$1" || exit 125; t=$2; shift 2
		t0=$EPOCHREALTIME; timeout -k 10 "$t" "$@"; rc=$?
		echo "$t0 $EPOCHREALTIME" >&3; exit "$rc"' timed \
		"$dir" "$OP_TIMEOUT" "$@" 3>"$WORK/times" >"$CMD_OUT" 2>"$CMD_ERR"
	rc=$?
	read -r t0 t1 <"$WORK/times" || { t0=0 t1=0; }
	T0=$t0 T1=$t1
	ELAPSED=$(calc "$T1 - $T0")
	return "$rc"
}

# why RC: the reason a timed command failed.
why() {
	case $1 in
	124 | 137) echo "timed out after $OP_TIMEOUT s" ;;
	125) echo "cannot enter the directory" ;;
	*) echo "exit status $1: $(first_line "$CMD_ERR")" ;;
	esac
}

drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null ||
		log "cannot drop the page cache: reads may come from memory"
}

# usage PATH: "ENTRIES BYTES" of PATH on the server's disk (PATH itself
# counted, bytes of regular files), or "gone".
usage() {
	[ -e "$1" ] || { echo gone; return; }
	find "$1" -printf '%y %s\n' 2>/dev/null |
		awk '{ n++; if ($1 == "f") b += $2 } END { print n + 0, b + 0 }'
}

# settle CLIENT PATH EXPECTED: the operation timed last ends when the
# server's disk shows EXPECTED (see usage). Clients that finish their work
# before returning show it at once; rclone uploads after close, so it is
# waited for and T1 and ELAPSED move to when it has landed. Another client
# gets 30 s before the figure is given up.
settle() {
	local client=$1 path=$2 want=$3 deadline wait_s=30
	[ "$(usage "$path")" = "$want" ] && return 0
	[ "$client" != rclone ] || wait_s=$OP_TIMEOUT
	deadline=$(($(now_ms) + wait_s * 1000))
	while [ "$(usage "$path")" != "$want" ]; do
		if [ "$(now_ms)" -ge "$deadline" ]; then
			CMD_WHY="the server holds $(usage "$path") (entries, bytes), not $want, $wait_s s after it returned"
			return 1
		fi
		sleep 0.05
	done
	[ "$client" = rclone ] ||
		log "$client: $path complete on the server only after the call returned"
	T1=$EPOCHREALTIME
	ELAPSED=$(calc "$T1 - $T0")
}

# smbd_cpu: CPU seconds the private Samba's processes have used so far.
smbd_cpu() { python3 "$TOOL" smbdcpu "$SMB_CONF" 2>/dev/null; }

# smbd_record METRIC CLIENT BEFORE: the server's CPU seconds since BEFORE
# (a smbd_cpu value), for the work CLIENT just did.
smbd_record() {
	local after
	after=$(smbd_cpu)
	if [ -n "$3" ] && [ -n "$after" ]; then
		record "$1" "$2" "$(calc "$after - $3")"
	else
		record_na "$1" "$2" "cannot read the server's CPU time"
	fi
}

# cpu_now: CPU seconds of the current client's process, or empty.
cpu_now() {
	[ -n "$CPID" ] && python3 "$TOOL" cpu "$CPID" 2>/dev/null
}

# cpu_record METRIC CLIENT BEFORE AFTER: CPU seconds per GiB.
cpu_record() {
	if [ -n "$3" ] && [ -n "$4" ]; then
		record "$1" "$2" "$(calc "($4 - $3) * 1024 / $SIZE_MIB")"
	fi
}

cpu_na() {
	case $2 in
	smbnetfs) record_na "$1" "$2" "its work is spread over forked helpers" ;;
	server) record_na "$1" "$2" "no client process" ;;
	esac
}

# --------------------------------------------------------------- setup

install_packages() {
	local p want=()
	for p in smbnetfs rclone fio time; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null |
			grep -qx installed || want+=("$p")
	done
	[ ${#want[@]} -gt 0 ] || return 0
	log "installing ${want[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get update -q >"$WORK/apt.log" 2>&1 ||
		log "apt-get update failed (see the installs below)"
	for p in "${want[@]}"; do
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "$p" >>"$WORK/apt.log" 2>&1 ||
			INSTALL_ERR[$p]="apt-get install $p failed"
	done
}

start_server() {
	bash "$HERE/samba.sh" start "$WORK/srv" >/dev/null ||
		die "scripts/samba.sh start failed"
	set -a
	# shellcheck disable=SC1091
	. "$WORK/srv/env"
	set +a
	SMB_MNT_DIR=$WORK/mnt
	SMB_TMPDIR=$WORK/tmp
	mkdir -p "$SMB_MNT_DIR" "$SMB_TMPDIR"
	chown "$FS_USER:" "$SMB_MNT_DIR"
	PLAIN=$SMB_SHARE_PATH_PLAIN
	ENC=$SMB_SHARE_PATH_ENC
}

# as_owner CMD...: runs CMD as the shares' owner, on the server's disk.
as_owner() { runuser -u "$SMB_USER" -- "$@"; }

# empty_dir PATH COUNT: COUNT empty files f00000... made on the server.
empty_dir() {
	as_owner mkdir "$1" &&
		(cd "$1" && seq -f 'f%05g' 0 $(($2 - 1)) | as_owner xargs touch)
}

stage() {
	log "preparing the data (a ${SIZE_MIB} MiB file, tarballs, directories)"
	SHM=$(mktemp -d /dev/shm/smbfs-bench.XXXXXX) || die "mktemp in /dev/shm"
	chmod 0755 "$SHM"
	SRC=$SHM/source.bin
	head -c "$SIZE_BYTES" /dev/urandom >"$SRC" || die "cannot write $SRC"
	chmod 0644 "$SRC"
	install -o "$SMB_USER" -m 0644 "$SRC" "$PLAIN/seq.bin"
	install -o "$SMB_USER" -m 0644 "$SRC" "$ENC/seq.bin"
	empty_dir "$PLAIN/ls-$N0" "$N0" || die "cannot make $PLAIN/ls-$N0"
	empty_dir "$PLAIN/ls-$LAT_LS_N" "$LAT_LS_N" ||
		die "cannot make $PLAIN/ls-$LAT_LS_N"
	TAR=$WORK/usr-include.tar
	python3 "$TOOL" tarlist /usr "$TAR_SRC" |
		tar -C /usr --null --no-recursion -T - -cf "$TAR" ||
		die "cannot tar /usr/$TAR_SRC"
	read -r TAR_ENTRIES TAR_FILES TAR_DIRS TAR_BYTES < <(python3 "$TOOL" tarinfo "$TAR")
	TREE=$WORK/tree.tar
	python3 "$TOOL" tree "$WORK/tree" "$TREE_FILES" ||
		die "cannot make the small tree"
	(cd "$WORK/tree" && tar -cf "$TREE" -- *) || die "cannot tar the small tree"
	read -r TREE_ENTRIES _ TREE_DIRS TREE_BYTES < <(python3 "$TOOL" tarinfo "$TREE")
	chmod 0644 "$TAR" "$TREE"
	info tar_name "/usr/$TAR_SRC"
	info tar_entries "$TAR_ENTRIES"
	info tar_files "$TAR_FILES"
	info tar_dirs "$TAR_DIRS"
	info tar_mib "$(calc "$TAR_BYTES / 1048576" | cut -d. -f1)"
	info tree_files "$TREE_FILES"
	info tree_dirs "$TREE_DIRS"
}

# -------------------------------------------------------- data section

# prime_disk SHARE_PATH: the server's memory and disk in the same state
# before every timed write, whichever client and run.  This machine is a
# virtual machine that hands memory free for about 2 s back to its host
# (virtio-balloon free page reporting): a write whose page cache comes
# from memory handed back runs at a quarter of the speed (the server's
# own dd of 1 GiB: 220-340 MiB/s, against 1,650-2,050 MiB/s into memory
# freed just before).  So: a pause for the host to take back what it
# will, a file of twice the test's size written (the page cache and the
# buffers of client and server take more than the file itself), put on
# the disk and, after another pause, deleted just before the timed write
# starts.  With a file of the test's size and no pauses, smbclient's put
# of 1 GiB swung between 252 and 640 MiB/s; with these, 863 to 996.
prime_disk() {
	sleep "$PRIME_PAUSE_S"
	dd if=/dev/zero of="$1/.prime" bs=1M count=$((2 * SIZE_MIB)) status=none
	sync
	sleep "$PRIME_PAUSE_S"
	rm -f "$1/.prime"
}

# write_once CLIENT SHARE_PATH METRIC CPU_METRIC REP [fsync]: dd of the
# source onto the share, timed until the server holds all of it (settle);
# with fsync, dd also asks for it on the server's disk (conv=fsync), which
# smbclient's put never does: that figure is compared with the server's
# own disk only.
write_once() {
	local client=$1 spath=$2 metric=$3 cpu_metric=$4 name c0 c1 rc
	local conv=()
	name=w-$client-$5.bin
	[ "${6:-}" != fsync ] || conv=(conv=fsync)
	prime_disk "$spath"
	c0=$(cpu_now)
	timed "$CUSER" "$CDIR" dd if="$SRC" of="$name" bs=1M "${conv[@]}" status=none
	rc=$?
	if [ "$rc" -ne 0 ]; then
		record_na "$metric" "$client" "dd: $(why "$rc")"
	elif ! settle "$client" "$spath/$name" "1 $SIZE_BYTES"; then
		record_na "$metric" "$client" "$CMD_WHY"
		rc=1
	else
		c1=$(cpu_now)
		record "$metric" "$client" "$(calc "$SIZE_MIB / $ELAPSED")"
		[ -z "$cpu_metric" ] || cpu_record "$cpu_metric" "$client" "$c0" "$c1"
	fi
	rm -f "$spath/$name"
	return "$rc"
}

# read_once CLIENT METRIC CPU_METRIC [SECONDS]: dd of seq.bin, the caches
# dropped; with SECONDS, dd is stopped after that long (SIGINT: it prints
# what it copied) and the figure is what it read by then.
read_once() {
	local client=$1 metric=$2 cpu_metric=$3 cap=${4:-} c0 c1 rc bytes
	local stop=()
	[ -z "$cap" ] || stop=(timeout -s INT "$cap")
	drop_caches
	c0=$(cpu_now)
	timed "$CUSER" "$CDIR" "${stop[@]}" dd if=seq.bin of=/dev/null bs=1M
	rc=$?
	c1=$(cpu_now)
	bytes=$(awk '/bytes/ { b = $1 } END { print b + 0 }' "$CMD_ERR")
	if [ -n "$cap" ] && [ "$rc" -eq 124 ] && [ "$bytes" -gt 0 ]; then
		rc=0 # stopped at the cap, as asked
	elif [ "$rc" -eq 0 ] && [ "$bytes" != "$SIZE_BYTES" ]; then
		record_na "$metric" "$client" "read $bytes bytes of $SIZE_BYTES"
		return 1
	fi
	if [ "$rc" -ne 0 ]; then
		record_na "$metric" "$client" "dd: $(why "$rc")"
		return 1
	fi
	record "$metric" "$client" "$(calc "$bytes / 1048576 / $ELAPSED")"
	[ -z "$cpu_metric" ] || cpu_record "$cpu_metric" "$client" "$c0" "$c1"
}

# rand_once CLIENT QD: fio random 4 KiB reads of seq.bin for FIO_S s.
rand_once() {
	local client=$1 qd=$2 metric=rand_qd$2 rc engine=psync iops err
	local cache=(--direct=1)
	command -v fio >/dev/null || {
		record_na "$metric" "$client" "fio is not installed${INSTALL_ERR[fio]:+: ${INSTALL_ERR[fio]}}"
		return 1
	}
	[ "$qd" -eq 1 ] || engine=libaio
	# The server's own directory reads its page cache (fio would drop it).
	[ "$client" != server ] || cache=(--direct=0 --invalidate=0)
	# O_DIRECT passes the client's page cache by; the server's copy is
	# read into its page cache so the figure is the client's, not the disk's.
	cat "$PLAIN/seq.bin" >/dev/null
	timed "$CUSER" "$CDIR" fio --name=randread --filename=seq.bin --readonly \
		--rw=randread --bs=4k --size="${SIZE_MIB}m" "${cache[@]}" \
		--ioengine="$engine" --iodepth="$qd" --runtime="$FIO_S" \
		--time_based --output-format=terse --terse-version=3
	rc=$?
	# terse v3: field 5 is the error, field 8 the read IOPS.
	IFS=';' read -r _ _ _ _ err _ _ iops _ <"$CMD_OUT"
	if [ "$rc" -ne 0 ] || [ "${err:-1}" != 0 ]; then
		record_na "$metric" "$client" "fio: $(why "$rc")"
		return 1
	fi
	record "$metric" "$client" "$iops"
}

# smbclient_timed SHARE PORT COMMAND [--client-protection=encrypt]: one
# smbclient command, timed, its CPU time in $WORK/smbclient.time.
smbclient_timed() {
	local share=$1 port=$2 cmd=$3
	shift 3
	rm -f "$WORK/smbclient.time"
	if [ -x /usr/bin/time ]; then
		timed root "$WORK" /usr/bin/time -f '%U %S' -o "$WORK/smbclient.time" \
			smbclient "//$SMB_HOST/$share" -p "$port" -A "$SMB_CREDS" \
			-m SMB3_11 "$@" -c "$cmd"
	else
		timed root "$WORK" smbclient "//$SMB_HOST/$share" -p "$port" \
			-A "$SMB_CREDS" -m SMB3_11 "$@" -c "$cmd"
	fi
}

smbclient_cpu() {
	local cpu_metric=$1
	if [ -s "$WORK/smbclient.time" ]; then
		record "$cpu_metric" smbclient "$(awk '{ printf "%.6f", ($1 + $2) * 1024 / '"$SIZE_MIB"' }' "$WORK/smbclient.time")"
	else
		record_na "$cpu_metric" smbclient "/usr/bin/time is not installed"
	fi
}

# smbclient_data SHARE_PATH PORT WRITE READ CPU_WRITE CPU_READ [OPTION]:
# put and get, REPS times each, recorded under those metric names (an
# empty name: not measured). OPTION: --client-protection=encrypt.
smbclient_data() {
	local spath=$1 port=$2 wm=$3 rm=$4 cw=$5 cr=$6 share rep rc
	shift 6
	share=$(basename "$spath")
	for ((rep = 1; rep <= REPS; rep++)); do
		[ -n "$wm" ] || break
		prime_disk "$spath"
		smbclient_timed "$share" "$port" "put $SRC w-smbclient.bin" "$@"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			record_na "$wm" smbclient "put: $(why "$rc")"
			break
		elif ! settle smbclient "$spath/w-smbclient.bin" "1 $SIZE_BYTES"; then
			record_na "$wm" smbclient "$CMD_WHY"
			break
		fi
		record "$wm" smbclient "$(calc "$SIZE_MIB / $ELAPSED")"
		[ -z "$cw" ] || smbclient_cpu "$cw"
		rm -f "$spath/w-smbclient.bin"
	done
	rm -f "$spath/w-smbclient.bin"
	for ((rep = 1; rep <= REPS; rep++)); do
		drop_caches
		smbclient_timed "$share" "$port" "get seq.bin /dev/null" "$@"
		rc=$?
		if [ "$rc" -ne 0 ] ||
			! grep -qs "of size $SIZE_BYTES as" "$CMD_OUT" "$CMD_ERR"; then
			record_na "$rm" smbclient "get: $(why "$rc")"
			break
		fi
		record "$rm" smbclient "$(calc "$SIZE_MIB / $ELAPSED")"
		[ -z "$cr" ] || smbclient_cpu "$cr"
	done
}

# na_all CLIENT REASON METRIC...
na_all() {
	local client=$1 reason=$2 m
	shift 2
	for m in "$@"; do
		record_na "$m" "$client" "$reason"
	done
}

DATA_METRICS="seq_write seq_write_sync seq_read rand_qd1 rand_qd16 cpu_write cpu_read"

# seq_runs CLIENT SHARE_PATH WRITE SYNC_WRITE READ CPU_WRITE CPU_READ: the
# sequential writes (SYNC_WRITE: with fsync; empty: not measured) and
# reads through the mounted CLIENT, recorded under those names.
seq_runs() {
	local client=$1 spath=$2 wm=$3 sm=$4 rm=$5 cw=$6 cr=$7 rep
	[ -n "$CPID" ] || cpu_na "$cw" "$client"
	[ -n "$CPID" ] || cpu_na "$cr" "$client"
	for ((rep = 1; rep <= REPS; rep++)); do
		run_again "$client" "$rep" || break
		write_once "$client" "$spath" "$wm" "$cw" "$rep" || break
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		[ -n "$sm" ] || break
		run_again "$client" "$rep" || break
		write_once "$client" "$spath" "$sm" "" "$rep" fsync || break
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		run_again "$client" "$rep" || break
		read_once "$client" "$rm" "$cr" || break
	done
}

data_client() {
	local client=$1 rep
	log "data: $client"
	if [ "$client" = smbclient ]; then
		smbclient_data "$PLAIN" "$SMB_PORT" seq_write seq_read cpu_write cpu_read
		na_all smbclient "no file system for random reads" rand_qd1 rand_qd16
		na_all smbclient "put never asks the server to flush" seq_write_sync
		return
	fi
	if ! client_up "$client" plain "$SMB_PORT"; then
		# shellcheck disable=SC2086
		na_all "$client" "$CLIENT_ERR" $DATA_METRICS
		return
	fi
	seq_runs "$client" "$PLAIN" seq_write seq_write_sync seq_read cpu_write \
		cpu_read
	for qd in 1 16; do
		for ((rep = 1; rep <= REPS; rep++)); do
			run_again "$client" "$rep" || break
			rand_once "$client" "$qd" || break
		done
	done
	client_down "$client"
	[ "$client" = smbfs ] && data_smbfs_nosign
}

# smbfs signs every message by default; smbclient only when the server
# requires it, as smbfs does with nosign: the same writes and reads with
# nosign compare like with like.
data_smbfs_nosign() {
	if ! SMBFS_OPTS=nosign client_up smbfs plain "$SMB_PORT"; then
		na_all smbfs "$CLIENT_ERR" seq_write_ns seq_read_ns
		return
	fi
	seq_runs smbfs "$PLAIN" seq_write_ns "" seq_read_ns "" ""
	client_down smbfs
}

section_data() {
	local c
	for c in smbfs smbclient smbnetfs rclone server; do
		wants "$c" && data_client "$c"
	done
}

SEALED_METRICS="enc_write enc_read enc_cpu_write enc_cpu_read"

section_sealed() {
	local c
	if wants smbclient; then
		log "sealed: smbclient"
		smbclient_data "$ENC" "$SMB_PORT" enc_write enc_read enc_cpu_write \
			enc_cpu_read --client-protection=encrypt
	fi
	for c in smbfs smbnetfs rclone; do
		wants "$c" || continue
		log "sealed: $c"
		if ! client_up "$c" enc "$SMB_PORT"; then
			# shellcheck disable=SC2086
			na_all "$c" "$CLIENT_ERR" $SEALED_METRICS
			continue
		fi
		seq_runs "$c" "$ENC" enc_write "" enc_read enc_cpu_write \
			enc_cpu_read
		client_down "$c"
	done
}

# ---------------------------------------------------- metadata section

# remount CLIENT: a fresh mount (nothing cached), every page cache dropped.
remount() {
	if [ "$1" != server ]; then
		client_down "$1"
		client_up "$1" plain "$SMB_PORT" || return 1
	fi
	drop_caches
}

# create_once CLIENT REP COUNT SIZE: COUNT files of SIZE bytes in a new
# directory; sets FIRST and LAST (seconds for the first and last BLOCK).
create_once() {
	local client=$1 count=$3 size=$4 name rc start end block
	name=create-$client-$size-$2
	timed "$CUSER" "$CDIR" python3 "$TOOL" create "$name" "$count" "$size"
	rc=$?
	read -r start end FIRST LAST block <"$CMD_OUT"
	if [ "$rc" -ne 0 ] || [ -z "$block" ]; then
		CMD_WHY="$(why "$rc")"
		return 1
	fi
	# The program's own clock: python's start-up is not the client's.
	T0=$start T1=$end
	ELAPSED=$(calc "$T1 - $T0")
	settle "$client" "$PLAIN/$name" "$((count + 1)) $((count * size))" || return 1
	rm -rf "${PLAIN:?}/$name"
	BLOCK=$block
}

creates() {
	local client=$1 rep c0
	for ((rep = 1; rep <= REPS; rep++)); do
		run_again "$client" "$rep" || break
		if ! create_once "$client" "$rep" "$N4K" 4096; then
			record_na create_4k "$client" "$CMD_WHY"
			break
		fi
		record create_4k "$client" "$(calc "$N4K / $ELAPSED")"
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		run_again "$client" "$rep" || break
		c0=$(smbd_cpu)
		if ! create_once "$client" "$rep" "$N0" 0; then
			na_all "$client" "$CMD_WHY" create_empty create_first \
				create_last create_ratio
			break
		fi
		[ "$client" = server ] || smbd_record create_smbd "$client" "$c0"
		record create_empty "$client" "$(calc "$N0 / $ELAPSED")"
		record create_first "$client" "$(calc "$BLOCK / $FIRST")"
		record create_last "$client" "$(calc "$BLOCK / $LAST")"
		record create_ratio "$client" "$(calc "$FIRST / $LAST")"
	done
}

# ls_timed CLIENT DIR COUNT METRIC: ls -l of COUNT entries.
ls_timed() {
	local client=$1 dir=$2 count=$3 metric=$4 rc lines
	timed "$CUSER" "$CDIR" ls -l "$dir"
	rc=$?
	lines=$(grep -vc '^total' "$CMD_OUT")
	if [ "$rc" -ne 0 ]; then
		record_na "$metric" "$client" "ls: $(why "$rc")"
		return 1
	elif [ "$lines" -ne "$count" ]; then
		record_na "$metric" "$client" "ls -l listed $lines of $count entries"
		return 1
	fi
	record "$metric" "$client" "$ELAPSED"
}

listings() {
	local client=$1 rep c0
	for ((rep = 1; rep <= REPS; rep++)); do
		run_again "$client" "$rep" || break
		if ! remount "$client"; then
			na_all "$client" "remount: $CLIENT_ERR" ls_cold ls_warm
			return 1
		fi
		c0=$(smbd_cpu)
		ls_timed "$client" "ls-$N0" "$N0" ls_cold || break
		[ "$client" = server ] || smbd_record ls_smbd "$client" "$c0"
		ls_timed "$client" "ls-$N0" "$N0" ls_warm || break
	done
}

# tree_once CLIENT REP: untar, find on a fresh mount, rm -rf.
tree_once() {
	local client=$1 name=untar-$1-$2 rc lines c0
	if ! runuser -u "$CUSER" -- mkdir "$CDIR/$name"; then
		record_na untar "$client" "mkdir $name failed"
		return 1
	fi
	c0=$(smbd_cpu)
	timed "$CUSER" "$CDIR/$name" tar -xf "$TAR"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		na_all "$client" "tar: $(why "$rc")" untar find rm
		return 1
	elif ! settle "$client" "$PLAIN/$name" "$((TAR_ENTRIES + 1)) $TAR_BYTES"; then
		na_all "$client" "$CMD_WHY" untar find rm
		return 1
	fi
	[ "$client" = server ] || smbd_record untar_smbd "$client" "$c0"
	record untar "$client" "$ELAPSED"
	if ! remount "$client"; then
		na_all "$client" "remount: $CLIENT_ERR" find rm
		return 1
	fi
	timed "$CUSER" "$CDIR" find "$name" -printf '%s\n'
	rc=$?
	lines=$(wc -l <"$CMD_OUT")
	if [ "$rc" -ne 0 ] || [ "$lines" -ne $((TAR_ENTRIES + 1)) ]; then
		record_na find "$client" "find: $lines of $((TAR_ENTRIES + 1)) entries, $(why "$rc")"
	else
		record find "$client" "$ELAPSED"
	fi
	c0=$(smbd_cpu)
	timed "$CUSER" "$CDIR" rm -rf "$name"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		record_na rm "$client" "rm -rf: $(why "$rc")"
		return 1
	elif ! settle "$client" "$PLAIN/$name" gone; then
		record_na rm "$client" "$CMD_WHY"
		return 1
	fi
	[ "$client" = server ] || smbd_record rm_smbd "$client" "$c0"
	record rm "$client" "$ELAPSED"
}

# ------------------------------------------ smbclient's metadata rows
# smbclient has no file system, but its own commands do what these rows
# do, one request after another on one connection: put of a file per
# create, ls (the listing alone: no request per entry), tar -x (-Tx) and
# deltree.  What the server spends per file shows there without any
# file system client's cost.

# smbclient_run PORT ARG...: one smbclient session on [plain] with ARGs
# (without -c: the commands come from its standard input), timed.
smbclient_run() {
	local port=$1
	shift
	timed root "$WORK" smbclient "//$SMB_HOST/plain" -p "$port" \
		-A "$SMB_CREDS" -m SMB3_11 "$@"
}

# smbclient_untar PORT TARBALL NAME EXPECTED: smbclient -Tx of TARBALL
# into a new directory NAME, timed, until the server's disk shows
# EXPECTED (see usage); CMD_WHY says why not.
smbclient_untar() {
	as_owner mkdir "$PLAIN/$3" || { CMD_WHY="mkdir $3 failed"; return 1; }
	smbclient_run "$1" -D "$3" -Tx "$2" ||
		{ CMD_WHY="tar: $(why $?)"; return 1; }
	settle_sum "$PLAIN/$3" "$4"
}

# put_cmds DIR FROM TO SRC: commands putting SRC as DIR/fFROM .. DIR/fTO.
put_cmds() {
	awk -v d="$1" -v a="$2" -v b="$3" -v s="$4" \
		'BEGIN { for (i = a; i <= b; i++) printf "put %s %s/f%06d\n", s, d, i }'
}

# smbclient_puts NAME FROM TO SRC [mkdir]: one session of puts, timed;
# adds its time to ELAPSED_SUM.
smbclient_puts() {
	local cmds=$WORK/smbclient.cmds rc
	{
		[ -z "${5:-}" ] || echo "mkdir $1"
		put_cmds "$1" "$2" "$3" "$4"
	} >"$cmds"
	smbclient_run "$SMB_PORT" <"$cmds"
	rc=$?
	[ "$rc" -eq 0 ] || { CMD_WHY="smbclient: $(why "$rc")"; return 1; }
	ELAPSED_SUM=$(calc "$ELAPSED_SUM + $ELAPSED")
}

smbclient_creates() {
	local rep name b first last c0
	local four=$SHM/4k.bin empty=$SHM/empty.bin
	head -c 4096 /dev/urandom >"$four" && : >"$empty" &&
		chmod 0644 "$four" "$empty"
	for ((rep = 1; rep <= REPS; rep++)); do
		name=create-smbclient-4096-$rep ELAPSED_SUM=0
		if ! smbclient_puts "$name" 1 "$N4K" "$four" mkdir ||
			! settle_sum "$PLAIN/$name" "$((N4K + 1)) $((N4K * 4096))"; then
			record_na create_4k smbclient "$CMD_WHY"
			break
		fi
		record create_4k smbclient "$(calc "$N4K / $ELAPSED_SUM")"
		rm -rf "${PLAIN:?}/$name"
	done
	# The first and the last block each in a session of its own (their
	# times include its connect and logon), the rest in between.
	b=$((N0 >= 2000 ? 1000 : N0 / 2))
	for ((rep = 1; rep <= REPS; rep++)); do
		name=create-smbclient-0-$rep ELAPSED_SUM=0 c0=$(smbd_cpu)
		smbclient_puts "$name" 1 "$b" "$empty" mkdir &&
			first=$ELAPSED_SUM &&
			{ [ "$b" -ge $((N0 - b)) ] ||
				smbclient_puts "$name" $((b + 1)) $((N0 - b)) "$empty"; } &&
			last=$ELAPSED_SUM &&
			smbclient_puts "$name" $((N0 - b + 1)) "$N0" "$empty" &&
			last=$(calc "$ELAPSED_SUM - $last") &&
			settle_sum "$PLAIN/$name" "$((N0 + 1)) 0"
		if [ $? -ne 0 ]; then
			na_all smbclient "$CMD_WHY" create_empty create_first \
				create_last create_ratio
			break
		fi
		smbd_record create_smbd smbclient "$c0"
		record create_empty smbclient "$(calc "$N0 / $ELAPSED_SUM")"
		record create_first smbclient "$(calc "$b / $first")"
		record create_last smbclient "$(calc "$b / $last")"
		record create_ratio smbclient "$(calc "$first / $last")"
		rm -rf "${PLAIN:?}/$name"
	done
}

# settle_sum PATH EXPECTED: what smbclient did is on the server's disk.
settle_sum() {
	[ "$(usage "$1")" = "$2" ] && return 0
	CMD_WHY="the server holds $(usage "$1") (entries, bytes), not $2"
	return 1
}

smbclient_tree() {
	local rep name lines c0
	for ((rep = 1; rep <= REPS; rep++)); do
		drop_caches
		c0=$(smbd_cpu)
		smbclient_timed plain "$SMB_PORT" "ls ls-$N0/*" ||
			{ record_na ls_cold smbclient "ls: $(why $?)"; break; }
		lines=$(grep -c '^  f[0-9]' "$CMD_OUT")
		if [ "$lines" -ne "$N0" ]; then
			record_na ls_cold smbclient "ls listed $lines of $N0 entries"
			break
		fi
		smbd_record ls_smbd smbclient "$c0"
		record ls_cold smbclient "$ELAPSED"
	done
	record_na ls_warm smbclient "smbclient caches nothing: as cold"
	record_na find smbclient "no find in smbclient"
	for ((rep = 1; rep <= REPS; rep++)); do
		name=untar-smbclient-$rep
		c0=$(smbd_cpu)
		if ! smbclient_untar "$SMB_PORT" "$TAR" "$name" \
			"$((TAR_ENTRIES + 1)) $TAR_BYTES"; then
			na_all smbclient "$CMD_WHY" untar rm
			break
		fi
		smbd_record untar_smbd smbclient "$c0"
		record untar smbclient "$ELAPSED"
		c0=$(smbd_cpu)
		smbclient_timed plain "$SMB_PORT" "deltree $name" ||
			{ record_na rm smbclient "deltree: $(why $?)"; break; }
		if ! settle_sum "$PLAIN/$name" gone; then
			record_na rm smbclient "$CMD_WHY"
			break
		fi
		smbd_record rm_smbd smbclient "$c0"
		record rm smbclient "$ELAPSED"
	done
	rm -rf "${PLAIN:?}"/untar-smbclient-*
}

META_METRICS="create_4k create_empty create_first create_last create_ratio
	ls_cold ls_warm untar find rm"

meta_client() {
	local client=$1 rep
	log "metadata: $client"
	if ! client_up "$client" plain "$SMB_PORT"; then
		# shellcheck disable=SC2086
		na_all "$client" "$CLIENT_ERR" $META_METRICS
		return
	fi
	creates "$client"
	if listings "$client"; then
		for ((rep = 1; rep <= REPS; rep++)); do
			run_again "$client" "$rep" || break
			tree_once "$client" "$rep" || break
		done
	else
		na_all "$client" "remount failed" untar find rm
	fi
	rm -rf "$PLAIN"/untar-"$client"-* "$PLAIN"/create-"$client"-*
	client_down "$client"
}

section_meta() {
	local c
	for c in smbfs smbnetfs rclone server; do
		wants "$c" && meta_client "$c"
	done
	if wants smbclient; then
		log "metadata: smbclient"
		smbclient_creates
		smbclient_tree
	fi
}

# ----------------------------------------------------- latency section

PROXY_PORT=

start_proxy() {
	local pid
	[ -x "$PROXY_BIN" ] || {
		CLIENT_ERR="$PROXY_BIN was not built (make build/tests/smbproxy)"
		return 1
	}
	"$PROXY_BIN" --listen 127.0.0.1:0 --target "$SMB_HOST:$SMB_PORT" \
		--delay-ms "$DELAY_MS" >"$WORK/proxy.out" 2>"$WORK/proxy.log" &
	pid=$!
	BENCH_PIDS+=("$pid")
	fs_wait_for 10 grep -q '^PORT=' "$WORK/proxy.out"
	PROXY_PORT=$(sed -n 's/^PORT=//p' "$WORK/proxy.out")
	[ -n "$PROXY_PORT" ] || {
		CLIENT_ERR="smbproxy did not start: $(last_line "$WORK/proxy.log")"
		return 1
	}
	PROXY_PID=$pid
}

# smbfs_stats FILE: smbfs-mount --stats of the current mount into FILE;
# non-zero (STATS_ERR says why) when it has none.
smbfs_stats() {
	local rc=0
	fs_user timeout 10 "$FS_MOUNT_BIN" --stats "$CDIR" >"$1" 2>"$WORK/stats.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		STATS_ERR="smbfs-mount --stats exits with status $rc: $(last_line "$WORK/stats.err")"
		return 1
	elif ! grep -qE '^round_trips [0-9]+$' "$1"; then
		STATS_ERR="smbfs-mount --stats prints no round_trips line"
		return 1
	fi
}

# stats_delta BEFORE AFTER KEY: how much KEY grew.
stats_delta() {
	awk -v k="$3" 'FNR == NR { if ($1 == k) b = $2; next }
		$1 == k { print $2 - b }' "$1" "$2"
}

# requests_per_file BEFORE AFTER FILES: "CREATE 2.00, WRITE 1.00, ...".
requests_per_file() {
	awk -v n="$3" 'FNR == NR { b[$1] = $2; next }
		$1 ~ /^requests\./ && $2 - b[$1] > 0 {
			printf "%s%s %.2f", sep, substr($1, 10), ($2 - b[$1]) / n; sep = ", " }' \
		"$1" "$2"
}

lat_ls() {
	local rep have s0=$WORK/stats.0 s1=$WORK/stats.1
	for ((rep = 1; rep <= REPS; rep++)); do
		client_down smbfs
		if ! client_up smbfs plain "$PROXY_PORT"; then
			na_all smbfs "remount: $CLIENT_ERR" lat_ls_cold lat_ls_rt
			return 1
		fi
		drop_caches
		have=0
		smbfs_stats "$s0" && have=1
		ls_timed smbfs "ls-$LAT_LS_N" "$LAT_LS_N" lat_ls_cold || return 1
		if [ "$have" = 1 ] && smbfs_stats "$s1"; then
			record lat_ls_rt smbfs "$(stats_delta "$s0" "$s1" round_trips)"
		else
			record_na lat_ls_rt smbfs "$STATS_ERR"
		fi
	done
}

lat_untar() {
	local rep name rc s0=$WORK/stats.0 s1=$WORK/stats.1 have
	for ((rep = 1; rep <= REPS; rep++)); do
		name=tree-$rep
		fs_user mkdir "$CDIR/$name" || {
			na_all smbfs "mkdir $name failed" lat_untar lat_untar_rt
			return 1
		}
		have=0
		smbfs_stats "$s0" && have=1
		timed "$CUSER" "$CDIR/$name" tar -xf "$TREE"
		rc=$?
		if [ "$rc" -ne 0 ]; then
			na_all smbfs "tar: $(why "$rc")" lat_untar lat_untar_rt
			return 1
		elif ! settle smbfs "$PLAIN/$name" "$((TREE_ENTRIES + 1)) $TREE_BYTES"; then
			na_all smbfs "$CMD_WHY" lat_untar lat_untar_rt
			return 1
		fi
		record lat_untar smbfs "$ELAPSED"
		if [ "$have" = 1 ] && smbfs_stats "$s1"; then
			record lat_untar_rt smbfs "$(calc "$(stats_delta "$s0" "$s1" round_trips) / $TREE_FILES")"
			info lat_requests "$(requests_per_file "$s0" "$s1" "$TREE_FILES")"
		else
			record_na lat_untar_rt smbfs "$STATS_ERR"
		fi
		rm -rf "${PLAIN:?}/$name"
	done
}

# smbclient -Tx of the small tree through the proxy: the protocol's
# yardstick for the untar's round trips.
smbclient_lat_untar() {
	local rep name
	for ((rep = 1; rep <= REPS; rep++)); do
		name=tree-smbclient-$rep
		if ! smbclient_untar "$PROXY_PORT" "$TREE" "$name" \
			"$((TREE_ENTRIES + 1)) $TREE_BYTES"; then
			record_na lat_untar smbclient "$CMD_WHY"
			break
		fi
		record lat_untar smbclient "$ELAPSED"
	done
	rm -rf "${PLAIN:?}"/tree-smbclient-*
}

section_latency() {
	local rep
	info rtt $((2 * DELAY_MS))
	info delay "$DELAY_MS"
	if ! start_proxy; then
		info selftest "n/a ($CLIENT_ERR)"
		na_all smbfs "$CLIENT_ERR" lat_read lat_ls_cold lat_ls_rt lat_untar lat_untar_rt
		na_all smbclient "$CLIENT_ERR" lat_read
		return
	fi
	log "latency: smbproxy self-test"
	info selftest "$("$PROXY_BIN" --self-test "$SIZE_BYTES" --delay-ms "$DELAY_MS" 2>&1 | tail -n 1)"
	if wants smbclient; then
		log "latency: smbclient"
		smbclient_data "$PLAIN" "$PROXY_PORT" "" lat_read "" ""
		smbclient_lat_untar
	fi
	if wants smbfs; then
		log "latency: smbfs"
		if client_up smbfs plain "$PROXY_PORT"; then
			for ((rep = 1; rep <= REPS; rep++)); do
				read_once smbfs lat_read "" "$LAT_READ_S" || break
			done
			lat_ls
			lat_untar
			client_down smbfs
		else
			na_all smbfs "$CLIENT_ERR" lat_read lat_ls_cold lat_ls_rt lat_untar lat_untar_rt
		fi
	fi
	terminate_pids 5 "$PROXY_PID"
}

# ---------------------------------------------------------------- main

version_of() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"
}

# machine_info: the machine, the server and the clients, as info keys
# (the report prints them above the tables and with the Markdown table).
machine_info() {
	local commit dirty=""
	commit=$(git -C "$ROOT" log -1 --format='%h %s' 2>/dev/null | cut -c1-72)
	git -C "$ROOT" diff --quiet HEAD -- src include 2>/dev/null ||
		dirty=" (with uncommitted changes to src/ or include/)"
	info date "$(date -u '+%Y-%m-%d %H:%M UTC')"
	info quick "${BENCH_QUICK:-0}"
	info cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	info cores "$(nproc)"
	info memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
	info kernel "$(uname -r)"
	info debian "$(cat /etc/debian_version 2>/dev/null)"
	info samba "$(smbd -V 2>/dev/null | awk '{ print $2 }')"
	info smbfs "$commit$dirty"
	info smbclient_version "$(version_of smbclient)"
	info smbnetfs_version "$(version_of smbnetfs)"
	info rclone_version "$(version_of rclone)"
	info fio_version "$(version_of fio)"
	info load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
}

cleanup() {
	local p
	trap - EXIT INT TERM
	client_down_all
	unmount_fuse_under "$WORK"
	for p in "${BENCH_PIDS[@]}"; do
		pid_running "$p" && terminate_pids 5 "$p"
	done
	bash "$HERE/samba.sh" stop "$WORK/srv" >/dev/null 2>&1
	rm -rf "$WORK" "${SHM:-}"
}

preflight() {
	is_root || die "run as root (make bench): it starts a private Samba," \
		"drops page caches and mounts as the ordinary user $FS_USER"
	[ -x "$FS_MOUNT_BIN" ] || die "$FS_MOUNT_BIN is missing: run make first"
	id -u "$FS_USER" >/dev/null 2>&1 ||
		die "user $FS_USER is missing: run scripts/install-deps.sh"
	if ! command -v smbd >/dev/null || ! command -v smbclient >/dev/null; then
		die "samba and smbclient are missing: run scripts/install-deps.sh"
	fi
	[ -e /dev/fuse ] || die "/dev/fuse is missing"
	chmod 0666 /dev/fuse
}

main() {
	local started s t0 report=$OUT_DIR/results.txt
	preflight
	started=$(date +%s)
	WORK=$(mktemp -d /tmp/smbfs-bench.XXXXXX) || die "mktemp failed"
	chmod 0755 "$WORK"
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	SAMPLES=$WORK/samples.tsv INFO=$WORK/info.txt
	CMD_OUT=$WORK/cmd.out CMD_ERR=$WORK/cmd.err
	: >"$SAMPLES"
	: >"$INFO"
	install_packages
	machine_info
	start_server
	stage
	info reps "$REPS"
	info size_label "$([ "$SIZE_MIB" -ge 1024 ] && echo "$((SIZE_MIB / 1024)) GiB" || echo "$SIZE_MIB MiB")"
	info fio_s "$FIO_S"
	info n4k "$N4K"
	info n0 "$N0"
	info block $((N0 >= 2000 ? 1000 : N0 / 2))
	info lat_ls_n "$LAT_LS_N"
	info sections "$SECTIONS"
	info slow_s "$SLOW_S"
	info lat_read_s "$LAT_READ_S"
	mkdir -p "$OUT_DIR"
	for s in $SECTIONS; do
		t0=$(date +%s)
		"section_$s"
		info "time_$s" $(($(date +%s) - t0))
		log "$s: $(($(date +%s) - t0)) s"
	done
	if [ -n "$STATS_ERR" ]; then
		info stats_state "n/a: $STATS_ERR"
	else
		info stats_state "available"
	fi
	grep -q '^lat_requests=' "$INFO" || info lat_requests "n/a"
	info took "$((($(date +%s) - started) / 60)) min $((($(date +%s) - started) % 60)) s"
	info load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
	python3 "$HERE/bench-report.py" "$SAMPLES" "$INFO" | tee "$report.tmp"
	{
		echo
		python3 "$HERE/bench-report.py" "$SAMPLES" "$INFO" --samples
	} >>"$report.tmp"
	# Caching (leases, attribute and directory caches): its own server,
	# after everything else, so that it does not disturb the figures.
	if [ -z "${BENCH_SECTIONS:-}" ] || [[ " $SECTIONS " == *" cache "* ]]; then
		log "cache: scripts/bench-cache.sh"
		if [ "${BENCH_QUICK:-0}" = 1 ]; then
			bash "$HERE/bench-cache.sh" --quick | tee -a "$report.tmp"
		else
			bash "$HERE/bench-cache.sh" | tee -a "$report.tmp"
		fi
	fi
	mv "$report.tmp" "$report"
	echo "results written to ${report#"$ROOT"/}"
}

main "$@"
