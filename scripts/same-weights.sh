#!/usr/bin/env bash
# Checks that a refactoring changed no number: trains the same small runs with the tl of git revision REV and with
# this checkout, and compares the saved weights byte for byte (model.zip's coefficients.bin). The runs cover both
# phases, a Dense head with dropout, augmentation (on images and as cached copies), every schedule, class weights,
# per-block learning rates, early stopping and a fused model.
#
# Usage: scripts/same-weights.sh REV [DATA_DIR]   (DATA_DIR: class folders; default ../shared/datasets/hymenoptera/train)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rev="${1:?usage: scripts/same-weights.sh REV [DATA_DIR]}"
data="${2:-$repo/../shared/datasets/hymenoptera/train}"
[ -d "$data" ] || { echo "same-weights: no data at $data (give a folder of class folders)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "same-weights: building $rev in $work/old" >&2
git -C "$repo" worktree add -q --detach "$work/old" "$rev"
trap 'git -C "$repo" worktree remove --force "$work/old"; rm -rf "$work"' EXIT
(cd "$work/old" && mvn -B -q -DskipTests package) >&2

# A small stratified subset: the first 12 images of each class.
subset="$work/data"
for class_dir in "$data"/*/; do
  class="$(basename "$class_dir")"
  mkdir -p "$subset/$class"
  find "$class_dir" -maxdepth 1 -type f | sort | head -12 | xargs -I{} cp {} "$subset/$class/"
done

common=(--weights none --data "$subset" --val-split 0.25 --image-size 32 --batch-size 4 --seed 11 --no-feature-cache)
runs=(
  "--model mobilenet --frozen-epochs 3 --finetune-epochs 2 --dense 16 --dropout 0.5"
  "--model mobilenetv2 --frozen-epochs 3 --finetune-epochs 1 --augment --feature-cache-augment 2 --schedule cosine --warmup-epochs 1"
  "--model mobilenet --frozen-epochs 2 --finetune-epochs 2 --flip --rotation 15 --schedule plateau --plateau-patience 0 --class-weights auto --unfreeze-blocks 2 --lr-decay-per-block 0.5"
  "--model efficientnetb0 --frozen-epochs 2 --finetune-epochs 2 --schedule onecycle --patience 1 --monitor val_loss --unfreeze 20"
  "--model mobilenet,mobilenetv2 --frozen-epochs 4 --schedule step --step-size 1 --step-gamma 0.5"
)

status=0
for i in "${!runs[@]}"; do
  read -r -a args <<< "${runs[$i]}"
  for side in old new; do
    launcher="$repo/scripts/tl"
    [ "$side" = old ] && launcher="$work/old/scripts/tl"
    TL_HOME="$work/home-$side" "$launcher" -q train "${common[@]}" "${args[@]}" --output "$work/$side-$i" \
      > "$work/$side-$i.log" 2>&1 || { echo "run $i ($side) failed:"; tail -5 "$work/$side-$i.log"; exit 1; }
  done
  old_sum="$(unzip -p "$work/old-$i/model.zip" coefficients.bin | sha256sum | cut -c1-16)"
  new_sum="$(unzip -p "$work/new-$i/model.zip" coefficients.bin | sha256sum | cut -c1-16)"
  if [ "$old_sum" = "$new_sum" ]; then
    echo "same     run $i: ${runs[$i]} (coefficients $new_sum)"
  else
    echo "DIFFERENT run $i: ${runs[$i]} ($rev $old_sum, this checkout $new_sum)"
    status=1
  fi
done
exit $status
