#!/usr/bin/env bash
# End-to-end: `joulecast flops` prints the table and JSON for zoo models,
# resolves aliases, lists the zoo, and gives clear errors (exit 2) for an
# unknown model, a bad number and an image too small for the network.
# usage: test_flops.sh JOULECAST TEST_DATA SHARED_DATA
source "$(dirname "$0")/lib.sh" "$1"

expect_exit 0 "resnet50 table" "$JC" flops --arch resnet50 --image 224
grep -q "^parameters  *25,557,032" "$TMP/out" && ok "resnet50 params as torchvision" || bad "resnet50 params"
grep -q "3 x forward" "$TMP/out" && ok "training FLOPs say the 3x convention" || bad "3x note"
grep -q "^conv " "$TMP/out" && grep -q "^linear " "$TMP/out" && ok "breakdown by layer type" || bad "breakdown"

expect_exit 0 "googlenet --json" "$JC" flops --arch GoogLeNet --json
"$PY" - "$TMP/out" <<'PYEOF' && ok "googlenet JSON: params, 4 branches, flops = 2 x macs" || bad "googlenet JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["model"] == "googlenet" and d["params"] == 6624904 and d["branches"] == 4, d
assert d["flops"] == 2 * d["macs"] and d["train_flops_per_sample"] == 3 * d["flops"], d
assert sum(k["params"] for k in d["by_kind"].values()) == d["params"]
assert d["input"] == {"image": 224, "channels": 3, "classes": 1000}, d["input"]
PYEOF

expect_exit 0 "alias bert-base-uncased" "$JC" flops --arch bert-base-uncased --seq-len 512 --json
"$PY" -c "
import json; d = json.load(open('$TMP/out'))
assert d['model'] == 'bert_base' and d['params'] == 109482240 and d['input']['seq_len'] == 512, d
" && ok "BERT-base 109,482,240 params" || bad "bert"

expect_exit 0 "vgg16 at 512 px, 10 classes" "$JC" flops --arch vgg-16 --image 512 --classes 10 --json
"$PY" -c "
import json; d = json.load(open('$TMP/out'))
assert d['params'] == 138357544 - 990 * 4097, d['params']
assert d['by_kind']['conv']['macs'] == 80178315264, d['by_kind']['conv']
" && ok "vgg16 conv MACs at 512 px as torchvision" || bad "vgg16 512"

expect_exit 0 "--list" "$JC" flops --list
[ "$(grep -c '^[a-z]' "$TMP/out")" -eq 20 ] && ok "20 models listed" || bad "list count"
expect_exit 0 "--list --json" "$JC" flops --list --json
"$PY" -c "import json; d = json.load(open('$TMP/out')); assert any(m['name'] == 'nasnet_mobile' for m in d)" \
    && ok "JSON list" || bad "JSON list"
expect_exit 0 "--help" "$JC" flops --help
grep -q "examples:" "$TMP/out" && ok "help has examples" || bad "help"

expect_exit 2 "unknown model" "$JC" flops --arch resnet51
grep -q "known: alexnet" "$TMP/err" && ok "lists the known models" || bad "unknown model message"
expect_exit 2 "bad number" "$JC" flops --arch resnet50 --image 22x
grep -q -- "--image" "$TMP/err" && ok "names the option" || bad "bad number message"
expect_exit 2 "image too small" "$JC" flops --arch alexnet --image 16
grep -q "too small.*63 px" "$TMP/err" && ok "says the smallest image" || bad "too small message"
expect_exit 2 "ViT image not a multiple of the patch" "$JC" flops --arch vit_b_16 --image 100
expect_exit 2 "no model" "$JC" flops
expect_exit 0 "an option that does not apply" "$JC" flops --arch resnet18 --seq-len 64
grep -q "does not apply" "$TMP/err" && ok "warns about it" || bad "warning"
# ONNX: the shipped graph-only export of ResNet-50 counts as the zoo's ResNet-50.
ONNX=$2/arch/onnx/resnet50.onnx
expect_exit 0 "onnx count" "$JC" flops --onnx "$ONNX" --json
cp "$TMP/out" "$TMP/onnx.json"
expect_exit 0 "zoo count" "$JC" flops --arch resnet50 --json
"$PY" -c "
import json; a=json.load(open('$TMP/onnx.json')); b=json.load(open('$TMP/out'))
for k in ('params','macs','weight_layers','branches'):
    assert a[k]==b[k], (k, a[k], b[k])
" && ok "ONNX and zoo agree on ResNet-50" || bad "ONNX vs zoo"
expect_exit 0 "onnx at 112 px" "$JC" flops --onnx "$ONNX" --input 1x3x112x112
expect_exit 1 "unsupported operator named" "$JC" flops --onnx "$2/arch/onnx/unsupported_op.onnx"
grep -qi "unsupported\|not supported" "$TMP/err" && ok "operator named in the message" || { bad "unsupported message"; cat "$TMP/err"; }
head -c 1000 "$ONNX" >"$TMP/cut.onnx"
expect_exit 1 "truncated onnx" "$JC" flops --onnx "$TMP/cut.onnx"
expect_exit 2 "--arch and --onnx together" "$JC" flops --arch resnet50 --onnx "$ONNX"

finish
