#!/usr/bin/env bash
# Install the ward kiosk from this offline media on a Debian 12 PC with no network.
#
#   sudo bash install.sh [--no-models]
#
# 1. checks every file of the media against SHA256SUMS (nothing is installed if one differs);
# 2. installs the package ward-kiosk and the Debian packages it needs from debs/, with this
#    folder as apt's only source for the run (the PC's own sources and lists are untouched);
# 3. installs each speech model in models/ with `ward-kiosk models install --sha256`.
# The environment reaches the package's scripts: WARD_KIOSK_ROLE=kiosk|board|counter
# chooses the role, DEBIAN_FRONTEND=noninteractive makes an unattended run. Safe to run again.
set -euo pipefail

media="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
models=1
for arg in "$@"; do
    case "$arg" in
        --no-models) models=0 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
    esac
done
die() { echo "install.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run it as root (sudo bash $0)"

echo "Checking the media ($media)"
(cd "$media" && sha256sum --check --strict --quiet SHA256SUMS) ||
    die "the media is damaged or was changed: a file does not match SHA256SUMS"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
# apt's sources.list cannot quote a path (a USB stick mounted at "/media/it/USB DISK"):
# the source is a link to the folder from the temporary one.
ln -s "$media/debs" "$work/debs"
echo "deb [trusted=yes] file:$work/debs ./" > "$work/sources.list"
# The folder is the only source, with its own package lists: the PC's sources.list,
# sources.list.d and /var/lib/apt/lists are neither read nor changed.
apt_media=(
    -o "Dir::Etc::sourcelist=$work/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Install-Recommends=0" -o "Acquire::Languages=none"
    -o "DPkg::Lock::Timeout=300" -o "APT::Sandbox::User=root"
)
echo "Installing ward-kiosk and the Debian packages it needs from the media"
apt-get -q "${apt_media[@]}" update
apt-get -q "${apt_media[@]}" install --yes ward-kiosk
dpkg-query -W -f='${Status} ${Version}\n' ward-kiosk | grep -q '^install ok installed' ||
    die "ward-kiosk is not installed"

if [ "$models" -eq 1 ] && [ -f "$media/models/SHA256SUMS" ]; then
    while read -r sum path; do
        language="${path%%/*}"
        echo "Installing the speech model $path for $language"
        ward-kiosk models install --lang "$language" --sha256 "$sum" "$media/models/$path"
    done < <(grep -v '^\s*#' "$media/models/SHA256SUMS" | grep -v '^\s*$' | sed 's/ \*/  /')
fi
echo "Installed ward-kiosk $(dpkg-query -W -f='${Version}' ward-kiosk) from the media."
