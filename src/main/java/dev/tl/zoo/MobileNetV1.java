package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/** MobileNet (alpha 1.0, depth multiplier 1) as in keras.applications.mobilenet. */
final class MobileNetV1 implements Architecture {

    /** Pointwise filters and depthwise stride of the 13 depthwise-separable blocks. */
    private static final int[][] BLOCKS = {
            {64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
            {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.99;
    /** The stem and the 13 depthwise-separable blocks, named after Keras' block_id. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("conv1(_bn|_relu)?", "stem")
            .rule("conv_(pad|dw|pw)_(\\d+)(_.*)?", "block_$2");

    /** Keras publishes no hashes for these files. */
    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS + "mobilenet/mobilenet_1_0_224_tf";
        return List.of(Backbone.of("mobilenet", new MobileNetV1(), 224, Preprocessing.TF, PretrainedWeights.anySize(
                new WeightFile(file + "_no_top.h5", null), new WeightFile(file + ".h5", null))));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv("conv1", input, 32, 3, 2, Padding.SAME, false);
        x = net.batchNormActivation("conv1_bn", "conv1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU6);
        for (int i = 0; i < BLOCKS.length; i++) {
            x = depthwiseBlock(net, x, BLOCKS[i][0], BLOCKS[i][1], i + 1);
        }
        return x;
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    /** Keras keeps the pooled map 1x1 and classifies with a 1x1 convolution. */
    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        FeatureMap x = net.globalAvgPool("global_average_pooling2d", features);
        x = net.reshapeToMap("reshape_1", x);
        x = net.dropout("dropout", x, 1e-3);
        x = net.conv("conv_preds", x, 1000, 1, 1, Padding.SAME, true);
        x = net.globalAvgPool("reshape_2", x);
        return net.activation("predictions", x, Activation.SOFTMAX);
    }

    private static FeatureMap depthwiseBlock(NetBuilder net, FeatureMap x, int filters, int stride, int id) {
        Padding padding = Padding.SAME;
        if (stride == 2) {
            // Keras pads bottom/right only, then convolves 'valid'.
            x = net.zeroPad("conv_pad_" + id, x, 0, 1, 0, 1);
            padding = Padding.VALID;
        }
        x = net.depthwiseConv("conv_dw_" + id, x, 3, stride, padding, false);
        x = net.batchNormActivation("conv_dw_" + id + "_bn", "conv_dw_" + id + "_relu", x, BN_EPSILON, BN_MOMENTUM,
                Activation.RELU6);
        x = net.conv("conv_pw_" + id, x, filters, 1, 1, Padding.SAME, false);
        return net.batchNormActivation("conv_pw_" + id + "_bn", "conv_pw_" + id + "_relu", x, BN_EPSILON,
                BN_MOMENTUM, Activation.RELU6);
    }
}
