#!/bin/bash
# Regenerates the hourly PV series shipped in data/ with the built joulecast:
#   data/pv_turin_0.76kwdc.csv  the seed's array (0.76 kWdc, 4 m^2 of standard
#                               modules, tilt 20, facing south) on the PVGIS
#                               typical meteorological year near Turin
# from ../shared/data/pvgis-turin, and copies the pvlib licence beside it
# (data/NOTICE cites PVGIS and pvlib). The format is docs/formats.md,
# "PV series (`joulecast solar`)"; the models docs/solar.md.
#
# usage: scripts/make_pv.sh [JOULECAST [SHARED_DATA [OUT_DIR]]]
#   defaults: build/joulecast, ../shared/data, data/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jc=${1:-$root/build/joulecast}
shared=${2:-$root/../shared/data}
out=${3:-$root/data}

if [ ! -x "$jc" ]; then
    echo "make_pv: no joulecast at $jc (run 'make' first, or pass its path)" >&2
    exit 1
fi
tmy=$shared/pvgis-turin/tmy_45.000_8.000_2005_2023.csv
[ -f "$tmy" ] || { echo "make_pv: missing $tmy" >&2; exit 1; }
mkdir -p "$out"

# Every model choice spelled out, so that a change of default does not
# silently change the shipped series.
"$jc" solar --weather "$tmy" --kwdc 0.76 --tilt 20 --azimuth 180 --model perez --temp-model sapm \
    --mount glass-polymer --losses 14.08 --gamma -0.47 --dc-ac-ratio 1.2 --inv-eff 96 --utc-offset 1 \
    -o "$out/pv_turin_0.76kwdc.csv"
install -m 0644 "$shared/pvgis-turin/pvlib_LICENSE" "$out/LICENSE-pvlib-BSD-3.txt"
