#!/usr/bin/env bash
# The main job on the sample in data/: train MobileNet (224 px) on ants vs bees, evaluate it, classify one image.
# Uses ImageNet weights when they are cached or can be downloaded; offline it falls back to --weights none.
# Usage: scripts/demo.sh [MODEL_DIR]   (default: ./tl-model)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tl="$repo/scripts/tl"
data="$repo/data/hymenoptera"
model_dir="${1:-tl-model}"

weights=imagenet
if ! "$tl" weights --download mobilenet > /dev/null 2>&1; then
  echo "demo: ImageNet weights for mobilenet cannot be downloaded here (offline?); continuing with --weights none" >&2
  weights=none
fi

"$tl" train --model mobilenet --weights "$weights" --data "$data/train" --val-data "$data/val" \
  --frozen-epochs 10 --finetune-epochs 2 --output "$model_dir"
"$tl" evaluate --model-dir "$model_dir" --data "$data/val"
"$tl" predict --model-dir "$model_dir" "$data/val/ants/10308379_1b6c72e180.jpg" "$data/val/bees/1032546534_06907fe3b3.jpg"
