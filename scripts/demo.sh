#!/usr/bin/env bash
# The main job on the sample in data/sample: train MobileNet (224 px) to tell horizontal from vertical stripes,
# evaluate it, classify one image of each class, and write the model's HTML report. The bundle then holds
# training.png, history.csv, confusion.png, errors.png, errors.csv and report.html beside the model.
# Uses ImageNet weights when they are cached or can be downloaded; offline it falls back to --weights none.
# Usage: scripts/demo.sh [MODEL_DIR]   (default: ./tl-model)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tl="$repo/scripts/tl"
data="$repo/data/sample"
model_dir="${1:-tl-model}"

weights=imagenet
recipe=(--frozen-epochs 10 --finetune-epochs 2)
if ! "$tl" weights --download mobilenet > /dev/null 2>&1; then
  echo "demo: ImageNet weights for mobilenet cannot be downloaded here (offline?); continuing with --weights none" >&2
  weights=none
  # A random network's pooled features vary little from image to image: the head needs more and larger steps.
  recipe=(--frozen-epochs 30 --lr 1e-2 --finetune-epochs 2)
fi

"$tl" train --model mobilenet --weights "$weights" --data "$data/train" --val-data "$data/val" \
  "${recipe[@]}" --output "$model_dir"
"$tl" evaluate --model-dir "$model_dir" --data "$data/val"
"$tl" predict --model-dir "$model_dir" "$data/val/horizontal/horizontal_048.jpg" "$data/val/vertical/vertical_047.png"
"$tl" report --model-dir "$model_dir"
