#!/usr/bin/env bash
# Hash-locked requirements per role, for Python 3.11 on Linux x86-64 (Debian 12, glibc 2.36):
#
#   bash installer/lock.sh             # lock again, keeping the pinned versions that still fit
#   bash installer/lock.sh --upgrade   # move every pin to the newest release that fits
#
# Writes installer/requirements/{kiosk,counter,board,web,dev}.txt from pyproject.toml: the base
# dependencies plus the role's extra (dev.txt: every extra and the test tools). Every file
# carries the sha256 of each release file, so `pip install --require-hashes -r FILE`
# installs exactly what was locked. Needs a package index (uv is fetched into a temporary
# venv unless $UV names one). Commit the files together with the pyproject.toml change.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
uv_version="0.13.9"
extra_args=()
for arg in "$@"; do
    case "$arg" in
        --upgrade) extra_args+=(--upgrade) ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "lock.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

uv="${UV:-}"
if [ -z "$uv" ]; then
    tools="$(mktemp -d)"
    trap 'rm -rf "$tools"' EXIT
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/python" -m pip install -q "uv==$uv_version"
    uv="$tools/venv/bin/uv"
fi

lock() {
    local out="$1"
    shift
    (cd "$repo" && "$uv" pip compile pyproject.toml "$@" "${extra_args[@]}" \
        --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_36 \
        --custom-compile-command "bash installer/lock.sh" --quiet \
        -o "installer/requirements/$out")
    echo "installer/requirements/$out"
}

mkdir -p "$repo/installer/requirements"
# The Debian package has one environment for every role: the kiosk lock pins the web too.
lock kiosk.txt --extra kiosk --extra web
lock counter.txt --extra counter
lock board.txt --extra board
lock web.txt --extra web
lock dev.txt --extra kiosk --extra counter --extra board --extra web --extra test
