# Shared by the end-to-end tests (sourced, not run): a scratch folder, and
# ok/bad/expect_exit helpers that count failures.
# Sets: JC (the command), PY (Debian's python3), TMP, fails.
set -uo pipefail
JC=$1
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
ok() { echo "ok - $1"; }
bad() { echo "FAIL - $1"; fails=$((fails + 1)); }
expect_exit() { # expected-code description command...: output in $TMP/out and $TMP/err
    local want=$1 what=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else bad "$what: exit $got, wanted $want"; cat "$TMP/err"; fi
}
finish() {
    if [ "$fails" -ne 0 ]; then echo "$fails check(s) failed"; exit 1; fi
    echo "all checks passed"
}
