#!/usr/bin/env bash
# End-to-end: `joulecast analyze` on real traces (the five shipped seaa2023
# runs), every output mode, plots, and the errors a user meets.
# usage: test_analyze.sh JOULECAST TEST_DATA SHARED_DATA
source "$(dirname "$0")/lib.sh" "$1"
DATA=$2/seaa2023

expect_exit 0 "top-level help" "$JC" --help
grep -q analyze "$TMP/out" && ok "help lists analyze" || bad "help lists analyze"
expect_exit 0 "analyze --help" "$JC" analyze --help
grep -q -- "--plot" "$TMP/out" && ok "analyze help documents --plot" || bad "analyze help documents --plot"

# Text summary of a real trace.
expect_exit 0 "text summary" "$JC" analyze "$DATA/mobilenet_v2-run0.csv"
grep -q "energy" "$TMP/out" && grep -q "epochs" "$TMP/out" && grep -q "peak power" "$TMP/out" \
    && ok "summary shows energy, epochs, square wave" || { bad "summary content"; cat "$TMP/out"; }

# JSON for all five shipped runs, checked against the published table: energy
# against `energy (MJ)`, epochs against `trained epochs` corrected for the
# seaa2023 pipeline's +9 (see bench/bench_seaa.c and docs/analyze.md).
files=("$DATA/mobilenet_v2-run0.csv" "$DATA/nasnet_mobile-run0.csv.gz" "$DATA/resnet50-run0.csv.gz"
       "$DATA/vgg16-run0.csv.gz" "$DATA/xception-run0.csv.gz")
expect_exit 0 "json over 5 traces" "$JC" analyze --json "${files[@]}"
cp "$TMP/out" "$TMP/all.json"
if "$PY" - "$TMP/all.json" "$DATA/runs.csv" <<'PYEOF'
import csv, json, sys
doc = json.load(open(sys.argv[1]))
ref = {r["architecture"]: r for r in csv.DictReader(open(sys.argv[2]))}
assert doc["format"] == "joulecast-analysis" and len(doc["traces"]) == 5
bad = 0
for t in doc["traces"]:
    arch = t["trace"].split("/")[-1].split("-run0")[0]
    r = ref[arch]
    e_rel = t["energy_j"] / (float(r["energy (MJ)"]) * 1e6) - 1
    g = t["gpus"][0]
    ep = g.get("epochs", 0)
    trained = int(r["trained epochs"])
    lo, hi = (141, 150) if trained >= 150 else (trained - 9, trained - 9)
    err = ep - lo if ep < lo else (ep - hi if ep > hi else 0)
    print(f"  {arch}: energy {e_rel*100:+.3f}%  epochs {ep} vs {lo}..{hi} (column {trained})")
    if abs(e_rel) > 0.01:
        bad += 10
    if abs(err) > 2:
        bad += 1
    if t["trace"].endswith("resnet50-run0.csv.gz"):
        assert t["read"]["skipped"] == 1 and t["read"]["first_skipped"]["line"] == 4288
    # Compute (the peak phase) takes most of an epoch; on the clean square
    # waves of MobileNetV2 and NASNet the valley is the low phase. On ResNet50,
    # VGG16 and Xception single-GPU runs the boundary may be a spike instead.
    assert g["peak_s"]["mean"] > g["valley_s"]["mean"], g
    if arch in ("mobilenet_v2", "nasnet_mobile"):
        assert g["peak_power_w"]["mean"] > g["valley_power_w"]["mean"], g
# Energy must hold for every run; epochs for at least 4 of the 5 (the goal is
# 90% over all 150 runs, checked by test_seaa_goals; VGG16's frozen phase is
# the known weak spot, see docs/analyze.md).
sys.exit(1 if bad > 1 else 0)
PYEOF
then ok "energy within 1% and epochs within 2 of the (corrected) published table"; else bad "json vs published table"; fi

# CSV: a header and one row per trace.
expect_exit 0 "csv" "$JC" analyze --csv "${files[@]}"
[ "$(wc -l <"$TMP/out")" -eq 6 ] && head -1 "$TMP/out" | grep -q "^trace,gpu,samples" && ok "csv rows" || bad "csv rows"

# Plots, both formats.
expect_exit 0 "svg plot" "$JC" analyze "$DATA/resnet50-run0.csv.gz" --plot "$TMP/p.svg"
head -c 200 "$TMP/p.svg" | grep -q "<svg\|<?xml" && ok "svg written" || bad "svg written"
expect_exit 0 "png plot" "$JC" analyze "$DATA/resnet50-run0.csv.gz" --plot "$TMP/p.png"
[ "$(head -c 8 "$TMP/p.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] && ok "png written" || bad "png written"
expect_exit 0 "numbered plots for several traces" "$JC" analyze "${files[@]:0:2}" --plot "$TMP/m.svg"
[ -s "$TMP/m-1.svg" ] && [ -s "$TMP/m-2.svg" ] && ok "m-1.svg m-2.svg" || bad "numbered plots"

# Replicates averaged point by point.
expect_exit 0 "average of replicates" "$JC" analyze --average "$DATA/mobilenet_v2-run0.csv" "$DATA/mobilenet_v2-run0.csv"
grep -q "mean of replicates" "$TMP/out" && ok "average reported" || bad "average reported"

# Several GPUs interleaved, no header, gzip.
{
    for i in $(seq 0 599); do
        s=$((i / 10)); ms=$(( (i % 10) * 100 ))
        p=$(( (i / 50) % 2 == 0 ? 300 : 120 ))
        printf '2023/03/08 17:%02d:%02d.%03d, GPU-00000000-0000-0000-0000-00000000000%d, %d.0 W, 400.00 W\n' \
            $((s / 60)) $((s % 60)) $ms 0 $p
        printf '2023/03/08 17:%02d:%02d.%03d, GPU-00000000-0000-0000-0000-00000000000%d, %d.5 W, 400.00 W\n' \
            $((s / 60)) $((s % 60)) $((ms + 1)) 1 $((p - 10))
    done
} | gzip >"$TMP/multi.csv.gz"
expect_exit 0 "headerless two-GPU gzip" "$JC" analyze --json "$TMP/multi.csv.gz"
"$PY" -c "
import json,sys; d=json.load(open('$TMP/out'))['traces'][0]
assert len(d['gpus'])==2, d
e0=d['gpus'][0]['energy_j']; e1=d['gpus'][1]['energy_j']
assert abs(d['energy_j']-(e0+e1))<1e-6 and e0>e1, (e0,e1)
" && ok "two GPUs, energies summed" || bad "two GPUs"

# joulecast's own format, with epoch markers in run.json: used when present.
mkdir -p "$TMP/run"
"$PY" - "$TMP/run" <<'PYEOF'
import json, sys
d = sys.argv[1]
with open(d + "/trace.csv", "w") as f:
    f.write("time_s,gpu,power_w,util_gpu_pct\n")
    for i in range(1200):            # 120 s at 10 Hz: 6 epochs of 15 s peak + 5 s valley
        t = i / 10
        p = 300.0 if (t % 20) < 15 else 120.0
        f.write(f"{t:.1f},0,{p:.1f},{95 if p > 200 else 5}\n")
json.dump({"format": "joulecast-run", "version": 1, "start_unix": 1700000000.0, "interval_s": 0.1,
           "gpus": [{"index": 0, "name": "NVIDIA A800 80GB PCIe"}],
           "markers": [{"t_s": 20.0 * k, "label": f"epoch {k + 1}"} for k in range(6)]},
          open(d + "/run.json", "w"))
PYEOF
expect_exit 0 "joulecast trace with markers" "$JC" analyze --json --smooth 1 "$TMP/run/trace.csv"
"$PY" -c "
import json; g=json.load(open('$TMP/out'))['traces'][0]['gpus'][0]
assert g['name']=='NVIDIA A800 80GB PCIe' and g['used_markers'] and g['epochs'] in (5, 6), g
assert abs(g['peak_power_w']['mean']-300)<3 and abs(g['valley_power_w']['mean']-120)<3, g
assert abs(g['epoch_energy_j']['mean']-5100)<1, g  # 15 s x 300 W + 5 s x 120 W
assert abs(g['peak_s']['mean']-15)<1 and abs(g['valley_s']['mean']-5)<1, g
" && ok "markers used; square wave 300 W x 15 s / 120 W x 5 s" || { bad "markers"; cat "$TMP/out"; }
expect_exit 0 "same without markers" "$JC" analyze --json --no-markers "$TMP/run/trace.csv"
"$PY" -c "
import json; g=json.load(open('$TMP/out'))['traces'][0]['gpus'][0]
assert not g['used_markers'] and g['epochs'] in (5, 6), g
assert abs(g['peak_s']['mean']-15)<1 and abs(g['valley_s']['mean']-5)<1, g
" && ok "detected without markers" || { bad "no markers"; cat "$TMP/out"; }

# Errors a user meets: clear message, right exit code, nothing written.
expect_exit 1 "missing file" "$JC" analyze "$TMP/nope.csv"
grep -q "nope.csv" "$TMP/err" && ok "missing file named" || bad "missing file named"
printf 'timestamp, power.draw [W]\nhello, world\n' >"$TMP/garbage.csv"
expect_exit 1 "garbage" "$JC" analyze "$TMP/garbage.csv"
grep -q "garbage.csv:2" "$TMP/err" && ok "garbage: file and line named" || { bad "garbage message"; cat "$TMP/err"; }
: >"$TMP/empty.csv"
expect_exit 1 "empty file" "$JC" analyze "$TMP/empty.csv"
grep -q "empty" "$TMP/err" && ok "empty named" || bad "empty message"
printf 'timestamp, name\n2022-12-05 09:55:42.535, X\n' >"$TMP/nopower.csv"
expect_exit 1 "no power column" "$JC" analyze "$TMP/nopower.csv"
grep -q "nopower.csv:1: no power column" "$TMP/err" && ok "no power column named" || bad "no power column msg"
printf 'timestamp, power.draw [W]\n2022-12-05 09:55:42.000, 1 W\n2022-12-05 09:55:41.000, 1 W\n' >"$TMP/back.csv"
expect_exit 1 "time backwards" "$JC" analyze "$TMP/back.csv"
grep -q "back.csv:3" "$TMP/err" && ok "backwards line named" || bad "backwards msg"
expect_exit 2 "no trace given" "$JC" analyze
expect_exit 2 "bad --smooth" "$JC" analyze --smooth x "$DATA/mobilenet_v2-run0.csv"
grep -q -- "--smooth" "$TMP/err" && ok "bad option named" || bad "bad option named"
expect_exit 2 "unknown command" "$JC" frobnicate
expect_exit 1 "plot to unknown format" "$JC" analyze "$DATA/mobilenet_v2-run0.csv" --plot "$TMP/p.jpg"
[ ! -e "$TMP/p.jpg" ] && ok "no file for a bad plot format" || bad "bad plot left a file"
echo good >"$TMP/keep.svg"
expect_exit 1 "failed analysis keeps an existing plot" "$JC" analyze "$TMP/garbage.csv" --plot "$TMP/keep.svg"
[ "$(cat "$TMP/keep.svg")" = good ] && ok "existing plot untouched" || bad "existing plot overwritten"

finish
