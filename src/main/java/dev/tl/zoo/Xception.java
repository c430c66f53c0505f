package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * Xception as in keras.applications.xception: separable convolutions without bias, each followed by BatchNorm, in
 * fourteen blocks; the entry and exit blocks downsample with a 3x3 max pooling over 'same' padding beside a strided
 * 1x1 residual convolution, the eight middle blocks add their input back. Keras leaves the residual convolutions,
 * their BatchNorms and the sums unnamed, so they carry the names Keras numbers them with.
 */
final class Xception implements Architecture {

    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.99;
    private static final String[] RESIDUAL = {"conv2d", "batch_normalization", "add"};
    /** block1 (two plain convolutions) to block14; the unnamed layers by their numbers. */
    private static final KerasNames.Blocks NUMBERED_BLOCKS = numberedBlocks();
    private static final BlockRules NAMED_BLOCKS = new BlockRules().rule("(block\\d+)_.*", "$1");

    private static KerasNames.Blocks numberedBlocks() {
        KerasNames.Blocks blocks = new KerasNames.Blocks()
                .add("block2", 1, RESIDUAL).add("block3", 1, RESIDUAL).add("block4", 1, RESIDUAL);
        for (int block = 5; block <= 12; block++) {
            blocks.add("block" + block, 1, "add");
        }
        return blocks.add("block13", 1, RESIDUAL);
    }

    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS + "xception/xception_weights_tf_dim_ordering_tf_kernels";
        return List.of(new Backbone("xception", new Xception(), 299, 71, Preprocessing.TF, PretrainedWeights.anySize(
                new WeightFile(file + "_notop.h5", "b0042744bf5b25fce3cb969f33bebb97"),
                new WeightFile(file + ".h5", "0a58e3b7378bc2990ea3b43d5981f1f6")),
                PublishedAccuracy.table(0.790, 0.945)));
    }

    @Override
    public String blockOf(String layerName) {
        return NUMBERED_BLOCKS.blockOf(layerName).orElseGet(() -> NAMED_BLOCKS.blockOf(layerName));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        KerasNames names = new KerasNames();
        FeatureMap x = net.conv("block1_conv1", input, 32, 3, 2, Padding.VALID, false);
        x = net.batchNormActivation("block1_conv1_bn", "block1_conv1_act", x, BN_EPSILON, BN_MOMENTUM,
                Activation.RELU);
        x = net.conv("block1_conv2", x, 64, 3, 1, Padding.VALID, false);
        x = net.batchNormActivation("block1_conv2_bn", "block1_conv2_act", x, BN_EPSILON, BN_MOMENTUM,
                Activation.RELU);

        x = downsampling(net, names, x, 128, 128, "block2", false);
        x = downsampling(net, names, x, 256, 256, "block3", true);
        x = downsampling(net, names, x, 728, 728, "block4", true);
        for (int block = 5; block <= 12; block++) {
            String prefix = "block" + block;
            FeatureMap y = net.activation(prefix + "_sepconv1_act", x, Activation.RELU);
            y = separableBn(net, prefix + "_sepconv1", y, 728, prefix + "_sepconv2_act");
            y = separableBn(net, prefix + "_sepconv2", y, 728, prefix + "_sepconv3_act");
            y = separableBn(net, prefix + "_sepconv3", y, 728, null);
            x = net.add(names.next("add"), y, x);
        }
        x = downsampling(net, names, x, 728, 1024, "block13", true);

        x = separableBn(net, "block14_sepconv1", x, 1536, "block14_sepconv1_act");
        return separableBn(net, "block14_sepconv2", x, 2048, "block14_sepconv2_act");
    }

    /**
     * Two separable convolutions and a strided 3x3 max pooling, plus a strided 1x1 convolution of the input. Keras
     * names each block's activations after the convolution they precede (block2's first is block2_sepconv2_act).
     */
    private static FeatureMap downsampling(NetBuilder net, KerasNames names, FeatureMap x, int filters1,
                                           int filters2, String prefix, boolean activateInput) {
        FeatureMap residual = net.conv(names.next("conv2d"), x, filters2, 1, 2, Padding.SAME, false);
        residual = net.batchNorm(names.next("batch_normalization"), residual, BN_EPSILON, BN_MOMENTUM);
        if (activateInput) {
            x = net.activation(prefix + "_sepconv1_act", x, Activation.RELU);
        }
        x = separableBn(net, prefix + "_sepconv1", x, filters1, prefix + "_sepconv2_act");
        x = separableBn(net, prefix + "_sepconv2", x, filters2, null);
        x = net.maxPool(prefix + "_pool", x, 3, 2, Padding.SAME);
        return net.add(names.next("add"), x, residual);
    }

    /** A 3x3 separable convolution without bias and its BatchNorm, then ReLU if {@code activation} names one. */
    private static FeatureMap separableBn(NetBuilder net, String name, FeatureMap x, int filters, String activation) {
        x = net.separableConv(name, x, filters, 3, 1, Padding.SAME, false);
        return activation == null ? net.batchNorm(name + "_bn", x, BN_EPSILON, BN_MOMENTUM)
                : net.batchNormActivation(name + "_bn", activation, x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
    }
}
