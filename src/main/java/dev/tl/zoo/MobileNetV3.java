package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.layers.HardSigmoidActivation;
import dev.tl.zoo.layers.HardSwishActivation;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;

/**
 * MobileNetV3 Small and Large at width multiplier alpha, minimalistic or not, as in keras.applications.mobilenet_v3:
 * inverted residual blocks with hard swish and squeeze-and-excitation gated by a hard sigmoid (the minimalistic
 * variants use ReLU, 3x3 kernels and no squeeze-and-excitation). Channel counts are Keras' {@code _depth}; the layer
 * names are those of the published weight files ("Conv/BatchNorm", "expanded_conv_3/squeeze_excite/Conv"), which
 * Keras 3 has since renamed ("conv_bn", ...). Keras' in-model Rescaling is tl's "tf" preprocessing. The last
 * pointwise convolution ("Conv_2") belongs to the classifier, as in Keras since 2021.
 */
final class MobileNetV3 implements Architecture {

    enum Size { SMALL, LARGE }

    /**
     * One inverted residual block: expansion (of the input's channels), output filters at alpha 1, kernel (0: the
     * variant's, 5 or 3 if minimalistic), stride, whether it has squeeze-and-excitation (if the variant has) and
     * whether it uses the variant's activation (else ReLU).
     */
    private record Block(double expansion, int filters, int kernel, int stride, boolean squeezeExcite,
                         boolean variantActivation) {
    }

    private static Block relu(double expansion, int filters, int kernel, int stride, boolean se) {
        return new Block(expansion, filters, kernel, stride, se, false);
    }

    private static Block act(double expansion, int filters, int kernel, int stride, boolean se) {
        return new Block(expansion, filters, kernel, stride, se, true);
    }

    private static final int VARIANT_KERNEL = 0;
    private static final List<Block> SMALL = List.of(
            relu(1, 16, 3, 2, true), relu(72.0 / 16, 24, 3, 2, false), relu(88.0 / 24, 24, 3, 1, false),
            act(4, 40, VARIANT_KERNEL, 2, true), act(6, 40, VARIANT_KERNEL, 1, true),
            act(6, 40, VARIANT_KERNEL, 1, true), act(3, 48, VARIANT_KERNEL, 1, true),
            act(3, 48, VARIANT_KERNEL, 1, true), act(6, 96, VARIANT_KERNEL, 2, true),
            act(6, 96, VARIANT_KERNEL, 1, true), act(6, 96, VARIANT_KERNEL, 1, true));
    private static final List<Block> LARGE = List.of(
            relu(1, 16, 3, 1, false), relu(4, 24, 3, 2, false), relu(3, 24, 3, 1, false),
            relu(3, 40, VARIANT_KERNEL, 2, true), relu(3, 40, VARIANT_KERNEL, 1, true),
            relu(3, 40, VARIANT_KERNEL, 1, true), act(6, 80, 3, 2, false), act(2.5, 80, 3, 1, false),
            act(2.3, 80, 3, 1, false), act(2.3, 80, 3, 1, false), act(6, 112, 3, 1, true), act(6, 112, 3, 1, true),
            act(6, 160, VARIANT_KERNEL, 2, true), act(6, 160, VARIANT_KERNEL, 1, true),
            act(6, 160, VARIANT_KERNEL, 1, true));

    private static final int STEM_FILTERS = 16;
    private static final double SE_RATIO = 0.25;
    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.999;
    private static final double DROPOUT_RATE = 0.2;
    /** The stem, the inverted residual blocks by their Keras prefixes, and the last 1x1 convolution. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("Conv(/.*)?", "stem")
            .rule("expanded_conv/.*", "expanded_conv")
            .rule("(expanded_conv_\\d+)/.*", "$1")
            .rule("Conv_1(/.*)?", "top");

    private final Size size;
    private final double alpha;
    private final boolean minimalistic;

    private MobileNetV3(Size size, double alpha, boolean minimalistic) {
        this.size = size;
        this.alpha = alpha;
        this.minimalistic = minimalistic;
    }

    /**
     * The six published variants, with the MD5s Keras publishes for the files with and without the classifier (224
     * px only) and the top-1 its mobilenet_v3 module lists for them (no top-5).
     */
    static List<Backbone> variants() {
        return List.of(
                variant(Size.SMALL, 1.0, false, "8768d4c2e7dee89b9d02b2d03d65d862",
                        "d3e8ec802a04aa4fc771ee12a9a9b836", 0.681),
                variant(Size.SMALL, 0.75, false, "cb65d4e5be93758266aa0a7f2c6708b7",
                        "ebdb5cc8e0b497cd13a7c275d475c819", 0.654),
                variant(Size.SMALL, 1.0, true, "99cd97fb2fcdad2bf028eb838de69e37",
                        "cde8136e733e811080d9fcd8a252f7e4", 0.619),
                variant(Size.LARGE, 1.0, false, "59e551e166be033d707958cf9e29a6a7",
                        "07fb09a5933dd0c8eaafa16978110389", 0.756),
                variant(Size.LARGE, 0.75, false, "765b44a33ad4005b3ac83185abf1d0eb",
                        "40af19a13ebea4e2ee0c676887f69a2e", 0.733),
                variant(Size.LARGE, 1.0, true, "675e7b876c45c57e9e63e6d90a36599c",
                        "ec5221f64a2f6d1ef965a614bdae7973", 0.723));
    }

    private static Backbone variant(Size size, double alpha, boolean minimalistic, String topMd5, String noTopMd5,
                                    double top1) {
        String kind = size.name().toLowerCase(java.util.Locale.ROOT);
        // Keras spells alpha as Python's str(alpha) does: 0.75, 1.0
        String file = PretrainedWeights.KERAS_APPLICATIONS + "mobilenet_v3/weights_mobilenet_v3_" + kind
                + (minimalistic ? "_minimalistic" : "") + "_224_" + alpha + "_float";
        String name = Backbone.nameAtWidth("mobilenetv3" + kind, alpha) + (minimalistic ? "_minimalistic" : "");
        return Backbone.of(name, new MobileNetV3(size, alpha, minimalistic), 224, Preprocessing.TF,
                        PretrainedWeights.anySize(new WeightFile(file + "_no_top_v2.h5", noTopMd5),
                                new WeightFile(file + ".h5", topMd5)))
                .withAccuracy(PublishedAccuracy.docstring("keras.applications.mobilenet_v3", top1, null));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv("Conv", input, STEM_FILTERS, 3, 2, Padding.SAME, false);
        x = batchNormActivation(net, "Conv", x, activation());
        List<Block> blocks = size == Size.SMALL ? SMALL : LARGE;
        for (int id = 0; id < blocks.size(); id++) {
            x = invertedResidual(net, x, blocks.get(id), id);
        }
        x = net.conv("Conv_1", x, depth(x.channels() * 6), 1, 1, Padding.SAME, false);
        return batchNormActivation(net, "Conv_1", x, activation());
    }

    /** Pooling kept 1x1, the last pointwise convolution "Conv_2" with its activation, then the "Logits" 1x1. */
    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        int lastPoint = size == Size.SMALL ? 1024 : 1280;
        if (alpha > 1.0) {
            lastPoint = depth(lastPoint * alpha);
        }
        FeatureMap x = net.globalAvgPool("global_average_pooling2d", features);
        x = net.reshapeToMap("global_average_pooling2d_keepdims", x);
        x = net.conv("Conv_2", x, lastPoint, 1, 1, Padding.SAME, true, activation());
        x = net.dropout("dropout", x, DROPOUT_RATE);
        x = net.conv("Logits", x, 1000, 1, 1, Padding.SAME, true);
        x = net.globalAvgPool("flatten", x);
        return net.activation("Predictions", x, Activation.SOFTMAX);
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    /** Hard swish, or ReLU for the minimalistic variants. */
    private IActivation activation() {
        return minimalistic ? NetBuilder.function(Activation.RELU) : new HardSwishActivation();
    }

    /** Keras' BatchNormalization "{name}/BatchNorm" and the activation after it. */
    private static FeatureMap batchNormActivation(NetBuilder net, String name, FeatureMap x, IActivation activation) {
        return net.batchNormActivation(name + "/BatchNorm", name + "/" + activation, x, BN_EPSILON, BN_MOMENTUM,
                activation);
    }

    private FeatureMap invertedResidual(NetBuilder net, FeatureMap in, Block block, int id) {
        String prefix = id == 0 ? "expanded_conv/" : "expanded_conv_" + id + "/";
        IActivation activation = block.variantActivation() ? activation() : NetBuilder.function(Activation.RELU);
        int kernel = block.kernel() != VARIANT_KERNEL ? block.kernel() : minimalistic ? 3 : 5;
        int filters = depth(block.filters() * alpha);
        FeatureMap x = in;
        if (id > 0) {
            x = net.conv(prefix + "expand", x, depth(in.channels() * block.expansion()), 1, 1, Padding.SAME, false);
            x = batchNormActivation(net, prefix + "expand", x, activation);
        }
        Padding padding = Padding.SAME;
        if (block.stride() == 2) {
            x = KerasPadding.correctPad(net, prefix + "depthwise/pad", x, kernel);
            padding = Padding.VALID;
        }
        x = net.depthwiseConv(prefix + "depthwise", x, kernel, block.stride(), padding, false);
        x = batchNormActivation(net, prefix + "depthwise", x, activation);
        if (block.squeezeExcite() && !minimalistic) {
            x = squeezeExcite(net, x, prefix + "squeeze_excite/");
        }
        x = net.conv(prefix + "project", x, filters, 1, 1, Padding.SAME, false);
        x = net.batchNorm(prefix + "project/BatchNorm", x, BN_EPSILON, BN_MOMENTUM);
        if (block.stride() == 1 && in.channels() == filters) {
            return net.add(prefix + "Add", in, x);
        }
        return x;
    }

    /** Pooling kept 1x1, a 1x1 reduction with ReLU, a 1x1 expansion gated by the hard sigmoid, the product. */
    private static FeatureMap squeezeExcite(NetBuilder net, FeatureMap x, String prefix) {
        FeatureMap se = net.globalAvgPool(prefix + "AvgPool", x);
        se = net.reshapeToMap(prefix + "AvgPool/keepdims", se);
        se = net.conv(prefix + "Conv", se, depth(x.channels() * SE_RATIO), 1, 1, Padding.SAME, true, Activation.RELU);
        se = net.conv(prefix + "Conv_1", se, x.channels(), 1, 1, Padding.SAME, true, new HardSigmoidActivation());
        return net.multiply(prefix + "Mul", x, se);
    }

    /** Keras' {@code _depth(v)}. */
    private static int depth(double v) {
        return ChannelRounding.toMultipleOf8(v);
    }
}
