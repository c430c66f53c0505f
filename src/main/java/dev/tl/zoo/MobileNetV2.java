package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.activations.Activation;

/**
 * MobileNetV2 at width multiplier alpha, as in keras.applications.mobilenet_v2: channel counts rounded to multiples
 * of 8 ({@code _make_divisible}), the last convolution widened only for alpha above 1.
 */
final class MobileNetV2 implements Architecture {

    /** Output filters (at alpha 1), stride and expansion of the 17 inverted residual blocks. */
    private static final int[][] BLOCKS = {
            {16, 1, 1}, {24, 2, 6}, {24, 1, 6}, {32, 2, 6}, {32, 1, 6}, {32, 1, 6}, {64, 2, 6}, {64, 1, 6},
            {64, 1, 6}, {64, 1, 6}, {96, 1, 6}, {96, 1, 6}, {96, 1, 6}, {160, 2, 6}, {160, 1, 6}, {160, 1, 6},
            {320, 1, 6}};
    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.999;
    /** The stem, the 17 inverted residual blocks by their Keras prefixes, and the final 1x1 convolution. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("Conv1|bn_Conv1|Conv1_relu", "stem")
            .rule("expanded_conv_.*", "expanded_conv")
            .rule("(block_\\d+)_.*", "$1")
            .rule("Conv_1|Conv_1_bn|out_relu", "top");
    /**
     * The names inside Keras' released MobileNetV2 files (as written by the port Keras took them from): block i's
     * convolutions are mobl{i}_conv_{i}_{expand,depthwise,project}, their BatchNorms bn{i}_conv_{i}_bn_{...}.
     */
    private static final LayerAliases LEGACY_NAMES = new LayerAliases()
            .alias("mobl(\\d+)_conv_\\1_(expand|depthwise|project)", m -> blockPrefix(m.group(1)) + m.group(2))
            .alias("bn(\\d+)_conv_\\1_bn_(expand|depthwise|project)",
                    m -> blockPrefix(m.group(1)) + m.group(2) + "_BN");

    private static final int STEM_FILTERS = 32;
    private static final int TOP_FILTERS = 1280;
    /** The input sizes Keras publishes weights for, and its fallback for the others. */
    private static final List<Integer> TRAINED_SIZES = List.of(96, 128, 160, 192, 224);
    private static final int DEFAULT_SIZE = 224;

    private final double alpha;

    private MobileNetV2(double alpha) {
        this.alpha = alpha;
    }

    /**
     * Keras publishes a pair of files per alpha and input size, and no hashes for them. The accuracy at 224 px is
     * Keras' table's for alpha 1, the others' what tf.keras' mobilenet_v2 module lists (top-1, top-5).
     */
    static List<Backbone> variants() {
        return List.of(
                variant(0.35, docstring(0.603, 0.829)),
                variant(0.5, docstring(0.654, 0.864)),
                variant(0.75, docstring(0.698, 0.896)),
                variant(1.0, PublishedAccuracy.table(0.713, 0.901)),
                variant(1.3, docstring(0.744, 0.921)),
                variant(1.4, docstring(0.750, 0.925)));
    }

    private static PublishedAccuracy docstring(double top1, double top5) {
        return PublishedAccuracy.docstring("keras.applications.mobilenet_v2", top1, top5);
    }

    private static Backbone variant(double alpha, PublishedAccuracy accuracy) {
        Map<Integer, PretrainedWeights.Files> bySize = new LinkedHashMap<>();
        for (int size : TRAINED_SIZES) {
            // Keras spells alpha as Python's float(alpha) does: 0.35, 0.5, 1.0
            String file = PretrainedWeights.KERAS_APPLICATIONS
                    + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_" + alpha + "_" + size;
            bySize.put(size, new PretrainedWeights.Files(new WeightFile(file + "_no_top.h5", null),
                    new WeightFile(file + ".h5", null)));
        }
        return Backbone.of(Backbone.nameAtWidth("mobilenetv2", alpha), new MobileNetV2(alpha), DEFAULT_SIZE,
                Preprocessing.TF, PretrainedWeights.perSize(bySize, DEFAULT_SIZE)).withAccuracy(accuracy);
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv("Conv1", input, makeDivisible(STEM_FILTERS * alpha), 3, 2, Padding.SAME, false);
        x = net.batchNormActivation("bn_Conv1", "Conv1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU6);
        for (int id = 0; id < BLOCKS.length; id++) {
            x = invertedResidual(net, x, makeDivisible((int) (BLOCKS[id][0] * alpha)), BLOCKS[id][1], BLOCKS[id][2],
                    id);
        }
        // As the paper says, a narrower network keeps the full last layer; a wider one widens it too.
        int topFilters = alpha > 1.0 ? makeDivisible(TOP_FILTERS * alpha) : TOP_FILTERS;
        x = net.conv("Conv_1", x, topFilters, 1, 1, Padding.VALID, false);
        return net.batchNormActivation("Conv_1_bn", "out_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU6);
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    @Override
    public LayerAliases legacyNames() {
        return LEGACY_NAMES;
    }

    /** Today's prefix of block {@code id}'s layers: the first block has no expansion and a name of its own. */
    private static String blockPrefix(String id) {
        return id.equals("0") ? "expanded_conv_" : "block_" + id + "_";
    }

    /** Keras' {@code _make_divisible(v, 8)}. */
    private static int makeDivisible(double v) {
        return ChannelRounding.toMultipleOf8(v);
    }

    private static FeatureMap invertedResidual(NetBuilder net, FeatureMap in, int filters, int stride,
                                               int expansion, int id) {
        String prefix = blockPrefix(Integer.toString(id));
        FeatureMap x = in;
        if (id > 0) {
            x = net.conv(prefix + "expand", x, expansion * in.channels(), 1, 1, Padding.SAME, false);
            x = net.batchNormActivation(prefix + "expand_BN", prefix + "expand_relu", x, BN_EPSILON, BN_MOMENTUM,
                    Activation.RELU6);
        }
        Padding padding = Padding.SAME;
        if (stride == 2) {
            x = KerasPadding.correctPad(net, prefix + "pad", x, 3);
            padding = Padding.VALID;
        }
        x = net.depthwiseConv(prefix + "depthwise", x, 3, stride, padding, false);
        x = net.batchNormActivation(prefix + "depthwise_BN", prefix + "depthwise_relu", x, BN_EPSILON, BN_MOMENTUM,
                Activation.RELU6);
        x = net.conv(prefix + "project", x, filters, 1, 1, Padding.SAME, false);
        x = net.batchNorm(prefix + "project_BN", x, BN_EPSILON, BN_MOMENTUM);
        if (in.channels() == filters && stride == 1) {
            return net.add(prefix + "add", in, x);
        }
        return x;
    }
}
