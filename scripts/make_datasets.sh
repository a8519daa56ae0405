#!/bin/bash
# Regenerates the derived runs datasets shipped in data/ from the public
# measurements in ../shared/data, with the built joulecast:
#   data/zeus_runs.csv      Zeus power traces, A40 + V100 + RTX 6000
#   data/seaa2023_runs.csv  seaa2023 runs, square-wave targets from the traces
# and copies the sources' licence texts beside them (data/NOTICE cites them).
#
# usage: scripts/make_datasets.sh [JOULECAST [SHARED_DATA [OUT_DIR]]]
#   defaults: build/joulecast, ../shared/data, data/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jc=${1:-$root/build/joulecast}
shared=${2:-$root/../shared/data}
out=${3:-$root/data}

if [ ! -x "$jc" ]; then
    echo "make_datasets: no joulecast at $jc (run 'make' first, or pass its path)" >&2
    exit 1
fi
zeus=$shared/zeus-nsdi23
seaa=$shared/seaa2023
for f in "$zeus"/summary_power_{a40,v100,rtx6000}.csv "$seaa"/processed/dl-training-energy-consumption-dataset.csv; do
    [ -f "$f" ] || { echo "make_datasets: missing $f" >&2; exit 1; }
done
mkdir -p "$out"

# The two unknown Zeus networks (deepspeech2, ncf) warn once each: expected.
"$jc" dataset import zeus "$zeus"/summary_power_{a40,v100,rtx6000}.csv -o "$out/zeus_runs.csv"
JC_NO_PROGRESS=1 "$jc" dataset import seaa "$seaa"/processed/dl-training-energy-consumption-dataset.csv \
    --traces "$seaa"/raw/cloud -o "$out/seaa2023_runs.csv"
install -m 0644 "$zeus/LICENSE" "$out/LICENSE-Apache-2.0.txt"
install -m 0644 "$seaa/LICENSE" "$out/LICENSE-CC-BY-4.0.txt"
