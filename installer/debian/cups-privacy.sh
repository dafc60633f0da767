#!/usr/bin/env bash
# Make CUPS keep no job files: printed forms hold personal data (docs/printing.md).
#
#   bash installer/debian/cups-privacy.sh [CUPSD_CONF]    # default /etc/cups/cupsd.conf
#
# Appends installer/debian/cupsd-privacy.conf (PreserveJobFiles No, PreserveJobHistory
# 300) and comments out any other PreserveJobFiles/PreserveJobHistory line. Safe to run
# again. Prints "changed" or "unchanged"; restart cupsd after "changed". The tests'
# private cupsd (tests/cups_fixture.py) is configured by this same script.
set -euo pipefail

conf="${1:-/etc/cups/cupsd.conf}"
snippet="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cupsd-privacy.conf"
if [ ! -f "$conf" ]; then
    echo "cups-privacy.sh: $conf does not exist; install CUPS (cups-daemon) or name the file" >&2
    exit 2
fi
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
sed -E \
    -e '/^# >>> ward-kiosk/,/^# <<< ward-kiosk/d' \
    -e 's/^[[:space:]]*(PreserveJob(Files|History)([[:space:]].*)?)$/# \1    # replaced by ward-kiosk below/' \
    "$conf" >"$tmp"
cat "$snippet" >>"$tmp"
if cmp -s "$tmp" "$conf"; then
    echo unchanged
else
    cat "$tmp" >"$conf"  # in place: the file keeps its owner and mode
    echo changed
fi
