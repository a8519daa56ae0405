#!/bin/bash
# joulecast record on fake GPUs (tests/fake_nvml, through JOULECAST_NVML_LIB):
# no driver, exit status pass-through, crashes, signal forwarding, NVML
# faults mid-run, markers, GPU selection, output that never half-replaces a
# recording, and a recorder killed outright.
source "$(dirname "$0")/lib.sh" "$1"
if [ -z "${JC_FAKE_NVML:-}" ] || [ ! -f "$JC_FAKE_NVML" ]; then
    echo "skipped: JC_FAKE_NVML (the fake libnvidia-ml) is not built"; exit 77
fi
export JOULECAST_NVML_LIB=$JC_FAKE_NVML
unset CUDA_VISIBLE_DEVICES
export FAKE_NVML_PROFILE="60,0.3,250,0.6"
json() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- no driver: a clear message and exit 3, nothing run
JOULECAST_NVML_LIB=$TMP/none.so expect_exit 3 "no NVML library" "$JC" record -o "$TMP/x" -- touch "$TMP/ran"
grep -q "cannot load NVML" "$TMP/err" && grep -q "driver" "$TMP/err" && ok "says the driver is missing" || bad "no-driver message: $(cat "$TMP/err")"
[ ! -e "$TMP/ran" ] && ok "the command did not run" || bad "the command ran without NVML"
FAKE_NVML_INIT_ERROR=9 expect_exit 3 "driver not loaded" "$JC" record -o "$TMP/x" -- true
grep -q "not loaded" "$TMP/err" && ok "names the NVML failure" || bad "init-error message: $(cat "$TMP/err")"

# --- usage errors
expect_exit 2 "no command" "$JC" record -o "$TMP/x"
expect_exit 2 "bad --meta" "$JC" record --meta novalue -- true
expect_exit 2 "bad interval" "$JC" record --interval-ms 0 -- true
expect_exit 2 "bad regex" "$JC" record -o "$TMP/re" --mark-regex '(' -- true
FAKE_NVML_GPUS=2 expect_exit 2 "GPU that does not exist" "$JC" record -o "$TMP/g" --gpus 5 -- true
grep -q "GPU 5 does not exist" "$TMP/err" && ok "names the missing GPU" || bad "missing GPU message: $(cat "$TMP/err")"
CUDA_VISIBLE_DEVICES=-1 expect_exit 2 "CUDA_VISIBLE_DEVICES=-1" "$JC" record -o "$TMP/g" -- true

# --- exit status passes through; run.json says how it ended
expect_exit 7 "exit status of the command" "$JC" record -o "$TMP/s7" --meta arch=resnet50 --meta batch=128 -- sh -c 'sleep 0.5; exit 7'
[ "$(json "$TMP/s7/run.json" 'd["exit_status"], d["complete"], d["meta"]["arch"], d["meta"]["batch"], d["power_source"]')" = "(7, True, 'resnet50', '128', 'instant')" ] \
    && ok "run.json: exit status, meta, power source" || bad "run.json: $(cat "$TMP/s7/run.json")"
[ "$(json "$TMP/s7/run.json" 'd["sampler"]["samples"] > 0 and d["sampler"]["jitter_p99_ms"] is not None and d["gpus"][0]["uuid"].startswith("GPU-")')" = True ] \
    && ok "run.json: sampler statistics, GPU uuid" || bad "run.json sampler: $(cat "$TMP/s7/run.json")"
expect_exit 127 "command not found" "$JC" record -o "$TMP/nf" -- "$TMP/no-such-command"
grep -q "cannot run" "$TMP/err" && ok "says it cannot run it" || bad "not-found message: $(cat "$TMP/err")"
printf 'x' > "$TMP/notexec"; chmod -x "$TMP/notexec"
expect_exit 126 "command not executable" "$JC" record -o "$TMP/ne" -- "$TMP/notexec"

# --- a crash of the command leaves a complete, valid trace
expect_exit 139 "command killed by SIGSEGV" "$JC" record -o "$TMP/crash" -- sh -c 'sleep 1; kill -SEGV $$'
[ "$(json "$TMP/crash/run.json" 'd["exit_signal"], d["complete"]')" = "(11, True)" ] && ok "run.json: exit signal 11" || bad "crash run.json"
expect_exit 0 "analyze reads the crashed run" "$JC" analyze "$TMP/crash" --json
"$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); g=d['traces'][0]['gpus'][0]; sys.exit(0 if g['samples'] >= 8 and g['duration_s'] > 0.8 else 1)" "$TMP/out" \
    && ok "crashed run: samples up to the crash" || bad "crashed run analysis: $(head -c 600 "$TMP/out")"

# --- an existing recording is never replaced without --force
before=$(md5sum < "$TMP/s7/trace.csv")
expect_exit 1 "refuses to overwrite a recording" "$JC" record -o "$TMP/s7" -- true
grep -q "already there" "$TMP/err" && [ "$(md5sum < "$TMP/s7/trace.csv")" = "$before" ] && ok "old recording intact" || bad "overwrite: $(cat "$TMP/err")"
expect_exit 0 "--force replaces it" "$JC" record -o "$TMP/s7" --force -- true

# --- signals: SIGTERM and SIGINT sent to joulecast reach the command once.
# Job control on: a script's background jobs otherwise start with SIGINT
# ignored, and an ignored signal is neither delivered nor forwarded.
set -m
for sig in TERM INT; do
    "$JC" record -o "$TMP/sig$sig" -- sh -c "trap 'echo got $sig; exit 42' $sig; while :; do sleep 0.1; done" > "$TMP/sigout" 2>&1 &
    pid=$!
    sleep 1.5
    kill -$sig $pid
    wait $pid; got=$?
    [ $got -eq 42 ] && grep -q "got $sig" "$TMP/sigout" && ok "SIG$sig forwarded, status passed back" || bad "SIG$sig: exit $got, $(cat "$TMP/sigout")"
    [ "$(json "$TMP/sig$sig/run.json" 'd["complete"], d["exit_status"], d["signal_received"] is not None')" = "(True, 42, True)" ] \
        && ok "SIG$sig: run.json complete" || bad "SIG$sig run.json: $(cat "$TMP/sig$sig/run.json")"
done
set +m

# --- markers from the output and from JOULECAST_MARK; the output is unchanged
"$JC" record -o "$TMP/mk" --mark-regex '^Epoch ([0-9]+)/' -- sh -c \
    'for i in 1 2 3; do echo "Epoch $i/3 loss 0.$i"; echo "to stderr $i" >&2; echo "phase $i" > "$JOULECAST_MARK"; sleep 0.3; done' \
    > "$TMP/mkout" 2> "$TMP/mkerr"
[ "$(cat "$TMP/mkout")" = "$(printf 'Epoch 1/3 loss 0.1\nEpoch 2/3 loss 0.2\nEpoch 3/3 loss 0.3')" ] && ok "stdout passed through unchanged" || bad "stdout: $(cat "$TMP/mkout")"
grep -q "to stderr 3" "$TMP/mkerr" && ok "stderr passed through" || bad "stderr: $(cat "$TMP/mkerr")"
[ "$(json "$TMP/mk/run.json" 'sorted(m["label"] for m in d["markers"])')" = "['1', '2', '3', 'phase 1', 'phase 2', 'phase 3']" ] \
    && ok "markers from --mark-regex (group) and JOULECAST_MARK" || bad "markers: $(cat "$TMP/mk/run.json")"
[ "$(json "$TMP/mk/run.json" 'all(0 <= m["t_s"] < 2 for m in d["markers"])')" = True ] && ok "marker times on the trace axis" || bad "marker times"

# --- GPU selection
FAKE_NVML_GPUS=3 CUDA_VISIBLE_DEVICES=2,0 "$JC" record --quiet -o "$TMP/cvd" -- sleep 0.5
[ "$(cut -d, -f2 "$TMP/cvd/trace.csv" | sort -u | tr '\n' ' ')" = "0 2 gpu " ] && ok "CUDA_VISIBLE_DEVICES=2,0 samples GPUs 0 and 2" || bad "cvd: $(cut -d, -f2 "$TMP/cvd/trace.csv" | sort -u)"
FAKE_NVML_GPUS=3 "$JC" record --quiet -o "$TMP/uuid" --gpus GPU-fake0000-0000-0000-0000-000000000001 -- sleep 0.3
[ "$(cut -d, -f2 "$TMP/uuid/trace.csv" | sort -u | tr '\n' ' ')" = "1 gpu " ] && ok "--gpus by UUID" || bad "uuid selection"

# --- NVML faults mid-run are recorded and reported, not fatal
FAKE_NVML_GPUS=2 FAKE_NVML_LOST="1:1.0" expect_exit 0 "GPU lost mid-run" "$JC" record -o "$TMP/lost" -- sleep 2.5
grep -q "GPU 1: power failed" "$TMP/err" && grep -qi "lost" "$TMP/err" && ok "reports the lost GPU at the end" || bad "lost report: $(cat "$TMP/err")"
"$PY" - "$TMP/lost" <<'PY' && ok "GPU 0 sampled to the end, GPU 1 until lost" || bad "lost GPU trace"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/trace.csv")))
t0 = max(float(r["time_s"]) for r in rows if r["gpu"] == "0")
t1 = max(float(r["time_s"]) for r in rows if r["gpu"] == "1")
run = json.load(open(sys.argv[1] + "/run.json"))
errs = [e for e in run["nvml_errors"] if e["gpu"] == 1 and e["code"] == 15]
lost = [g for g in run["gpus"] if g["index"] == 1][0].get("lost_at_s")
sys.exit(0 if t0 > 2.3 and 0.8 < t1 < 1.2 and errs and lost and 0.9 < lost < 1.3 else 1)
PY
FAKE_NVML_UNSUPPORTED=instant,energy,temp expect_exit 0 "unsupported fields" "$JC" record -o "$TMP/unsup" -- sleep 1
[ "$(json "$TMP/unsup/run.json" 'd["power_source"], d["energy_source"], d["gpus"][0]["not_supported"]')" = "('average', 'samples', ['energy counter', 'temperature'])" ] \
    && ok "falls back to nvmlDeviceGetPowerUsage and integrated energy" || bad "unsupported: $(cat "$TMP/unsup/run.json")"
[ "$(sed -n 2p "$TMP/unsup/trace.csv" | cut -d, -f4,9)" = "," ] && ok "unsupported columns left empty" || bad "unsupported cells: $(sed -n 2p "$TMP/unsup/trace.csv")"
FAKE_NVML_SLOW_MS=150 expect_exit 0 "slow NVML calls" "$JC" record -o "$TMP/slow" -- sleep 1.5
[ "$(json "$TMP/slow/run.json" 'd["sampler"]["missed_deadlines"] > 0')" = True ] && ok "missed deadlines counted" || bad "slow: $(cat "$TMP/slow/run.json")"

# --- the recorder itself killed: at most a second lost, the trace readable
"$JC" record -o "$TMP/killed" -- sleep 30 > /dev/null 2>&1 &
pid=$!
sleep 3.2
child=$(pgrep -P $pid)   # the command, orphaned once joulecast is gone
kill -KILL $pid; wait $pid 2>/dev/null
[ -n "$child" ] && kill $child 2>/dev/null
last=$(tail -n 1 "$TMP/killed/trace.csv" | cut -d, -f1)
"$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) > 3.2 - 1.3 else 1)" "$last" && ok "killed recorder: rows up to the last second (last t = $last s)" || bad "killed recorder lost too much: last t = $last"
[ "$(json "$TMP/killed/run.json" 'd["complete"]')" = False ] && ok "killed recorder: run.json says incomplete" || bad "killed run.json"
expect_exit 0 "analyze reads the killed recording" "$JC" analyze "$TMP/killed"

finish
