#!/bin/bash
# joulecast powercap on fake GPUs: the levels table, and the original power
# limit put back after success, a failed limit change, a failed run, a
# signal, and (by --restore) after the sweep itself was killed.
source "$(dirname "$0")/lib.sh" "$1"
if [ -z "${JC_FAKE_NVML:-}" ] || [ ! -f "$JC_FAKE_NVML" ]; then
    echo "skipped: JC_FAKE_NVML (the fake libnvidia-ml) is not built"; exit 77
fi
export JOULECAST_NVML_LIB=$JC_FAKE_NVML FAKE_NVML_GPUS=2 FAKE_NVML_PROFILE="60,0.2,300,0.4"
export FAKE_NVML_STATE=$TMP/limits FAKE_NVML_CALL_LOG=$TMP/calls
unset CUDA_VISIBLE_DEVICES
limits() { tr '\n' ' ' < "$FAKE_NVML_STATE"; }   # mW per GPU, as the fake keeps them

expect_exit 0 "sweep 150:250:50 W" "$JC" powercap --limits 150:250:50 -o "$TMP/sw" -- sleep 1
"$PY" - "$TMP/sw/levels.csv" <<'PY' && ok "levels.csv: 3 levels, time ~1 s, power capped at the limit" || bad "levels: $(cat "$TMP/sw/levels.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
good = [float(r["power_limit_w"]) for r in rows] == [150, 200, 250]
for r in rows:
    lim, t, e, p = (float(r[k]) for k in ("power_limit_w", "time_s", "energy_j", "avg_power_w"))
    # 2 GPUs; peak 300 W clipped to the limit, valley 60 W, 1/3 valley
    expect = 2 * (60 / 3 + min(300, lim) * 2 / 3)
    print(f"{lim:g} W: {t:.2f} s, {e:.0f} J, {p:.1f} W (expected about {expect:.0f} W)")
    good &= 0.9 < t < 1.5 and abs(p - expect) / expect < 0.15 and r["exit_status"] == "0" and r["energy_source"] == "counter"
sys.exit(0 if good else 1)
PY
[ -f "$TMP/sw/limit-200W/trace.csv" ] && [ "$("$PY" -c "import json;print(json.load(open('$TMP/sw/limit-200W/run.json'))['meta']['power_limit_w'])")" = 200 ] \
    && ok "one recording per level, its limit in meta" || bad "per-level recordings"
[ "$(limits)" = "300000 300000 " ] && [ ! -e "$TMP/sw/restore.json" ] && ok "limits restored to 300 W, restore.json removed" || bad "after sweep: $(limits)"

# a limit change that fails in the middle: error, limits back
: > "$FAKE_NVML_CALL_LOG"
FAKE_NVML_SET_FAIL_W=200 expect_exit 1 "limit change fails mid-sweep" "$JC" powercap --limits 150:250:50 -o "$TMP/fail" -- true
grep -q "cannot set the power limit to 200 W" "$TMP/err" && ok "names the failed limit" || bad "message: $(cat "$TMP/err")"
[ "$(limits)" = "300000 300000 " ] && [ "$(tail -n 2 "$FAKE_NVML_CALL_LOG" | cut -d' ' -f3 | tr '\n' ' ')" = "300000 300000 " ] \
    && ok "restored after the failure" || bad "after failure: $(limits); $(cat "$FAKE_NVML_CALL_LOG")"
[ "$(wc -l < "$TMP/fail/levels.csv")" = 2 ] && ok "the level measured before the failure is kept" || bad "levels after failure"

# no permission: nothing changes, clear message
FAKE_NVML_SET_ERROR=4 expect_exit 1 "no permission" "$JC" powercap --limits 200 -o "$TMP/perm" -- true
grep -q "needs root" "$TMP/err" && [ "$(limits)" = "300000 300000 " ] && ok "says it needs root" || bad "perm: $(cat "$TMP/err")"

# out of range: refused before anything runs
expect_exit 2 "limit outside the GPU's range" "$JC" powercap --limits 50:150:50 -o "$TMP/range" -- touch "$TMP/ran"
[ ! -e "$TMP/ran" ] && grep -q "outside GPU 0's allowed range 100 to 350 W" "$TMP/err" && ok "range checked first" || bad "range: $(cat "$TMP/err")"
expect_exit 2 "bad --limits" "$JC" powercap --limits 100:200:0 -- true

# a failing run stops the sweep (exit status passed), limits back
expect_exit 3 "a run fails" "$JC" powercap --limits 150,200 -o "$TMP/runfail" -- sh -c 'exit 3'
[ "$(wc -l < "$TMP/runfail/levels.csv")" = 2 ] && [ "$(limits)" = "300000 300000 " ] && ok "stopped after the failed run, restored" || bad "runfail"
expect_exit 3 "--keep-going runs every level" "$JC" powercap --keep-going --limits 150,200 -o "$TMP/keep" -- sh -c 'exit 3'
[ "$(wc -l < "$TMP/keep/levels.csv")" = 3 ] && ok "--keep-going: both levels" || bad "keep-going"

# SIGTERM mid-sweep: forwarded, sweep stops, limits back
"$JC" powercap --limits 150,200,250 -o "$TMP/sig" -- sleep 20 > /dev/null 2> "$TMP/sigerr" &
pid=$!
sleep 1.5
[ "$(limits)" = "150000 150000 " ] && ok "limit applied during the run" || bad "during run: $(limits)"
kill -TERM $pid; wait $pid; got=$?
[ $got -eq 143 ] && [ "$(limits)" = "300000 300000 " ] && [ ! -e "$TMP/sig/restore.json" ] && ok "SIGTERM: exit 143, limits restored" || bad "SIGTERM: exit $got, $(limits); $(cat "$TMP/sigerr")"

# the sweep killed outright: restore.json stays, a new sweep refuses, --restore fixes it
"$JC" powercap --limits 150 -o "$TMP/dead" -- sleep 20 > /dev/null 2>&1 &
pid=$!
sleep 1.5
child=$(pgrep -P $pid)   # the command, orphaned once joulecast is gone
kill -KILL $pid; wait $pid 2>/dev/null
[ -n "$child" ] && kill $child 2>/dev/null
[ "$(limits)" = "150000 150000 " ] && [ -f "$TMP/dead/restore.json" ] && ok "killed sweep leaves restore.json" || bad "killed: $(limits)"
expect_exit 2 "a new sweep into the same folder refuses" "$JC" powercap --limits 200 -o "$TMP/dead" -- true
grep -q "powercap --restore" "$TMP/err" && ok "points to --restore" || bad "refusal: $(cat "$TMP/err")"
expect_exit 0 "--restore" "$JC" powercap --restore "$TMP/dead"
[ "$(limits)" = "300000 300000 " ] && [ ! -e "$TMP/dead/restore.json" ] && ok "--restore put 300 W back" || bad "restore: $(limits)"
finish
