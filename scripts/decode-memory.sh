#!/usr/bin/env bash
# Decoding memory per format: renders one large image of each kind tl decodes (scripts/BigImages.java: baseline and
# progressive JPEG, 8-bit RGB and 16-bit RGBA PNG, BMP, GIF), runs `tl predict` on each alone and on a small image, and
# reports the peak resident memory each large image adds beside what tl reserves for its decode (DecodeBudget: the
# image's bytes, the decoded pixels and a framed copy, the decoder's working memory).
# Usage: scripts/decode-memory.sh [WIDTH HEIGHT]   (default 8000 6000; files under ${TMPDIR:-/tmp}/tl-decode-memory)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
width="${1:-8000}"
height="${2:-6000}"
work="${TMPDIR:-/tmp}/tl-decode-memory"
images="$work/images-${width}x$height"
export TL_HOME="$work/home"
if [ ! -d "$images" ]; then
  echo "decode-memory: rendering ${width}x$height images into $images" >&2
  java -Xmx12g "$repo/scripts/BigImages.java" "$images.partial" "$width" "$height"
  mv "$images.partial" "$images"
fi
if [ ! -f "$work/model/tl-model.json" ]; then
  "$repo/scripts/tl" train --model mobilenet_0.25 --weights none --image-size 32 --data "$repo/data/sample/train" \
      --frozen-epochs 1 --finetune-epochs 0 --output "$work/model" -q > /dev/null
fi
peak() { # peak RSS in kB of tl predict on one image
  /usr/bin/time -f "%M" "$repo/scripts/tl" predict --model-dir "$work/model" "$1" -q 2>&1 >/dev/null | tail -1
}
small="$(peak "$repo/data/sample/val/horizontal/$(ls "$repo/data/sample/val/horizontal" | head -1)")"
pixels=$((width * height))
echo "baseline (a small image): peak RSS $((small / 1024)) MB"
printf '%-16s %10s %12s %14s\n' image "file MB" "added MB" "bytes/pixel"
for file in baseline.jpg progressive.jpg rgb.png rgba16.png rgb.bmp indexed.gif; do
  rss="$(peak "$images/$file")"
  size="$(stat -c %s "$images/$file")"
  printf '%-16s %10d %12d %14.1f\n' "$file" $((size / 1048576)) $(((rss - small) / 1024)) \
      "$(echo "($rss - $small) * 1024 / $pixels" | bc -l)"
done
