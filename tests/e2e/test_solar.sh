#!/bin/bash
# joulecast solar on the small real excerpts in tests/data/solar (PVGIS TMY
# CSV and EPW near Turin, the seed's PVWatts rows): usage errors, readers'
# errors with FILE:LINE:COL, a year required. The full Turin year is
# test_solar_turin.sh.
source "$(dirname "$0")/lib.sh" "$1"
S=$2/solar

expect_exit 0 "help" "$JC" solar --help
grep -q "hour_of_year 0 is January 1st 00:00-01:00 local standard" "$TMP/out" && ok "help explains hour_of_year" || bad "help: $(head -5 "$TMP/out")"
"$JC" --help | grep -q "^  solar " && ok "listed in joulecast --help" || bad "not in the command list"

expect_exit 2 "no --weather" "$JC" solar --kwdc 1
grep -q "no weather: give --weather FILE" "$TMP/err" && ok "says what is missing" || bad "no weather: $(cat "$TMP/err")"
expect_exit 2 "unknown sky model" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" --model klucher
grep -q "\-\-model 'klucher': expected perez, haydavies or isotropic" "$TMP/err" && ok "lists the models" || bad "model: $(cat "$TMP/err")"
expect_exit 2 "tilt out of range" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" --tilt 120
expect_exit 2 "--plot-week without --plot" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" --plot-week 3
expect_exit 2 "unknown mount" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" --mount roof
expect_exit 2 "fractional UTC offset" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" --utc-offset 5.5

# an excerpt is not a year
expect_exit 1 "PVGIS excerpt: not a year" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" -o "$TMP/pv.csv"
grep -q "pvgis_tmy_turin_excerpt.csv: expected 8760 hourly rows (a 365-day year), found 48" "$TMP/err" && ok "says how many hours" || bad "excerpt: $(cat "$TMP/err")"
[ ! -e "$TMP/pv.csv" ] && ok "no output written on failure" || bad "an output was written"
expect_exit 1 "EPW excerpt: not a year" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.epw"
grep -q "found 48" "$TMP/err" && ok "EPW: 48 hours" || bad "epw excerpt: $(cat "$TMP/err")"
expect_exit 1 "PVWatts excerpt: not a year" "$JC" solar --weather "$S/pvwatts_turin_seed_excerpt.csv"
grep -q "found 23; the first hour missing is hour 23 of the year (1 Jan, 23:00" "$TMP/err" && ok "PVWatts: the missing hour named" || bad "pvwatts excerpt: $(cat "$TMP/err")"

# broken files: the message names FILE:LINE(:COL) and what was expected
head -n 17 "$S/pvgis_tmy_turin_excerpt.csv" > "$TMP/hdr.csv"
echo "time(UTC),T2m,RH,GHI,Gb(n),Gd(h),IR(h),WS10m,WD10m,SP" >> "$TMP/hdr.csv"
expect_exit 1 "PVGIS: wrong column header" "$JC" solar --weather "$TMP/hdr.csv"
grep -q "hdr.csv:18:1: the PVGIS column header has no column 'G(h)' (global horizontal irradiance)" "$TMP/err" && ok "wrong header: file:line:col" || bad "header: $(cat "$TMP/err")"
head -n 40 "$S/pvgis_tmy_turin_excerpt.csv" > "$TMP/short.csv"
echo "20180101:2200,6.49,61.0,0.0" >> "$TMP/short.csv"
expect_exit 1 "PVGIS: short line" "$JC" solar --weather "$TMP/short.csv"
grep -q "short.csv:41: expected 10 fields as in the column header, found 4" "$TMP/err" && ok "short line: file:line" || bad "short: $(cat "$TMP/err")"
sed '20s/^20180101:0100,1.98,95.45,0.0/20180101:0100,1.98,95.45,n\/a/' "$S/pvgis_tmy_turin_excerpt.csv" > "$TMP/num.csv"
expect_exit 1 "PVGIS: not a number" "$JC" solar --weather "$TMP/num.csv"
grep -q "num.csv:20:26: G(h): expected a number, found 'n/a'" "$TMP/err" && ok "bad number: file:line:col" || bad "number: $(cat "$TMP/err")"
sed '12s/^2018,1,1,4,0,/2018,1,1,4,0/' "$S/pvgis_tmy_turin_excerpt.epw" | cut -d, -f1-20 > "$TMP/cut.epw"
expect_exit 1 "EPW: short data row" "$JC" solar --weather "$TMP/cut.epw"
grep -q "cut.epw:9: expected an EPW data row of 35 fields (at least 22: up to the wind speed), found 20" "$TMP/err" && ok "EPW short row: file:line" || bad "epw: $(cat "$TMP/err")"
printf 'Month,Day,Hour\n1,1,0\n' > "$TMP/nothing.csv"
expect_exit 1 "not a weather file" "$JC" solar --weather "$TMP/nothing.csv"
grep -q "nothing.csv:1:1: not a weather file joulecast reads" "$TMP/err" && ok "names the formats it reads" || bad "unknown: $(cat "$TMP/err")"
expect_exit 1 "--format epw on a PVGIS CSV" "$JC" solar --weather "$S/pvgis_tmy_turin_excerpt.csv" --format epw
grep -q "pvgis_tmy_turin_excerpt.csv:1:1: expected the EPW LOCATION line, found 'Latitude (decimal degrees): 45.000'" "$TMP/err" && ok "forced format: says what it expected" || bad "format: $(cat "$TMP/err")"
expect_exit 1 "missing file" "$JC" solar --weather "$TMP/none.csv"
grep -q "none.csv: cannot open" "$TMP/err" && ok "missing file named" || bad "missing: $(cat "$TMP/err")"
finish
