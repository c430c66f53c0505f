#!/usr/bin/env bash
# Transfer-learning recipes on real photos: trains mobilenet_0.25 from Keras' ImageNet weights on the hymenoptera
# set (245 training, 153 validation images) once per recipe and prints a Markdown table of validation accuracies
# (recorded in docs/ACCURACY.md). Each line of RECIPES is one run: the options added to the common command.
#
# Needs ../shared beside the repository (the weights and photos are third-party and not part of it).
# Usage: scripts/accuracy.sh [RECIPES_FILE]   (default: the recipes below; '#' starts a comment)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
data="$shared/datasets/hymenoptera"
weights="$shared/weights/mobilenet_2_5_224_tf_no_top.h5"
for needed in "$data/train" "$data/val" "$weights"; do
  [ -e "$needed" ] || { echo "accuracy: needs $needed" >&2; exit 2; }
done

default_recipes() {
  cat <<'RECIPES'
# the defaults
--frozen-epochs 10 --finetune-epochs 0
RECIPES
}

recipes=$( [ $# -ge 1 ] && cat "$1" || default_recipes )
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "| options (after \`tl train --model mobilenet_0.25 --weights ...no_top.h5 --data train --val-data val --image-size 224\`) | val accuracy | kept epoch | best val accuracy per phase | time |"
echo "| --- | --- | --- | --- | --- |"
while IFS= read -r recipe; do
  recipe="${recipe%%#*}"
  [ -n "${recipe// }" ] || continue
  start=$(date +%s)
  # shellcheck disable=SC2086 # a recipe is a list of options
  "$repo/scripts/tl" -q train --model mobilenet_0.25 --weights "$weights" --data "$data/train" \
      --val-data "$data/val" --image-size 224 $recipe --output "$work/model" > /dev/null
  accuracy=$("$repo/scripts/tl" -q evaluate --model-dir "$work/model" --data "$data/val" --json \
      | python3 -c 'import json, sys; print("%.4f" % json.load(sys.stdin)["accuracy"])')
  epochs=$(python3 - "$work/model/tl-model.json" <<'PY'
import json, sys
bundle = json.load(open(sys.argv[1]))
kept = bundle["kept_epoch"]
best = {}
for epoch in bundle["history"]:
    best[epoch["phase"]] = max(best.get(epoch["phase"], 0), epoch.get("val_accuracy") or 0)
print(f'{kept["phase"]} {kept["epoch"]} | ' + ", ".join(f"{phase} {value:.4f}" for phase, value in best.items()))
PY
)
  echo "| \`${recipe% }\` | $accuracy | $epochs | $(( $(date +%s) - start )) s |"
  rm -rf "$work/model"
done <<< "$recipes"
