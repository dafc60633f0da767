#!/usr/bin/env bash
# Build the offline installation media: a folder and a tarball of it that install the
# kiosk on a Debian 12 PC with no network (see "Offline media" in docs/it-guide.md).
#
#   bash installer/debian/build-offline.sh [--models DIR] [--deb FILE] [--wheelhouse DIR] [--out DIR]
#
#   --models DIR      speech models IT supplies: DIR/SHA256SUMS lists "<sha256>  <lang>/<name>.zip"
#   --deb FILE        the kiosk package (default: the one dist/ward-kiosk_*_amd64.deb)
#   --wheelhouse DIR  the locked wheelhouse (default: dist/wheelhouse)
#   --out DIR         where the folder and the tarball go (default: dist)
#
# It needs no root: it reads the build machine's apt package lists (run `apt-get update`
# first; the sources must be Debian 12) and downloads into the media folder.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
deb=""
wheelhouse="$repo/dist/wheelhouse"
models=""
out="$repo/dist"

die() { echo "build-offline.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --models) models="${2:?--models needs a folder}"; shift 2 ;;
        --deb) deb="${2:?--deb needs a file}"; shift 2 ;;
        --wheelhouse) wheelhouse="${2:?--wheelhouse needs a folder}"; shift 2 ;;
        --out) out="${2:?--out needs a folder}"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "build-offline.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
    esac
done

for tool in apt-get dpkg-deb dpkg-scanpackages sha256sum tar gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (dpkg-scanpackages is in dpkg-dev)"
done

if [ -z "$deb" ]; then
    shopt -s nullglob
    debs=("$repo"/dist/ward-kiosk_*_amd64.deb)
    shopt -u nullglob
    [ "${#debs[@]}" -eq 1 ] ||
        die "expected exactly one dist/ward-kiosk_*_amd64.deb (found ${#debs[@]}): run installer/debian/build-deb.sh or pass --deb"
    deb="${debs[0]}"
fi
[ -f "$deb" ] || die "$deb: no such file"
[ -d "$wheelhouse" ] || die "$wheelhouse: no wheelhouse (build-deb.sh makes dist/wheelhouse, or pass --wheelhouse)"
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
package="$(dpkg-deb -f "$deb" Package)"
version="$(dpkg-deb -f "$deb" Version)"
[ "$package" = "ward-kiosk" ] || die "$deb is package $package, not ward-kiosk"

name="ward-kiosk-offline-$version"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
media="$out/$name"
work="$(mktemp -d "$out/.build-offline.XXXXXX")"  # beside the media: the final mv is a rename
trap 'rm -rf "$work"' EXIT
started=$SECONDS

# Work in a new folder and move it into place at the end: a failed build leaves no
# half-made media behind, and an old one stays until the new one is complete.
staging="$work/$name"
mkdir -p "$staging/debs" "$staging/wheelhouse"

# --- Debian packages: the kiosk and everything it needs that a fresh Debian 12 may lack.
# apt resolves against an EMPTY dpkg status, so it takes the whole dependency closure
# (libc6 included), whatever this build machine happens to have installed. The build
# machine's own state (status, lists, cache, locks) is read, never written.
: > "$work/status"
mkdir -p "$work/archives/partial"
apt_build=(
    -o "Dir::State::status=$work/status"
    -o "Dir::State::extended_states=$work/extended_states"
    -o "Dir::Cache::archives=$work/archives"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Debug::NoLocking=1"
    -o "APT::Install-Recommends=0" -o "APT::Install-Suggests=0"
)
echo "Resolving the Debian packages $package $version needs (against an empty system)"
apt-get -q "${apt_build[@]}" install --download-only --yes "$deb" > "$work/apt.log" 2>&1 ||
    { cat "$work/apt.log" >&2; die "apt could not resolve the dependencies (is apt-get update done?)"; }
cp "$work"/archives/*.deb "$staging/debs/"
cp "$deb" "$staging/debs/"

# --- The local repository index, so apt-get install resolves from the folder alone.
(cd "$staging/debs" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null > Packages)
gzip -9nk "$staging/debs/Packages"
# A Release file with the indexes' checksums tells apt which index to fetch (without one
# it tries compressions that are not there). [trusted=yes] in install.sh stands in for a
# signature: the media is checked against SHA256SUMS before apt reads it.
{
    echo "Origin: ward-kiosk offline media"
    echo "Label: ward-kiosk"
    echo "Version: $version"
    echo "Architectures: amd64 all"
    echo "Date: $(LC_ALL=C date -u -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
    echo "SHA256:"
    for index in Packages Packages.gz; do
        echo " $(sha256sum "$staging/debs/$index" | cut -d' ' -f1) $(stat -c %s "$staging/debs/$index") $index"
    done
} > "$staging/debs/Release"

# The media must be complete on its own: simulate the install on an empty system with
# the folder as the only source.
echo "deb [trusted=yes] file:$staging/debs ./" > "$work/media.list"
mkdir -p "$work/lists/partial"
apt_media=(
    -o "Dir::Etc::sourcelist=$work/media.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::State::status=$work/status"
    -o "Dir::State::extended_states=$work/extended_states"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "Debug::NoLocking=1" -o "APT::Install-Recommends=0" -o "APT::Sandbox::User=root"
)
apt-get -q "${apt_media[@]}" update > "$work/check.log" 2>&1 &&
    apt-get -q "${apt_media[@]}" install --simulate ward-kiosk >> "$work/check.log" 2>&1 ||
    { cat "$work/check.log" >&2; die "the media's packages do not install ward-kiosk on their own"; }

# --- The locked wheelhouse, as build-deb.sh made it (for IT who install with pip).
cp -a "$wheelhouse/." "$staging/wheelhouse/"

# --- Speech models IT supplies, checked against their manifest before they are copied.
if [ -n "$models" ]; then
    [ -f "$models/SHA256SUMS" ] || die "$models/SHA256SUMS is missing (lines: <sha256>  <lang>/<name>.zip)"
    (cd "$models" && sha256sum --check --strict --quiet SHA256SUMS) ||
        die "$models: a model does not match SHA256SUMS"
    while read -r sum path; do
        [[ "$path" =~ ^[a-z]{2,3}(-[A-Za-z0-9]+)?/[A-Za-z0-9._-]+\.zip$ ]] ||
            die "$models/SHA256SUMS: $path is not <lang>/<name>.zip"
        [ "${#sum}" -eq 64 ] || die "$models/SHA256SUMS: bad checksum for $path"
        mkdir -p "$staging/models/$(dirname "$path")"
        cp "$models/$path" "$staging/models/$path"
    done < <(grep -v '^\s*#' "$models/SHA256SUMS" | grep -v '^\s*$' | sed 's/ \*/  /')
    cp "$models/SHA256SUMS" "$staging/models/SHA256SUMS"
fi

# --- The installer, and the checksums of every file it checks before anything else.
install -m 0755 "$here/offline-install.sh" "$staging/install.sh"
(cd "$staging" && find . -type f ! -path ./SHA256SUMS -printf '%P\n' | LC_ALL=C sort |
    xargs -d '\n' sha256sum > "$work/SHA256SUMS")
mv "$work/SHA256SUMS" "$staging/SHA256SUMS"
# models/SHA256SUMS is IT's manifest and is listed in the top SHA256SUMS like any file.

rm -rf "$media" "$media.tar.gz"
mv "$staging" "$media"
tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@0" \
    -cf - "$name" | gzip -n > "$media.tar.gz.tmp"
mv "$media.tar.gz.tmp" "$media.tar.gz"

count="$(find "$media/debs" -name '*.deb' | wc -l)"
echo "Built $media ($(du -sh "$media" | cut -f1), $count Debian packages)"
echo "  and $media.tar.gz ($(du -h "$media.tar.gz" | cut -f1)) in $((SECONDS - started)) s"
