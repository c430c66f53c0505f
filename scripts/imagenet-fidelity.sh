#!/usr/bin/env bash
# tl predict --model mobilenet_0.25 with Keras' real with-top weights against an independent PyTorch build of the
# same network from the same file, on the hymenoptera photos (train and val), end to end and on identical pixels.
# Prints a Markdown summary (recorded in docs/FIDELITY.md) and exits non-zero if fewer than 99% of the images get
# the same top-1 class on identical pixels.
#
# Needs: apt-get install -y python3-torch python3-torchvision python3-h5py, and ../shared beside the repository.
# Usage: scripts/imagenet-fidelity.sh [DIR...]   (default: the hymenoptera train and val folders; JPEGs are compared)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="${SHARED:-$repo/../shared}"
weights="$shared/weights/mobilenet_2_5_224_tf.h5"
[ -e "$weights" ] || { echo "imagenet-fidelity: needs $weights" >&2; exit 2; }
if ! /usr/bin/python3 -c 'import torch, torchvision, h5py' 2> /dev/null; then
  echo "imagenet-fidelity: needs Debian's PyTorch: apt-get install -y python3-torch python3-torchvision python3-h5py" >&2
  exit 2
fi
[ $# -ge 1 ] || set -- "$shared/datasets/hymenoptera/train" "$shared/datasets/hymenoptera/val"
exec /usr/bin/python3 "$repo/scripts/imagenet_fidelity.py" --tl "$repo/scripts/tl" --weights "$weights" "$@"
