package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * EfficientNetB0..B7 as in keras.applications.efficientnet: MBConv blocks with swish, depthwise convolutions,
 * squeeze-and-excitation and drop-connect. Keras' in-model Rescaling and Normalization are tl's "torch"
 * preprocessing, applied before the network.
 */
final class EfficientNet implements Architecture {

    /** kernel, repeats, filters in, filters out, expand ratio, stride of the seven stages (B0). */
    private static final int[][] STAGES = {
            {3, 1, 32, 16, 1, 1}, {3, 2, 16, 24, 6, 2}, {5, 2, 24, 40, 6, 2}, {3, 3, 40, 80, 6, 2},
            {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2}, {3, 1, 192, 320, 6, 1}};
    private static final double SE_RATIO = 0.25;
    private static final double DROP_CONNECT_RATE = 0.2;
    private static final int DEPTH_DIVISOR = 8;
    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.99;
    /** The stem, stages block1..block7 and the top convolution. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("stem_.*", "stem")
            .rule("(block\\d+)[a-z]_.*", "$1")
            .rule("top_.*", "top");

    private final double widthCoefficient;
    private final double depthCoefficient;
    private final double topDropoutRate;

    private EfficientNet(double widthCoefficient, double depthCoefficient, double topDropoutRate) {
        this.widthCoefficient = widthCoefficient;
        this.depthCoefficient = depthCoefficient;
        this.topDropoutRate = topDropoutRate;
    }

    /**
     * B0..B7: width, depth, input size, top dropout, the MD5s of the weight files without and with top, then the
     * ImageNet top-1 and top-5 Keras publishes.
     */
    static List<Backbone> variants() {
        return List.of(
                variant(0, 1.0, 1.0, 224, 0.2, "50bc09e76180e00e4465e1a485ddc09d", "902e53a9f72be733fc0bcb005b3ebbac",
                        0.771, 0.933),
                variant(1, 1.0, 1.1, 240, 0.2, "74c4e6b3e1f6a1eea24c589628592432", "1d254153d4ab51201f1646940f018540",
                        0.791, 0.944),
                variant(2, 1.1, 1.2, 260, 0.3, "111f8e2ac8aa800a7a99e3239f7bfb39", "b15cce36ff4dcbd00b6dd88e7857a6ad",
                        0.801, 0.949),
                variant(3, 1.2, 1.4, 300, 0.3, "af6d107764bb5b1abb91932881670226", "ffd1fdc53d0ce67064dc6a9c7960ede0",
                        0.816, 0.957),
                variant(4, 1.4, 1.8, 380, 0.4, "ebc24e6d6c33eaebbd558eafbeedf1ba", "18c95ad55216b8f92d7e70b3a046e2fc",
                        0.829, 0.964),
                variant(5, 1.6, 2.2, 456, 0.4, "38879255a25d3c92d5e44e04ae6cec6f", "ace28f2a6363774853a83a0b21b9421a",
                        0.836, 0.967),
                variant(6, 1.8, 2.6, 528, 0.5, "9ecce42647a20130c1f39a5d4cb75743", "165f6e37dce68623721b423839de8be5",
                        0.840, 0.968),
                variant(7, 2.0, 3.1, 600, 0.5, "cbcfe4450ddf6f3ad90b1b398090fe4a", "8c03f828fec3ef71311cd463b6759d99",
                        0.843, 0.970));
    }

    /** EfficientNet's files live outside the tensorflow/ folder of the other Keras applications. */
    private static Backbone variant(int b, double width, double depth, int size, double topDropout, String noTopMd5,
                                    String topMd5, double top1, double top5) {
        String file = "https://storage.googleapis.com/keras-applications/efficientnetb" + b;
        return Backbone.of("efficientnetb" + b, new EfficientNet(width, depth, topDropout), size, Preprocessing.TORCH,
                PretrainedWeights.anySize(new WeightFile(file + "_notop.h5", noTopMd5),
                        new WeightFile(file + ".h5", topMd5))).withAccuracy(PublishedAccuracy.table(top1, top5));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = KerasPadding.correctPad(net, "stem_conv_pad", input, 3);
        x = net.conv("stem_conv", x, roundFilters(32), 3, 2, Padding.VALID, false);
        x = net.batchNormActivation("stem_bn", "stem_activation", x, BN_EPSILON, BN_MOMENTUM, Activation.SWISH);

        int totalBlocks = 0;
        for (int[] stage : STAGES) {
            totalBlocks += roundRepeats(stage[1]);
        }
        int blockIndex = 0;
        for (int s = 0; s < STAGES.length; s++) {
            int[] stage = STAGES[s];
            int filtersIn = roundFilters(stage[2]);
            int filtersOut = roundFilters(stage[3]);
            for (int j = 0; j < roundRepeats(stage[1]); j++) {
                String name = "block" + (s + 1) + (char) ('a' + j) + "_";
                double dropRate = DROP_CONNECT_RATE * blockIndex / totalBlocks;
                x = block(net, x, name, j == 0 ? filtersIn : filtersOut, filtersOut, stage[0],
                        j == 0 ? stage[5] : 1, stage[4], dropRate);
                blockIndex++;
            }
        }
        x = net.conv("top_conv", x, roundFilters(1280), 1, 1, Padding.SAME, false);
        return net.batchNormActivation("top_bn", "top_activation", x, BN_EPSILON, BN_MOMENTUM, Activation.SWISH);
    }

    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        return classifier(net, features, topDropoutRate);
    }

    /** Both EfficientNets' classifier: global average pooling, dropout, Dense "predictions". */
    static FeatureMap classifier(NetBuilder net, FeatureMap features, double dropoutRate) {
        FeatureMap x = net.globalAvgPool("avg_pool", features);
        x = net.dropout("top_dropout", x, dropoutRate);
        return net.dense("predictions", x, 1000, Activation.SOFTMAX);
    }

    /**
     * Both EfficientNets' squeeze-and-excitation: pooling to 1x1, a 1x1 reduction to {@code ratio} of the block's
     * input channels with swish, a 1x1 expansion with sigmoid, and their product with {@code x}.
     */
    static FeatureMap squeezeExcite(NetBuilder net, FeatureMap x, String name, int filtersIn, double ratio) {
        FeatureMap se = net.globalAvgPool(name + "se_squeeze", x);
        se = net.reshapeToMap(name + "se_reshape", se);
        se = net.conv(name + "se_reduce", se, Math.max(1, (int) (filtersIn * ratio)), 1, 1, Padding.SAME, true,
                Activation.SWISH);
        se = net.conv(name + "se_expand", se, x.channels(), 1, 1, Padding.SAME, true, Activation.SIGMOID);
        return net.multiply(name + "se_excite", x, se);
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    private static FeatureMap block(NetBuilder net, FeatureMap in, String name, int filtersIn, int filtersOut,
                                    int kernel, int stride, int expandRatio, double dropRate) {
        int filters = filtersIn * expandRatio;
        FeatureMap x = in;
        if (expandRatio != 1) {
            x = net.conv(name + "expand_conv", x, filters, 1, 1, Padding.SAME, false);
            x = net.batchNormActivation(name + "expand_bn", name + "expand_activation", x, BN_EPSILON, BN_MOMENTUM,
                    Activation.SWISH);
        }
        Padding padding = Padding.SAME;
        if (stride == 2) {
            x = KerasPadding.correctPad(net, name + "dwconv_pad", x, kernel);
            padding = Padding.VALID;
        }
        x = net.depthwiseConv(name + "dwconv", x, kernel, stride, padding, false);
        x = net.batchNormActivation(name + "bn", name + "activation", x, BN_EPSILON, BN_MOMENTUM, Activation.SWISH);

        x = squeezeExcite(net, x, name, filtersIn, SE_RATIO);

        x = net.conv(name + "project_conv", x, filtersOut, 1, 1, Padding.SAME, false);
        x = net.batchNorm(name + "project_bn", x, BN_EPSILON, BN_MOMENTUM);
        if (stride == 1 && filtersIn == filtersOut) {
            if (dropRate > 0) {
                x = net.dropExamples(name + "drop", x, dropRate);
            }
            x = net.add(name + "add", x, in);
        }
        return x;
    }

    private int roundFilters(int filters) {
        double scaled = filters * widthCoefficient;
        int rounded = Math.max(DEPTH_DIVISOR, (int) (scaled + DEPTH_DIVISOR / 2.0) / DEPTH_DIVISOR * DEPTH_DIVISOR);
        if (rounded < 0.9 * scaled) {
            rounded += DEPTH_DIVISOR;
        }
        return rounded;
    }

    private int roundRepeats(int repeats) {
        return (int) Math.ceil(depthCoefficient * repeats);
    }
}
