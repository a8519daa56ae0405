#!/bin/bash
# joulecast dataset on the full public data (../shared/data): every Zeus
# power trace and every seaa2023 run, with the square wave from all 150
# Cloud traces; and the shipped data/*.csv are what scripts/make_datasets.sh
# makes from it today. Skipped (77) when the shared data is absent.
source "$(dirname "$0")/lib.sh" "$1"
DATA=$2
SHARED=${3:-}
ROOT=$(cd "$DATA/../.." && pwd)
if [ -z "$SHARED" ] || [ ! -d "$SHARED/zeus-nsdi23" ] || [ ! -d "$SHARED/seaa2023/raw/cloud" ]; then
    echo "skipped: the shared data (../shared/data) is absent"; exit 77
fi
export JC_NO_PROGRESS=1

expect_exit 0 "regenerate the shipped datasets" bash "$ROOT/scripts/make_datasets.sh" "$JC" "$SHARED" "$TMP/data"
grep -q "zeus_runs.csv: 1339 rows" "$TMP/out" && ok "Zeus: 1339 rows (A40 453, V100 476, RTX 6000 410)" || bad "zeus: $(cat "$TMP/out")"
grep -Eq "seaa2023_runs.csv: 210 rows, 1(4[0-9]|50) with square-wave targets" "$TMP/out" \
    && ok "seaa2023: 210 rows, the square wave for at least 140 of the 150 Cloud runs" || bad "seaa: $(cat "$TMP/out")"
[ "$(grep -c "unknown architecture" "$TMP/err")" = 2 ] && ok "two warnings: deepspeech2, ncf" || bad "warnings: $(cat "$TMP/err")"

# The shipped files match, numbers to 1e-9 (trace analysis may round
# differently between builds); a mismatch means data/ needs regenerating.
"$PY" - "$ROOT/data" "$TMP/data" <<'PY' && ok "data/*.csv are up to date" || bad "data/ differs from scripts/make_datasets.sh's output: rerun it"
import csv, math, sys
good = True
for name in ("zeus_runs.csv", "seaa2023_runs.csv"):
    a = list(csv.reader(open(f"{sys.argv[1]}/{name}")))
    b = list(csv.reader(open(f"{sys.argv[2]}/{name}")))
    if len(a) != len(b) or a[0] != b[0]:
        print(f"{name}: {len(a)} vs {len(b)} lines or another header"); good = False; continue
    for i, (ra, rb) in enumerate(zip(a, b)):
        for h, x, y in zip(a[0], ra, rb):
            if x == y:
                continue
            try:
                fx, fy = float(x), float(y)
                if math.isclose(fx, fy, rel_tol=1e-9):
                    continue
            except ValueError:
                pass
            print(f"{name}:{i + 1}: {h}: shipped '{x}', made '{y}'"); good = False
for lic in ("LICENSE-Apache-2.0.txt", "LICENSE-CC-BY-4.0.txt"):
    good &= open(f"{sys.argv[1]}/{lic}", "rb").read() == open(f"{sys.argv[2]}/{lic}", "rb").read()
sys.exit(0 if good else 1)
PY

# What the rows say about the real data.
"$PY" - "$TMP/data/zeus_runs.csv" "$TMP/data/seaa2023_runs.csv" <<'PY' && ok "rows agree with the sources" || bad "row contents"
import csv, sys
z = list(csv.DictReader(open(sys.argv[1])))
s = list(csv.DictReader(open(sys.argv[2])))
good = True
gpus = {r["gpu_model"] for r in z}
good &= gpus == {"NVIDIA A40", "NVIDIA V100", "NVIDIA RTX 6000"}
good &= all(abs(float(r["epoch_energy_j"]) - float(r["time_per_epoch_s"]) * float(r["avg_power_w"])) < 1e-6 * float(r["epoch_energy_j"]) for r in z)
good &= {r["arch"] for r in z if r["params"]} == {"shufflenet_v2_x1_0", "resnet50", "bert_base"}
cloud = [r for r in s if r["run_id"].startswith("cloud-")]
local = [r for r in s if r["run_id"].startswith("local-")]
good &= len(cloud) == 150 and len(local) == 60 and all(r["peak_power_w"] == "" for r in local)
# Per-epoch energy x epochs is within reach of the run's energy where the
# square wave was found (setup time and the frozen epochs differ).
ratios = sorted(float(r["epoch_energy_j"]) * float(r["epochs"]) / float(r["energy_j"]) for r in cloud if r["peak_power_w"])
med = ratios[len(ratios) // 2]
print(f"epoch energy x epochs / run energy: median {med:.3f}")
good &= 0.8 < med < 1.1
sys.exit(0 if good else 1)
PY
finish
