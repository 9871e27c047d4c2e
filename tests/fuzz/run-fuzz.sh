#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs fuzz harnesses and minimises what they found into the committed
# corpora.
#
#   tests/fuzz/run-fuzz.sh [-t SECONDS] NAME...
#
# For each NAME: builds build/fuzz/fuzz_NAME (make), regenerates the
# seeds (make-seeds.py), fuzzes for SECONDS (default 300) with the seeds,
# tests/fuzz/corpus/NAME and the working corpus build/fuzz/work/NAME,
# then replaces tests/fuzz/corpus/NAME by the -merge=1 minimisation of
# all three on edge coverage alone (-use_counters=0: the committed corpus
# keeps every edge in a few KiB; the hit-count variety stays in the
# working corpus).  Files named regression-* are always kept.
# Logs: build/fuzz/logs/NAME.log; crashing inputs: build/fuzz/artifacts/.
# The last line of each log is libFuzzer's final status line (execs,
# cov:, ft:).  Exits non-zero when a harness failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}
SECONDS_PER=300
if [ "${1:-}" = -t ]; then
	SECONDS_PER=$2
	shift 2
fi
[ $# -gt 0 ] || { sed -n '4,18p' "$0"; exit 2; }

OUT=$BUILD/fuzz
mkdir -p "$OUT/logs" "$OUT/artifacts"
# Own seed directory: several runs may go on at once.
SEEDS=$(mktemp -d "$OUT/seeds.XXXXXX")
trap 'rm -rf "$SEEDS"' EXIT
python3 tests/fuzz/make-seeds.py "$SEEDS" >/dev/null

status=0
for name in "$@"; do
	bin=$OUT/fuzz_$name
	make -s "$bin"
	work=$OUT/work/$name corpus=tests/fuzz/corpus/$name
	seeds=$SEEDS/$name log=$OUT/logs/$name.log
	mkdir -p "$work" "$corpus" "$seeds"
	echo "fuzz_$name: ${SECONDS_PER}s, log $log"
	if ! "$bin" -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 \
		-detect_leaks=1 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$name-" \
		"$work" "$corpus" "$seeds" >"$log" 2>&1; then
		echo "fuzz_$name FAILED: see $log and $OUT/artifacts/" >&2
		status=1
		continue
	fi
	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1
	merged=$(mktemp -d "$OUT/merge.XXXXXX")
	rm -f "$log.merge"
	"$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 "$merged" \
		"$corpus" "$work" \
		"$seeds" >>"$log.merge" 2>&1
	# Inputs of fixed bugs stay, whatever coverage they add.
	find "$corpus" -maxdepth 1 -name 'regression-*' -exec cp {} "$merged"/ \;
	rm -rf "$corpus"
	mv "$merged" "$corpus"
	chmod 0755 "$corpus"
	echo "corpus $corpus: $(find "$corpus" -type f | wc -l) files"
done
exit "$status"
