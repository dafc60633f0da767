#!/usr/bin/env bash
# Set up the ward kiosk on Debian 12: system packages, a virtual environment, the package.
#
#   bash installer/debian/setup.sh            # what a kiosk visitors use needs to run
#   bash installer/debian/setup.sh --demo     # plus the demo's virtual card reader
#   bash installer/debian/setup.sh --dev      # plus what the tests need (the demo's too)
#   bash installer/debian/setup.sh --role=board   # a board (or counter) PC's libraries only
#   bash installer/debian/setup.sh --role=web     # the residents' web server (docs/web.md)
#
# Python packages come from the hash-locked installer/requirements/<role>.txt
# (dev.txt with --dev; made by installer/lock.sh), then the kiosk itself (--no-deps).
# Run it as root or as a user who may use sudo. It is safe to run again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dev=0
demo=0
role=kiosk
for arg in "$@"; do
    case "$arg" in
        --dev) dev=1; demo=1 ;;
        --demo) demo=1 ;;
        --role=kiosk|--role=counter|--role=board|--role=web) role="${arg#--role=}" ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if [ "$role" = web ] && [ "$dev" -eq 0 ] && [ "$demo" -eq 0 ]; then
    # The web server reaches residents' phones: Python only, no card reader, display,
    # printing or sound (its Python packages still hold Qt, which it never imports).
    packages=(python3 python3-venv python3-pip)
else
    mapfile -t packages < <(grep -v '^\s*#' "$here/packages-run.txt" | grep -v '^\s*$')
fi
if [ "$demo" -eq 1 ]; then
    mapfile -t -O "${#packages[@]}" packages < <(grep -v '^\s*#' "$here/packages-demo.txt" | grep -v '^\s*$')
fi
if [ "$dev" -eq 1 ]; then
    mapfile -t -O "${#packages[@]}" packages < <(grep -v '^\s*#' "$here/packages-dev.txt" | grep -v '^\s*$')
    # The web app's browser tests (tests/web/test_browser.py): Debian's chromium and its
    # driver at /usr/bin/chromedriver, never a browser Selenium downloads itself.
    packages+=(chromium chromium-driver)
    # The reverse proxy examples (installer/web/) run in tests/web/test_reverse_proxy.py.
    packages+=(nginx-light caddy)
fi

missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    # A pcscd that was already running has not read the new virtual reader's settings.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet pcscd 2>/dev/null; then
        as_root systemctl restart pcscd
    fi
fi

# The demo's virtual reader lets a program on the network put a "card" into pcscd
# (TCP 35963): a kiosk set up by an older setup.sh may still have it.
if [ "$demo" -eq 0 ] && installed vsmartcard-vpcd; then
    echo "Warning: vsmartcard-vpcd (the demo's virtual card reader) is installed. A kiosk" >&2
    echo "visitors use must not have it: sudo apt-get purge vsmartcard-vpcd && sudo systemctl restart pcscd" >&2
fi

# A local CUPS keeps no copy of printed forms (personal data): PreserveJobFiles No.
# A CUPS server elsewhere needs the same: run cups-privacy.sh there (docs/printing.md).
if [ -f /etc/cups/cupsd.conf ]; then
    if [ "$(as_root bash "$here/cups-privacy.sh" /etc/cups/cupsd.conf)" = changed ]; then
        echo "CUPS set to keep no job files (/etc/cups/cupsd.conf)"
        if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet cups 2>/dev/null; then
            as_root systemctl restart cups
        fi
    fi
fi

cd "$repo"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
# The demo runs kiosk and counter on one PC: the kiosk's lock holds both roles' libraries.
# The kiosk's lock holds the web app's libraries too: the demo serves the residents' pages.
lock="installer/requirements/$role.txt"
if [ "$dev" -eq 1 ]; then
    lock="installer/requirements/dev.txt"
fi
.venv/bin/python -m pip install -q --require-hashes -r "$lock"
.venv/bin/python -m pip install -q --no-deps -e .
echo "Ready: $repo/.venv/bin/ward-kiosk"
