package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/** MobileNetV2 (alpha 1.0) as in keras.applications.mobilenet_v2. */
final class MobileNetV2 implements Architecture {

    /** Output filters, stride and expansion of the 17 inverted residual blocks. */
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

    /** Keras publishes no hashes for these files. */
    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS
                + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224";
        return List.of(Backbone.of("mobilenetv2", new MobileNetV2(), 224, Preprocessing.TF, PretrainedWeights.anySize(
                new WeightFile(file + "_no_top.h5", null), new WeightFile(file + ".h5", null))));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv("Conv1", input, 32, 3, 2, Padding.SAME, false);
        x = net.batchNormActivation("bn_Conv1", "Conv1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU6);
        for (int id = 0; id < BLOCKS.length; id++) {
            x = invertedResidual(net, x, BLOCKS[id][0], BLOCKS[id][1], BLOCKS[id][2], id);
        }
        x = net.conv("Conv_1", x, 1280, 1, 1, Padding.VALID, false);
        return net.batchNormActivation("Conv_1_bn", "out_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU6);
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    private static FeatureMap invertedResidual(NetBuilder net, FeatureMap in, int filters, int stride,
                                               int expansion, int id) {
        String prefix = "block_" + id + "_";
        FeatureMap x = in;
        if (id > 0) {
            x = net.conv(prefix + "expand", x, expansion * in.channels(), 1, 1, Padding.SAME, false);
            x = net.batchNormActivation(prefix + "expand_BN", prefix + "expand_relu", x, BN_EPSILON, BN_MOMENTUM,
                    Activation.RELU6);
        } else {
            prefix = "expanded_conv_";
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
