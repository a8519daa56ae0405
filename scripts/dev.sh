#!/usr/bin/env bash
# The README's two commands end here:
#   bash scripts/dev.sh demo    install what is missing, build, run the main job
#   bash scripts/dev.sh check   install what is missing, build, run every test,
#                               then build and run them again under ASan+UBSan
# Both install the Debian packages in scripts/packages.txt that are missing
# (as root; otherwise they say what to install) and then call make.
set -euo pipefail
cd "$(dirname "$0")/.."

install_missing() {
    local missing=()
    while read -r pkg; do
        pkg=${pkg%%#*}
        pkg=${pkg//[[:space:]]/}
        [ -n "$pkg" ] || continue
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done < scripts/packages.txt
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "dev.sh: installing missing Debian packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then sudo=sudo; else
            echo "dev.sh: not root: install these first: apt-get install ${missing[*]}" >&2
            exit 1
        fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

cmd=${1:-}
case "$cmd" in
    demo|check) ;;
    *) echo "usage: bash scripts/dev.sh demo|check" >&2; exit 2 ;;
esac
install_missing
exec make "$cmd"
