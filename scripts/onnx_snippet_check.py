#!/usr/bin/env python3
"""Runs the documentation's Python snippet for an exported model and compares its answers with tl predict's.

The snippet is taken verbatim from the first ```python block of the deploying guide and run once per image, in a
directory where the model is ants-bees.onnx and the image photo.jpg, as the snippet names them. Needs python3 with
numpy, onnxruntime and pillow (pip install onnxruntime pillow numpy).

    scripts/onnx_snippet_check.py                       # a small model trained on data/sample, its val images
    scripts/onnx_snippet_check.py --model-dir M --data DIR [--limit N]

Prints how many images the snippet labels differently from tl predict and the largest probability difference;
exits 1 if any label differs.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parent.parent
TL = str(REPO / "scripts" / "tl")
GUIDE = REPO / "docs" / "DEPLOYING.md"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif"}


def snippet(guide):
    text = guide.read_text()
    start = text.index("```python\n") + len("```python\n")
    return text[start:text.index("```", start)]


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", help="a tl bundle (default: train a small one on data/sample)")
    parser.add_argument("--data", default=str(REPO / "data/sample/val"), help="images to classify")
    parser.add_argument("--limit", type=int, default=0, help="at most this many images (0: all)")
    args = parser.parse_args()
    try:
        import numpy, onnxruntime, PIL  # noqa: F401  (the snippet's imports)
    except ImportError as e:
        sys.exit(f"needs {e.name}: pip install onnxruntime pillow numpy")

    work = pathlib.Path(tempfile.mkdtemp(prefix="tl-snippet-"))
    try:
        model = args.model_dir
        if model is None:
            model = str(work / "model")
            run(TL, "-q", "train", "--model", "mobilenet", "--weights", "none", "--data", str(REPO / "data/sample/train"),
                "--image-size", "64", "--frozen-epochs", "10", "--lr", "1e-2", "--finetune-epochs", "0",
                "--output", model)
        run(TL, "-q", "export", "--model-dir", model, "--format", "onnx", "--out", str(work / "ants-bees.onnx"),
            "--with-preprocessing")
        code = snippet(GUIDE)
        images = sorted(p for p in pathlib.Path(args.data).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if args.limit:
            images = images[:args.limit]
        expected = {pathlib.Path(r["path"]).resolve(): r["predictions"][0]
                    for r in json.loads(run(TL, "-q", "predict", "--model-dir", model, "--json", *map(str, images)))}
        differing, worst = [], 0.0
        for image in images:
            photo = work / "photo.jpg"
            if photo.exists() or photo.is_symlink():
                photo.unlink()
            os.symlink(image.resolve(), photo)
            label, probability = subprocess.run([sys.executable, "-c", code], cwd=work, check=True,
                                                capture_output=True, text=True).stdout.split()
            tl = expected[image.resolve()]
            worst = max(worst, abs(float(probability) - tl["probability"]))
            if label != tl["label"]:
                differing.append(f"{image}: snippet {label} {probability}, tl {tl['label']} {tl['probability']:.6f}")
        print(f"{GUIDE.relative_to(REPO)}'s Python snippet (onnxruntime {onnxruntime.__version__}) vs tl predict on "
              f"{len(images)} images of {args.data}: {len(differing)} labelled differently, "
              f"max |p - p_tl| = {worst:.2e}")
        for line in differing:
            print("  " + line)
        return 1 if differing else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
