#!/bin/bash
# The calibration the first seed's Discussion asks for, shown on real data:
# the default model's Zeus part (epoch time and mean power, gradient
# boosting with GPU specifications as features) fitted WITHOUT the RTX 6000,
# calibrated to the RTX 6000 with 3 of its runs, and scored on all its other
# runs before and after. Prints the table docs/forecast.md quotes.
#
# usage: scripts/calibration_demo.sh [JOULECAST]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jc=${1:-$root/build/joulecast}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export JC_NO_PROGRESS=1
zeus=$root/data/zeus_runs.csv
feats=batch_size,power_limit_w,params,flops,samples,gpu_tdp_w,gpu_fp32_tflops,gpu_memory_bandwidth_gbs

"$jc" fit "$zeus" --targets time_per_epoch_s,avg_power_w --features $feats --log params,flops \
    --log-target time_per_epoch_s --gpu-features --model gbr --quick --seed 42 \
    --where 'gpu_model!=NVIDIA RTX 6000' -o "$tmp/two_gpus.json" > /dev/null 2>&1
# the RTX 6000 runs that have every feature (params/flops: networks in the zoo)
awk -F, 'NR == 1 || ($12 == "NVIDIA RTX 6000" && $4 != "")' "$zeus" > "$tmp/rtx6000.csv"
n=$(($(wc -l < "$tmp/rtx6000.csv") - 1))
mre() {  # the model's mean relative error (%) on a CSV, per target: "time power"
    "$jc" calibrate "$1" "$2" --gpu-features -o "$tmp/scratch.json" 2>/dev/null |
        awk '$1 == "time_per_epoch_s" {t = $4} $1 == "avg_power_w" {p = $4} END {gsub("%", "", t); gsub("%", "", p); print t, p}'
}
trials=${TRIALS:-20}
echo "model fitted on the A40 and V100 runs only; the RTX 6000 has $n runs with every feature"
echo "$trials trials: 3 RTX 6000 runs drawn at random (seeded) calibrate the model, the other $((n - 3)) score it"
echo
printf "%6s %22s %22s\n" trial "epoch time MRE %" "mean power MRE %"
printf "%6s %10s %11s %10s %11s\n" "" before after before after
sum_tb=0 sum_ta=0 sum_pb=0 sum_pa=0 better_t=0 better_p=0
for trial in $(seq 1 "$trials"); do
    awk -F, -v seed="$trial" -v n="$n" 'BEGIN { srand(seed); k = 0
        while (k < 3) { r = int(rand() * n) + 1; if (!(r in pick)) { pick[r] = 1; k++ } } }
        NR == 1 { print > "'"$tmp"'/three.csv"; print > "'"$tmp"'/rest.csv"; next }
        { print > ((NR - 1) in pick ? "'"$tmp"'/three.csv" : "'"$tmp"'/rest.csv") }' "$tmp/rtx6000.csv"
    "$jc" calibrate "$tmp/two_gpus.json" "$tmp/three.csv" --gpu-features --prior-runs "${PRIOR:-3}" -o "$tmp/calibrated.json" > /dev/null 2>&1
    read -r tb pb < <(mre "$tmp/two_gpus.json" "$tmp/rest.csv")
    read -r ta pa < <(mre "$tmp/calibrated.json" "$tmp/rest.csv")
    printf "%6d %10s %11s %10s %11s\n" "$trial" "$tb" "$ta" "$pb" "$pa"
    read -r sum_tb sum_ta sum_pb sum_pa better_t better_p < <(awk -v a="$sum_tb" -v b="$sum_ta" -v c="$sum_pb" \
        -v d="$sum_pa" -v e="$better_t" -v f="$better_p" -v tb="$tb" -v ta="$ta" -v pb="$pb" -v pa="$pa" \
        'BEGIN { print a + tb, b + ta, c + pb, d + pa, e + (ta < tb), f + (pa < pb) }')
done
awk -v a="$sum_tb" -v b="$sum_ta" -v c="$sum_pb" -v d="$sum_pa" -v e="$better_t" -v f="$better_p" -v t="$trials" \
    'BEGIN { printf "  mean %10.2f %11.2f %10.2f %11.2f\n", a / t, b / t, c / t, d / t
             printf "calibration lowered the held-out error in %d of %d trials for epoch time, %d of %d for power\n", e, t, f, t }'
