#!/usr/bin/env bash
# Build the ward-kiosk Debian package: one command, from a clone, on Debian 12.
#
#   bash installer/debian/build-deb.sh
#
# Makes dist/ward-kiosk_<version>_amd64.deb and leaves the wheelhouse it installed
# from in dist/wheelhouse/ (the offline media use both). The package holds a Python
# environment in /opt/ward-kiosk/venv built here from that wheelhouse, for Debian's
# /usr/bin/python3.11 (docs/it-guide.md#packaging). pyscard is built into a wheel here,
# once, so kiosk PCs need no compiler.
#
# With hash-locked requirements in installer/requirements/{kiosk,counter,board,web}.txt the
# wheelhouse is built from them with --require-hashes; without them, from the
# dependencies in pyproject.toml (a warning says so). A wheelhouse built before from the
# same lock is reused from $WARD_KIOSK_WHEEL_CACHE (default ~/.cache/ward-kiosk-build).
# Needs: python3.11, python3-venv, dpkg-dev tools (dpkg-deb); and to build pyscard:
# gcc, swig, python3-dev, libpcsclite-dev (build machine only).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python=/usr/bin/python3.11
dist="$repo/dist"
cache_root="${WARD_KIOSK_WHEEL_CACHE:-$HOME/.cache/ward-kiosk-build}"
prefix=/opt/ward-kiosk
venv="$prefix/venv"

log() { echo "build-deb: $*" >&2; }

version="$("$python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["project"]["version"])' "$repo/pyproject.toml")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A pip of our own, from Debian's Python (ensurepip): nothing of the developer's venv.
"$python" -m venv "$work/tools"
pip=("$work/tools/bin/python" -m pip --disable-pip-version-check -q)
# Debian's bundled pip builds sdists (pyscard, srt) the legacy way, which needs wheel.
"${pip[@]}" install --upgrade pip wheel

# 1. The wheelhouse: every dependency as a wheel (pyscard built from source, once).
locks=()
for role in kiosk counter board web; do
    [ -f "$repo/installer/requirements/$role.txt" ] && locks+=("$repo/installer/requirements/$role.txt")
done
if [ "${#locks[@]}" -gt 0 ]; then
    key="$(cat "${locks[@]}" | sha256sum | cut -c1-16)"
    log "locked requirements: ${locks[*]#"$repo/"}"
    # One environment serves every role: the kiosk's lock must pin all the others' too.
    pins() { grep -E '^[A-Za-z0-9._-]+(\[[^]]*\])?==' "$1" | sed -E 's/\[[^]]*\]//; s/[[:space:]].*//' | tr 'A-Z_' 'a-z-' | sort -u; }
    for lock in "${locks[@]}"; do
        extra="$(comm -13 <(pins "$repo/installer/requirements/kiosk.txt") <(pins "$lock"))"
        if [ -n "$extra" ]; then
            log "ERROR: ${lock#"$repo/"} pins what kiosk.txt does not: $extra"
            exit 1
        fi
    done
else
    key="unlocked-$(sha256sum "$repo/pyproject.toml" | cut -c1-16)"
    log "WARNING: no installer/requirements/*.txt yet: the wheelhouse follows pyproject.toml's"
    log "         dependencies unpinned (whatever is newest today), not a lock"
fi
cached="$cache_root/wheelhouse-$key"
if [ -d "$cached" ] && [ "${key#unlocked-}" = "$key" ]; then
    log "wheelhouse: reusing $cached"
else
    started=$SECONDS
    rm -rf "$cached.tmp"
    mkdir -p "$cached.tmp"
    if [ "${#locks[@]}" -gt 0 ]; then
        for lock in "${locks[@]}"; do
            "${pip[@]}" wheel --require-hashes --no-deps -w "$cached.tmp" -r "$lock"
        done
    else
        "${pip[@]}" wheel -w "$cached.tmp" "$repo[kiosk,counter,board]"
        rm -f "$cached.tmp"/ward_kiosk-*.whl
    fi
    rm -rf "$cached"
    mv "$cached.tmp" "$cached"
    log "wheelhouse: built in $((SECONDS - started)) s"
fi
rm -rf "$dist/wheelhouse"
mkdir -p "$dist"
cp -r "$cached" "$dist/wheelhouse"
# The kiosk itself, always from this clone.
"${pip[@]}" wheel --no-deps -w "$dist/wheelhouse" "$repo"
for lock in "${locks[@]}"; do cp "$lock" "$dist/wheelhouse/"; done
(cd "$dist/wheelhouse" && sha256sum -- *.whl >SHA256SUMS)

# 2. The package tree: the venv built where it will live, then moved into the tree.
root="$work/root"
stage="$work/stage"
mkdir -p "$root" "$stage"
"$python" -m venv "$stage$venv"
vpip=("$stage$venv/bin/python" -m pip --disable-pip-version-check -q)
install_args=(--no-index --find-links "$dist/wheelhouse" --no-compile)
if [ "${#locks[@]}" -gt 0 ]; then
    # The hashes were checked when the wheelhouse was filled; pyscard's wheel, built
    # here, has no hash in the lock: install the exact pins from the wheelhouse alone.
    pins "$repo/installer/requirements/kiosk.txt" >"$work/pins.txt"
    "${vpip[@]}" install --no-deps "${install_args[@]}" -r "$work/pins.txt" ward-kiosk=="$version"
    "${vpip[@]}" check
else
    "${vpip[@]}" install "${install_args[@]}" "ward-kiosk[kiosk,counter,board]==$version"
fi
# No pip on a kiosk: the environment changes only with the package.
"${vpip[@]}" uninstall -y pip setuptools >/dev/null
# Paths inside the venv name the staging folder: name the installed one instead.
grep -rlI --null "$stage$venv" "$stage$venv/bin" "$stage$venv/pyvenv.cfg" 2>/dev/null \
    | xargs -0 -r sed -i "s|$stage$venv|$venv|g"
rm -f "$stage$venv"/bin/activate.csh "$stage$venv"/bin/activate.fish "$stage$venv"/bin/Activate.ps1
# Byte code now, naming the installed paths, so nothing is written under /opt later.
"$stage$venv/bin/python" -m compileall -q -j 0 -s "$stage" -p / "$stage$venv/lib" >/dev/null || true
mkdir -p "$root$prefix"
mv "$stage$venv" "$root$venv"

install -D -m 0644 "$here/cups-privacy.sh" "$root$prefix/share/cups-privacy.sh"
install -D -m 0644 "$here/cupsd-privacy.conf" "$root$prefix/share/cupsd-privacy.conf"
install -d "$root/usr/bin"
ln -s "$venv/bin/ward-kiosk" "$root/usr/bin/ward-kiosk"
pkg="$here/package"
install -D -m 0644 "$pkg/ward-kiosk-kiosk.service" "$root/lib/systemd/system/ward-kiosk-kiosk.service"
install -D -m 0644 "$pkg/ward-kiosk-board.service" "$root/lib/systemd/system/ward-kiosk-board.service"
install -D -m 0644 "$repo/installer/web/ward-kiosk-web.service" "$root/lib/systemd/system/ward-kiosk-web.service"
install -D -m 0644 "$pkg/sysusers.conf" "$root/usr/lib/sysusers.d/ward-kiosk.conf"
install -D -m 0644 "$pkg/tmpfiles.conf" "$root/usr/lib/tmpfiles.d/ward-kiosk.conf"
install -D -m 0644 "$pkg/pam.conf" "$root/etc/pam.d/ward-kiosk"
install -D -m 0644 "$pkg/ward-kiosk-counter.desktop" "$root/usr/share/applications/ward-kiosk-counter.desktop"
install -D -m 0640 "$pkg/config.toml" "$root/etc/ward-kiosk/config.toml"
install -d -m 0750 "$root/etc/ward-kiosk/config.d"
install -D -m 0644 "$here/examples/usbguard-rules.conf" "$root/usr/share/doc/ward-kiosk/examples/usbguard-rules.conf"
for example in Caddyfile nginx.conf; do  # the reverse proxy before the web app (web.md)
    install -D -m 0644 "$repo/installer/web/$example" "$root/usr/share/doc/ward-kiosk/examples/$example"
done
for doc in it-guide.md configuration.md security.md web.md; do
    [ -f "$repo/docs/$doc" ] && install -D -m 0644 "$repo/docs/$doc" "$root/usr/share/doc/ward-kiosk/$doc"
done

install -d "$root/DEBIAN"
size_kb="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size_kb/" "$pkg/control.in" >"$root/DEBIAN/control"
printf '%s\n' /etc/ward-kiosk/config.toml /etc/pam.d/ward-kiosk >"$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$pkg/$script" "$root/DEBIAN/$script"
done

out="$dist/ward-kiosk_${version}_amd64.deb"
# zstd: xz would save a little more space but takes over ten minutes on two cores
# for the Qt libraries; zstd -9 takes about a minute (dpkg in Debian 12 reads it).
dpkg-deb --root-owner-group -Zzstd -z9 --build "$root" "$out" >/dev/null
log "$(du -h "$out" | cut -f1) $out"
echo "$out"
