#!/bin/bash
# joulecast predict / hc / calibrate on the shipped runs tables (data/):
# a small model fitted here, its forecast (JSON fields, interval, warnings,
# plot), errors; HC per GPU; a calibration to a GPU the model never saw.
source "$(dirname "$0")/lib.sh" "$1"
DATA=$(cd "$2/../../data" && pwd)
SEAA=$DATA/seaa2023_runs.csv ZEUS=$DATA/zeus_runs.csv

expect_exit 0 "fit a wave model with bootstrap members" "$JC" fit "$SEAA" --targets peak_power_w,peak_s,valley_power_w,valley_s \
    --features flops,samples,batch_size --log flops --model ols --bootstrap 8 -o "$TMP/wave.json"
expect_exit 0 "predict with it" "$JC" predict --model "$TMP/wave.json" --arch resnet50 --image 128 --samples 23807 \
    --batch 32 --epochs 20 --gpu 'RTX 3090' --gpus 4 --servers 10 --price 0.3 --json --plot "$TMP/f.svg"
"$PY" - "$TMP/out" <<'PY' && ok "forecast JSON: wave, figures, interval, no warnings inside the data" || bad "forecast JSON: $(head -c 1500 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
w, f = d["wave"], d["figures"]
assert d["task"]["gpu"] == "RTX 3090" and d["task"]["epochs"] == 20 and not d["flat"]
assert 100 < w["peak_power_w"] < 350 and w["peak_s"] > 0 and w["valley_s"] > 0
cyc = w["valley_s"] + w["peak_s"]
assert abs(f["cycle_s"] - cyc) < 1e-9 and abs(f["duration_s"] - 20 * cyc) < 1e-6
e = 20 * (w["valley_power_w"] * w["valley_s"] + w["peak_power_w"] * w["peak_s"])
assert abs(f["energy_gpu_j"] - e) < 1e-6 * e and abs(f["energy_all_j"] - 40 * e) < 1e-6 * 40 * e
assert abs(f["cost_job_all"] - 0.3 * f["energy_all_j"] / 3.6e6) < 1e-9
iv = d["interval"]
assert iv["members"] == 8 and iv["figures"]["lo"]["energy_gpu_j"] <= f["energy_gpu_j"] <= iv["figures"]["hi"]["energy_gpu_j"]
assert d["warnings"] == [], d["warnings"]
PY
grep -q "<svg" "$TMP/f.svg" && ok "plot written" || bad "no plot"
expect_exit 0 "predict outside the data" "$JC" predict --model "$TMP/wave.json" --arch vit_b_16 --image 224 --samples 1281167 --batch 512 --gpu A40
grep -q "warning: the model was not fitted on A40" "$TMP/out" && grep -q "warning: samples = 1.28117e+06 is outside" "$TMP/out" \
    && ok "plain warnings: unseen GPU, feature out of range" || bad "warnings: $(cat "$TMP/out")"
expect_exit 2 "a feature missing" "$JC" predict --model "$TMP/wave.json" --arch resnet50 --samples 1000
grep -q "needs 'batch_size' (--batch N)" "$TMP/err" && ok "names the option" || bad "missing feature: $(cat "$TMP/err")"
expect_exit 2 "an ambiguous GPU" "$JC" predict --model "$TMP/wave.json" --arch resnet50 --samples 1000 --batch 32 --gpu A100
expect_exit 2 "no network" "$JC" predict --model "$TMP/wave.json" --batch 32
expect_exit 1 "no such model file" "$JC" predict --model "$TMP/none.json" --arch resnet50

# a flat (Zeus-style) model with GPU features
expect_exit 0 "fit epoch time and power with GPU features" "$JC" fit "$ZEUS" --targets time_per_epoch_s,avg_power_w \
    --features batch_size,power_limit_w,gpu_tdp_w,gpu_memory_bandwidth_gbs --gpu-features --model ridge -o "$TMP/flat.json"
expect_exit 0 "predict with the flat model" "$JC" predict --model "$TMP/flat.json" --arch resnet50 --batch 128 --gpu 'NVIDIA V100' --json
"$PY" -c "
import json,sys; d=json.load(open(sys.argv[1]))
assert d['flat'] and d['wave']['valley_s']==0 and d['wave']['peak_s']>0 and d['wave']['peak_power_w']>0
" "$TMP/out" && ok "flat wave: no valley" || bad "flat: $(head -c 800 "$TMP/out")"

# HC x MACs
expect_exit 0 "hc fit --json" "$JC" hc fit "$ZEUS" --json
"$PY" -c "
import json,sys; d=json.load(open(sys.argv[1]))
g={f['group']:f for f in d['fits']}
assert set(g)=={'NVIDIA A40','NVIDIA V100','NVIDIA RTX 6000'}, g
assert all(1e-11 < f['hc_j_per_mac'] < 1e-9 and f['runs'] > 100 for f in g.values())
" "$TMP/out" && ok "HC per GPU, of the seed's order (5.9e-11 J/MAC)" || bad "hc: $(cat "$TMP/out")"
cp "$TMP/out" "$TMP/hc.json"
expect_exit 0 "hc predict" "$JC" hc predict --hc 5.9e-11 --macs 1e9 --samples 50000 --epochs 10
grep -q "= 29500 J" "$TMP/out" && ok "HC x MACs x samples x epochs" || bad "hc predict: $(cat "$TMP/out")"
expect_exit 0 "hc predict --from" "$JC" hc predict --from "$TMP/hc.json" --gpu A40 --arch resnet50 --samples 50000

# calibration to a GPU the model never saw: fit on A40 + V100, calibrate with 3 RTX 6000 runs
expect_exit 0 "fit without the RTX 6000" "$JC" fit "$ZEUS" --targets avg_power_w --features batch_size,power_limit_w,gpu_tdp_w \
    --gpu-features --model ridge --where 'gpu_model!=NVIDIA RTX 6000' -o "$TMP/two.json"
awk -F, 'NR == 1 || ($12 == "NVIDIA RTX 6000" && $3 == "resnet50" && $8 == "64")' "$ZEUS" | head -4 > "$TMP/three.csv"
expect_exit 0 "calibrate with 3 runs" "$JC" calibrate "$TMP/two.json" "$TMP/three.csv" --gpu-features -o "$TMP/cal.json"
grep -q "^avg_power_w *3 " "$TMP/out" && ok "calibration table" || bad "calibrate: $(cat "$TMP/out")"
"$PY" -c "
import json,sys; t=json.load(open(sys.argv[1]))['targets'][0]
assert t['calibration']['runs']==3 and t['calibration']['scale']>0
" "$TMP/cal.json" && ok "the scale is in the model file" || bad "calibrated file"
expect_exit 1 "calibrate: no target in the CSV" "$JC" calibrate "$TMP/two.json" "$SEAA" -o "$TMP/x.json"
[ ! -e "$TMP/x.json" ] && ok "nothing written" || bad "a file was written"
finish
