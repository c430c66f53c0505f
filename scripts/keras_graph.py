"""Keras applications transcribed from keras.applications' source into a small functional graph run by PyTorch.

The reference for the backbones torchvision does not build (ResNet V2, Xception, InceptionResNetV2, NASNet), and the
Keras side of InceptionV3's parity: each architecture below follows its keras/src/applications/*.py line by line,
with Keras' layer names (unnamed layers get the names Keras gives them), Keras' padding arithmetic ('same' pads the
extra row and column at the bottom/right, average pooling over 'same' padding divides by the values it covers,
max pooling ignores the padding) and Keras' weight layout. It shares no code with tl.

A graph is built once on a zero image of the input size (shapes drive the channel counts and Keras' correct_pad),
with random weights, then replayed on images. `keras_order` lists its layers as Keras' Functional model does
(keras.src.ops.function.map_graph): by depth from the output, deepest first, ties in the order a depth-first search
from the output meets them. That is the order of a weight file's layers, and the order in which Keras itself loads a
legacy file (by position, whatever the layers are called).
"""
import collections
import math

import torch
import torch.nn.functional as F


class Node:
    def __init__(self, name, cls, inputs, op, weights, auto):
        self.name = name          # the layer's name in the model
        self.cls = cls            # Keras' snake-case class name, used for automatic names
        self.inputs = inputs
        self.op = op              # list of input tensors -> output tensor
        self.weights = weights    # Keras weight name -> tensor in Keras' layout
        self.auto = auto          # named by Keras, not by the application's code
        self.value = None


class KerasGraph:
    def __init__(self, size, generator, bn_epsilon=1e-3):
        self.g = generator
        self.bn_epsilon = bn_epsilon
        self.nodes = []
        self.counters = collections.Counter()
        self.input = Node("input_layer", "input_layer", [], None, {}, False)
        self.input.value = torch.zeros(1, 3, size, size)

    # -- building ---------------------------------------------------------------------------------------------------

    def _add(self, cls, name, inputs, op, weights=None):
        auto = name is None
        if auto:
            count = self.counters[cls]
            self.counters[cls] += 1
            name = cls if count == 0 else f"{cls}_{count}"
        node = Node(name, cls, inputs, op, weights or {}, auto)
        node.value = op([i.value for i in inputs])
        self.nodes.append(node)
        return node

    def _normal(self, *shape, std):
        return torch.randn(*shape, generator=self.g) * std

    def _uniform(self, *shape, low, high):
        return torch.rand(*shape, generator=self.g) * (high - low) + low

    @staticmethod
    def _pair(v):
        return (v, v) if isinstance(v, int) else tuple(v)

    @staticmethod
    def same_pads(size, kernel, stride):
        """TensorFlow's 'same': ceil(size / stride) outputs, the odd padding after."""
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        return total // 2, total - total // 2

    def _padded(self, x, kernel, stride, padding, value=0.0):
        if padding == "valid":
            return x
        top, bottom = self.same_pads(x.shape[2], kernel[0], stride[0])
        left, right = self.same_pads(x.shape[3], kernel[1], stride[1])
        return F.pad(x, (left, right, top, bottom), value=value)

    def conv(self, x, filters, kernel, strides=1, padding="valid", use_bias=True, name=None):
        kernel, strides = self._pair(kernel), self._pair(strides)
        channels = x.value.shape[1]
        w = self._normal(kernel[0], kernel[1], channels, filters,
                         std=math.sqrt(2.0 / (kernel[0] * kernel[1] * channels)))
        weights = {"kernel": w}
        if use_bias:
            weights["bias"] = self._normal(filters, std=0.1)

        def op(inputs):
            y = F.conv2d(self._padded(inputs[0], kernel, strides, padding), w.permute(3, 2, 0, 1), stride=strides)
            return y + weights["bias"].view(1, -1, 1, 1) if use_bias else y
        return self._add("conv2d", name, [x], op, weights)

    def separable_conv(self, x, filters, kernel, strides=1, padding="valid", use_bias=True, name=None):
        """SeparableConv2D (depth multiplier 1): depthwise kernel, then a pointwise 1x1 convolution and the bias."""
        kernel, strides = self._pair(kernel), self._pair(strides)
        channels = x.value.shape[1]
        depthwise = self._normal(kernel[0], kernel[1], channels, 1, std=math.sqrt(2.0 / (kernel[0] * kernel[1])))
        pointwise = self._normal(1, 1, channels, filters, std=math.sqrt(2.0 / channels))
        weights = {"depthwise_kernel": depthwise, "pointwise_kernel": pointwise}
        if use_bias:
            weights["bias"] = self._normal(filters, std=0.1)

        def op(inputs):
            y = F.conv2d(self._padded(inputs[0], kernel, strides, padding), depthwise.permute(2, 3, 0, 1),
                         stride=strides, groups=channels)
            y = F.conv2d(y, pointwise.permute(3, 2, 0, 1))
            return y + weights["bias"].view(1, -1, 1, 1) if use_bias else y
        return self._add("separable_conv2d", name, [x], op, weights)

    def batch_norm(self, x, epsilon=None, scale=True, name=None):
        """Inference-mode BatchNormalization with random statistics; without gamma when scale=False."""
        eps = self.bn_epsilon if epsilon is None else epsilon
        c = x.value.shape[1]
        weights = {}
        if scale:
            weights["gamma"] = self._uniform(c, low=0.5, high=1.5)
        weights["beta"] = self._normal(c, std=0.1)
        weights["moving_mean"] = self._normal(c, std=0.1)
        weights["moving_variance"] = self._uniform(c, low=0.5, high=1.5)

        def op(inputs):
            shape = (1, -1, 1, 1)
            y = (inputs[0] - weights["moving_mean"].view(shape)) / torch.sqrt(
                weights["moving_variance"].view(shape) + eps)
            if scale:
                y = y * weights["gamma"].view(shape)
            return y + weights["beta"].view(shape)
        return self._add("batch_normalization", name, [x], op, weights)

    def relu(self, x, name=None):
        return self._add("activation", name, [x], lambda inputs: F.relu(inputs[0]))

    def max_pool(self, x, size, strides=None, padding="valid", name=None):
        size = self._pair(size)
        strides = self._pair(strides or size)
        return self._add("max_pooling2d", name, [x], lambda inputs: F.max_pool2d(
            self._padded(inputs[0], size, strides, padding, value=float("-inf")), size, strides))

    def average_pool(self, x, size, strides=None, padding="valid", name=None):
        size = self._pair(size)
        strides = self._pair(strides or size)

        def op(inputs):
            total = F.avg_pool2d(self._padded(inputs[0], size, strides, padding), size, strides)
            covered = F.avg_pool2d(self._padded(torch.ones_like(inputs[0][:, :1]), size, strides, padding), size,
                                   strides)
            return total / covered
        return self._add("average_pooling2d", name, [x], op)

    def zero_pad(self, x, padding, name=None):
        (top, bottom), (left, right) = padding
        return self._add("zero_padding2d", name, [x], lambda inputs: F.pad(inputs[0], (left, right, top, bottom)))

    def crop(self, x, cropping, name=None):
        (top, bottom), (left, right) = cropping
        return self._add("cropping2d", name, [x], lambda inputs: inputs[0][
            :, :, top:inputs[0].shape[2] - bottom, left:inputs[0].shape[3] - right])

    def concat(self, xs, name=None):
        return self._add("concatenate", name, list(xs), lambda inputs: torch.cat(inputs, 1))

    def add(self, xs, name=None):
        return self._add("add", name, list(xs), lambda inputs: sum(inputs[1:], inputs[0]))

    def scale_add(self, x, residual, scale, name=None):
        """InceptionResNetV2's CustomScaleLayer: x + scale * residual."""
        return self._add("custom_scale_layer", name, [x, residual], lambda inputs: inputs[0] + inputs[1] * scale)

    @staticmethod
    def correct_pad(x, kernel):
        """keras.applications.imagenet_utils.correct_pad for a known input size."""
        kernel = KerasGraph._pair(kernel)
        h, w = x.value.shape[2], x.value.shape[3]
        return ((kernel[0] // 2 - (1 - h % 2), kernel[0] // 2), (kernel[1] // 2 - (1 - w % 2), kernel[1] // 2))

    # -- running and listing ----------------------------------------------------------------------------------------

    def run(self, images, output):
        """Replays the graph on a batch (N, 3, H, W); returns the output node's value."""
        values = {self.input: images}
        for node in self.nodes:
            values[node] = node.op([values[i] for i in node.inputs])
        return values[output]

    def keras_order(self, output):
        """The layers as keras.src.ops.function.map_graph lists a Functional model's layers."""
        discovered = {}
        finished = []

        def visit(node):
            if node in discovered:
                return
            discovered[node] = len(discovered)
            for i in node.inputs:
                visit(i)
            finished.append(node)
        visit(output)
        depth = {}
        for node in reversed(finished):
            d = depth.setdefault(node, 0)
            for i in node.inputs:
                depth[i] = max(depth.get(i, 0), d + 1)
        return sorted((n for n in finished if n is not self.input), key=lambda n: (-depth[n], discovered[n]))

    def weight_layers(self, output, legacy_names=True):
        """(name, weights) of the layers with weights, in Keras' order. Keras 2 numbered automatic names from 1
        (conv2d_1), Keras 3 from 0 (conv2d, conv2d_1): with legacy_names, names are written as Keras 2 wrote them."""
        layers = []
        for node in self.keras_order(output):
            if node.weights:
                name = node.name
                if node.auto and legacy_names:
                    index = 0 if node.name == node.cls else int(node.name.rsplit("_", 1)[1])
                    name = f"{node.cls}_{index + 1}"
                layers.append((name, node.weights))
        return layers


# ---------------------------------------------------------------------------------------------------------------
# keras.applications.resnet_v2

def resnet_v2(depth, size, g):
    """ResNet50V2/101V2/152V2: pre-activation blocks, stride on the last block's 3x3 convolution of a stage."""
    blocks = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}[depth]
    k = KerasGraph(size, g, bn_epsilon=1.001e-5)

    def block(x, filters, stride=1, conv_shortcut=False, name=None):
        preact = k.relu(k.batch_norm(x, name=f"{name}_preact_bn"), name=f"{name}_preact_relu")
        if conv_shortcut:
            shortcut = k.conv(preact, 4 * filters, 1, strides=stride, name=f"{name}_0_conv")
        else:
            shortcut = k.max_pool(x, 1, strides=stride) if stride > 1 else x
        y = k.conv(preact, filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")
        y = k.relu(k.batch_norm(y, name=f"{name}_1_bn"), name=f"{name}_1_relu")
        y = k.zero_pad(y, ((1, 1), (1, 1)), name=f"{name}_2_pad")
        y = k.conv(y, filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")
        y = k.relu(k.batch_norm(y, name=f"{name}_2_bn"), name=f"{name}_2_relu")
        y = k.conv(y, 4 * filters, 1, name=f"{name}_3_conv")
        return k.add([shortcut, y], name=f"{name}_out")

    def stack(x, filters, n, stride1=2, name=None):
        x = block(x, filters, conv_shortcut=True, name=f"{name}_block1")
        for i in range(2, n):
            x = block(x, filters, name=f"{name}_block{i}")
        return block(x, filters, stride=stride1, name=f"{name}_block{n}")

    x = k.zero_pad(k.input, ((3, 3), (3, 3)), name="conv1_pad")
    x = k.conv(x, 64, 7, strides=2, name="conv1_conv")
    x = k.zero_pad(x, ((1, 1), (1, 1)), name="pool1_pad")
    x = k.max_pool(x, 3, strides=2, name="pool1_pool")
    x = stack(x, 64, blocks[0], name="conv2")
    x = stack(x, 128, blocks[1], name="conv3")
    x = stack(x, 256, blocks[2], name="conv4")
    x = stack(x, 512, blocks[3], stride1=1, name="conv5")
    x = k.relu(k.batch_norm(x, name="post_bn"), name="post_relu")
    return k, x


# ---------------------------------------------------------------------------------------------------------------
# keras.applications.inception_v3

def inception_v3(size, g):
    """InceptionV3: unnamed conv2d_bn units (convolution without bias, BatchNorm without scale, ReLU)."""
    k = KerasGraph(size, g, bn_epsilon=1e-3)

    def conv2d_bn(x, filters, rows, cols, padding="same", strides=1):
        x = k.conv(x, filters, (rows, cols), strides=strides, padding=padding, use_bias=False)
        return k.relu(k.batch_norm(x, scale=False))

    x = conv2d_bn(k.input, 32, 3, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = k.max_pool(x, 3, strides=2)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = k.max_pool(x, 3, strides=2)

    for i, pool_filters in enumerate([32, 64, 64]):
        branch1x1 = conv2d_bn(x, 64, 1, 1)
        branch5x5 = conv2d_bn(conv2d_bn(x, 48, 1, 1), 64, 5, 5)
        branch3x3dbl = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
        branch_pool = conv2d_bn(k.average_pool(x, 3, strides=1, padding="same"), pool_filters, 1, 1)
        x = k.concat([branch1x1, branch5x5, branch3x3dbl, branch_pool], name=f"mixed{i}")

    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=2, padding="valid")
    branch3x3dbl = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides=2, padding="valid")
    branch_pool = k.max_pool(x, 3, strides=2)
    x = k.concat([branch3x3, branch3x3dbl, branch_pool], name="mixed3")

    for i, c7 in enumerate([128, 160, 160, 192]):
        branch1x1 = conv2d_bn(x, 192, 1, 1)
        branch7x7 = conv2d_bn(conv2d_bn(conv2d_bn(x, c7, 1, 1), c7, 1, 7), 192, 7, 1)
        branch7x7dbl = conv2d_bn(conv2d_bn(x, c7, 1, 1), c7, 7, 1)
        branch7x7dbl = conv2d_bn(conv2d_bn(conv2d_bn(branch7x7dbl, c7, 1, 7), c7, 7, 1), 192, 1, 7)
        branch_pool = conv2d_bn(k.average_pool(x, 3, strides=1, padding="same"), 192, 1, 1)
        x = k.concat([branch1x1, branch7x7, branch7x7dbl, branch_pool], name=f"mixed{4 + i}")

    branch3x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=2, padding="valid")
    branch7x7x3 = conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, strides=2, padding="valid")
    branch_pool = k.max_pool(x, 3, strides=2)
    x = k.concat([branch3x3, branch7x7x3, branch_pool], name="mixed8")

    for i in range(2):
        branch1x1 = conv2d_bn(x, 320, 1, 1)
        branch3x3 = conv2d_bn(x, 384, 1, 1)
        branch3x3 = k.concat([conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)], name=f"mixed9_{i}")
        branch3x3dbl = conv2d_bn(conv2d_bn(x, 448, 1, 1), 384, 3, 3)
        branch3x3dbl = k.concat([conv2d_bn(branch3x3dbl, 384, 1, 3), conv2d_bn(branch3x3dbl, 384, 3, 1)])
        branch_pool = conv2d_bn(k.average_pool(x, 3, strides=1, padding="same"), 192, 1, 1)
        x = k.concat([branch1x1, branch3x3, branch3x3dbl, branch_pool], name=f"mixed{9 + i}")
    return k, x


# ---------------------------------------------------------------------------------------------------------------
# keras.applications.xception

def xception(size, g):
    """Xception: separable convolutions without bias, residual 1x1 convolutions Keras leaves unnamed."""
    k = KerasGraph(size, g, bn_epsilon=1e-3)
    x = k.conv(k.input, 32, 3, strides=2, use_bias=False, name="block1_conv1")
    x = k.relu(k.batch_norm(x, name="block1_conv1_bn"), name="block1_conv1_act")
    x = k.conv(x, 64, 3, use_bias=False, name="block1_conv2")
    x = k.relu(k.batch_norm(x, name="block1_conv2_bn"), name="block1_conv2_act")

    def entry(x, filters1, filters2, block, activate_input=True):
        residual = k.batch_norm(k.conv(x, filters2, 1, strides=2, padding="same", use_bias=False))
        if activate_input:
            x = k.relu(x, name=f"block{block}_sepconv1_act")
        x = k.separable_conv(x, filters1, 3, padding="same", use_bias=False, name=f"block{block}_sepconv1")
        x = k.relu(k.batch_norm(x, name=f"block{block}_sepconv1_bn"), name=f"block{block}_sepconv2_act")
        x = k.separable_conv(x, filters2, 3, padding="same", use_bias=False, name=f"block{block}_sepconv2")
        x = k.batch_norm(x, name=f"block{block}_sepconv2_bn")
        x = k.max_pool(x, 3, strides=2, padding="same", name=f"block{block}_pool")
        return k.add([x, residual])

    x = entry(x, 128, 128, 2, activate_input=False)
    x = entry(x, 256, 256, 3)
    x = entry(x, 728, 728, 4)
    for i in range(8):
        residual = x
        prefix = f"block{i + 5}"
        x = k.relu(x, name=f"{prefix}_sepconv1_act")
        x = k.separable_conv(x, 728, 3, padding="same", use_bias=False, name=f"{prefix}_sepconv1")
        x = k.relu(k.batch_norm(x, name=f"{prefix}_sepconv1_bn"), name=f"{prefix}_sepconv2_act")
        x = k.separable_conv(x, 728, 3, padding="same", use_bias=False, name=f"{prefix}_sepconv2")
        x = k.relu(k.batch_norm(x, name=f"{prefix}_sepconv2_bn"), name=f"{prefix}_sepconv3_act")
        x = k.separable_conv(x, 728, 3, padding="same", use_bias=False, name=f"{prefix}_sepconv3")
        x = k.batch_norm(x, name=f"{prefix}_sepconv3_bn")
        x = k.add([x, residual])
    x = entry(x, 728, 1024, 13)
    x = k.separable_conv(x, 1536, 3, padding="same", use_bias=False, name="block14_sepconv1")
    x = k.relu(k.batch_norm(x, name="block14_sepconv1_bn"), name="block14_sepconv1_act")
    x = k.separable_conv(x, 2048, 3, padding="same", use_bias=False, name="block14_sepconv2")
    x = k.relu(k.batch_norm(x, name="block14_sepconv2_bn"), name="block14_sepconv2_act")
    return k, x


# ---------------------------------------------------------------------------------------------------------------
# keras.applications.inception_resnet_v2

def inception_resnet_v2(size, g):
    """InceptionResNetV2: conv2d_bn units as in InceptionV3, residual blocks scaled before the sum."""
    k = KerasGraph(size, g, bn_epsilon=1e-3)

    def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation=True, use_bias=False, name=None):
        x = k.conv(x, filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name)
        if not use_bias:
            x = k.batch_norm(x, scale=False, name=None if name is None else f"{name}_bn")
        if activation:
            x = k.relu(x, name=None if name is None else f"{name}_ac")
        return x

    def block(x, scale, block_type, block_idx, activation=True):
        if block_type == "block35":
            branches = [conv2d_bn(x, 32, 1), conv2d_bn(conv2d_bn(x, 32, 1), 32, 3),
                        conv2d_bn(conv2d_bn(conv2d_bn(x, 32, 1), 48, 3), 64, 3)]
        elif block_type == "block17":
            branches = [conv2d_bn(x, 192, 1), conv2d_bn(conv2d_bn(conv2d_bn(x, 128, 1), 160, (1, 7)), 192, (7, 1))]
        else:
            branches = [conv2d_bn(x, 192, 1), conv2d_bn(conv2d_bn(conv2d_bn(x, 192, 1), 224, (1, 3)), 256, (3, 1))]
        name = f"{block_type}_{block_idx}"
        mixed = k.concat(branches, name=f"{name}_mixed")
        up = conv2d_bn(mixed, x.value.shape[1], 1, activation=False, use_bias=True, name=f"{name}_conv")
        x = k.scale_add(x, up, scale)
        return k.relu(x, name=f"{name}_ac") if activation else x

    x = conv2d_bn(k.input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = k.max_pool(x, 3, strides=2)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = k.max_pool(x, 3, strides=2)

    branch_0 = conv2d_bn(x, 96, 1)
    branch_1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    branch_2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    branch_pool = conv2d_bn(k.average_pool(x, 3, strides=1, padding="same"), 64, 1)
    x = k.concat([branch_0, branch_1, branch_2, branch_pool], name="mixed_5b")
    for block_idx in range(1, 11):
        x = block(x, 0.17, "block35", block_idx)

    branch_0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 256, 3), 384, 3, strides=2, padding="valid")
    branch_pool = k.max_pool(x, 3, strides=2)
    x = k.concat([branch_0, branch_1, branch_pool], name="mixed_6a")
    for block_idx in range(1, 21):
        x = block(x, 0.1, "block17", block_idx)

    branch_0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    branch_2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 256, 1), 288, 3), 320, 3, strides=2, padding="valid")
    branch_pool = k.max_pool(x, 3, strides=2)
    x = k.concat([branch_0, branch_1, branch_2, branch_pool], name="mixed_7a")
    for block_idx in range(1, 10):
        x = block(x, 0.2, "block8", block_idx)
    x = block(x, 1.0, "block8", 10, activation=False)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    return k, x


# ---------------------------------------------------------------------------------------------------------------
# keras.applications.nasnet

def nasnet(size, g, penultimate_filters, num_blocks, stem_block_filters, skip_reduction, filter_multiplier=2):
    """NASNet-A: NASNetMobile is (1056, 4, 32, False), NASNetLarge (4032, 6, 96, True)."""
    k = KerasGraph(size, g, bn_epsilon=1e-3)

    def separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
        x = k.relu(ip)
        if strides == (2, 2):
            x = k.zero_pad(x, KerasGraph.correct_pad(x, kernel_size), name=f"separable_conv_1_pad_{block_id}")
            conv_pad = "valid"
        else:
            conv_pad = "same"
        x = k.separable_conv(x, filters, kernel_size, strides=strides, padding=conv_pad, use_bias=False,
                             name=f"separable_conv_1_{block_id}")
        x = k.relu(k.batch_norm(x, name=f"separable_conv_1_bn_{block_id}"))
        x = k.separable_conv(x, filters, kernel_size, padding="same", use_bias=False,
                             name=f"separable_conv_2_{block_id}")
        return k.batch_norm(x, name=f"separable_conv_2_bn_{block_id}")

    def adjust_block(p, ip, filters, block_id):
        if p is None:
            return ip
        if p.value.shape[3] != ip.value.shape[3]:
            p = k.relu(p, name=f"adjust_relu_1_{block_id}")
            p1 = k.average_pool(p, (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_1_{block_id}")
            p1 = k.conv(p1, filters // 2, 1, padding="same", use_bias=False, name=f"adjust_conv_1_{block_id}")
            p2 = k.zero_pad(p, ((0, 1), (0, 1)))
            p2 = k.crop(p2, ((1, 0), (1, 0)))
            p2 = k.average_pool(p2, (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_2_{block_id}")
            p2 = k.conv(p2, filters // 2, 1, padding="same", use_bias=False, name=f"adjust_conv_2_{block_id}")
            p = k.concat([p1, p2])
            return k.batch_norm(p, name=f"adjust_bn_{block_id}")
        if p.value.shape[1] != filters:
            p = k.relu(p)
            p = k.conv(p, filters, 1, padding="same", use_bias=False, name=f"adjust_conv_projection_{block_id}")
            return k.batch_norm(p, name=f"adjust_bn_{block_id}")
        return p

    def normal_a_cell(ip, p, filters, block_id):
        p = adjust_block(p, ip, filters, block_id)
        h = k.relu(ip)
        h = k.conv(h, filters, 1, padding="same", use_bias=False, name=f"normal_conv_1_{block_id}")
        h = k.batch_norm(h, name=f"normal_bn_1_{block_id}")
        x1_1 = separable_conv_block(h, filters, (5, 5), block_id=f"normal_left1_{block_id}")
        x1_2 = separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
        x1 = k.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
        x2_1 = separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
        x2_2 = separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
        x2 = k.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
        x3 = k.average_pool(h, (3, 3), strides=(1, 1), padding="same", name=f"normal_left3_{block_id}")
        x3 = k.add([x3, p], name=f"normal_add_3_{block_id}")
        x4_1 = k.average_pool(p, (3, 3), strides=(1, 1), padding="same", name=f"normal_left4_{block_id}")
        x4_2 = k.average_pool(p, (3, 3), strides=(1, 1), padding="same", name=f"normal_right4_{block_id}")
        x4 = k.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
        x5 = separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
        x5 = k.add([x5, h], name=f"normal_add_5_{block_id}")
        return k.concat([p, x1, x2, x3, x4, x5], name=f"normal_concat_{block_id}"), ip

    def reduction_a_cell(ip, p, filters, block_id):
        p = adjust_block(p, ip, filters, block_id)
        h = k.relu(ip)
        h = k.conv(h, filters, 1, padding="same", use_bias=False, name=f"reduction_conv_1_{block_id}")
        h = k.batch_norm(h, name=f"reduction_bn_1_{block_id}")
        h3 = k.zero_pad(h, KerasGraph.correct_pad(h, 3), name=f"reduction_pad_1_{block_id}")
        x1_1 = separable_conv_block(h, filters, (5, 5), strides=(2, 2), block_id=f"reduction_left1_{block_id}")
        x1_2 = separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right1_{block_id}")
        x1 = k.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
        x2_1 = k.max_pool(h3, (3, 3), strides=(2, 2), padding="valid", name=f"reduction_left2_{block_id}")
        x2_2 = separable_conv_block(p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right2_{block_id}")
        x2 = k.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
        x3_1 = k.average_pool(h3, (3, 3), strides=(2, 2), padding="valid", name=f"reduction_left3_{block_id}")
        x3_2 = separable_conv_block(p, filters, (5, 5), strides=(2, 2), block_id=f"reduction_right3_{block_id}")
        x3 = k.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
        x4 = k.average_pool(x1, (3, 3), strides=(1, 1), padding="same", name=f"reduction_left4_{block_id}")
        x4 = k.add([x2, x4])
        x5_1 = separable_conv_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}")
        x5_2 = k.max_pool(h3, (3, 3), strides=(2, 2), padding="valid", name=f"reduction_right5_{block_id}")
        x5 = k.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
        return k.concat([x2, x3, x4, x5], name=f"reduction_concat_{block_id}"), ip

    filters = penultimate_filters // 24
    x = k.conv(k.input, stem_block_filters, 3, strides=2, padding="valid", use_bias=False, name="stem_conv1")
    x = k.batch_norm(x, name="stem_bn1")
    p = None
    x, p = reduction_a_cell(x, p, filters // (filter_multiplier ** 2), "stem_1")
    x, p = reduction_a_cell(x, p, filters // filter_multiplier, "stem_2")
    for i in range(num_blocks):
        x, p = normal_a_cell(x, p, filters, f"{i}")
    x, p0 = reduction_a_cell(x, p, filters * filter_multiplier, f"reduce_{num_blocks}")
    p = p0 if not skip_reduction else p
    for i in range(num_blocks):
        x, p = normal_a_cell(x, p, filters * filter_multiplier, f"{num_blocks + i + 1}")
    x, p0 = reduction_a_cell(x, p, filters * filter_multiplier ** 2, f"reduce_{2 * num_blocks}")
    p = p0 if not skip_reduction else p
    for i in range(num_blocks):
        x, p = normal_a_cell(x, p, filters * filter_multiplier ** 2, f"{2 * num_blocks + i + 1}")
    return k, k.relu(x)
