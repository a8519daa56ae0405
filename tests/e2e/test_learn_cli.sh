#!/bin/bash
# joulecast evaluate / fit / importance / curvefit on the real Zeus A40
# table (tests/data/learn): every output format, transfer, errors; curve fits
# against scipy.optimize.curve_fit (Debian's python3-scipy).
source "$(dirname "$0")/lib.sh" "$1"
D=$2/learn/zeus_a40_power.csv
F="--features batch_size,power_limit"

expect_exit 0 "evaluate, table" "$JC" evaluate "$D" --targets time_per_epoch,average_power $F --models ols,ridge,lasso --repeats 3
grep -q "average_power  (408 rows fitted, 45 tested per repeat)" "$TMP/out" && grep -q "^  lasso " "$TMP/out" && ok "table per target and model" || bad "table: $(cat "$TMP/out")"
expect_exit 0 "evaluate, json" "$JC" evaluate "$D" --targets average_power $F --models ols,sr --repeats 2 --sr-population 300 --sr-generations 5 --format json
"$PY" -c "
import json,sys
d=json.load(open(sys.argv[1]))
r=d['runs']['results']
assert [c['model'] for c in r]==['ols','sr'] and all(c['repeats']==2 and len(c['per_repeat'])==2 for c in r)
assert all(0 < c['mre_mean'] < 1 for c in r)
" "$TMP/out" && ok "json parses, per-repeat figures" || bad "json: $(head -c 800 "$TMP/out")"
expect_exit 0 "evaluate, csv to a file" "$JC" evaluate "$D" --targets average_power $F --models ols --repeats 2 --format csv -o "$TMP/e.csv"
[ "$(head -1 "$TMP/e.csv" | cut -d, -f1-4)" = "target,model,repeats,mse_mean" ] && [ "$(wc -l < "$TMP/e.csv")" = 2 ] && ok "csv" || bad "csv: $(cat "$TMP/e.csv")"
expect_exit 0 "evaluate, markdown" "$JC" evaluate "$D" --targets average_power $F --models ols --repeats 2 --format markdown
grep -q "| ols | " "$TMP/out" && ok "markdown row" || bad "markdown: $(cat "$TMP/out")"
expect_exit 0 "transfer: train on shufflenetv2, test on resnet50" "$JC" evaluate "$D" --targets average_power $F --models ols --repeats 2 --train-where network=shufflenetv2 --test-where network=resnet50
"$PY" -c "
import csv,sys
rows=list(csv.DictReader(open(sys.argv[1])))
a=sum(r['network']=='shufflenetv2' for r in rows); b=sum(r['network']=='resnet50' for r in rows)
want='(%d rows fitted, %d tested per repeat)'%(a,b)
sys.exit(0 if want in open(sys.argv[2]).read() else 1)" "$D" "$TMP/out" && ok "transfer row counts" || bad "transfer: $(cat "$TMP/out")"
expect_exit 0 "SR sweep" "$JC" evaluate "$D" --targets average_power $F --models sr --repeats 2 --sr-population 200 --sr-generations 3 --sr-sweep population=100,200 --format csv
[ "$(cut -d, -f1 "$TMP/out" | tail -n +2 | tr '\n' ' ')" = "population=100 population=200 " ] && ok "one row per swept value" || bad "sweep: $(cat "$TMP/out")"

expect_exit 2 "missing column" "$JC" evaluate "$D" --targets watts $F
grep -q "has no column 'watts'" "$TMP/err" && ok "names the column" || bad "missing column: $(cat "$TMP/err")"
expect_exit 2 "unknown model" "$JC" evaluate "$D" --targets average_power $F --models svm
grep -q "unknown model 'svm' (expected one of: ols, ridge, lasso, gbr, mlp, sr)" "$TMP/err" && ok "lists the models" || bad "unknown model: $(cat "$TMP/err")"
expect_exit 2 "bad split" "$JC" evaluate "$D" --targets average_power $F --split 8:1
printf 'a,b\n1,2\n3,x\n' > "$TMP/bad.csv"
expect_exit 2 "a text cell in a feature" "$JC" evaluate "$TMP/bad.csv" --targets b --features a
grep -q "bad.csv:3:2: column 'b': expected a number, found 'x'" "$TMP/err" && ok "file:line:col" || bad "bad cell: $(cat "$TMP/err")"

expect_exit 0 "fit" "$JC" fit "$D" --targets average_power --features batch_size,power_limit --log batch_size --model ridge -o "$TMP/m.json"
"$PY" -c "
import json,sys
m=json.load(open(sys.argv[1]))
t=m['targets'][0]
assert m['format']=='joulecast-model' and t['name']=='average_power'
assert [f['name'] for f in t['features']]==['batch_size','power_limit'] and t['features'][0]['log'] is True
assert t['features'][1]['min']==100 and t['features'][1]['max']==300 and t['rows']==453
assert t['regressor']['kind']=='ridge'
" "$TMP/m.json" && ok "model file: features, log flag, ranges, regressor" || bad "model file: $(head -c 800 "$TMP/m.json")"
expect_exit 0 "importance" "$JC" importance "$TMP/m.json" "$D" --repeats 3
grep -q "power_limit" "$TMP/out" && ok "importance table" || bad "importance: $(cat "$TMP/out")"
expect_exit 1 "fit: no rows after --where" "$JC" fit "$D" --targets average_power $F --where network=nothing -o "$TMP/n.json"
[ ! -e "$TMP/n.json" ] && ok "no model file written on failure" || bad "a model file was written"

# curve fits against scipy
expect_exit 0 "curvefit --json" "$JC" curvefit "$D" --x batch_size --y time_per_epoch --where network=resnet50 --where power_limit=300 --json
"$PY" - "$D" "$TMP/out" <<'PY' && ok "curve fits equal scipy's curve_fit (rel. 1e-5)" || bad "curvefit vs scipy"
import csv, json, sys
import numpy as np
from scipy.optimize import curve_fit
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["network"] == "resnet50" and r["power_limit"] == "300"]
x = np.array([float(r["batch_size"]) for r in rows]); y = np.array([float(r["time_per_epoch"]) for r in rows])
forms = {"linear": lambda x, a, b: a * x + b, "logarithmic": lambda x, a, b: a * np.log(x) + b,
         "exponential": lambda x, a, b: a * np.exp(b * x), "power": lambda x, a, b: a * x ** b}
got = {f["form"]: f for f in json.load(open(sys.argv[2]))["fits"]}
good = True
for name, f in forms.items():
    g = got[name]
    p, _ = curve_fit(f, x, y, p0=[g["a"], g["b"]], maxfev=20000)
    sse = float(((y - f(x, *p)) ** 2).sum()); r2 = 1 - sse / float(((y - y.mean()) ** 2).sum())
    ok = all(abs(u - v) <= 1e-5 * max(1, abs(v)) for u, v in ((g["a"], p[0]), (g["b"], p[1]), (g["r2"], r2)))
    print(name, g["a"], g["b"], g["r2"], "scipy", p[0], p[1], r2, "ok" if ok else "DIFFERENT")
    good &= ok
sys.exit(0 if good else 1)
PY
expect_exit 2 "curvefit: no such column" "$JC" curvefit "$D" --x nope --y time_per_epoch
finish
