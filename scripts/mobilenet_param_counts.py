"""Parameter counts of Keras' MobileNet v1, MobileNetV2 and MobileNetV3 width (and minimalistic) variants, as
keras.applications builds them.

Keras itself cannot run here (no TensorFlow or JAX), so this follows the channel arithmetic of
keras/src/applications/mobilenet.py, mobilenet_v2.py and mobilenet_v3.py and counts weights the way Keras'
count_params() does:
kernels, biases, and BatchNorm's gamma, beta, moving mean and moving variance. It shares no code with tl; its output
is what ParameterCountTest expects. Usage: python3 scripts/mobilenet_param_counts.py
"""

CLASSES = 1000


def bn(channels):
    return 4 * channels


def mobilenet_v1(alpha):
    """Returns (with top, no top)."""
    blocks = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024]
    channels = int(32 * alpha)
    total = 3 * 3 * 3 * channels + bn(channels)  # conv1, conv1_bn
    for filters in blocks:
        filters = int(filters * alpha)
        total += 3 * 3 * channels + bn(channels)  # conv_dw_i (depth multiplier 1), its BatchNorm
        total += channels * filters + bn(filters)  # conv_pw_i, its BatchNorm
        channels = filters
    return total + channels * CLASSES + CLASSES, total  # conv_preds: 1x1 convolution with bias


def make_divisible(v, divisor=8, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def mobilenet_v2(alpha):
    """Returns (with top, no top)."""
    blocks = [(16, 1), (24, 6), (24, 6), (32, 6), (32, 6), (32, 6), (64, 6), (64, 6), (64, 6), (64, 6),
              (96, 6), (96, 6), (96, 6), (160, 6), (160, 6), (160, 6), (320, 6)]
    channels = make_divisible(32 * alpha, 8)
    total = 3 * 3 * 3 * channels + bn(channels)  # Conv1, bn_Conv1
    for block_id, (filters, expansion) in enumerate(blocks):
        out = make_divisible(int(filters * alpha), 8)
        expanded = channels
        if block_id:
            expanded = expansion * channels
            total += channels * expanded + bn(expanded)  # expand, expand_BN
        total += 3 * 3 * expanded + bn(expanded)  # depthwise, depthwise_BN
        total += expanded * out + bn(out)  # project, project_BN
        channels = out
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    total += channels * last + bn(last)  # Conv_1, Conv_1_bn
    return total + last * CLASSES + CLASSES, total  # predictions: Dense with bias


# MobileNetV3 blocks: (expansion, filters at alpha 1, kernel (None: 5, or 3 if minimalistic), stride, squeeze-excite)
V3_SMALL = [(1, 16, 3, 2, True), (72 / 16, 24, 3, 2, False), (88 / 24, 24, 3, 1, False), (4, 40, None, 2, True),
            (6, 40, None, 1, True), (6, 40, None, 1, True), (3, 48, None, 1, True), (3, 48, None, 1, True),
            (6, 96, None, 2, True), (6, 96, None, 1, True), (6, 96, None, 1, True)]
V3_LARGE = [(1, 16, 3, 1, False), (4, 24, 3, 2, False), (3, 24, 3, 1, False), (3, 40, None, 2, True),
            (3, 40, None, 1, True), (3, 40, None, 1, True), (6, 80, 3, 2, False), (2.5, 80, 3, 1, False),
            (2.3, 80, 3, 1, False), (2.3, 80, 3, 1, False), (6, 112, 3, 1, True), (6, 112, 3, 1, True),
            (6, 160, None, 2, True), (6, 160, None, 1, True), (6, 160, None, 1, True)]


def mobilenet_v3(blocks, last_point, alpha, minimalistic):
    """Returns (with top, no top). The top is pooling, Conv_2 (1x1 with bias) and the Logits 1x1 convolution."""
    channels = 16
    total = 3 * 3 * 3 * channels + bn(channels)  # Conv, Conv/BatchNorm
    for block_id, (expansion, filters, kernel, _, squeeze_excite) in enumerate(blocks):
        kernel = kernel or (3 if minimalistic else 5)
        out = make_divisible(filters * alpha)
        expanded = channels
        if block_id:
            expanded = make_divisible(channels * expansion)
            total += channels * expanded + bn(expanded)  # expand, expand/BatchNorm
        total += kernel * kernel * expanded + bn(expanded)  # depthwise, depthwise/BatchNorm
        if squeeze_excite and not minimalistic:
            reduced = make_divisible(expanded * 0.25)
            total += expanded * reduced + reduced + reduced * expanded + expanded  # squeeze_excite/Conv, Conv_1
        total += expanded * out + bn(out)  # project, project/BatchNorm
        channels = out
    last_conv = make_divisible(channels * 6)
    total += channels * last_conv + bn(last_conv)  # Conv_1, Conv_1/BatchNorm
    if alpha > 1.0:
        last_point = make_divisible(last_point * alpha)
    return total + last_conv * last_point + last_point + last_point * CLASSES + CLASSES, total


def main():
    print("| backbone | with top | no top |")
    print("| --- | --- | --- |")
    for family, build, alphas in (("mobilenet", mobilenet_v1, (0.25, 0.5, 0.75, 1.0)),
                                  ("mobilenetv2", mobilenet_v2, (0.35, 0.5, 0.75, 1.0, 1.3, 1.4))):
        for alpha in alphas:
            name = family if alpha == 1.0 else f"{family}_{alpha}"
            top, no_top = build(alpha)
            print(f"| {name} | {top:,} | {no_top:,} |")
    for size, blocks, last_point in (("small", V3_SMALL, 1024), ("large", V3_LARGE, 1280)):
        for alpha, minimalistic in ((1.0, False), (0.75, False), (1.0, True)):
            name = f"mobilenetv3{size}" + ("" if alpha == 1.0 else f"_{alpha}") + ("_minimalistic" if minimalistic else "")
            top, no_top = mobilenet_v3(blocks, last_point, alpha, minimalistic)
            print(f"| {name} | {top:,} | {no_top:,} |")


if __name__ == "__main__":
    main()
