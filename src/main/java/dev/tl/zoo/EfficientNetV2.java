package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * EfficientNetV2 B0..B3, S, M, L as in keras.applications.efficientnet_v2: fused MBConv stages (one full
 * convolution in place of the expansion and the depthwise convolution) below MBConv stages with
 * squeeze-and-excitation, swish, TensorFlow's 'same' padding everywhere and drop-connect. Keras' in-model
 * preprocessing is tl's: "torch" for B0..B3 (Rescaling 1/255, then Normalization with ImageNet's mean and standard
 * deviation), "tf128" (x/128 - 1) for S, M and L.
 */
final class EfficientNetV2 implements Architecture {

    /** One row of Keras' DEFAULT_BLOCKS_ARGS. */
    private record Stage(boolean fused, int kernel, int repeats, int filtersIn, int filtersOut, int expandRatio,
                         double seRatio, int stride) {
    }

    private static Stage fused(int repeats, int filtersIn, int filtersOut, int expandRatio, int stride) {
        return new Stage(true, 3, repeats, filtersIn, filtersOut, expandRatio, 0, stride);
    }

    private static Stage mbConv(int repeats, int filtersIn, int filtersOut, int expandRatio, int stride) {
        return new Stage(false, 3, repeats, filtersIn, filtersOut, expandRatio, 0.25, stride);
    }

    private static final List<Stage> B = List.of(fused(1, 32, 16, 1, 1), fused(2, 16, 32, 4, 2),
            fused(2, 32, 48, 4, 2), mbConv(3, 48, 96, 4, 2), mbConv(5, 96, 112, 6, 1), mbConv(8, 112, 192, 6, 2));
    private static final List<Stage> S = List.of(fused(2, 24, 24, 1, 1), fused(4, 24, 48, 4, 2),
            fused(4, 48, 64, 4, 2), mbConv(6, 64, 128, 4, 2), mbConv(9, 128, 160, 6, 1), mbConv(15, 160, 256, 6, 2));
    private static final List<Stage> M = List.of(fused(3, 24, 24, 1, 1), fused(5, 24, 48, 4, 2),
            fused(5, 48, 80, 4, 2), mbConv(7, 80, 160, 4, 2), mbConv(14, 160, 176, 6, 1), mbConv(18, 176, 304, 6, 2),
            mbConv(5, 304, 512, 6, 1));
    private static final List<Stage> L = List.of(fused(4, 32, 32, 1, 1), fused(7, 32, 64, 4, 2),
            fused(7, 64, 96, 4, 2), mbConv(10, 96, 192, 4, 2), mbConv(19, 192, 224, 6, 1), mbConv(25, 224, 384, 6, 2),
            mbConv(7, 384, 640, 6, 1));

    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.9;
    private static final double DROP_CONNECT_RATE = 0.2;
    private static final double TOP_DROPOUT_RATE = 0.2;
    private static final int DEPTH_DIVISOR = 8;
    /** The stem, stages block1..block6 (or block7) and the top convolution. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("stem_.*", "stem")
            .rule("(block\\d+)[a-z]_.*", "$1")
            .rule("top_.*", "top");

    private final List<Stage> stages;
    private final double widthCoefficient;
    private final double depthCoefficient;

    private EfficientNetV2(List<Stage> stages, double widthCoefficient, double depthCoefficient) {
        this.stages = stages;
        this.widthCoefficient = widthCoefficient;
        this.depthCoefficient = depthCoefficient;
    }

    /**
     * Stages, width, depth, input size, preprocessing, the MD5s Keras publishes for the files with and without the
     * classifier, and the ImageNet top-1 and top-5 it publishes.
     */
    static List<Backbone> variants() {
        return List.of(
                variant("b0", new EfficientNetV2(B, 1.0, 1.0), 224, Preprocessing.TORCH,
                        "21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff", 0.787, 0.943),
                variant("b1", new EfficientNetV2(B, 1.0, 1.1), 240, Preprocessing.TORCH,
                        "069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37", 0.798, 0.950),
                variant("b2", new EfficientNetV2(B, 1.1, 1.2), 260, Preprocessing.TORCH,
                        "424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb", 0.805, 0.951),
                variant("b3", new EfficientNetV2(B, 1.2, 1.4), 300, Preprocessing.TORCH,
                        "1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856", 0.820, 0.958),
                variant("s", new EfficientNetV2(S, 1.0, 1.0), 384, Preprocessing.TF128,
                        "e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070", 0.839, 0.967),
                variant("m", new EfficientNetV2(M, 1.0, 1.0), 480, Preprocessing.TF128,
                        "a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342", 0.853, 0.974),
                variant("l", new EfficientNetV2(L, 1.0, 1.0), 480, Preprocessing.TF128,
                        "27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615", 0.857, 0.975));
    }

    private static Backbone variant(String size, EfficientNetV2 architecture, int imageSize,
                                    Preprocessing preprocessing, String topMd5, String noTopMd5, double top1,
                                    double top5) {
        String file = PretrainedWeights.KERAS_APPLICATIONS + "efficientnet_v2/efficientnetv2-" + size;
        return Backbone.of("efficientnetv2" + size, architecture, imageSize, preprocessing,
                        PretrainedWeights.anySize(new WeightFile(file + "_notop.h5", noTopMd5),
                                new WeightFile(file + ".h5", topMd5)))
                .withAccuracy(PublishedAccuracy.table(top1, top5));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv("stem_conv", input, roundFilters(stages.get(0).filtersIn()), 3, 2, Padding.SAME,
                false);
        x = net.batchNormActivation("stem_bn", "stem_activation", x, BN_EPSILON, BN_MOMENTUM, Activation.SWISH);

        // Keras divides by the repeats before depth scaling, so the last blocks' rates exceed 0.2 when it is above 1.
        double unscaledBlocks = stages.stream().mapToInt(Stage::repeats).sum();
        int blockIndex = 0;
        for (int s = 0; s < stages.size(); s++) {
            Stage stage = stages.get(s);
            int filtersIn = roundFilters(stage.filtersIn());
            int filtersOut = roundFilters(stage.filtersOut());
            int repeats = (int) Math.ceil(depthCoefficient * stage.repeats());
            for (int j = 0; j < repeats; j++) {
                String name = "block" + (s + 1) + (char) ('a' + j) + "_";
                double dropRate = DROP_CONNECT_RATE * blockIndex / unscaledBlocks;
                int in = j == 0 ? filtersIn : filtersOut;
                int stride = j == 0 ? stage.stride() : 1;
                x = stage.fused() ? fusedBlock(net, x, name, in, filtersOut, stage, stride, dropRate)
                        : block(net, x, name, in, filtersOut, stage, stride, dropRate);
                blockIndex++;
            }
        }
        x = net.conv("top_conv", x, roundFilters(1280), 1, 1, Padding.SAME, false);
        return net.batchNormActivation("top_bn", "top_activation", x, BN_EPSILON, BN_MOMENTUM, Activation.SWISH);
    }

    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        return EfficientNet.classifier(net, features, TOP_DROPOUT_RATE);
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    /** MBConv: 1x1 expansion, depthwise convolution, squeeze-and-excitation, 1x1 projection. */
    private static FeatureMap block(NetBuilder net, FeatureMap in, String name, int filtersIn, int filtersOut,
                                    Stage stage, int stride, double dropRate) {
        int filters = filtersIn * stage.expandRatio();
        FeatureMap x = in;
        if (stage.expandRatio() != 1) {
            x = net.conv(name + "expand_conv", x, filters, 1, 1, Padding.SAME, false);
            x = net.batchNormActivation(name + "expand_bn", name + "expand_activation", x, BN_EPSILON, BN_MOMENTUM,
                    Activation.SWISH);
        }
        x = net.depthwiseConv(name + "dwconv2", x, stage.kernel(), stride, Padding.SAME, false);
        x = net.batchNormActivation(name + "bn", name + "activation", x, BN_EPSILON, BN_MOMENTUM, Activation.SWISH);
        x = squeezeExcite(net, x, name, filtersIn, stage.seRatio());
        x = net.conv(name + "project_conv", x, filtersOut, 1, 1, Padding.SAME, false);
        x = net.batchNorm(name + "project_bn", x, BN_EPSILON, BN_MOMENTUM);
        return residual(net, in, x, name, filtersIn, filtersOut, stride, dropRate);
    }

    /**
     * Fused MBConv: one k x k convolution expands (and strides), a 1x1 convolution projects; without expansion the
     * projection is the k x k convolution itself, with its activation.
     */
    private static FeatureMap fusedBlock(NetBuilder net, FeatureMap in, String name, int filtersIn, int filtersOut,
                                         Stage stage, int stride, double dropRate) {
        boolean expands = stage.expandRatio() != 1;
        FeatureMap x = in;
        if (expands) {
            x = net.conv(name + "expand_conv", x, filtersIn * stage.expandRatio(), stage.kernel(), stride,
                    Padding.SAME, false);
            x = net.batchNormActivation(name + "expand_bn", name + "expand_activation", x, BN_EPSILON, BN_MOMENTUM,
                    Activation.SWISH);
        }
        x = squeezeExcite(net, x, name, filtersIn, stage.seRatio());
        x = net.conv(name + "project_conv", x, filtersOut, expands ? 1 : stage.kernel(), expands ? 1 : stride,
                Padding.SAME, false);
        x = expands ? net.batchNorm(name + "project_bn", x, BN_EPSILON, BN_MOMENTUM)
                : net.batchNormActivation(name + "project_bn", name + "project_activation", x, BN_EPSILON,
                BN_MOMENTUM, Activation.SWISH);
        return residual(net, in, x, name, filtersIn, filtersOut, stride, dropRate);
    }

    /** EfficientNet's squeeze-and-excitation, where the stage has it (Keras: 0 &lt; ratio ≤ 1). */
    private static FeatureMap squeezeExcite(NetBuilder net, FeatureMap x, String name, int filtersIn,
                                            double seRatio) {
        return seRatio > 0 && seRatio <= 1 ? EfficientNet.squeezeExcite(net, x, name, filtersIn, seRatio) : x;
    }

    /** The identity shortcut where shapes allow, after drop-connect (Keras passes its rate as "survival"). */
    private static FeatureMap residual(NetBuilder net, FeatureMap in, FeatureMap x, String name, int filtersIn,
                                       int filtersOut, int stride, double dropRate) {
        if (stride != 1 || filtersIn != filtersOut) {
            return x;
        }
        if (dropRate > 0) {
            x = net.dropExamples(name + "drop", x, dropRate);
        }
        return net.add(name + "add", x, in);
    }

    /** Keras' round_filters for V2: the nearest multiple of 8, at least 8 (V1's 10% rule is gone). */
    private int roundFilters(int filters) {
        double scaled = filters * widthCoefficient;
        return Math.max(DEPTH_DIVISOR, (int) (scaled + DEPTH_DIVISOR / 2.0) / DEPTH_DIVISOR * DEPTH_DIVISOR);
    }
}
