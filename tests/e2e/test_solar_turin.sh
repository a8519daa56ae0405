#!/bin/bash
# joulecast solar on the full PVGIS typical year near Turin (../shared/data/
# pvgis-turin): the annual figures in their plausible range, the CSV
# contract with the dispatch model (docs/formats.md, "PV series"), the EPW
# giving the same year, every model option, plots, and data/pv_turin_0.76kwdc.csv
# being what scripts/make_pv.sh makes today. Skipped (77) without the data.
source "$(dirname "$0")/lib.sh" "$1"
DATA=$2
SHARED=${3:-}
ROOT=$(cd "$DATA/../.." && pwd)
T=$SHARED/pvgis-turin/tmy_45.000_8.000_2005_2023
if [ -z "$SHARED" ] || [ ! -f "$T.csv" ] || [ ! -f "$T.epw" ]; then
    echo "skipped: the shared data (../shared/data/pvgis-turin) is absent"; exit 77
fi

expect_exit 0 "PVGIS CSV, the seed's system" "$JC" solar --weather "$T.csv" -o "$TMP/pv.csv" --json
cp "$TMP/out" "$TMP/csv.json"
"$PY" - "$TMP/csv.json" "$TMP/pv.csv" <<'PY' && ok "annual figures and the CSV contract" || bad "contract: $(head -c 600 "$TMP/csv.json")"
import csv, json, sys
s = json.load(open(sys.argv[1]))
print("annual %.1f kWh, %.1f kWh/kWp, CF %.4f, best month %d" % (s["annual_kwh"], s["specific_yield_kwh_per_kwp"], s["capacity_factor"], s["best_month"]))
# docs/solar.md: 1200..1350 kWh/kWp for 45 N, tilt 20, south, PVWatts losses and inverter
assert 1200 < s["specific_yield_kwh_per_kwp"] < 1350
assert s["best_month"] == 6 and abs(sum(s["monthly_kwh"]) - s["annual_kwh"]) < 1e-6
assert abs(s["capacity_factor"] - s["annual_kwh"] / (0.76 * 8760)) < 1e-9
rows = list(csv.reader(open(sys.argv[2])))
assert rows[0] == ["time_utc", "hour_of_year", "ghi_w_m2", "poa_w_m2", "cell_temp_c", "dc_w", "ac_w"], rows[0]
rows = rows[1:]
assert len(rows) == 8760
assert [int(r[1]) for r in rows] == list(range(8760))
# hour 0 is 1 January 00:00 CET = the TMY's last UTC row (its December is 2016)
assert rows[0][0] == "2016-12-31T23:00:00Z" and rows[1][0] == "2018-01-01T00:00:00Z", rows[:2]
ac = [float(r[6]) for r in rows]
assert min(ac) >= 0 and max(ac) <= 760 / 1.2 + 1e-6
# W averaged over the hour = Wh: the rows add up to the annual energy
assert abs(sum(ac) / 1000 - s["annual_kwh"]) < 1e-3 * s["annual_kwh"]
# night is 0; noon of a June day is well up
assert ac[0] == 0 and max(ac[(31+28+31+30+31+14)*24 : (31+28+31+30+31+15)*24]) > 300
PY
# A PVWatts-layout export of that series (Month, Day, Hour local time, the
# outputs) is read back hour for hour, its AC used as it is.
"$PY" - "$TMP/pv.csv" "$TMP/pvwatts.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
mdays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
with open(sys.argv[2], "w") as f:
    f.write('"Requested Location:","turin"\n"Lat (deg N):","45.0"\n"Long (deg E):","8.0"\n"DC System Size (kW):","0.76"\n')
    f.write('"Month","Day","Hour","Plane of Array Irradiance (W/m2)","Cell Temperature (C)","DC Array Output (W)","AC System Output (W)"\n')
    for r in rows:
        h = int(r["hour_of_year"]); d = h // 24; m = 0
        while d >= mdays[m]:
            d -= mdays[m]; m += 1
        f.write("%d,%d,%d,%s,%s,%s,%s\n" % (m + 1, d + 1, h % 24, r["poa_w_m2"], r["cell_temp_c"], r["dc_w"], r["ac_w"]))
    f.write('"Totals","","","","","",""\n')
PY
expect_exit 0 "a PVWatts export of a whole year" "$JC" solar --weather "$TMP/pvwatts.csv" -o "$TMP/pv2.csv"
grep -q "AC output as PVWatts computed it" "$TMP/out" && cmp -s <(cut -d, -f2,4- "$TMP/pv.csv") <(cut -d, -f2,4- "$TMP/pv2.csv") \
    && ok "PVWatts export read back: same hours, same AC" || bad "pvwatts round trip: $(head -3 "$TMP/pv2.csv")"
expect_exit 0 "EPW of the same year" "$JC" solar --weather "$T.epw" --json
"$PY" -c "
import json,sys
a=json.load(open(sys.argv[1]))['annual_kwh']; b=json.load(open(sys.argv[2]))['annual_kwh']
sys.exit(0 if abs(a-b) < 1e-4*a else 1)" "$TMP/csv.json" "$TMP/out" && ok "EPW and CSV agree (1e-4)" || bad "epw vs csv: $(cat "$TMP/out" | head -c 300)"

for m in isotropic haydavies; do
    expect_exit 0 "--model $m" "$JC" solar --weather "$T.csv" --model $m --json
    cp "$TMP/out" "$TMP/$m.json"
done
"$PY" -c "
import json,sys
e=[json.load(open(f))['annual_kwh'] for f in sys.argv[1:]]
print('isotropic %.1f, hay-davies %.1f, perez %.1f kWh' % tuple(e))
sys.exit(0 if e[0] < e[1] < e[2] else 1)" "$TMP/isotropic.json" "$TMP/haydavies.json" "$TMP/csv.json" && ok "isotropic < Hay-Davies < Perez" || bad "model order"
expect_exit 0 "--temp-model noct" "$JC" solar --weather "$T.csv" --temp-model noct
grep -q "NOCT 45 C" "$TMP/out" && ok "NOCT named in the summary" || bad "noct: $(cat "$TMP/out")"
expect_exit 0 "another system" "$JC" solar --weather "$T.csv" --kwdc 3 --tilt 35 --azimuth 135 --albedo 0.3 --losses 10
grep -q "^system           3 kWdc, tilt 35, azimuth 135" "$TMP/out" && ok "the system echoed" || bad "system: $(cat "$TMP/out")"

expect_exit 0 "CSV to standard output" "$JC" solar --weather "$T.csv" -o -
[ "$(wc -l < "$TMP/out")" = 8761 ] && grep -q "^annual energy" "$TMP/err" && ok "-o -: rows on stdout, summary on stderr" || bad "stdout: $(head -3 "$TMP/out")"
expect_exit 0 "plot of the year" "$JC" solar --weather "$T.csv" --plot "$TMP/year.svg"
grep -q "<svg" "$TMP/year.svg" && ok "year plot is SVG" || bad "no svg"
expect_exit 0 "plot of a week" "$JC" solar --weather "$T.csv" --plot "$TMP/week.png" --plot-week 24
[ "$(head -c 4 "$TMP/week.png" | od -An -c | tr -d ' ')" = "211PNG" ] && ok "week plot is PNG" || bad "not a png"

expect_exit 0 "regenerate data/pv_turin_0.76kwdc.csv" bash "$ROOT/scripts/make_pv.sh" "$JC" "$SHARED" "$TMP/data"
cmp -s "$TMP/data/pv_turin_0.76kwdc.csv" "$ROOT/data/pv_turin_0.76kwdc.csv" && ok "data/pv_turin_0.76kwdc.csv is up to date" \
    || bad "data/pv_turin_0.76kwdc.csv differs from scripts/make_pv.sh's output: rerun it"
finish
