#!/usr/bin/env bash
# Start the kiosk in demo mode: a virtual My Number card on a virtual reader, forms
# written as PDF files, and the residents' web pages on http://127.0.0.1:8080/. Without a
# display it runs on a virtual one (Xvfb).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ ! -e /usr/lib/pcsc/drivers/serial/libifdvpcd.so ]; then
    echo "The demo needs its virtual card reader (vsmartcard-vpcd), which a kiosk visitors" >&2
    echo "use does not install. Install it: bash installer/debian/setup.sh --demo" >&2
    exit 1
fi
# The residents' web pages beside it, on this PC only: prepare at home, and the ticket's
# QR code opens its phone page (docs/web.md).
port="${WARD_KIOSK_DEMO_WEB_PORT:-8080}"
export WARD_KIOSK_WEB_PUBLIC_URL="${WARD_KIOSK_WEB_PUBLIC_URL:-http://127.0.0.1:$port}"
config=()  # the kiosk's --config, if given, for the web pages too (the same database)
args=("$@")
for i in "${!args[@]}"; do
    if [ "${args[$i]}" = --config ]; then config=(--config "${args[$((i + 1))]:-}"); fi
done
"$repo/.venv/bin/ward-kiosk" web "${config[@]}" --host 127.0.0.1 --port "$port" &
web=$!
trap 'kill "$web" 2>/dev/null || true' EXIT
sleep 2
if kill -0 "$web" 2>/dev/null; then
    echo "Residents' web pages: $WARD_KIOSK_WEB_PUBLIC_URL/ (prepare there, then 自宅で準備した方 at the kiosk)"
else
    echo "The residents' web pages did not start (is port $port taken? set WARD_KIOSK_DEMO_WEB_PORT)." >&2
fi
kiosk=("$repo/.venv/bin/ward-kiosk" run --demo --windowed "$@")
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    "${kiosk[@]}"
    exit
fi
echo "No display found: running the kiosk on a virtual display (Xvfb). Stop it with Ctrl+C."
xvfb-run -a -s "-screen 0 1280x1024x24" "${kiosk[@]}"
