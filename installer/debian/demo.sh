#!/usr/bin/env bash
# Start the kiosk in demo mode: a virtual My Number card on a virtual reader, forms
# written as PDF files. Without a display it runs on a virtual one (Xvfb).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]; then
    echo "The demo needs its virtual card reader (vsmartcard-vpcd), which a kiosk visitors" >&2
    echo "use does not install. Install it: bash installer/debian/setup.sh --demo" >&2
    exit 1
fi
kiosk=("$repo/.venv/bin/ward-kiosk" run --demo --windowed "$@")
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    exec "${kiosk[@]}"
fi
echo "No display found: running the kiosk on a virtual display (Xvfb). Stop it with Ctrl+C."
exec xvfb-run -a -s "-screen 0 1280x1024x24" "${kiosk[@]}"
