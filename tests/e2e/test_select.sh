#!/usr/bin/env bash
# End-to-end: `joulecast select` on a real run table (the Zeus A40 power
# trace): the Table 2 layout with the selected features marked, --json read
# back by Python (and, where scikit-learn and scipy are installed, compared
# with them through the whole path: CSV, options, log transform), missing
# cells, and the errors: a broken file named with its line, a missing target,
# bad options, exit codes.
# usage: test_select.sh JOULECAST TEST_DATA SHARED_DATA
source "$(dirname "$0")/lib.sh" "$1"
ZEUS=$2/learn/zeus_a40_power.csv

# The table: every numeric column scored, text columns skipped with a note.
expect_exit 0 "select on the Zeus table" "$JC" select "$ZEUS" --target average_power
grep -q "^feature  *rows  *Pearson r  *p-value  *MI  *selected" "$TMP/out" && ok "Table 2 header" || { bad "header"; cat "$TMP/out"; }
grep -q "^power_limit  *453 .*\*$" "$TMP/out" && ok "power_limit scored on 453 rows and selected" || bad "power_limit row"
grep -q "^selected (3 of 3): batch_size, power_limit, time_per_epoch" "$TMP/out" && ok "selected line" || bad "selected line"
grep -q "skipped columns that are not numeric: dataset, network, optimizer" "$TMP/err" && ok "text columns noted" || bad "skip note"

# The seed's treatment: batch size and power limit discrete, log epoch time.
OPTS=(--target average_power --discrete batch_size,power_limit --log time_per_epoch --k 5 --seed 42)
expect_exit 0 "select --json" "$JC" select "$ZEUS" "${OPTS[@]}" --json
"$PY" - "$TMP/out" <<'PYEOF' && ok "--json parses, as documented" || bad "--json document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["target"] == "average_power" and d["rows"] == 453 and d["k"] == 5 and d["seed"] == 42, d
assert d["rule"] == "either" and d["threshold"] == 0.3
names = [f["name"] for f in d["features"]]
assert names == ["batch_size", "power_limit", "time_per_epoch"], names
assert [f["discrete"] for f in d["features"]] == [True, True, False]
assert [f["log"] for f in d["features"]] == [False, False, True]
assert d["selected"] == [f["name"] for f in d["features"] if f["selected"]]
for f in d["features"]:
    assert f["selected"] == (abs(f["pearson_r"]) > 0.3 or f["mi"] > 0.3), f
assert d["skipped_columns"] == ["dataset", "network", "optimizer"]
PYEOF
if "$PY" -c "import sklearn, scipy" 2>/dev/null; then
    "$PY" - "$TMP/out" "$ZEUS" <<'PYEOF' && ok "scores equal scipy's and scikit-learn's" || bad "scores against scipy/sklearn"
import csv, json, sys
import numpy as np
from scipy import stats
from sklearn.feature_selection import mutual_info_regression
d = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
x = np.array([[float(r["batch_size"]), float(r["power_limit"]), np.log(float(r["time_per_epoch"]))] for r in rows])
y = np.array([float(r["average_power"]) for r in rows])
mi = mutual_info_regression(x, y, discrete_features=[True, True, False], n_neighbors=5, random_state=42)
for j, f in enumerate(d["features"]):
    r, p = stats.pearsonr(x[:, j], y)
    assert abs(f["pearson_r"] - r) <= 1e-9 * abs(r) and abs(f["p_value"] - p) <= 1e-9 * p, (f, r, p)
    assert abs(f["mi"] - mi[j]) <= 1e-9, (f, mi[j])
PYEOF
else
    echo "skip - python3-sklearn/python3-scipy not installed"
fi
expect_exit 0 "--rule both --threshold 0.4" "$JC" select "$ZEUS" "${OPTS[@]}" --rule both --threshold 0.4
grep -q "^selected (1 of 3): power_limit$" "$TMP/out" && ok "both scores above 0.4: power limit only" || { bad "rule both"; cat "$TMP/out"; }

# Missing cells leave their rows out of that feature only, and say so.
"$PY" - "$ZEUS" "$TMP/holes.csv" <<'PYEOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
for i, r in enumerate(rows[1:]):
    if i % 10 == 0:
        r[5] = ""    # time_per_epoch
    if i == 3:
        r[6] = "NA"  # average_power
csv.writer(open(sys.argv[2], "w", newline="")).writerows(rows)
PYEOF
expect_exit 0 "select with missing cells" "$JC" select "$TMP/holes.csv" --target average_power --features power_limit,time_per_epoch
grep -q "1 of 453 rows have no 'average_power'" "$TMP/err" && ok "missing target counted" || { bad "target note"; cat "$TMP/err"; }
grep -q "'time_per_epoch': 46 rows with a missing value" "$TMP/err" && ok "missing feature cells counted" || { bad "feature note"; cat "$TMP/err"; }
grep -q "^time_per_epoch  *406 " "$TMP/out" && grep -q "^power_limit  *452 " "$TMP/out" && ok "rows per feature" || { bad "rows column"; cat "$TMP/out"; }

# Errors.
printf 'a,b,y\n1,2,3\n4,5\n6,7,8\n' >"$TMP/short.csv"
expect_exit 1 "a row with a field missing" "$JC" select "$TMP/short.csv" --target y
grep -q "short.csv:3: expected 3 fields, found 2" "$TMP/err" && ok "broken file named with its line" || { bad "broken file message"; cat "$TMP/err"; }
expect_exit 1 "no such target" "$JC" select "$ZEUS" --target avg_power
grep -q "zeus_a40_power.csv: no column 'avg_power' for the target" "$TMP/err" && ok "missing target named" || { bad "target message"; cat "$TMP/err"; }
expect_exit 1 "a text column named as a feature" "$JC" select "$ZEUS" --target average_power --features network
grep -q "zeus_a40_power.csv:2:2: column 'network': expected a number, found 'shufflenetv2'" "$TMP/err" && ok "text cell located" || { bad "text cell message"; cat "$TMP/err"; }
printf 'x,y\n1,2\n0,3\n2,5\n' >"$TMP/zero.csv"
expect_exit 1 "log of zero" "$JC" select "$TMP/zero.csv" --target y --log x
grep -q "zero.csv:3:1: column 'x': --log needs positive values, found '0'" "$TMP/err" && ok "log of zero located" || { bad "log message"; cat "$TMP/err"; }
expect_exit 1 "--discrete names no feature" "$JC" select "$ZEUS" --target average_power --features power_limit --discrete batch_size
grep -q "'batch_size' is not one of the features" "$TMP/err" && ok "stray --discrete named" || bad "discrete message"
expect_exit 1 "missing file" "$JC" select "$TMP/none.csv" --target y
expect_exit 2 "no --target" "$JC" select "$ZEUS"
expect_exit 2 "bad --k" "$JC" select "$ZEUS" --target average_power --k 0
grep -q -- "--k" "$TMP/err" && ok "bad option named" || bad "bad option message"
expect_exit 2 "bad --rule" "$JC" select "$ZEUS" --target average_power --rule any
expect_exit 2 "unknown option" "$JC" select "$ZEUS" --target average_power --bogus
expect_exit 2 "two files" "$JC" select "$ZEUS" "$ZEUS" --target average_power
expect_exit 0 "--help" "$JC" select --help
grep -q "^usage: joulecast select" "$TMP/out" && grep -q "larger than 0.3" "$TMP/out" && ok "help explains the rule" || bad "help text"

finish
