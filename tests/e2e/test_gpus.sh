#!/usr/bin/env bash
# End-to-end: `joulecast gpus` prints the shipped GPU table, one GPU in full
# with its source, JSON that Python parses, resolves the names nvidia-smi and
# the data sets use, and fails with the candidates (exit 1) for unknown or
# ambiguous names; JOULECAST_DATA points it at another table.
# usage: test_gpus.sh JOULECAST TEST_DATA SHARED_DATA
source "$(dirname "$0")/lib.sh" "$1"
unset JOULECAST_DATA

expect_exit 0 "the table" "$JC" gpus
grep -q "^RTX 3090 .* 350 " "$TMP/out" && ok "RTX 3090 row with its TDP" || bad "RTX 3090 row"
grep -q "^GTX 750 Ti .* 60 " "$TMP/out" && ok "GTX 750 Ti row" || bad "GTX 750 Ti row"
grep -q "gpus.csv" "$TMP/out" && ok "says where the table comes from" || bad "table path"
[ "$(grep -c -E ' (Maxwell|Pascal|Volta|Turing|Ampere|Ada Lovelace|Hopper) ' "$TMP/out")" -ge 25 ] \
    && ok "25 GPUs or more" || bad "row count"

expect_exit 0 "one GPU by its nvidia-smi name" "$JC" gpus "NVIDIA GeForce RTX 3090"
grep -q "^GPU  *RTX 3090$" "$TMP/out" && ok "resolved to RTX 3090" || bad "RTX 3090 by NVML name"
grep -q "^source  *https://" "$TMP/out" && ok "shows the source" || bad "source line"
grep -q "^idle power  *- " "$TMP/out" && ok "missing idle power shown as such" || bad "idle line"

expect_exit 0 "--json, all" "$JC" gpus --json
"$PY" - "$TMP/out" <<'PYEOF' && ok "JSON array: every GPU with figures and a source" || bad "JSON array"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) >= 25, len(d)
names = {g["gpu"] for g in d}
for want in ["A100-SXM4-80GB", "H100-SXM5-80GB", "V100-PCIE-32GB", "A40", "Quadro RTX 6000", "RTX 3090", "T4"]:
    assert want in names, want
for g in d:
    assert g["tdp_w"] > 0 and g["fp32_tflops"] > 0 and g["memory_bandwidth_gbs"] > 0, g["gpu"]
    assert g["source"].startswith("https://"), g["gpu"]
    assert g["idle_w"] is None or g["idle_w"] > 0, g["gpu"]
    assert isinstance(g["nvml_names"], list) and g["nvml_names"], g["gpu"]
a40 = next(g for g in d if g["gpu"] == "A40")
assert a40["nvml_names"] == ["NVIDIA A40"] and a40["fp16_tensor_tflops"] == 149.7, a40
PYEOF

expect_exit 0 "--json, one (Zeus label)" "$JC" gpus --json "NVIDIA V100"
"$PY" -c "
import json; d = json.load(open('$TMP/out'))
assert d['gpu'] == 'V100-PCIE-32GB' and d['tdp_w'] == 250 and d['aliases'] == ['NVIDIA V100'], d
assert d['idle_w'] is None
" && ok "JSON object for the Zeus V100" || bad "Zeus V100 JSON"

for name in "NVIDIA A40" "NVIDIA RTX 6000" rtx3090 3090 "H100 PCIe" t4; do
    expect_exit 0 "name '$name'" "$JC" gpus "$name"
done
grep -q "^GPU  *T4$" "$TMP/out" && ok "t4 is the T4" || bad "t4"

expect_exit 1 "unknown name" "$JC" gpus "RTX 3909"
grep -q "no GPU called 'RTX 3909'.*did you mean.*RTX 3090" "$TMP/err" && ok "suggests the near name" || bad "near miss"
expect_exit 1 "far unknown name" "$JC" gpus "Radeon RX 7900"
grep -q "known: .*A100-PCIE-40GB.*GTX 750 Ti" "$TMP/err" && ok "lists the candidates" || bad "candidates"
expect_exit 1 "ambiguous name" "$JC" gpus A100
grep -q "'A100' could be .*A100-PCIE-40GB.*A100-SXM4-80GB" "$TMP/err" && ok "lists the variants" || bad "ambiguous"

expect_exit 2 "two names" "$JC" gpus A40 T4
expect_exit 2 "unknown option" "$JC" gpus --nope
expect_exit 0 "--help" "$JC" gpus --help
grep -q "examples:" "$TMP/out" && grep -q "JOULECAST_DATA" "$TMP/out" && ok "help teaches" || bad "help"

# Another table through JOULECAST_DATA; a broken one names file:line:column.
mkdir -p "$TMP/data"
cat >"$TMP/data/gpus.csv" <<'EOF'
gpu,nvml_names,aliases,architecture,release_year,tdp_w,idle_w,fp32_tflops,fp16_tensor_tflops,memory_gb,memory_bandwidth_gbs,note,source
Lab Card,NVIDIA Lab Card,,Imaginary,2024,123,7,10,100,16,500,,https://example.org/lab
EOF
JOULECAST_DATA="$TMP/data" expect_exit 0 "JOULECAST_DATA" "$JC" gpus --json
"$PY" -c "
import json; d = json.load(open('$TMP/out'))
assert [g['gpu'] for g in d] == ['Lab Card'] and d[0]['idle_w'] == 7, d
" && ok "reads the other table" || bad "JOULECAST_DATA table"
echo 'Bad Card,,,Imaginary,2024,lots,,10,100,16,500,,https://example.org/bad' >>"$TMP/data/gpus.csv"
JOULECAST_DATA="$TMP/data" expect_exit 1 "broken table" "$JC" gpus
grep -q "$TMP/data/gpus.csv:3:6: column 'tdp_w': expected a number, found 'lots'" "$TMP/err" \
    && ok "error names file:line:column" || bad "broken table message: $(cat "$TMP/err")"

finish
