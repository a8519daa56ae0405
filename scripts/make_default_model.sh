#!/bin/bash
# Regenerates data/default_model.json, the model `joulecast predict` uses
# when given none, with joulecast's own pipeline on the public measurements
# shipped in data/ (docs/forecast.md, "The default model"):
#   - the square wave (peak and valley power and duration per epoch) from
#     the 150 traced seaa2023 runs on an RTX 3090: gradient boosting, 10
#     bootstrap members for the intervals. Not SR, though SR scores as well
#     in docs/results.md: with only five networks (five FLOPs values) in the
#     data, an SR formula is free to do anything between them, and the zoo's
#     count of a network differs a little from the Keras one the runs used
#     (ResNet-50 at 128 px: 2.67 vs 2.52 GFLOPs), which moved SR's predicted
#     valley from 2.7 s to 21 s; trees are flat between the points they saw;
#   - epoch time and mean power from the Zeus runs on the A40, V100 and
#     RTX 6000, with the GPUs' specifications as features so that one model
#     serves all three: gradient boosting (its first grid point: 200 trees,
#     depth 3, keeps the file small), epoch time fitted as a log (it spans
#     four decades), 10 bootstrap members.
# Takes a few minutes on 2 cores.
#
# usage: scripts/make_default_model.sh [JOULECAST] [OUT.json]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jc=${1:-$root/build/joulecast}
out=${2:-$root/data/default_model.json}
[ -x "$jc" ] || { echo "make_default_model: no joulecast at $jc (run 'make' first)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export JC_NO_PROGRESS=1

"$jc" fit "$root/data/seaa2023_runs.csv" --targets peak_power_w,peak_s,valley_power_w,valley_s \
    --features flops,samples,batch_size --log flops --model gbr --quick --bootstrap 10 --seed 42 -o "$tmp/model.json"
"$jc" fit "$root/data/zeus_runs.csv" --targets time_per_epoch_s,avg_power_w \
    --features batch_size,power_limit_w,params,flops,samples,gpu_tdp_w,gpu_fp32_tflops,gpu_memory_bandwidth_gbs \
    --log params,flops --log-target time_per_epoch_s --gpu-features --model gbr --quick --bootstrap 10 --seed 42 \
    --into "$tmp/model.json" -o "$tmp/model.json"
mv "$tmp/model.json" "$out"
echo "make_default_model: wrote $out ($(du -h "$out" | cut -f1))"
