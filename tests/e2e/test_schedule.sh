#!/usr/bin/env bash
# End-to-end: `joulecast schedule` and `joulecast sweep` on a 3-day PV series
# cut from the Turin year (tests/data/dispatch/pv_3days.csv) with the shipped
# seed data: the plan as text and JSON (checked with python: balances, the
# deadline, no buying and selling in one hour, savings against the
# baselines), the sweep's CSV and figures, and bad inputs named by
# FILE:LINE (exit 1) or bad usage (exit 2).
# usage: test_schedule.sh JOULECAST TEST_DATA SHARED_DATA
source "$(dirname "$0")/lib.sh" "$1"
DATA=$2/dispatch
PV=$DATA/pv_3days.csv
export JC_NO_PROGRESS=1

expect_exit 0 "schedule text" "$JC" schedule --pv "$PV" --start 8 --hours 26
grep -q "^solve *optimal, tight formulation" "$TMP/out" && ok "proven optimal" || bad "status line"
grep -q "(a) start now, full power, greedy PV+battery" "$TMP/out" && grep -q "saving" "$TMP/out" \
    && ok "baselines and savings printed" || bad "baselines"
[ "$(grep -cE '^ +[0-9]+ [0-9]{2}:00 ' "$TMP/out")" -eq 26 ] && ok "26 hourly rows" || bad "hour rows"

expect_exit 0 "schedule --json" "$JC" schedule --pv "$PV" --start 8 --hours 26 --json
"$PY" - "$TMP/out" <<'PYEOF' && ok "JSON plan: balances, deadline, no buy+sell, cost, savings" || bad "JSON plan"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "joulecast-schedule" and d["status"] == "optimal" and d["deadline_h"] == 26, d
p = d["plan"]
hours = p["hours"]
assert len(hours) == 26 and hours[0]["hour_of_year"] == 8 and hours[0]["local_hour"] == 8
progress = cost = 0
for h in hours:
    inflow = h["pv_used_wh"] + h["buy_wh"] + h["discharge_wh"]
    outflow = h["gpu_wh"] + h["charge_wh"] + h["sell_wh"]
    assert abs(inflow - outflow) < 1e-3, h
    assert abs(h["pv_used_wh"] + h["pv_curtailed_wh"] - h["pv_wh"]) < 1e-6, h
    assert not (h["buy_wh"] > 1e-6 and h["sell_wh"] > 1e-6), h
    assert -1e-6 <= h["soc_wh"] <= 250 + 1e-6, h
    assert h["level"] in range(0, 8)
    progress += h["progress"]
    cost += h["cost_eur"]
assert progress >= 1 - 1e-9, progress
assert abs(cost - p["cost_eur"]) < 1e-9
b = d["baselines"]
assert b["grid_only_full_power"]["cost_eur"] >= b["greedy_full_power"]["cost_eur"] - 1e-9
assert b["greedy_full_power"]["cost_eur"] >= p["cost_eur"] - 1e-9
assert abs(d["saving_vs_greedy_eur"] - (b["greedy_full_power"]["cost_eur"] - p["cost_eur"])) < 1e-9
PYEOF

# the naive formulation reaches the same optimum (a loose deadline keeps it quick)
expect_exit 0 "schedule --naive --json" "$JC" schedule --pv "$PV" --start 8 --hours 32 --naive --json
cp "$TMP/out" "$TMP/naive.json"
expect_exit 0 "schedule tight --json" "$JC" schedule --pv "$PV" --start 8 --hours 32 --json
"$PY" -c "
import json
a = json.load(open('$TMP/naive.json')); b = json.load(open('$TMP/out'))
assert a['formulation'] == 'naive' and b['formulation'] == 'tight'
assert abs(a['plan']['cost_eur'] - b['plan']['cost_eur']) < 1e-6, (a['plan']['cost_eur'], b['plan']['cost_eur'])
" && ok "naive and tight agree" || bad "naive vs tight"

expect_exit 0 "schedule --plot" "$JC" schedule --pv "$PV" --start 0 --hours 30 --no-battery --plot "$TMP/plan.png"
[ -s "$TMP/plan.png" ] && head -c 8 "$TMP/plan.png" | grep -q PNG && ok "plan plot written" || bad "plot"
grep -q "^battery *none" "$TMP/out" && ok "--no-battery" || bad "--no-battery"

expect_exit 0 "sweep" "$JC" sweep --pv "$PV" --starts 0:23 --hours 24:25 -o "$TMP/sweep.csv" \
    --plot-prefix "$TMP/fig" --jobs 2
"$PY" - "$TMP/sweep.csv" <<'PYEOF' && ok "sweep CSV: 48 optimal rows in (hours, start) order" || bad "sweep CSV"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert list(rows[0]) == ["start_hour", "hours", "cost_eur", "energy_kwh", "grid_kwh", "pv_kwh", "status", "solve_ms"]
assert len(rows) == 48
assert [(int(r["hours"]), int(r["start_hour"])) for r in rows] == [(h, s) for h in (24, 25) for s in range(24)]
assert all(r["status"] == "optimal" for r in rows)
# one more hour never costs more than that hour's idle draw bought at the
# dearest price (the 24 h plan, then idle, is a 25 h plan): 30 Wh x 0.45 EUR/kWh
for s in range(24):
    assert float(rows[24 + s]["cost_eur"]) <= float(rows[s]["cost_eur"]) + 0.030 * 0.45 + 1e-9
PYEOF
grep -qE "^ +24 +[0-9.]+ +[0-9]+ +[0-9.]+" "$TMP/out" && ok "min/max per deadline" || bad "summary"
for f in pv cost-24h cost; do
    [ -s "$TMP/fig-$f.png" ] && ok "figure $f" || bad "figure $f"
done
expect_exit 0 "sweep one worker, CSV to stdout" "$JC" sweep --pv "$PV" --starts 0:23 --hours 24:25 --jobs 1
"$PY" -c "
import csv
a = list(csv.DictReader(open('$TMP/sweep.csv'))); b = list(csv.DictReader(open('$TMP/out')))
assert [r['cost_eur'] for r in a] == [r['cost_eur'] for r in b]
" && ok "same costs with 1 and 2 workers" || bad "worker independence"

# infeasible deadlines: a clear message, rows kept, exit 1
expect_exit 1 "deadline shorter than the fastest level" "$JC" schedule --pv "$PV" --start 0 --hours 12
grep -q "start 0, 12 h: infeasible deadline: the job needs at least 22 h" "$TMP/err" && ok "names the instance" \
    || { bad "infeasible message"; cat "$TMP/err"; }
expect_exit 1 "sweep with infeasible rows" "$JC" sweep --pv "$PV" --starts 0:1 --hours 21:22 -o "$TMP/bad.csv"
grep -q "2 of 4 problems not solved to optimality" "$TMP/err" && grep -q ",infeasible," "$TMP/bad.csv" \
    && ok "infeasible rows in the CSV, error names them" || bad "sweep infeasible"

# bad inputs name FILE:LINE
printf 'time_utc,hour_of_year,ac_w\nx,0,0\nx,1,12\nx,2,oops\n' > "$TMP/pv.csv"
expect_exit 1 "bad PV value" "$JC" schedule --pv "$TMP/pv.csv" --start 0 --hours 2
grep -q "pv.csv:4:3:" "$TMP/err" && ok "PV error names file:line:col" || { bad "PV location"; cat "$TMP/err"; }
printf 'power_limit_w,time_s,avg_power_w\n100,7200,90\n200,-1,180\n' > "$TMP/levels.csv"
expect_exit 1 "bad levels" "$JC" schedule --pv "$PV" --start 0 --hours 30 --levels "$TMP/levels.csv"
grep -q "levels.csv:3:2:" "$TMP/err" && ok "levels error names file:line:col" || { bad "levels location"; cat "$TMP/err"; }
printf 'window,from,to,buy_eur_per_kwh,sell_eur_per_kwh\nday,08:00,20:00,0.4,0.1\nnight,20:00,07:00,0.2,0.1\n' \
    > "$TMP/tariff.csv"
expect_exit 1 "tariff with a gap" "$JC" schedule --pv "$PV" --start 0 --hours 30 --tariff "$TMP/tariff.csv"
grep -q "no window covers 07:00-08:00" "$TMP/err" && ok "tariff gap named" || { bad "tariff gap"; cat "$TMP/err"; }
printf '{\n  "format": "joulecast-battery",\n  "version": 1,\n  "self_discharge_per_h": 2\n}\n' > "$TMP/battery.json"
expect_exit 1 "bad battery" "$JC" schedule --pv "$PV" --start 0 --hours 30 --battery "$TMP/battery.json"
grep -q "battery.json:4:" "$TMP/err" && ok "battery error names file:line" || { bad "battery location"; cat "$TMP/err"; }
expect_exit 1 "missing PV file" "$JC" schedule --pv "$TMP/nope.csv" --start 0 --hours 30
expect_exit 1 "window past the series" "$JC" schedule --pv "$PV" --start 60 --hours 30
grep -q "run past the end of the PV series" "$TMP/err" && ok "window past the end named" || bad "window message"

# bad usage
expect_exit 2 "no --pv" "$JC" schedule --start 0 --hours 30
expect_exit 2 "bad --hours" "$JC" schedule --pv "$PV" --start 0 --hours zero
expect_exit 2 "bad --starts" "$JC" sweep --pv "$PV" --starts 9:3
expect_exit 2 "unknown option" "$JC" sweep --pv "$PV" --fast
expect_exit 0 "schedule --help" "$JC" schedule --help
expect_exit 0 "sweep --help" "$JC" sweep --help

finish
