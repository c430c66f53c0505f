"""tl's ImageNet classifier against an independent one, with Keras' real weights, on real photos.

Builds MobileNet v1 (any alpha) in PyTorch straight from a Keras with-top weight file (h5py), following
keras.applications.mobilenet: 'same' padding, zero padding at the bottom/right before each stride-2 depthwise
convolution, BatchNorm epsilon 1e-3, ReLU6, global average pooling, the 1x1 convolution conv_preds and a softmax.
Then it runs `tl predict --model NAME --weights FILE` and compares top-1 classes and probabilities, twice:

- on the JPEG files, each side decoding and resizing them itself (torchvision's decoder, bilinear resize with
  half-pixel centres in float, rounded to 8 bits; tl: OpenCV's decoder and fixed-point resize), end to end;
- on identical pixels: the resized images stored as PNGs at the input size, which neither side resizes again, so
  any difference is the network's.

Prints a Markdown summary (recorded in docs/FIDELITY.md); exits non-zero if fewer than 99% of the images get the
same top-1 class on identical pixels.

Run through scripts/imagenet-fidelity.sh. Needs Debian's python3-torch, python3-torchvision and python3-h5py.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch
import torch.nn.functional as F
from torchvision.io import ImageReadMode, read_image, write_png

STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]  # of the 13 depthwise-separable blocks
BN_EPSILON = 1e-3
BEE = 309


def read_weights(path):
    """Layer name -> {short weight name: tensor}, from Keras' legacy HDF5 layout."""
    layers = {}
    with h5py.File(path, "r") as f:
        for layer in (n.decode() for n in f.attrs["layer_names"]):
            group = f[layer]
            tensors = {}
            for weight in (n.decode() for n in group.attrs["weight_names"]):
                tensors[weight.split("/")[-1].split(":")[0]] = torch.from_numpy(np.array(group[weight]))
            if tensors:
                layers[layer] = tensors
    return layers


def batchnorm_relu6(x, bn):
    x = F.batch_norm(x, bn["moving_mean"], bn["moving_variance"], bn["gamma"], bn["beta"], False, 0.0, BN_EPSILON)
    return x.clamp(0.0, 6.0)


def keras_same_pad_stride2(x, kernel):
    """TensorFlow's 'same' padding for stride 2: the extra row/column goes at the bottom/right."""
    pad_h = max(kernel - (2 if x.shape[2] % 2 == 0 else 1), 0)
    pad_w = max(kernel - (2 if x.shape[3] % 2 == 0 else 1), 0)
    return F.pad(x, (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2))


def mobilenet_v1(x, w):
    """ImageNet probabilities of NCHW inputs in [-1, 1]."""
    x = F.conv2d(keras_same_pad_stride2(x, 3), w["conv1"]["kernel"].permute(3, 2, 0, 1), stride=2)
    x = batchnorm_relu6(x, w["conv1_bn"])
    for block, stride in enumerate(STRIDES, 1):
        depthwise = w[f"conv_dw_{block}"]["depthwise_kernel"].permute(2, 3, 0, 1)  # [kh, kw, C, 1] -> [C, 1, kh, kw]
        if stride == 2:
            x = F.conv2d(F.pad(x, (0, 1, 0, 1)), depthwise, stride=2, groups=x.shape[1])
        else:
            x = F.conv2d(x, depthwise, padding=1, groups=x.shape[1])
        x = batchnorm_relu6(x, w[f"conv_dw_{block}_bn"])
        x = F.conv2d(x, w[f"conv_pw_{block}"]["kernel"].permute(3, 2, 0, 1))
        x = batchnorm_relu6(x, w[f"conv_pw_{block}_bn"])
    x = x.mean((2, 3), keepdim=True)
    logits = F.conv2d(x, w["conv_preds"]["kernel"].permute(3, 2, 0, 1), w["conv_preds"]["bias"])
    return torch.softmax(logits.flatten(1), dim=1)


def resized(path, size):
    """8-bit RGB [1, 3, size, size]; an image already at that size is returned as decoded."""
    image = read_image(str(path), ImageReadMode.RGB)[None].float()
    image = F.interpolate(image, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
    return image.round().clamp(0, 255)


def tl_predictions(tl, model, weights, paths, classes):
    result = subprocess.run([tl, "-q", "predict", "--crop", "none", "--model", model, "--weights", str(weights), "--top-k", "1000",
                             "--json", *map(str, paths)], check=True, capture_output=True, text=True)
    out = {}
    for prediction in json.loads(result.stdout):
        probabilities = np.zeros(len(classes))
        for label in prediction["predictions"]:
            probabilities[classes.index(label["label"])] = label["probability"]
        out[str(pathlib.Path(prediction["path"]).resolve())] = probabilities
    return out


def compare(tl, model, weights_file, weights, paths, size, classes):
    """Returns (images, same top-1, max abs. probability difference, bees called 'bee' by tl, by torch, bees, lines)."""
    ours = tl_predictions(tl, model, weights_file, paths, classes)
    same_top1 = 0
    worst = 0.0
    bees = [0, 0, 0]
    disagreements = []
    with torch.no_grad():
        for path in paths:
            reference = mobilenet_v1(resized(path, size) / 127.5 - 1.0, weights)[0].double().numpy()
            actual = ours[str(path)]
            worst = max(worst, float(np.abs(actual - reference).max()))
            if actual.argmax() == reference.argmax():
                same_top1 += 1
            else:
                disagreements.append(f"{path.name}: tl {classes[actual.argmax()]} {actual.max():.3f}, "
                                     f"torch {classes[reference.argmax()]} {reference.max():.3f}")
            if path.parent.name == "bees":
                bees[0] += int(actual.argmax() == BEE)
                bees[1] += int(reference.argmax() == BEE)
                bees[2] += 1
    return len(paths), same_top1, worst, bees, disagreements


def as_pngs(paths, size, directory):
    """The images resized once and stored losslessly at the input size, in the same class folders."""
    pngs = []
    for i, path in enumerate(paths):
        target = directory / path.parent.name / f"{i:04d}-{path.stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_png(resized(path, size)[0].to(torch.uint8), str(target))
        pngs.append(target.resolve())
    return pngs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tl", required=True)
    parser.add_argument("--model", default="mobilenet_0.25")
    parser.add_argument("--weights", required=True, help="Keras with-top .h5 file")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("inputs", nargs="+", help="directories of JPEG images")
    args = parser.parse_args()

    torch.set_num_threads(2)
    classes = [c for c in (pathlib.Path(__file__).parent.parent / "src/main/resources/imagenet-classes.txt")
               .read_text().split("\n") if c]
    weights = read_weights(args.weights)
    jpegs = sorted(p.resolve() for d in args.inputs for p in pathlib.Path(d).rglob("*")
                   if p.suffix.lower() in (".jpg", ".jpeg"))
    rows = [("JPEG files, each side decoding and resizing", jpegs)]
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("identical pixels (PNG at the input size)", as_pngs(jpegs, args.size, pathlib.Path(tmp))))
        results = [(label, compare(args.tl, args.model, args.weights, weights, paths, args.size, classes))
                   for label, paths in rows]

    print("| input | images | same top-1 | agreement | max abs. probability difference "
          "| bees with top-1 'bee' (tl / torch) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, (n, same, worst, bees, _) in results:
        print(f"| {label} | {n} | {same} | {same / n:.2%} | {worst:.2e} | {bees[0]} / {bees[1]} of {bees[2]} |")
    for label, (_, _, _, _, disagreements) in results:
        if disagreements:
            print(f"\nDifferent top-1, {label}:")
            for line in disagreements:
                print(f"- {line}")
    n, same = results[-1][1][0], results[-1][1][1]
    sys.exit(0 if same >= 0.99 * n else 1)


if __name__ == "__main__":
    main()
