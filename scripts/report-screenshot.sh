#!/usr/bin/env bash
# Renders a tl report page in headless Chromium into a PNG, as a browser shows it (a check that the page is
# self-contained: Chromium runs without network here, and images must come from data URIs).
# Usage: scripts/report-screenshot.sh REPORT.html OUT.png [WIDTHxHEIGHT]   (default 1100x3200)
# Needs Debian's chromium: apt-get install -y chromium
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 REPORT.html OUT.png [WIDTHxHEIGHT]" >&2; exit 2; }
page="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$2"
size="${3:-1100x3200}"
[ -f "$page" ] || { echo "$0: no such page: $1" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "$0: needs chromium (apt-get install -y chromium)" >&2; exit 2; }

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: Chromium's sandbox cannot start as root (CI); the page is our own, read from a local file.
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")" "file://$page" >/dev/null 2>&1
[ -s "$out" ] || { echo "$0: chromium wrote no screenshot" >&2; exit 1; }
echo "wrote $out"
