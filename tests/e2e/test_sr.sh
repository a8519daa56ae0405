#!/usr/bin/env bash
# End-to-end: `joulecast sr fit | predict | show` on CSV files: a formula is
# found, saved, reloaded and applied; thread count does not change it; bad
# input and options get clear errors.
# usage: test_sr.sh JOULECAST TEST_DATA SHARED_DATA
source "$(dirname "$0")/lib.sh" "$1"

# y = x0^2 + x1, with a text column that fit must leave out by itself.
"$PY" - "$TMP" <<'PYEOF'
import random, sys
d = sys.argv[1]
for name, seed, n in (("train.csv", 1, 120), ("test.csv", 2, 50)):
    r = random.Random(seed)
    with open(f"{d}/{name}", "w") as f:
        f.write("run,x0,x1,y\n")
        for i in range(n):
            a, b = r.uniform(-2, 2), r.uniform(-2, 2)
            f.write(f"r{i},{a!r},{b!r},{a*a + b!r}\n")
PYEOF

FIT=(sr fit "$TMP/train.csv" --target y --population-size 500 --generations 20 --stopping-criteria 1e-10
     --random-state 3 --quiet)
expect_exit 0 "fit" "$JC" "${FIT[@]}" -o "$TMP/m1.json" --threads 1
grep -q "^formula" "$TMP/out" && grep -q "^sympy" "$TMP/out" && ok "fit prints the formula" || bad "fit output"
[ -s "$TMP/m1.json" ] && ok "model saved" || bad "model saved"
expect_exit 0 "fit again with 2 threads" "$JC" "${FIT[@]}" -o "$TMP/m2.json" --threads 2
"$PY" -c "
import json; a=json.load(open('$TMP/m1.json')); b=json.load(open('$TMP/m2.json'))
assert a['program']==b['program'] and a['raw_fitness']==b['raw_fitness'], (a['program'], b['program'])
" && ok "same program with 1 and 2 threads" || bad "thread-count determinism"

expect_exit 0 "fit --json" "$JC" "${FIT[@]}" --json
"$PY" -c "
import json; d=json.load(open('$TMP/out')); assert d['format']=='joulecast-sr' and d['program'] and d['target']=='y', d
" && ok "fit --json is the model document" || bad "fit --json"
expect_exit 0 "predict" "$JC" sr predict "$TMP/m1.json" "$TMP/test.csv"
"$PY" - "$TMP/out" "$TMP/test.csv" <<'PYEOF' && ok "predictions match x0^2 + x1" || bad "predictions"
import csv, sys
pred = [float(l) for l in open(sys.argv[1]).read().split()[1:]]
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(pred) == len(rows) == 50
for p, r in zip(pred, rows):
    want = float(r["x0"]) ** 2 + float(r["x1"])
    assert abs(p - want) < 1e-8, (p, want)
PYEOF
grep -q "R^2 1.0000" "$TMP/err" && ok "predict reports R^2 against the target" || { bad "R^2 line"; cat "$TMP/err"; }
expect_exit 0 "predict to a file" "$JC" sr predict "$TMP/m1.json" "$TMP/test.csv" -o "$TMP/pred.csv" --column yhat
head -1 "$TMP/pred.csv" | grep -q "^yhat$" && ok "prediction column named" || bad "prediction file"

expect_exit 0 "show" "$JC" sr show "$TMP/m1.json" --history
grep -q "^simplified" "$TMP/out" && grep -q "^gplearn" "$TMP/out" && ok "show prints every form" || bad "show forms"
# The sympy form means the same mathematics, when sympy is installed.
if "$PY" -c "import sympy" 2>/dev/null; then
    sym=$(grep "^sympy" "$TMP/out" | sed 's/^sympy *//')
    "$PY" -c "
import sympy, random
x0, x1 = sympy.symbols('x0 x1'); e = sympy.sympify('''$sym''')
r = random.Random(7)
for _ in range(20):
    a, b = r.uniform(-2, 2), r.uniform(-2, 2)
    assert abs(float(e.subs({x0: a, x1: b})) - (a*a + b)) < 1e-8
" && ok "sympy form evaluates to x0^2 + x1" || bad "sympy form"
else
    echo "skip - sympy not installed"
fi

# On a terminal, one progress line per generation (script gives fit a tty).
if command -v script >/dev/null; then
    script -qc "$JC sr fit $TMP/train.csv --target y --population-size 200 --generations 3" /dev/null >"$TMP/tty" 2>&1
    grep -q "gen   1/3  best" "$TMP/tty" && grep -q "s left" "$TMP/tty" && ok "progress line per generation on a tty" \
        || { bad "progress lines"; cat "$TMP/tty"; }
    expect_exit 0 "no progress lines off a terminal" "$JC" sr fit "$TMP/train.csv" --target y --population-size 200 --generations 3
    ! grep -q "gen   1/3" "$TMP/err" && ok "quiet when not a terminal" || bad "progress off a terminal"
else
    echo "skip - script(1) not installed"
fi

# Errors.
expect_exit 1 "unknown target" "$JC" sr fit "$TMP/train.csv" --target nope --quiet
grep -q "no column 'nope'" "$TMP/err" && ok "target named" || bad "target message"
expect_exit 1 "text feature" "$JC" sr fit "$TMP/train.csv" --target y --features x0,run --quiet
grep -q "train.csv:2:1: column 'run': expected a number" "$TMP/err" && ok "non-numeric cell located" || { bad "cell message"; cat "$TMP/err"; }
expect_exit 1 "missing data file" "$JC" sr fit "$TMP/none.csv" --target y
expect_exit 2 "bad number" "$JC" sr fit "$TMP/train.csv" --target y --generations ten
grep -q -- "--generations" "$TMP/err" && ok "bad option named" || bad "bad option message"
expect_exit 2 "probabilities over 1" "$JC" sr fit "$TMP/train.csv" --target y --p-crossover 0.95 --p-point-mutation 0.1
expect_exit 2 "unknown function" "$JC" sr fit "$TMP/train.csv" --target y --function-set add,pow
expect_exit 2 "no action" "$JC" sr
printf '{"format": "joulecast-sr",\n "version": 1,\n "program": [\n' >"$TMP/broken.json"
expect_exit 1 "broken model file" "$JC" sr show "$TMP/broken.json"
grep -q "broken.json:" "$TMP/err" && ok "broken model named" || bad "broken model message"
expect_exit 1 "model features missing from data" "$JC" sr predict "$TMP/m1.json" "$TMP/pred.csv"

finish
