#!/bin/bash
# Run inside the overlay root (test_deb.py): start the kiosk unit's ExecStart= command
# line as the ward-kiosk user under cage's headless backend, wait for the test to ask
# for a screenshot ($share/shoot), take it with grim, and stop the session.
set -euo pipefail
share="$1"
unit="$2"
as_user=(setpriv --reuid=ward-kiosk --regid=ward-kiosk --init-groups --)
install -d -m 0700 -o ward-kiosk -g ward-kiosk "$share/xdg"
read -r -a exec_start <<<"$(sed -n 's/^ExecStart=//p' "$unit")"
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit")
session_env=(XDG_RUNTIME_DIR="$share/xdg" WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1
             WLR_RENDERER=pixman NOTIFY_SOCKET="$share/notify" WATCHDOG_USEC=4000000
             HOME=/var/lib/ward-kiosk LANG=C.UTF-8 "${unit_env[@]}")
date +%s.%N >"$share/started"
"${as_user[@]}" env -i PATH=/usr/bin:/bin "${session_env[@]}" "${exec_start[@]}" \
    >"$share/session.log" 2>&1 &
session=$!
trap 'kill -TERM "$session" 2>/dev/null || true' EXIT
for _ in $(seq 1 900); do
    [ -e "$share/shoot" ] && break
    kill -0 "$session" 2>/dev/null || { echo "the session ended early"; exit 3; }
    sleep 0.2
done
display="$(cd "$share/xdg" && ls | grep -E '^wayland-[0-9]+$' | head -1)"
"${as_user[@]}" env -i XDG_RUNTIME_DIR="$share/xdg" WAYLAND_DISPLAY="$display" \
    /usr/bin/grim "$share/xdg/screen.png"
cp "$share/xdg/screen.png" "$share/screen.png"
kill -TERM "$session"
wait "$session" || true
echo "session stopped"
