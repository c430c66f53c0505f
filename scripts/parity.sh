#!/usr/bin/env bash
# Proves tl's backbones compute what an independent implementation (PyTorch/torchvision) computes with the same
# weights: random weights and BatchNorm statistics, converted to Keras' HDF5 layout, features compared on PNGs, on
# each inference engine (dl4j and onnxruntime; --engines picks). Prints a Markdown table (recorded in
# docs/FIDELITY.md) and exits non-zero if any error reaches 1e-4.
#
# Needs: sudo apt-get install -y python3-torch python3-torchvision python3-h5py
# Usage: scripts/parity.sh [--models vgg16,densenet121,...] [--count N] [--engines dl4j,onnxruntime]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! /usr/bin/python3 -c 'import torch, torchvision, h5py' 2> /dev/null; then
  echo "parity: needs Debian's PyTorch: apt-get install -y python3-torch python3-torchvision python3-h5py" >&2
  exit 2
fi
exec /usr/bin/python3 "$repo/scripts/parity.py" --tl "$repo/scripts/tl" --images "$repo/data/sample/val" "$@"
