"""Numerical parity of tl's backbones with an independent implementation (PyTorch/torchvision).

For each backbone: build the torchvision network with random weights and random BatchNorm statistics, make it
compute exactly what the Keras architecture computes (Keras pads stride-2 convolutions asymmetrically, ResNet50 v1
strides its first 1x1 convolution and has conv biases, ...), write its weights in Keras' legacy HDF5 layout, then run
`tl embed` with that file and PyTorch on the same PNG images and compare the pooled features.

Run through scripts/parity.sh. Needs Debian's python3-torch, python3-torchvision and python3-h5py.
"""
import argparse
import csv
import json
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.io import ImageReadMode, read_image, write_png

import keras_graph

TOLERANCE = 1e-4
SIZE = 224
MEAN_RGB = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD_RGB = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
CAFFE_MEAN_BGR = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)


# ---------------------------------------------------------------------------------------------------------------
# Keras' preprocessing modes, on uint8 RGB batches (N, 3, H, W)

def preprocess(images, mode):
    x = images.float()
    if mode == "caffe":
        return x.flip(1) - CAFFE_MEAN_BGR
    if mode == "tf":
        return x / 127.5 - 1.0
    return (x / 255.0 - MEAN_RGB) / STD_RGB


# ---------------------------------------------------------------------------------------------------------------
# Writing Keras' legacy weight layout

class KerasWeights:
    def __init__(self):
        self.layers = {}

    def conv(self, name, conv):
        tensors = {"kernel": conv.weight.detach().permute(2, 3, 1, 0)}
        if conv.bias is not None:
            tensors["bias"] = conv.bias.detach()
        self.layers[name] = tensors

    def depthwise(self, name, conv):
        # torch [C, 1, kh, kw] -> Keras [kh, kw, C, 1]
        self.layers[name] = {"depthwise_kernel": conv.weight.detach().permute(2, 3, 0, 1)}

    def dense(self, name, linear):
        self.layers[name] = {"kernel": linear.weight.detach().t(), "bias": linear.bias.detach()}

    def pointwise_from_linear(self, name, linear):
        """MobileNet's classifier is a 1x1 convolution on the pooled map."""
        self.layers[name] = {"kernel": linear.weight.detach().t()[None, None], "bias": linear.bias.detach()}

    def bn(self, name, bn):
        self.layers[name] = {"gamma": bn.weight.detach(), "beta": bn.bias.detach(),
                             "moving_mean": bn.running_mean.detach(), "moving_variance": bn.running_var.detach()}

    def write(self, path):
        with h5py.File(path, "w") as f:
            f.attrs["layer_names"] = np.array([n.encode() for n in self.layers])
            for name, tensors in self.layers.items():
                group = f.create_group(name)
                weight_names = [f"{name}/{w}:0" for w in tensors]
                group.attrs["weight_names"] = np.array([w.encode() for w in weight_names])
                for weight_name, value in zip(weight_names, tensors.values()):
                    group.create_dataset(weight_name, data=value.numpy().astype(np.float32))


def randomise_batchnorm(model, generator, eps):
    """Random affine parameters and running statistics, and Keras' epsilon."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.eps = eps
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.weight.shape, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=generator) + 0.5)


class KerasPad(nn.Module):
    """Keras' explicit zero padding before a stride-2 'valid' convolution (more at the bottom/right)."""

    def __init__(self, conv):
        super().__init__()
        self.conv = conv
        self.kernel = conv.kernel_size[0]
        conv.padding = (0, 0)

    def forward(self, x):
        half = self.kernel // 2
        top = half - (1 - x.shape[2] % 2)
        left = half - (1 - x.shape[3] % 2)
        return self.conv(F.pad(x, (left, half, top, half)))


def keras_pad_strided_convs(module):
    for name, child in module.named_children():
        if isinstance(child, nn.Conv2d) and child.stride == (2, 2) and child.kernel_size[0] > 1:
            setattr(module, name, KerasPad(child))
        else:
            keras_pad_strided_convs(child)


def strided_conv(module):
    return module.conv if isinstance(module, KerasPad) else module


# ---------------------------------------------------------------------------------------------------------------
# The backbones: (torch module, pooled-feature function, its weights under Keras' layer names, preprocessing mode)

def vgg16(g):
    model = torchvision.models.vgg16()
    weights = KerasWeights()
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    names = [f"block{b}_conv{c}" for b, n in enumerate([2, 2, 3, 3, 3], 1) for c in range(1, n + 1)]
    for name, conv in zip(names, convs):
        weights.conv(name, conv)
    return model, (lambda x: model.features(x).mean((2, 3))), weights, "caffe"


def densenet(depth):
    def build(g):
        model = getattr(torchvision.models, f"densenet{depth}")()
        randomise_batchnorm(model, g, 1.001e-5)
        f = model.features
        weights = KerasWeights()
        weights.conv("conv1/conv", f.conv0)
        weights.bn("conv1/bn", f.norm0)
        for b in range(1, 5):
            for l, layer in enumerate(getattr(f, f"denseblock{b}").values(), 1):
                prefix = f"conv{b + 1}_block{l}"
                weights.bn(f"{prefix}_0_bn", layer.norm1)
                weights.conv(f"{prefix}_1_conv", layer.conv1)
                weights.bn(f"{prefix}_1_bn", layer.norm2)
                weights.conv(f"{prefix}_2_conv", layer.conv2)
            if b < 4:
                transition = getattr(f, f"transition{b}")
                weights.bn(f"pool{b + 1}_bn", transition.norm)
                weights.conv(f"pool{b + 1}_conv", transition.conv)
        weights.bn("bn", f.norm5)
        return model, (lambda x: F.relu(f(x)).mean((2, 3))), weights, "torch"
    return build


def resnet_v1(depth):
    def build(g):
        model = getattr(torchvision.models, f"resnet{depth}")()
        randomise_batchnorm(model, g, 1.001e-5)
        weights = KerasWeights()

        def with_bias(conv):
            new = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding,
                            bias=True)
            with torch.no_grad():
                new.weight.copy_(conv.weight)
                new.bias.copy_(torch.randn(new.bias.shape, generator=g) * 0.1)
            return new

        model.conv1 = with_bias(model.conv1)
        weights.conv("conv1_conv", model.conv1)
        weights.bn("conv1_bn", model.bn1)
        for stage, layer in enumerate([model.layer1, model.layer2, model.layer3, model.layer4], 2):
            for b, block in enumerate(layer, 1):
                # Keras' v1 strides the first 1x1 convolution; torchvision (v1.5) strides the 3x3.
                stride = block.conv2.stride
                block.conv2.stride = (1, 1)
                block.conv1.stride = stride
                block.conv1, block.conv2, block.conv3 = (with_bias(block.conv1), with_bias(block.conv2),
                                                         with_bias(block.conv3))
                prefix = f"conv{stage}_block{b}"
                if block.downsample is not None:
                    block.downsample[0] = with_bias(block.downsample[0])
                    weights.conv(f"{prefix}_0_conv", block.downsample[0])
                    weights.bn(f"{prefix}_0_bn", block.downsample[1])
                for i, (conv, bn) in enumerate([(block.conv1, block.bn1), (block.conv2, block.bn2),
                                                (block.conv3, block.bn3)], 1):
                    weights.conv(f"{prefix}_{i}_conv", conv)
                    weights.bn(f"{prefix}_{i}_bn", bn)
        body = nn.Sequential(model.conv1, model.bn1, model.relu, model.maxpool,
                             model.layer1, model.layer2, model.layer3, model.layer4)
        return body, (lambda x: body(x).mean((2, 3))), weights, "caffe"
    return build


def mobilenet_v2(g):
    model = torchvision.models.mobilenet_v2()
    randomise_batchnorm(model, g, 1e-3)
    keras_pad_strided_convs(model)
    f = model.features
    weights = KerasWeights()
    weights.conv("Conv1", strided_conv(f[0][0]))
    weights.bn("bn_Conv1", f[0][1])
    for block_id in range(17):
        layers = list(f[block_id + 1].conv)
        if block_id == 0:
            prefix = "expanded_conv_"
            depthwise, project, project_bn = layers[0], layers[1], layers[2]
        else:
            prefix = f"block_{block_id}_"
            weights.conv(prefix + "expand", layers[0][0])
            weights.bn(prefix + "expand_BN", layers[0][1])
            depthwise, project, project_bn = layers[1], layers[2], layers[3]
        weights.depthwise(prefix + "depthwise", strided_conv(depthwise[0]))
        weights.bn(prefix + "depthwise_BN", depthwise[1])
        weights.conv(prefix + "project", project)
        weights.bn(prefix + "project_BN", project_bn)
    weights.conv("Conv_1", f[18][0])
    weights.bn("Conv_1_bn", f[18][1])
    return model, (lambda x: f(x).mean((2, 3))), weights, "tf"


def efficientnet_b0(g):
    model = torchvision.models.efficientnet_b0()
    randomise_batchnorm(model, g, 1e-3)
    keras_pad_strided_convs(model)
    f = model.features
    weights = KerasWeights()
    weights.conv("stem_conv", strided_conv(f[0][0]))
    weights.bn("stem_bn", f[0][1])
    for stage in range(1, 8):
        for j, mbconv in enumerate(f[stage]):
            prefix = f"block{stage}{chr(ord('a') + j)}_"
            parts = list(mbconv.block)
            if len(parts) == 4:
                weights.conv(prefix + "expand_conv", parts[0][0])
                weights.bn(prefix + "expand_bn", parts[0][1])
                parts = parts[1:]
            depthwise, se, project = parts
            weights.depthwise(prefix + "dwconv", strided_conv(depthwise[0]))
            weights.bn(prefix + "bn", depthwise[1])
            weights.conv(prefix + "se_reduce", se.fc1)
            weights.conv(prefix + "se_expand", se.fc2)
            weights.conv(prefix + "project_conv", project[0])
            weights.bn(prefix + "project_bn", project[1])
    weights.conv("top_conv", f[8][0])
    weights.bn("top_bn", f[8][1])
    return model, (lambda x: f(x).mean((2, 3))), weights, "torch"


def mobilenet_v1(g):
    """torchvision has no MobileNet v1: this is keras.applications.mobilenet written in torch."""
    blocks = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
              (512, 1), (1024, 2), (1024, 1)]
    weights = KerasWeights()
    layers = []

    def conv_bn(conv, name, bn_name, depthwise=False):
        nn.init.kaiming_normal_(conv.weight)
        bn = nn.BatchNorm2d(conv.out_channels)
        (weights.depthwise if depthwise else weights.conv)(name, conv)
        weights.bn(bn_name, bn)
        return [conv, bn, nn.ReLU6()]

    layers += conv_bn(nn.Conv2d(3, 32, 3, 2, 0, bias=False), "conv1", "conv1_bn")
    layers[0] = KerasPad(layers[0])  # 'same' with stride 2 on an even size pads like correct_pad
    channels = 32
    for i, (filters, stride) in enumerate(blocks, 1):
        depthwise = nn.Conv2d(channels, channels, 3, stride, 1 if stride == 1 else 0, groups=channels, bias=False)
        dw = conv_bn(depthwise, f"conv_dw_{i}", f"conv_dw_{i}_bn", depthwise=True)
        if stride == 2:
            dw = [nn.ZeroPad2d((0, 1, 0, 1))] + dw  # Keras pads bottom/right only, whatever the size
        layers += dw
        layers += conv_bn(nn.Conv2d(channels, filters, 1, bias=False), f"conv_pw_{i}", f"conv_pw_{i}_bn")
        channels = filters
    model = nn.Sequential(*layers)
    randomise_batchnorm(model, g, 1e-3)
    return model, (lambda x: model(x).mean((2, 3))), weights, "tf"


def inception_v3(g):
    """torchvision's Inception3 with Keras' weights (generated by keras_graph.inception_v3, in creation order) and
    Keras' semantics: BatchNorm without scale (gamma 1), average pooling that does not count the padding."""
    graph, output = keras_graph.inception_v3(size_of("inceptionv3"), g)
    model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False).eval()
    units = [m for m in model.modules() if isinstance(m, torchvision.models.inception.BasicConv2d)]
    convs = [n for n in graph.nodes if n.cls == "conv2d"]
    norms = [n for n in graph.nodes if n.cls == "batch_normalization"]
    assert len(units) == len(convs) == len(norms) == 94
    with torch.no_grad():
        for unit, conv, norm in zip(units, convs, norms):
            unit.conv.weight.copy_(conv.weights["kernel"].permute(3, 2, 0, 1))
            unit.bn.eps = 1e-3
            unit.bn.weight.fill_(1.0)
            unit.bn.bias.copy_(norm.weights["beta"])
            unit.bn.running_mean.copy_(norm.weights["moving_mean"])
            unit.bn.running_var.copy_(norm.weights["moving_variance"])
    torchvision.models.inception.F = ExcludingPadding()
    weights = KerasWeights()
    weights.layers.update(graph.weight_layers(output))

    def features(x):
        for name in ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1", "Conv2d_4a_3x3",
                     "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d",
                     "Mixed_6e", "Mixed_7a", "Mixed_7b", "Mixed_7c"]:
            x = getattr(model, name)(x)
        return x.mean((2, 3))

    with torch.no_grad():
        probe = torch.randn(2, 3, size_of("inceptionv3"), size_of("inceptionv3"), generator=g)
        ours, theirs = graph.run(probe, output).mean((2, 3)), features(probe)
        print(f"inceptionv3 keras_graph vs torchvision: {((ours - theirs).abs().max() / theirs.abs().max()):.2e}",
              file=sys.stderr)
    return model, features, weights, "tf"


class ExcludingPadding:
    """torch.nn.functional for torchvision's inception module, whose average pooling counts the padding: Keras'
    (TensorFlow's) divides by the values the window covers."""

    def __getattr__(self, name):
        return getattr(F, name)

    @staticmethod
    def avg_pool2d(*args, **kwargs):
        return F.avg_pool2d(*args, **kwargs, count_include_pad=False)


def from_keras_graph(build, mode):
    """A reference written from Keras' source (scripts/keras_graph.py), its file in Keras' layer order."""
    def wrapped(g):
        graph, output = build(g)
        weights = KerasWeights()
        weights.layers.update(graph.weight_layers(output))
        return nn.Identity(), (lambda x: graph.run(x, output).mean((2, 3))), weights, mode
    return wrapped


def resnet_v2(depth):
    return from_keras_graph(lambda g: keras_graph.resnet_v2(depth, size_of(f"resnet{depth}v2"), g), "tf")


def xception(g):
    return keras_graph.xception(size_of("xception"), g)


def inception_resnet_v2(g):
    return keras_graph.inception_resnet_v2(size_of("inceptionresnetv2"), g)


def nasnet_mobile(g):
    return keras_graph.nasnet(size_of("nasnetmobile"), g, 1056, 4, 32, False)


def nasnet_large(g):
    return keras_graph.nasnet(size_of("nasnetlarge"), g, 4032, 6, 96, True)


# The input size each backbone is compared at: its default where that is not 224.
SIZES = {"inceptionv3": 299, "xception": 299, "inceptionresnetv2": 299, "nasnetlarge": 331}


def size_of(name):
    return SIZES.get(name, SIZE)


# Backbones whose stock ImageNet classifier (tl predict --model) is checked too, and the name its Dense layer has in
# the weight file: DenseNet's with-top files predate Keras' "predictions" and call it "fc1000".
CLASSIFIERS = {"densenet121": "fc1000", "efficientnetb0": "predictions", "mobilenet": "conv_preds",
               "resnet152": "predictions", "resnet50v2": "predictions", "inceptionv3": "predictions",
               "xception": "predictions", "inceptionresnetv2": "predictions", "nasnetmobile": "predictions"}

BACKBONES = {
    "vgg16": vgg16,
    "densenet121": densenet(121),
    "densenet201": densenet(201),
    "resnet50": resnet_v1(50),
    "mobilenet": mobilenet_v1,
    "mobilenetv2": mobilenet_v2,
    "efficientnetb0": efficientnet_b0,
    "resnet101": resnet_v1(101),
    "resnet152": resnet_v1(152),
    "resnet50v2": resnet_v2(50),
    "resnet101v2": resnet_v2(101),
    "resnet152v2": resnet_v2(152),
    "inceptionv3": inception_v3,
    "xception": from_keras_graph(xception, "tf"),
    "inceptionresnetv2": from_keras_graph(inception_resnet_v2, "tf"),
    "nasnetmobile": from_keras_graph(nasnet_mobile, "tf"),
    "nasnetlarge": from_keras_graph(nasnet_large, "tf"),
}


# ---------------------------------------------------------------------------------------------------------------

def make_images(source_dir, target_dir, count, size):
    """Sample images, resized to the input size once and stored as PNG so both sides see identical pixels."""
    paths = sorted(p for p in pathlib.Path(source_dir).rglob("*.jpg"))[:count]
    images = []
    for i, path in enumerate(paths):
        image = read_image(str(path), ImageReadMode.RGB)
        image = F.interpolate(image[None].float(), size=(size, size), mode="bilinear",
                              align_corners=False).round().clamp(0, 255).to(torch.uint8)[0]
        cls = path.parent.name
        (target_dir / cls).mkdir(parents=True, exist_ok=True)
        out = target_dir / cls / f"{i:02d}.png"
        write_png(image, str(out))
        images.append((str(out), image))
    return images


def run_tl_predict(tl, name, weights_file, data_dir, classes):
    result = subprocess.run([tl, "-q", "predict", "--crop", "none", "--model", name, "--weights", str(weights_file), "--top-k", "1000",
                             "--json", str(data_dir)], check=True, capture_output=True, text=True)
    out = {}
    for prediction in json.loads(result.stdout):
        probabilities = np.zeros(len(classes))
        for label in prediction["predictions"]:
            probabilities[classes.index(label["label"])] = label["probability"]
        out[prediction["path"]] = probabilities
    return out


def check_classifier(tl, name, extract, weights, mode, batch, images, data_dir, tmp, g):
    """Adds a random 1000-class classifier, then compares tl's ImageNet probabilities with torch's softmax."""
    with torch.no_grad():
        features = extract(preprocess(batch, mode))
    linear = nn.Linear(features.shape[1], 1000)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(linear.weight.shape, generator=g) * 0.05)
        linear.bias.copy_(torch.randn(linear.bias.shape, generator=g) * 0.5)
        # Logits of unit spread on these images: a saturated softmax would hide any error in the features.
        linear.weight.div_(linear(features).std())
    layer = CLASSIFIERS[name]
    if layer == "conv_preds":
        weights.pointwise_from_linear(layer, linear)
    else:
        weights.dense(layer, linear)
    top_file = tmp / f"{name}_top.h5"
    weights.write(top_file)
    with torch.no_grad():
        reference = torch.softmax(linear(features), dim=1).double().numpy()
    classes = [c for c in (pathlib.Path(__file__).parent.parent / "src/main/resources/imagenet-classes.txt")
               .read_text().split("\n") if c]
    ours = run_tl_predict(tl, name, top_file, data_dir, classes)
    return max(np.abs(ours[path] - expected).max() for (path, _), expected in zip(images, reference))


def run_tl(tl, name, weights_file, data_dir, out_csv, size):
    subprocess.run([tl, "-q", "embed", "--crop", "none", "--model", name, "--weights", str(weights_file), "--image-size", str(size),
                    "--data", str(data_dir), "--out", str(out_csv)], check=True, stdout=subprocess.DEVNULL)
    with open(out_csv) as f:
        rows = list(csv.reader(f))[1:]
    return {row[0]: np.array([float(v) for v in row[2:]], dtype=np.float64) for row in rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tl", required=True)
    parser.add_argument("--images", required=True, help="directory of sample JPEGs")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--models", default=",".join(BACKBONES))
    args = parser.parse_args()

    torch.set_num_threads(2)
    results = []
    classifier_results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        samples = {}
        for name in args.models.split(","):
            size = size_of(name)
            if size not in samples:
                data_dir = tmp / f"images{size}"
                images = make_images(args.images, data_dir, args.count, size)
                samples[size] = (data_dir, images, torch.stack([image for _, image in images]))
            data_dir, images, batch = samples[size]
            g = torch.Generator().manual_seed(1234)
            torch.manual_seed(1234)
            module, extract, weights, mode = BACKBONES[name](g)
            module.eval()  # BatchNorm must use its running statistics, as tl does
            weights_file = tmp / f"{name}.h5"
            weights.write(weights_file)
            with torch.no_grad():
                reference = extract(preprocess(batch, mode)).double().numpy()
            ours = run_tl(args.tl, name, weights_file, data_dir, tmp / f"{name}.csv", size)
            worst = 0.0
            for (path, _), expected in zip(images, reference):
                actual = ours[path]
                worst = max(worst, np.abs(actual - expected).max() / np.abs(expected).max())
            results.append((name, size, len(weights.layers), expected.shape[0], worst))
            print(f"{name:16s} {worst:.2e}", file=sys.stderr, flush=True)
            if name in CLASSIFIERS:
                error = check_classifier(args.tl, name, extract, weights, mode, batch, images, data_dir, tmp, g)
                classifier_results.append((name, CLASSIFIERS[name], error))
                print(f"{name:16s} classifier {error:.2e}", file=sys.stderr, flush=True)

    print(f"| backbone | input | layers with weights | feature size | max relative error | < {TOLERANCE:g} |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, size, layers, features, worst in results:
        print(f"| {name} | {size} | {layers} | {features} | {worst:.2e} | {'yes' if worst < TOLERANCE else 'NO'} |")
    print(f"\n{args.count} images; relative error = max |tl - torch| / max |torch| per image.")
    if classifier_results:
        print(f"\n| backbone + ImageNet classifier (tl predict --model) | classifier layer in file "
              f"| max abs. probability error | < {TOLERANCE:g} |")
        print("| --- | --- | --- | --- |")
        for name, layer, error in classifier_results:
            print(f"| {name} | {layer} | {error:.2e} | {'yes' if error < TOLERANCE else 'NO'} |")
    ok = all(r[4] < TOLERANCE for r in results) and all(r[2] < TOLERANCE for r in classifier_results)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
