#!/bin/bash
# A square wave recorded from a fake GPU, analysed by `joulecast analyze`
# with no options, gives back the simulated peak and valley power and
# durations within 2 %, and the energy counter agrees with integrated power.
# (8 periods of 1.5 s + 3 s for the period search; 50 Hz so that 2 % of
# 1.5 s is more than a sample.) A short recording, about 3 periods, too few
# for the period search, is found from the power levels.
source "$(dirname "$0")/lib.sh" "$1"
if [ -z "${JC_FAKE_NVML:-}" ] || [ ! -f "$JC_FAKE_NVML" ]; then
    echo "skipped: JC_FAKE_NVML (the fake libnvidia-ml) is not built"; exit 77
fi
export JOULECAST_NVML_LIB=$JC_FAKE_NVML FAKE_NVML_GPUS=2 FAKE_NVML_PROFILE="60,1.5,250,3,1" FAKE_NVML_NOISE_W=4
unset CUDA_VISIBLE_DEVICES
expect_exit 0 "record 37 s of a square wave on 2 fake GPUs at 50 Hz" "$JC" record -o "$TMP/wave" --interval-ms 20 -- sleep 37
cat "$TMP/err"
expect_exit 0 "analyze the recording folder, no options" "$JC" analyze "$TMP/wave" --json
"$PY" - "$TMP/out" "$TMP/wave/run.json" <<'PY' && ok "peak/valley power and durations within 2 %, energy within 1 %" || bad "square wave not recovered"
import json, sys
a = json.load(open(sys.argv[1]))["traces"][0]
run = json.load(open(sys.argv[2]))
want = {"peak_power_w": 250, "valley_power_w": 60, "peak_s": 3.0, "valley_s": 1.5}
good = True
for g in a["gpus"]:
    for k, v in want.items():
        got = g[k]["mean"]
        err = abs(got - v) / v
        print(f"GPU {g['gpu']} {k}: {got:.4f} (simulated {v}, {100 * err:.2f} %)")
        good &= err <= 0.02
    print(f"GPU {g['gpu']} epochs: {g['epochs']}")
    good &= g["epochs"] >= 7
for g, ga in zip(run["gpus"], a["gpus"]):
    e_counter, e_samples = g["energy_j"], ga["energy_j"]
    print(f"GPU {g['index']} energy: counter {e_counter:.1f} J, samples {e_samples:.1f} J")
    good &= abs(e_counter - e_samples) / e_counter < 0.01
sys.exit(0 if good else 1)
PY
export FAKE_NVML_GPUS=1
# 15 s: 1 s lead-in, then 1.5 s valleys and 3 s peaks; the third peak ends at
# 14.5 s, so a second more or less of recording changes nothing
expect_exit 0 "record 15 s (about 3 periods) on 1 fake GPU" "$JC" record -o "$TMP/short" --interval-ms 20 -- sleep 15
expect_exit 0 "analyze the short recording" "$JC" analyze "$TMP/short" --json
"$PY" - "$TMP/out" <<'PY' && ok "3 epochs from the power levels, levels and durations within 2 %" || bad "short square wave not recovered"
import json, sys
g = json.load(open(sys.argv[1]))["traces"][0]["gpus"][0]
want = {"peak_power_w": 250, "valley_power_w": 60, "peak_s": 3.0, "valley_s": 1.5}
good = g["epochs"] == 3 and g["used_levels"]
print(f"epochs {g['epochs']}, from the levels: {g['used_levels']}")
for k, v in want.items():
    got = g[k]["mean"]
    print(f"{k}: {got:.4f} (simulated {v})")
    good &= abs(got - v) / v <= 0.02
sys.exit(0 if good else 1)
PY
finish
