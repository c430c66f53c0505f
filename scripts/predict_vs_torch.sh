#!/usr/bin/env bash
# tl predict of one image on a MobileNetV2 bundle against a PyTorch script that loads torchvision's MobileNetV2 and
# predicts one image (scripts/predict_torch.py), side by side: each a fresh process, timed from its start to its
# exit, in alternating rounds after one untimed round of each; also tl on the dl4j engine (as before the
# onnxruntime engine) and the peak resident memory of each. Prints a Markdown table of medians.
#
# Needs: apt-get install -y python3-torch python3-torchvision
# Usage: scripts/predict_vs_torch.sh [--rounds N] [--model-dir DIR] [--image FILE]
#        without --model-dir, trains a MobileNetV2 bundle (random weights, one frozen epoch) on data/sample
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=5
bundle=""
image="$(ls "$repo"/data/sample/val/horizontal/* | head -1)"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --model-dir) bundle="$2"; shift 2 ;;
    --image) image="$2"; shift 2 ;;
    *) echo "predict_vs_torch: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! /usr/bin/python3 -c 'import torch, torchvision' 2> /dev/null; then
  echo "predict_vs_torch: needs Debian's PyTorch: apt-get install -y python3-torch python3-torchvision" >&2
  exit 2
fi
tl="$repo/scripts/tl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -z "$bundle" ]; then
  bundle="$work/mobilenetv2"
  echo "predict_vs_torch: training a MobileNetV2 bundle on data/sample" >&2
  "$tl" -q train --model mobilenetv2 --weights none --data "$repo/data/sample/train" --val-split 0 \
      --frozen-epochs 1 --finetune-epochs 0 --output "$bundle" > /dev/null
fi
/usr/bin/python3 "$repo/scripts/predict_torch.py" --save "$work/mobilenet_v2.pt"

# One run: "seconds peak-KB" of a fresh process, its output discarded.
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
          cat "$work/time"; }
tl_onnx=(timed "$tl" -q predict --model-dir "$bundle" "$image")
tl_dl4j=(timed "$tl" -q predict --engine dl4j --model-dir "$bundle" "$image")
torch=(timed /usr/bin/python3 "$repo/scripts/predict_torch.py" "$work/mobilenet_v2.pt" "$image")
"${tl_onnx[@]}" > /dev/null; "${tl_dl4j[@]}" > /dev/null; "${torch[@]}" > /dev/null   # caches warm, archives written
for _ in $(seq "$rounds"); do
  echo "tl $("${tl_onnx[@]}")" >> "$work/runs"
  echo "torch $("${torch[@]}")" >> "$work/runs"
  echo "tl-dl4j $("${tl_dl4j[@]}")" >> "$work/runs"
done
/usr/bin/python3 - "$work/runs" "$rounds" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, seconds, kb = line.split()
    runs.setdefault(who, []).append((float(seconds), int(kb)))
def median(who, i):
    return statistics.median(r[i] for r in runs[who])
torch = median("torch", 0)
print(f"| one image, MobileNetV2 | wall seconds (median of {sys.argv[2]}) | vs PyTorch | peak RSS MB |")
print("| --- | --- | --- | --- |")
for who, what in [("torch", "PyTorch script (torchvision model, weights from a file)"),
                  ("tl", "tl predict, bundle (onnxruntime engine)"),
                  ("tl-dl4j", "tl predict --engine dl4j, bundle")]:
    seconds = median(who, 0)
    print(f"| {what} | {seconds:.2f} | {torch / seconds:.2f}x | {median(who, 1) / 1024:.0f} |")
print("\nvs PyTorch > 1 means tl is faster; every run is a fresh process, from its start to its exit.")
PY
