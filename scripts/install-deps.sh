#!/usr/bin/env bash
# Installs the Debian packages pairbook builds and tests against, when any is missing.
# Runs apt-get as root; otherwise prints the exact command to run and fails.
set -euo pipefail

# libjs-dygraphs: the dashboard's charting library, served from /usr/share/javascript/dygraphs.
packages=(pkg-config libcairo2-dev libpango1.0-dev libsqlite3-dev zlib1g-dev fonts-dejavu-core poppler-utils libjs-dygraphs)
if [ "$#" -gt 0 ]; then packages+=("$@"); fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "pairbook: installing missing system packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "pairbook: please run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi
