#!/usr/bin/env bash
# tl against PyTorch, side by side on this machine, in one run:
#   step    synthetic batches: inference (on each inference engine) and fine-tune training step (DL4J), BatchNorm
#           frozen (median images/s), with the
#           first batch's time (the warm-up) and what the rate means against this machine's limits: GFLOP/s of the
#           network's multiply-adds (counted from its layers by tl bench) as a share of the measured FMA peak, and
#           for depthwise-heavy nets the activation traffic in GB/s as a share of a STREAM triad (scripts/machine_limits.c)
#   embed   tl embed of the 398 hymenoptera images (train + val; images/s) on each inference engine, from the
#           command's start to its exit (JVM and native start-up, building or loading the network, decoding; a run
#           after the first, which converts the backbone and keeps it in $TL_HOME/onnx), against PyTorch's loop over
#           its DataLoader; and its warm-up: the embed's time beyond what its images cost at the steady inference
#           rate, and what the first run took more
#   memory  peak resident memory of DenseNet201 fine-tuning at batch 32
#   train   end to end on hymenoptera: 10 frozen + 2 fine-tune epochs at 224 px (seconds), tl vs a plain PyTorch
#           script doing the same epochs
# Both sides use 2 threads, batch 16, 224 px and random weights (this machine cannot download ImageNet weights).
# PyTorch runs as a user runs it, and for embed and step also with the glibc malloc and OpenMP wait settings tl's
# launcher uses (on a VM where page faults are dear, or beside another busy process, they speed PyTorch up as much
# as tl); the targets are judged against the faster of the two. Prints a Markdown table of ratios (recorded in docs/BENCHMARKS.md).
#
# Needs: apt-get install -y python3-torch python3-torchvision libopenblas0-pthread (without OpenBLAS, Debian's PyTorch
# multiplies matrices on the reference BLAS, some fifty times slower, and so computes some convolution gradients)
# Usage: scripts/bench.sh [--data DIR] [--quick] [--models M1,M2] [--passes step,embed,memory,train]
#                         [--engines onnxruntime,dl4j]
#        DIR has train/ and val/ (default ../shared/datasets/hymenoptera, else the sample in data/sample, whose numbers
#        are not comparable); --models replaces the step and embed models, --passes picks what runs, --engines the
#        inference engines the inference step and embed run on (training always runs on DL4J)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$repo/../shared/datasets/hymenoptera"
models="mobilenetv2 densenet201 efficientnetb0 mobilenet_0.25 convnext_tiny efficientnetv2b0 mobilenetv3small"
# where memory bandwidth, not FMAs, is the limit
depthwise_models=" mobilenetv2 efficientnetb0 mobilenet_0.25 efficientnetv2b0 mobilenetv3small "
train_models="mobilenetv2 densenet201"
memory_model="densenet201"
passes=" step embed memory train "
engines="onnxruntime dl4j"
while [ $# -gt 0 ]; do
  case "$1" in
    --engines) engines="${2//,/ }"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --quick) models="mobilenetv2"; train_models="mobilenetv2"; memory_model=""; shift ;;
    --models) models="${2//,/ }"; shift 2 ;;
    --passes) passes=" ${2//,/ } "; shift 2 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done
runs() { [[ "$passes" == *" $1 "* ]]; }
if [ ! -d "$data/train" ] || [ ! -d "$data/val" ]; then
  echo "bench: $data has no train/ and val/; using the sample in data/sample (numbers not comparable)" >&2
  data="$repo/data/sample"
fi
if ! /usr/bin/python3 -c 'import torch, torchvision' 2> /dev/null; then
  echo "bench: needs Debian's PyTorch: apt-get install -y python3-torch python3-torchvision" >&2
  exit 2
fi

blas_gflops="$(/usr/bin/python3 -c 'import time, torch
torch.set_num_threads(2); a = torch.randn(1024, 1024); a @ a; start = time.time()
for _ in range(5): a @ a
print(int(5 * 2 * 1024 ** 3 / (time.time() - start) / 1e9))')"
if [ "$blas_gflops" -lt 20 ]; then
  echo "bench: PyTorch multiplies matrices at $blas_gflops GFLOP/s, on the reference BLAS: a comparison with it would" \
       "flatter tl; apt-get install -y libopenblas0-pthread" >&2
  exit 2
fi

tl="$repo/scripts/tl"
torch_bench=(/usr/bin/python3 "$repo/scripts/bench_torch.py" --threads 2 --batch 16 --size 224)
tl_malloc="$(sed -n 's/.*GLIBC_TUNABLES:-\([^}]*\)}.*/\1/p' "$tl")"   # the launcher's own setting
if [ -z "$tl_malloc" ]; then
  echo "bench: cannot read the GLIBC_TUNABLES default from $tl" >&2
  exit 2
fi
tl_omp="$(sed -n 's/.*OMP_WAIT_POLICY:-\([^}]*\)}.*/\1/p' "$tl")"
if [ -z "$tl_omp" ]; then
  echo "bench: cannot read the OMP_WAIT_POLICY default from $tl" >&2
  exit 2
fi
torch_tuned=(env GLIBC_TUNABLES="$tl_malloc" OMP_WAIT_POLICY="$tl_omp" "${torch_bench[@]}")
json() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
results="$(mktemp)"
warmups="$(mktemp)"
work="$(mktemp -d)"
trap 'rm -rf "$results" "$warmups" "$work"' EXIT
export TL_HOME="$work/tl-home"   # an empty feature cache: the first frozen epoch really computes the features
"$tl" -q models > /dev/null   # builds the jar and unpacks the natives outside the timings

# The machine's limits, measured now (the VM changes between sessions).
cc -O3 -march=native -pthread -o "$work/machine_limits" "$repo/scripts/machine_limits.c"
limits="$("$work/machine_limits")"
echo "bench: machine limits $limits" >&2
fma_peak="$(echo "$limits" | json fma_gflops)"
stream="$(echo "$limits" | json stream_triad_gbs)"
declare -A steady macs
# The targets against the faster PyTorch: ONNX Runtime's inference (step and embed) >= 1.5x, DenseNet201's >= 1.2x
# (compute-bound there: a kernel race); DL4J's inference is the reference it replaced; training (DL4J) >= 1.0x.
inference_target() {
  if [ "$2" != onnxruntime ]; then echo "-"; elif [ "$1" = densenet201 ]; then echo 1.2; else echo 1.5; fi
}
for model in $models; do
  runs step || runs embed || break
  phase=both
  for engine in $engines; do
    echo "bench: step $model ($engine)" >&2
    ours="$("$tl" -q bench --model "$model" --batch-size 16 --engine "$engine" --phase "$phase" --json)"
    echo "$ours" > "$work/step-$model-$engine.json"
    steady[$model,$engine]="$(echo "$ours" | json inference_images_per_second)"
    macs[$model]="$(echo "$ours" | json multiply_adds_per_image)"
    runs step || continue
    kinds=inference
    if [ "$phase" = both ]; then
      theirs="$("${torch_bench[@]}" step --model "$model")"
      tuned="$("${torch_tuned[@]}" step --model "$model")"
      kinds="inference training"
    fi
    for kind in $kinds; do
      bandwidth=-
      if [[ "$depthwise_models" == *" $model "* ]]; then
        bandwidth="$(echo "$ours" | json ${kind}_activation_gbs)"
      fi
      row_engine="$engine"; target="$(inference_target "$model" "$engine")"
      if [ "$kind" = training ]; then row_engine=dl4j; target=1.0; fi
      echo -e "$kind step images/s\t$model\t$row_engine\t$(echo "$ours" | json ${kind}_images_per_second)\t$(echo "$theirs" | json ${kind}_images_per_second)\t$(echo "$tuned" | json ${kind}_images_per_second)\t$target\t$(echo "$ours" | json ${kind}_gflops)\t$bandwidth" >> "$results"
      echo -e "$model\t$row_engine\t$kind step, first batch\t$(echo "$ours" | json ${kind}_first_batch_seconds)" >> "$warmups"
    done
    phase=inference
  done
done

# Embed: all 398 images, train and val, as one labelled folder of links.
for split in train val; do
  for class_dir in "$data/$split"/*/; do
    class="$(basename "$class_dir")"
    mkdir -p "$work/all/$class"
    for f in "$class_dir"*; do ln -s "$f" "$work/all/$class/${split}_$(basename "$f")"; done
  done
done
for model in $models; do
  runs embed || break
  theirs="$("${torch_bench[@]}" embed --model "$model" --data "$work/all" | json images_per_second)"
  tuned="$("${torch_tuned[@]}" embed --model "$model" --data "$work/all" | json images_per_second)"
  for engine in $engines; do
    echo "bench: embed $model ($engine)" >&2
    # The first run converts the backbone to ONNX and keeps it in $TL_HOME/onnx; the timed one is a later run's.
    start=$(date +%s%N)
    "$tl" -q embed --model "$model" --weights none --engine "$engine" --batch-size 16 --data "$work/all" \
        --out "$work/features.csv" > /dev/null
    first=$(/usr/bin/python3 -c "print(($(date +%s%N) - $start) / 1e9)")
    start=$(date +%s%N)
    "$tl" -q embed --model "$model" --weights none --engine "$engine" --batch-size 16 --data "$work/all" \
        --out "$work/features.csv" > /dev/null
    seconds=$(/usr/bin/python3 -c "print(($(date +%s%N) - $start) / 1e9)")
    images="$(($(wc -l < "$work/features.csv") - 1))"
    ours="$(/usr/bin/python3 -c "print($images / $seconds)")"
    gflops="$(/usr/bin/python3 -c "print(2 * ${macs[$model]} * $ours / 1e9)")"
    echo -e "embed images/s ($images images)\t$model\t$engine\t$ours\t$theirs\t$tuned\t$(inference_target "$model" "$engine")\t$gflops\t-" >> "$results"
    echo -e "$model\t$engine\tembed, beyond its images at the steady inference rate\t$(/usr/bin/python3 -c "print($seconds - $images / ${steady[$model,$engine]})")" >> "$warmups"
    echo -e "$model\t$engine\tembed, the first run beyond a later one's (converting, caches)\t$(/usr/bin/python3 -c "print($first - $seconds)")" >> "$warmups"
  done
done

# Memory: fine-tuning DenseNet201 at batch 32, 224 px, whole base unfrozen (peak resident set, GB; target < 8 GB).
if [ -n "$memory_model" ] && runs memory; then
  echo "bench: memory $memory_model" >&2
  peak() { /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["peak_rss_bytes"] / 1e9)'; }
  ours="$("$tl" -q bench --model "$memory_model" --batch-size 32 --phase training --warmup 1 --batches 2 --json | peak)"
  theirs="$("${torch_bench[@]}" step --model "$memory_model" --batch 32 --phase training --warmup 1 --batches 2 | peak)"
  echo -e "fine-tune peak memory GB, batch 32\t$memory_model\tdl4j\t$ours\t$theirs\t-\tmem<8\t-\t-" >> "$results"
fi

for model in $train_models; do
  runs train || break
  echo "bench: train $model" >&2
  start=$(date +%s%N)
  "$tl" -q train --model "$model" --weights none --data "$data/train" --val-data "$data/val" --image-size 224 \
      --batch-size 16 --frozen-epochs 10 --finetune-epochs 2 --output "$work/model" > /dev/null
  ours=$(/usr/bin/python3 -c "print(($(date +%s%N) - $start) / 1e9)")
  theirs="$("${torch_bench[@]}" train --model "$model" --train "$data/train" --val "$data/val" \
      --frozen-epochs 10 --finetune-epochs 2 | json seconds)"
  echo -e "train 10+2 epochs, seconds\t$model\tauto\t$ours\t$theirs\t-\t-\t-\t-" >> "$results"
  # Fast transfer learning: the first frozen epoch pays for the feature pass, later ones train the head only.
  /usr/bin/python3 -c 'import json, statistics, sys
frozen = [e["seconds"] for e in json.load(open(sys.argv[1]))["history"] if e["phase"] == "frozen"]
print(f"frozen epoch 1 / later frozen epochs, cost\t{sys.argv[2]}\tauto\t{frozen[0] / statistics.median(frozen[1:])}\t-\t-\tratio>=50\t-\t-")' \
      "$work/model/tl-model.json" "$model" >> "$results"
  rm -rf "$work/model"
done

cp "$results" "$repo/target/bench-results.tsv"   # the raw numbers, kept
/usr/bin/python3 - "$results" "$data" "$fma_peak" "$stream" "$warmups" <<'EOF'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
fma_peak, stream = float(sys.argv[3]), float(sys.argv[4])
print("| measurement | model | engine | tl | PyTorch | PyTorch, tl's settings | tl vs PyTorch | tl vs PyTorch, tl's settings "
      "| target | met | tl GFLOP/s | share of FMA peak | tl activation GB/s | share of STREAM |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for what, model, engine, ours, theirs, tuned, target, gflops, bandwidth in rows:
    ours = float(ours)
    limits = "- | - | - | -" if gflops == "-" else (f"{float(gflops):.1f} | {float(gflops) / fma_peak:.0%} | "
             + ("- | -" if bandwidth == "-" else f"{float(bandwidth):.1f} | {float(bandwidth) / stream:.0%}"))
    if target.startswith("ratio>="):
        met = "yes" if ours >= float(target[7:]) else "NO"
        print(f"| {what} | {model} | {engine} | {ours:.0f}x | - | - | - | - | >= {target[7:]}x | {met} | {limits} |")
        continue
    smaller_is_better = "seconds" in what or "memory" in what
    def ratio(other):  # > 1 means tl is better
        return float(other) / ours if smaller_is_better else ours / float(other)
    ratios = [ratio(theirs)] + ([ratio(tuned)] if tuned != "-" else [])
    if target.startswith("mem<"):
        limit = float(target[4:])
        target, met = f"< {limit:g} GB", ("yes" if ours < limit else "NO")
    elif target == "-":
        met = "-"
    else:  # judged against the faster PyTorch
        target, met = f">= {target}x", ("yes" if min(ratios) >= float(target) else "NO")
    tuned_cells = f"{float(tuned):.2f} | " if tuned != "-" else "- | "
    tuned_ratio = f"{ratios[1]:.2f}x" if tuned != "-" else "-"
    print(f"| {what} | {model} | {engine} | {ours:.2f} | {float(theirs):.2f} | {tuned_cells}{ratios[0]:.2f}x | {tuned_ratio} | {target} | {met} | {limits} |")
print(f"\nData: {sys.argv[2]}. tl vs PyTorch > 1 means tl is better (for seconds and memory: PyTorch's / tl's).")
print(f"Machine: FMA peak {fma_peak:.1f} GFLOP/s, STREAM triad {stream:.1f} GB/s (scripts/machine_limits.c, this run).")
print("\n| model | engine | warm-up | seconds |\n| --- | --- | --- | --- |")
for model, engine, what, seconds in (line.rstrip("\n").split("\t") for line in open(sys.argv[5])):
    print(f"| {model} | {engine} | {what} | {float(seconds):.2f} |")
EOF
