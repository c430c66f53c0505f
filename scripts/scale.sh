#!/usr/bin/env bash
# tl at scale: renders 25,000 images of 224 px (scripts/ScaleData.java), trains the frozen phase on them with a
# random-weight MobileNet, and reports the peak resident memory. The feature pass is interrupted once (SIGTERM) a
# while in, and the same command then continues from the features already cached instead of starting over.
# Usage: scripts/scale.sh [N]   (default 25000; images and the feature cache go under ${TMPDIR:-/tmp}/tl-scale)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-25000}"
work="${TMPDIR:-/tmp}/tl-scale"
data="$work/images-$count"
export TL_HOME="$work/home"
if [ ! -d "$data" ]; then
  echo "scale: rendering $count images into $data" >&2
  java "$repo/scripts/ScaleData.java" "$data.partial" "$count"
  mv "$data.partial" "$data"
fi
rm -rf "$TL_HOME" "$work/model" "$work/model.checkpoint"
train=("$repo/scripts/tl" train --model mobilenet --weights none --data "$data" --image-size 224 --batch-size 32
       --frozen-epochs 3 --finetune-epochs 0 --output "$work/model")

echo "scale: first run, interrupted after 240 s of the feature pass" >&2
"${train[@]}" > "$work/first.log" 2>&1 &
pid=$!
sleep 240
kill -TERM "$pid" || true
wait "$pid" && status=0 || status=$?
echo "scale: exit $status; $(tail -1 "$work/first.log")" >&2

echo "scale: the same command again" >&2
/usr/bin/time -v "${train[@]}" > "$work/second.log" 2>&1
grep -E "read from the cache|saved model" "$work/second.log" || true
echo "peak RSS: $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/second.log") kB"
echo "wall: $(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$work/second.log")"
