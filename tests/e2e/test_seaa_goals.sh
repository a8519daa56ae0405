#!/usr/bin/env bash
# Issue 2's goals over all 150 RTX 3090 traces of ../shared/data/seaa2023:
# energy within 1% of the table for >= 95% of runs, epochs within 2 for >= 90%
# (no hint). Runs bench_seaa --check (its throughput figure is printed, not
# asserted). Skipped (77) when the shared data is absent.
# usage: test_seaa_goals.sh JOULECAST TEST_DATA SHARED_DATA
set -uo pipefail
BENCH=$(dirname "$1")/bench/bench_seaa
SEAA=$3/seaa2023
if [ ! -d "$SEAA/raw/cloud" ]; then
    echo "skipped: $SEAA not present"
    exit 77
fi
exec "$BENCH" --check --reps 1 "$SEAA"
