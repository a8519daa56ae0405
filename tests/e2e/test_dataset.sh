#!/bin/bash
# joulecast dataset: `build` over recordings made here on a fake GPU (a 37 s
# square wave whose peak, valley and durations come back; short runs whose
# square-wave targets stay empty; an unknown network that only warns), the
# importers on the shipped excerpts, usage errors, errors that name the file
# and line, and an output file never half-replaced.
source "$(dirname "$0")/lib.sh" "$1"
DATA=$2
if [ -z "${JC_FAKE_NVML:-}" ] || [ ! -f "$JC_FAKE_NVML" ]; then
    echo "skipped: JC_FAKE_NVML (the fake libnvidia-ml) is not built"; exit 77
fi
export JOULECAST_NVML_LIB=$JC_FAKE_NVML JC_NO_PROGRESS=1
unset CUDA_VISIBLE_DEVICES
# cell FILE RUN_ID COLUMN: one cell of the runs CSV
cell() { "$PY" -c "
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r['run_id'] == sys.argv[2]: print(r[sys.argv[3]])" "$@"; }
rows() { "$PY" -c "import csv, sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1]))))" "$1"; }

# --- the long recording runs in the background while the rest is checked
FAKE_NVML_PROFILE="60,1.5,250,3,1" "$JC" record -o "$TMP/wave" --quiet --interval-ms 20 \
    --meta arch=resnet18 --meta batch=64 --meta image=224 --meta samples=50000 --meta dataset=cifar10 \
    -- sleep 37 > "$TMP/wave.log" 2>&1 &
wave_pid=$!

# --- help and usage
expect_exit 0 "--help" "$JC" dataset --help
grep -q "batch, batch_size" "$TMP/out" && grep -q "peak_power_w" "$TMP/out" && ok "help names meta keys and columns" || bad "help: $(head -5 "$TMP/out")"
expect_exit 2 "no subcommand" "$JC" dataset
expect_exit 2 "unknown subcommand" "$JC" dataset make x -o "$TMP/x.csv"
expect_exit 2 "unknown importer" "$JC" dataset import nope x -o "$TMP/x.csv"
expect_exit 2 "no -o" "$JC" dataset import zeus "$DATA/learn/zeus_a40_power.csv"
expect_exit 2 "no input" "$JC" dataset build -o "$TMP/x.csv"
expect_exit 2 "--gpu with build" "$JC" dataset build "$TMP" --gpu A40 -o "$TMP/x.csv"
expect_exit 2 "two seaa tables" "$JC" dataset import seaa a.csv b.csv -o "$TMP/x.csv"

# --- short recordings: no epochs, so no square wave; an unknown network warns
FAKE_NVML_PROFILE="60,1.5,250,3,1" "$JC" record -o "$TMP/short" --quiet --interval-ms 20 \
    --meta arch=resnet18 --meta batch=64 --meta image=224 -- sleep 2
FAKE_NVML_GPUS=2 "$JC" record -o "$TMP/odd" --quiet --interval-ms 50 \
    --meta model=mystery_net --meta batch_size=32 --meta epochs=5 -- sleep 1
expect_exit 0 "build from two short recordings" "$JC" dataset build "$TMP/short" "$TMP/odd" -o "$TMP/short.csv"
grep -q "mystery_net" "$TMP/err" && grep -q "warning" "$TMP/err" && ok "unknown network: a warning naming it" || bad "no warning: $(cat "$TMP/err")"
[ "$(rows "$TMP/short.csv")" = 2 ] && ok "one row per recording" || bad "rows: $(cat "$TMP/short.csv")"
[ "$(for c in peak_power_w peak_s valley_power_w valley_s epoch_energy_j time_per_epoch_s epochs; do cell "$TMP/short.csv" short $c; done | tr -d '\n')" = "" ] \
    && ok "2 s recording: square-wave targets empty" || bad "short targets: $(cat "$TMP/short.csv")"
"$PY" - "$TMP/short.csv" <<'PY' && ok "short recording: energy, duration, params of resnet18" || bad "short row: $(cat "$TMP/short.csv")"
import csv, sys
r = {row["run_id"]: row for row in csv.DictReader(open(sys.argv[1]))}
s, o = r["short"], r["odd"]
good = float(s["energy_j"]) > 0 and 1.5 < float(s["duration_s"]) < 3 and s["params"] == "11689512"
good &= s["arch"] == "resnet18" and s["batch_size"] == "64" and s["gpus"] == "1" and s["gpu_model"] == "Fake GPU 80GB"
good &= o["arch"] == "mystery_net" and o["params"] == "" and o["flops"] == "" and o["gpus"] == "2" and o["epochs"] == "5"
sys.exit(0 if good else 1)
PY

# --- build errors
expect_exit 1 "a folder that does not exist" "$JC" dataset build "$TMP/none" -o "$TMP/x.csv"
grep -q "$TMP/none" "$TMP/err" && ok "names the missing folder" || bad "missing folder: $(cat "$TMP/err")"
mkdir -p "$TMP/empty"
expect_exit 1 "a folder with no run.json" "$JC" dataset build "$TMP/empty" -o "$TMP/x.csv"
grep -q "no run.json" "$TMP/err" && ok "says run.json is missing" || bad "no run.json: $(cat "$TMP/err")"
"$JC" record -o "$TMP/badmeta" --quiet --meta batch=lots -- true
expect_exit 1 "meta batch=lots" "$JC" dataset build "$TMP/badmeta" -o "$TMP/x.csv"
grep -Eq "run.json:[0-9]+: meta 'batch'" "$TMP/err" && ok "names run.json, the line and the key" || bad "bad meta: $(cat "$TMP/err")"
[ ! -e "$TMP/x.csv" ] && ok "no output written on failure" || bad "output left behind"

# --- importers on the shipped excerpts
expect_exit 0 "import zeus (A40 excerpt)" "$JC" dataset import zeus "$DATA/learn/zeus_a40_power.csv" -o "$TMP/zeus.csv"
grep -q "453 rows" "$TMP/out" && [ "$(rows "$TMP/zeus.csv")" = 453 ] && ok "453 rows" || bad "zeus rows: $(cat "$TMP/out")"
[ "$(cell "$TMP/zeus.csv" a40-imagenet-resnet50-b256-adadelta-225W gpu_model)" = "NVIDIA A40" ] \
    && [ "$(cell "$TMP/zeus.csv" a40-imagenet-resnet50-b256-adadelta-225W params)" = 25557032 ] \
    && ok "GPU from the file name, ResNet-50 params" || bad "zeus row"
grep -q "deepspeech2" "$TMP/err" && ok "deepspeech2 (not in the zoo) warned about" || bad "zeus warnings: $(cat "$TMP/err")"
expect_exit 0 "import zeus --gpu" "$JC" dataset import zeus "$DATA/learn/zeus_a40_power.csv" --gpu "NVIDIA A40-48Q" -o "$TMP/zeus2.csv"
[ "$(cell "$TMP/zeus2.csv" a40-imagenet-resnet50-b256-adadelta-225W gpu_model)" = "NVIDIA A40-48Q" ] && ok "--gpu names the GPU" || bad "--gpu"
awk -F, -v OFS=, 'NR == 5 { $6 = "fast" } 1' "$DATA/learn/zeus_a40_power.csv" > "$TMP/summary_power_a40.csv"
expect_exit 1 "import zeus: a row that is not numbers" "$JC" dataset import zeus "$TMP/summary_power_a40.csv" -o "$TMP/zeus.csv"
grep -q "summary_power_a40.csv:5:6" "$TMP/err" && ok "names file:line:column" || bad "zeus error: $(cat "$TMP/err")"
[ "$(rows "$TMP/zeus.csv")" = 453 ] && ok "the earlier output is intact" || bad "output replaced on failure"
expect_exit 1 "import zeus: missing file" "$JC" dataset import zeus "$TMP/summary_power_v100.csv" -o "$TMP/z.csv"
grep -q "summary_power_v100.csv" "$TMP/err" && ok "names the missing file" || bad "missing: $(cat "$TMP/err")"

expect_exit 0 "import seaa excerpt with traces" "$JC" dataset import seaa "$DATA/learn/seaa_runs.csv" --traces "$DATA/seaa2023" -o "$TMP/seaa.csv"
grep -q "8 rows, 5 with square-wave targets" "$TMP/out" && ok "8 runs, the 5 with traces have the square wave" || bad "seaa: $(cat "$TMP/out")"
[ "$(cell "$TMP/seaa.csv" cloud-mobilenet_v2-run0 epochs)" = 89 ] && ok "epochs corrected (98 published - 9)" || bad "seaa epochs"
awk -F, -v OFS=, 'NR == 3 { $23 = "thirty-two" } 1' "$DATA/learn/seaa_runs.csv" > "$TMP/seaa_bad.csv"
expect_exit 1 "import seaa: bad batch size" "$JC" dataset import seaa "$TMP/seaa_bad.csv" -o "$TMP/s.csv"
grep -q "seaa_bad.csv:3:23: column 'batch size'" "$TMP/err" && ok "names file:line:column" || bad "seaa error: $(cat "$TMP/err")"
expect_exit 1 "import seaa: traces folder missing" "$JC" dataset import seaa "$DATA/learn/seaa_runs.csv" --traces "$TMP/nope" -o "$TMP/s.csv"

# --- the 37 s square wave: the row carries `analyze`'s numbers exactly, and
# they are the simulated ones. The valley tolerances are wider: in some runs
# the first epoch, cut by the idle-head trim, keeps a ~0.1 s valley of ramp
# samples that pulls both valley means (up to ~6 % in power, ~12 % in time);
# the analysis's own accuracy is tests/e2e/test_record_wave.sh's subject.
wait $wave_pid || bad "wave recording failed: $(cat "$TMP/wave.log")"
expect_exit 0 "build from the square-wave recording" "$JC" dataset build "$TMP/wave" "$TMP/short" -o "$TMP/runs.csv"
grep -q "2 rows, 1 with square-wave targets" "$TMP/out" && ok "summary line" || bad "summary: $(cat "$TMP/out")"
"$JC" analyze "$TMP/wave" --json > "$TMP/wave.json"
"$PY" - "$TMP/runs.csv" "$TMP/wave.json" <<'PY' && ok "the row holds the analysis: the simulated square wave" || bad "square wave not in the row: $(cat "$TMP/runs.csv")"
import csv, json, sys
r = {row["run_id"]: row for row in csv.DictReader(open(sys.argv[1]))}["wave"]
g = json.load(open(sys.argv[2]))["traces"][0]["gpus"][0]
good = True
same = {"peak_power_w": g["peak_power_w"]["mean"], "peak_s": g["peak_s"]["mean"],
        "valley_power_w": g["valley_power_w"]["mean"], "valley_s": g["valley_s"]["mean"],
        "time_per_epoch_s": g["epoch_s"]["mean"], "epoch_energy_j": g["epoch_energy_j"]["mean"],
        "energy_j": g["energy_j"], "epochs": g["epochs"]}
for k, v in same.items():
    got = float(r[k])
    print(f"{k}: {got:.4f} (analyze {v:.4f})")
    good &= abs(got - v) <= 1e-6 * abs(v)
sim = {"peak_power_w": (250, 0.02), "valley_power_w": (60, 0.10), "peak_s": (3.0, 0.03), "valley_s": (1.5, 0.15)}
for k, (v, tol) in sim.items():
    good &= abs(float(r[k]) - v) / v <= tol
good &= int(r["epochs"]) >= 7 and r["params"] == "11689512" and r["image_size"] == "224"
good &= r["samples"] == "50000" and r["dataset"] == "cifar10" and 36 < float(r["duration_s"]) < 39
sys.exit(0 if good else 1)
PY
finish
