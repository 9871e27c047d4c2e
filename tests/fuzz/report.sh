#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Prints the results of the last run-fuzz.sh runs as a Markdown table:
# for each build/fuzz/logs/NAME.log the total execs, cov: and ft: of
# libFuzzer's final DONE line, the run time, and the size of the
# committed corpus.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD=${BUILD:-build}

echo "| harness | seconds | execs | cov | ft | corpus files |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for log in "$BUILD"/fuzz/logs/*.log; do
	name=$(basename "$log" .log)
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1) || continue
	execs=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")
	cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$done_line")
	ft=$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$done_line")
	secs=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log")
	files=$(find "tests/fuzz/corpus/$name" -type f 2>/dev/null | wc -l)
	echo "| $name | ${secs:-?} | $execs | $cov | $ft | $files |"
done
