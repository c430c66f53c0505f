"""Numerical parity of tl's backbones with an independent implementation (PyTorch/torchvision).

For each backbone: build the torchvision network with random weights and random BatchNorm statistics, make it
compute exactly what the Keras architecture computes (Keras pads stride-2 convolutions asymmetrically, ResNet50 v1
strides its first 1x1 convolution and has conv biases, ...), write its weights in Keras' legacy HDF5 layout, then run
`tl embed` with that file and PyTorch on the same PNG images and compare the pooled features, once per inference
engine (DL4J, and ONNX Runtime running tl's graph converted to ONNX). Where torchvision has the building blocks but
not Keras' configuration (EfficientNetV2-B0, MobileNetV3 at alpha 0.75 and minimalistic), the network is
torchvision's classes configured with Keras' channel arithmetic.

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
    if mode == "tf128":  # EfficientNetV2-S/M/L's Rescaling(1/128, offset=-1)
        return x / 128.0 - 1.0
    return (x / 255.0 - MEAN_RGB) / STD_RGB


# ---------------------------------------------------------------------------------------------------------------
# Writing Keras' legacy weight layout

class KerasWeights:
    """Layers by name, each a dict of weight name -> tensor; a nested model's group holds "layer/weight" names."""

    def __init__(self):
        self.layers = {}

    def nested(self, group, name):
        """Moves layer `name`'s tensors into the group of a nested Sequential model (ConvNeXt's stem)."""
        tensors = self.layers.pop(name)
        self.layers.setdefault(group, {}).update({f"{name}/{w}": t for w, t in tensors.items()})

    def depthwise_grouped(self, name, conv):
        """A Conv2D with one group per channel: torch [C, 1, kh, kw] -> Keras [kh, kw, 1, C], and its bias."""
        self.layers[name] = {"kernel": conv.weight.detach().permute(2, 3, 1, 0), "bias": conv.bias.detach()}

    def norm(self, name, layer_norm):
        self.layers[name] = {"gamma": layer_norm.weight.detach(), "beta": layer_norm.bias.detach()}

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
                group = f.require_group(name)  # "Conv/BatchNorm" lives inside "Conv", as h5py nests them
                weight_names = [w + ":0" if "/" in w else f"{name}/{w}:0" for w in tensors]
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


def randomise_biases(model, generator):
    """Convolutions' biases start at zero in torchvision: random ones show a bias that does not reach tl."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d) and m.bias is not None:
            with torch.no_grad():
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.1)


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


def convnext(size):
    """torchvision's ConvNeXt is Keras' (both ported from the authors'): same layers, eps 1e-6, exact GELU."""
    def build(g):
        model = getattr(torchvision.models, f"convnext_{size}")()
        name = f"convnext_{size}"
        with torch.no_grad():  # LayerNorm's affine and the layer scale start at constants: random ones are checked
            for m in model.modules():
                if isinstance(m, nn.LayerNorm):
                    m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                if isinstance(m, torchvision.models.convnext.CNBlock):
                    m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=g) + 0.5)
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
        f = model.features
        weights = KerasWeights()
        weights.conv(f"{name}_stem_conv", f[0][0])
        weights.norm(f"{name}_stem_layernorm", f[0][1])
        weights.nested(f"{name}_stem", f"{name}_stem_conv")
        weights.nested(f"{name}_stem", f"{name}_stem_layernorm")
        for stage in range(4):
            if stage > 0:
                down = f[2 * stage]
                group = f"{name}_downsampling_block_{stage - 1}"
                weights.norm(f"{name}_downsampling_layernorm_{stage - 1}", down[0])
                weights.conv(f"{name}_downsampling_conv_{stage - 1}", down[1])
                weights.nested(group, f"{name}_downsampling_layernorm_{stage - 1}")
                weights.nested(group, f"{name}_downsampling_conv_{stage - 1}")
            for j, block in enumerate(f[2 * stage + 1]):
                prefix = f"{name}_stage_{stage}_block_{j}"
                weights.depthwise_grouped(prefix + "_depthwise_conv", block.block[0])
                weights.norm(prefix + "_layernorm", block.block[2])
                weights.dense(prefix + "_pointwise_conv_1", block.block[3])
                weights.dense(prefix + "_pointwise_conv_2", block.block[5])
                # the published files hold the layer scale as a bare tf.Variable
                weights.layers[prefix + "_layer_scale"] = {"Variable": block.layer_scale.detach().reshape(-1)}
        weights.norm("layer_normalization", model.classifier[0])
        # Keras' classifier-less model with pooling="avg": LayerNormalization of the pooled features
        return model, (lambda x: model.classifier[1](model.classifier[0](model.avgpool(f(x))))), weights, "torch"
    return build


def efficientnet_v2(variant):
    """torchvision's EfficientNetV2-S/M/L; B0 is torchvision's EfficientNet built with Keras' B0 stages."""
    def build(g):
        if variant == "b0":
            from torchvision.models.efficientnet import EfficientNet, FusedMBConvConfig, MBConvConfig
            stages = [FusedMBConvConfig(1, 3, 1, 32, 16, 1), FusedMBConvConfig(4, 3, 2, 16, 32, 2),
                      FusedMBConvConfig(4, 3, 2, 32, 48, 2), MBConvConfig(4, 3, 2, 48, 96, 3),
                      MBConvConfig(6, 3, 1, 96, 112, 5), MBConvConfig(6, 3, 2, 112, 192, 8)]
            model, mode = EfficientNet(stages, dropout=0.2, last_channel=1280), "torch"
        else:
            model, mode = getattr(torchvision.models, f"efficientnet_v2_{variant}")(), "tf128"
        randomise_batchnorm(model, g, 1e-3)
        randomise_biases(model, g)
        keras_pad_strided_convs(model)  # Keras' 'same' on stride 2 pads like correct_pad
        f = model.features
        weights = KerasWeights()
        weights.conv("stem_conv", strided_conv(f[0][0]))
        weights.bn("stem_bn", f[0][1])
        for stage in range(1, len(f) - 1):
            for j, block in enumerate(f[stage]):
                prefix = f"block{stage}{chr(ord('a') + j)}_"
                parts = list(block.block)
                if isinstance(block, torchvision.models.efficientnet.FusedMBConv):
                    if len(parts) == 2:
                        weights.conv(prefix + "expand_conv", strided_conv(parts[0][0]))
                        weights.bn(prefix + "expand_bn", parts[0][1])
                    weights.conv(prefix + "project_conv", strided_conv(parts[-1][0]))
                    weights.bn(prefix + "project_bn", parts[-1][1])
                    continue
                expand, depthwise, se, project = parts
                weights.conv(prefix + "expand_conv", expand[0])
                weights.bn(prefix + "expand_bn", expand[1])
                weights.depthwise(prefix + "dwconv2", strided_conv(depthwise[0]))
                weights.bn(prefix + "bn", depthwise[1])
                weights.conv(prefix + "se_reduce", se.fc1)
                weights.conv(prefix + "se_expand", se.fc2)
                weights.conv(prefix + "project_conv", project[0])
                weights.bn(prefix + "project_bn", project[1])
        weights.conv("top_conv", f[-1][0])
        weights.bn("top_bn", f[-1][1])
        return model, (lambda x: f(x).mean((2, 3))), weights, mode
    return build


def make_divisible(v):
    """Keras' _depth (and torchvision's _make_divisible) to multiples of 8."""
    new = max(8, int(v + 4) // 8 * 8)
    return new + 8 if new < 0.9 * v else new


# MobileNetV3 blocks as keras.applications.mobilenet_v3 lists them: expansion, filters, kernel (None: 5, 3 if
# minimalistic), stride, squeeze-excite, variant's activation (else ReLU)
V3_BLOCKS = {
    "small": [(1, 16, 3, 2, True, False), (72 / 16, 24, 3, 2, False, False), (88 / 24, 24, 3, 1, False, False),
              (4, 40, None, 2, True, True), (6, 40, None, 1, True, True), (6, 40, None, 1, True, True),
              (3, 48, None, 1, True, True), (3, 48, None, 1, True, True), (6, 96, None, 2, True, True),
              (6, 96, None, 1, True, True), (6, 96, None, 1, True, True)],
    "large": [(1, 16, 3, 1, False, False), (4, 24, 3, 2, False, False), (3, 24, 3, 1, False, False),
              (3, 40, None, 2, True, False), (3, 40, None, 1, True, False), (3, 40, None, 1, True, False),
              (6, 80, 3, 2, False, True), (2.5, 80, 3, 1, False, True), (2.3, 80, 3, 1, False, True),
              (2.3, 80, 3, 1, False, True), (6, 112, 3, 1, True, True), (6, 112, 3, 1, True, True),
              (6, 160, None, 2, True, True), (6, 160, None, 1, True, True), (6, 160, None, 1, True, True)]}


def mobilenet_v3(size, alpha=1.0, minimalistic=False):
    """torchvision's MobileNetV3 classes with Keras' channel arithmetic (torchvision's own v3_small/large at alpha 1
    equal it); minimalistic: ReLU everywhere, 3x3 kernels, no squeeze-and-excitation."""
    def build(g):
        from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3
        configs = []
        channels = 16
        for i, (expansion, filters, kernel, stride, se, variant_act) in enumerate(V3_BLOCKS[size]):
            out = make_divisible(filters * alpha)
            expanded = make_divisible(channels * expansion) if i else channels
            kernel = kernel or (3 if minimalistic else 5)
            act = "HS" if variant_act and not minimalistic else "RE"
            configs.append(InvertedResidualConfig(channels, kernel, expanded, out, se and not minimalistic, act,
                                                  stride, 1, 1.0))
            channels = out
        model = MobileNetV3(configs, last_channel=1024 if size == "small" else 1280)
        if minimalistic:  # torchvision's stem, last convolution and classifier use hard swish unconditionally
            model.features[0][2] = nn.ReLU()
            model.features[-1][2] = nn.ReLU()
            model.classifier[1] = nn.ReLU()
        randomise_batchnorm(model, g, 1e-3)
        randomise_biases(model, g)
        keras_pad_strided_convs(model)
        f = model.features
        weights = KerasWeights()
        weights.conv("Conv", strided_conv(f[0][0]))
        weights.bn("Conv/BatchNorm", f[0][1])
        for block_id, block in enumerate(f[1:-1]):
            prefix = "expanded_conv/" if block_id == 0 else f"expanded_conv_{block_id}/"
            parts = list(block.block)
            if block_id:
                expand = parts.pop(0)
                weights.conv(prefix + "expand", expand[0])
                weights.bn(prefix + "expand/BatchNorm", expand[1])
            weights.depthwise(prefix + "depthwise", strided_conv(parts[0][0]))
            weights.bn(prefix + "depthwise/BatchNorm", parts[0][1])
            if len(parts) == 3:
                weights.conv(prefix + "squeeze_excite/Conv", parts[1].fc1)
                weights.conv(prefix + "squeeze_excite/Conv_1", parts[1].fc2)
            weights.conv(prefix + "project", parts[-1][0])
            weights.bn(prefix + "project/BatchNorm", parts[-1][1])
        weights.conv("Conv_1", f[-1][0])
        weights.bn("Conv_1/BatchNorm", f[-1][1])
        return model, (lambda x: f(x).mean((2, 3))), weights, "tf"
    return build


def dense_classifier(layer):
    """A random Dense classifier on the pooled features, called `layer` in the file."""
    def add(model, weights, features, g):
        linear = random_linear(features, 1000, g)
        weights.dense(layer, linear)
        return linear
    return add


def pointwise_classifier(model, weights, features, g):
    """MobileNet v1's classifier: a 1x1 convolution on the pooled map."""
    linear = random_linear(features, 1000, g)
    weights.pointwise_from_linear("conv_preds", linear)
    return linear


def convnext_classifier(model, weights, features, g):
    """ConvNeXt's head normalises the pooled features itself: its LayerNormalization is the base's final one."""
    name = next(n for n in weights.layers if n.endswith("_stem"))[:-len("_stem")]
    weights.layers[f"{name}_head_layernorm"] = weights.layers.pop("layer_normalization")
    linear = random_linear(features, 1000, g)
    weights.dense(f"{name}_head_dense", linear)
    return linear


def mobilenet_v3_classifier(model, weights, features, g):
    """torchvision's classifier Linear, hard swish, Dropout, Linear is Keras' Conv_2, activation, Dropout, Logits."""
    first, last = model.classifier[0], model.classifier[3]
    with torch.no_grad():
        first.weight.mul_(3)
        first.bias.copy_(torch.randn(first.bias.shape, generator=g) * 0.5)
        hidden = model.classifier[1](first(features))
        last.weight.copy_(random_linear(hidden, 1000, g).weight)
        last.bias.copy_(torch.randn(last.bias.shape, generator=g) * 0.5)
    weights.pointwise_from_linear("Conv_2", first)
    weights.pointwise_from_linear("Logits", last)
    return lambda x: last(model.classifier[1](first(x)))


def random_linear(features, classes, g):
    linear = nn.Linear(features.shape[1], classes)
    with torch.no_grad():
        linear.weight.copy_(torch.randn(linear.weight.shape, generator=g) * 0.05)
        linear.bias.copy_(torch.randn(linear.bias.shape, generator=g) * 0.5)
        # Logits of unit spread on these images: a saturated softmax would hide any error in the features.
        linear.weight.div_(linear(features).std())
    return linear


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


# Backbones whose stock ImageNet classifier (tl predict --model) is checked too, with how the weight file holds it:
# DenseNet's with-top files predate Keras' "predictions" and call it "fc1000".
CLASSIFIERS = {"densenet121": ("fc1000", dense_classifier("fc1000")),
               "efficientnetb0": ("predictions", dense_classifier("predictions")),
               "mobilenet": ("conv_preds", pointwise_classifier),
               "convnext_tiny": ("convnext_tiny_head_dense", convnext_classifier),
               "efficientnetv2b0": ("predictions", dense_classifier("predictions")),
               "mobilenetv3small": ("Conv_2, Logits", mobilenet_v3_classifier),
               **{name: ("predictions", dense_classifier("predictions"))
                  for name in ["resnet152", "resnet50v2", "inceptionv3", "xception", "inceptionresnetv2",
                               "nasnetmobile"]}}

BACKBONES = {
    "vgg16": vgg16,
    "densenet121": densenet(121),
    "densenet201": densenet(201),
    "resnet50": resnet_v1(50),
    "mobilenet": mobilenet_v1,
    "mobilenetv2": mobilenet_v2,
    "efficientnetb0": efficientnet_b0,
    "convnext_tiny": convnext("tiny"),
    "convnext_small": convnext("small"),
    "convnext_base": convnext("base"),
    "convnext_large": convnext("large"),
    "efficientnetv2b0": efficientnet_v2("b0"),
    "efficientnetv2s": efficientnet_v2("s"),
    "efficientnetv2m": efficientnet_v2("m"),
    "efficientnetv2l": efficientnet_v2("l"),
    "mobilenetv3small": mobilenet_v3("small"),
    "mobilenetv3large": mobilenet_v3("large"),
    "mobilenetv3small_0.75": mobilenet_v3("small", alpha=0.75),
    "mobilenetv3large_minimalistic": mobilenet_v3("large", minimalistic=True),
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


def run_tl_predict(tl, engine, name, weights_file, data_dir, classes):
    result = subprocess.run([tl, "-q", "predict", "--engine", engine, "--crop", "none", "--model", name, "--weights",
                             str(weights_file), "--top-k", "1000", "--json", str(data_dir)],
                            check=True, capture_output=True, text=True)
    out = {}
    for prediction in json.loads(result.stdout):
        probabilities = np.zeros(len(classes))
        for label in prediction["predictions"]:
            probabilities[classes.index(label["label"])] = label["probability"]
        out[prediction["path"]] = probabilities
    return out


def check_classifier(tl, engines, name, model, extract, weights, mode, batch, images, data_dir, tmp, g):
    """Adds a random 1000-class classifier, then compares tl's ImageNet probabilities with torch's softmax, per engine."""
    with torch.no_grad():
        features = extract(preprocess(batch, mode))
    classifier = CLASSIFIERS[name][1](model, weights, features, g)
    top_file = tmp / f"{name}_top.h5"
    weights.write(top_file)
    with torch.no_grad():
        reference = torch.softmax(classifier(features), dim=1).double().numpy()
    classes = [c for c in (pathlib.Path(__file__).parent.parent / "src/main/resources/imagenet-classes.txt")
               .read_text().split("\n") if c]
    errors = []
    for engine in engines:
        ours = run_tl_predict(tl, engine, name, top_file, data_dir, classes)
        errors.append(max(np.abs(ours[path] - expected).max() for (path, _), expected in zip(images, reference)))
    return errors


def run_tl(tl, engine, name, weights_file, data_dir, out_csv, size):
    subprocess.run([tl, "-q", "embed", "--engine", engine, "--crop", "none", "--model", name, "--weights",
                    str(weights_file), "--image-size", str(size), "--data", str(data_dir), "--out", str(out_csv)],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out_csv) as f:
        rows = list(csv.reader(f))[1:]
    return {row[0]: np.array([float(v) for v in row[2:]], dtype=np.float64) for row in rows}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tl", required=True)
    parser.add_argument("--images", required=True, help="directory of sample JPEGs")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--models", default=",".join(BACKBONES))
    parser.add_argument("--engines", default="dl4j,onnxruntime", help="tl's inference engines to check")
    parser.add_argument("--size", type=int, default=None,
                        help="input size (default: each backbone's, see SIZES); the ImageNet classifiers are checked "
                             "at their backbone's only")
    args = parser.parse_args()
    engines = args.engines.split(",")

    torch.set_num_threads(2)
    results = []
    classifier_results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        samples = {}
        for name in args.models.split(","):
            size = args.size or size_of(name)
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
            worst = []
            for engine in engines:
                ours = run_tl(args.tl, engine, name, weights_file, data_dir, tmp / f"{name}-{engine}.csv", size)
                worst.append(max(np.abs(ours[path] - expected).max() / np.abs(expected).max()
                                 for (path, _), expected in zip(images, reference)))
            results.append((name, size, len(weights.layers), reference.shape[1], worst))
            print(f"{name:16s} " + " ".join(f"{e} {w:.2e}" for e, w in zip(engines, worst)), file=sys.stderr,
                  flush=True)
            if name in CLASSIFIERS and size == size_of(name):
                errors = check_classifier(args.tl, engines, name, module, extract, weights, mode, batch, images,
                                          data_dir, tmp, g)
                classifier_results.append((name, CLASSIFIERS[name][0], errors))
                print(f"{name:16s} classifier " + " ".join(f"{e} {w:.2e}" for e, w in zip(engines, errors)),
                      file=sys.stderr, flush=True)

    per_engine = " | ".join(f"max relative error, {engine}" for engine in engines)
    print(f"| backbone | input | layers with weights | feature size | {per_engine} | < {TOLERANCE:g} |")
    print("| --- | --- | --- | --- | " + "--- | " * len(engines) + "--- |")
    for name, size, layers, features, worst in results:
        cells = " | ".join(f"{w:.2e}" for w in worst)
        print(f"| {name} | {size} | {layers} | {features} | {cells} | {'yes' if max(worst) < TOLERANCE else 'NO'} |")
    print(f"\n{args.count} images; relative error = max |tl - torch| / max |torch| per image.")
    if classifier_results:
        per_engine = " | ".join(f"max abs. probability error, {engine}" for engine in engines)
        print(f"\n| backbone + ImageNet classifier (tl predict --model) | classifier layer in file | {per_engine} "
              f"| < {TOLERANCE:g} |")
        print("| --- | --- | " + "--- | " * len(engines) + "--- |")
        for name, layer, errors in classifier_results:
            cells = " | ".join(f"{e:.2e}" for e in errors)
            print(f"| {name} | {layer} | {cells} | {'yes' if max(errors) < TOLERANCE else 'NO'} |")
    ok = all(max(r[4]) < TOLERANCE for r in results) and all(max(r[2]) < TOLERANCE for r in classifier_results)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
