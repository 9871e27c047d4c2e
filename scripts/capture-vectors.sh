#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Records Samba's SMB2 traffic as known-answer vectors for the codec tests.
#
#   capture-vectors.sh [OUTDIR] [--port N]      (root; needs tshark)
#
# Starts a private smbd (scripts/samba.sh) with a fixed password, captures
# loopback traffic while smbclient runs a fixed command list with three
# settings (SMB 3.1.1, SMB 2.0.2, SMB 3.1.1 with signing), and splits every
# SMB2 message into OUTDIR/<command>_<request|response>...hex with
# scripts/capture-vectors.py. OUTDIR (default tests/vectors/samba) gets
# the pcaps and index.txt; previous *.hex files there are replaced.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/lib.sh"

ROOT=$(cd "$HERE/.." && pwd)
OUTDIR=$ROOT/tests/vectors/samba
PORT=44511
# A throwaway password, recorded so the captured NTLM exchange can be
# replayed to derive the session keys (known-answer tests for signing).
VECTOR_PASS=smbfs-vector-pw

while [ $# -gt 0 ]; do
	case $1 in
	--port) PORT=$2; shift 2 ;;
	-*) die "usage: capture-vectors.sh [OUTDIR] [--port N]" ;;
	*) OUTDIR=$1; shift ;;
	esac
done

is_root || die "must run as root (packet capture and smbd)"
command -v dumpcap >/dev/null || die "dumpcap/tshark missing: apt-get install tshark"
command -v smbclient >/dev/null || die "smbclient missing"
port_in_use "$PORT" && die "port $PORT is busy; pass --port"

WORK=$(mktemp -d /tmp/smbfs-capture.XXXXXX)
chmod 0755 "$WORK" # smbd's session user must reach the shares
SRV=$WORK/srv
DUMPCAP_PID=

cleanup() {
	if [ -n "$DUMPCAP_PID" ]; then
		kill -INT "$DUMPCAP_PID" 2>/dev/null || true
		wait "$DUMPCAP_PID" 2>/dev/null || true
	fi
	"$HERE/samba.sh" stop "$SRV" || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_capture() {
	local pcap=$1 i
	dumpcap -q -i lo -f "tcp port $PORT" -w "$pcap" 2>"$pcap.log" &
	DUMPCAP_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q "Capturing on" "$pcap.log" 2>/dev/null && return 0
		pid_alive "$DUMPCAP_PID" || break
		sleep 0.05
	done
	cat "$pcap.log" >&2
	die "dumpcap did not start"
}

stop_capture() {
	sleep 0.3 # let the last segments reach the capture
	kill -INT "$DUMPCAP_PID"
	wait "$DUMPCAP_PID" || true
	DUMPCAP_PID=
}

smbc() {
	smbclient "$@" 2>&1 | sed 's/^/    smbclient: /' || true
}

# run_session MAXPROTO [smbclient options...]
run_session() {
	local proto=$1 url=//127.0.0.1/plain
	shift
	local opts=(-p "$PORT" -m "$proto" "$@")
	cd "$WORK/client"
	printf 'smbfs vector file\n' >small.txt
	smbc "$url" "${opts[@]}" -A "$SRV/creds" -c "ls; put small.txt small.txt; \
get small.txt got.txt; mkdir d1; rmdir d1; rename small.txt small2.txt; \
allinfo small2.txt; setmode small2.txt +r; setmode small2.txt -r; volume; \
echo 1 ping; get missing.txt missing.txt; rm small2.txt; mkdir nd; \
tdis; logoff"
	# CHANGE_NOTIFY: a watcher on nd, woken by a second session's put.
	timeout -s INT 3 smbclient "$url" "${opts[@]}" -A "$SRV/creds" \
		-c "notify nd" >/dev/null 2>&1 &
	local watcher=$!
	sleep 1
	smbc "$url" "${opts[@]}" -A "$SRV/creds" -c "put small.txt nd\\new.txt"
	wait "$watcher" || true
	smbc "$url" "${opts[@]}" -A "$SRV/creds" -c "rm nd\\new.txt; rmdir nd"
	# Failures: wrong password and an unknown share.
	smbc "$url" "${opts[@]}" -U "smbfsuser%wrong-password" -c ls
	smbc //127.0.0.1/nosuchshare "${opts[@]}" -A "$SRV/creds" -c ls
	cd "$ROOT"
}

mkdir -p "$WORK/client"
printf '\tdebug encryption = yes\n' >"$WORK/extra.conf"
SMBFS_SMB_PASS=$VECTOR_PASS "$HERE/samba.sh" start "$SRV" --port "$PORT" \
	--conf-extra "$WORK/extra.conf" >/dev/null

mkdir -p "$OUTDIR"
rm -f "$OUTDIR"/*.hex "$OUTDIR/index.txt"
{
	echo "# Samba $(smbd --version | sed 's/Version //') on 127.0.0.1:$PORT,"
	echo "# user smbfsuser, password $VECTOR_PASS, share \\\\127.0.0.1\\plain."
	echo "# Regenerate with scripts/capture-vectors.sh (as root)."
	echo "# file  pcap  frame  stream  length  MessageId  Status  Flags | tshark summary"
} >"$OUTDIR/index.txt"

for set in 311 202 311signed; do
	case $set in
	311) args=(SMB3_11) suffix= ;;
	202) args=(SMB2_02) suffix=202 ;;
	311signed) args=(SMB3_11 --client-protection=sign) suffix=signed ;;
	esac
	log "capturing set $set"
	start_capture "$WORK/$set.pcap"
	run_session "${args[@]}"
	stop_capture
	python3 "$HERE/capture-vectors.py" "$WORK/$set.pcap" "$PORT" \
		"$OUTDIR" "$suffix"
	install -m 0644 "$WORK/$set.pcap" "$OUTDIR/capture_$set.pcap"
done
# Session keys as smbd logged them (debug encryption), to check derivations.
grep -h -A3 -iE 'session key|signing key|application key' "$SRV"/log/* \
	>"$OUTDIR/smbd-keys.log" 2>/dev/null || true
log "wrote $(ls "$OUTDIR"/*.hex | wc -l) vectors to $OUTDIR"
