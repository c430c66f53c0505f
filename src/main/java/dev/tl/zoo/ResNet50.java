package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/** ResNet50 (v1, biases on every convolution) as in keras.applications.resnet. */
final class ResNet50 implements Architecture {

    private static final double BN_EPSILON = 1.001e-5;
    private static final double BN_MOMENTUM = 0.99;
    /** The stem and stages conv2..conv5. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("(conv1|pool1)_.*", "stem")
            .rule("(conv\\d)_.*", "$1");
    /**
     * The names of Keras' first ResNet50 release: conv1/bn_conv1, and per block (stage 2..5, blocks a, b, ...)
     * res{stage}{block}_branch2{a,b,c} for the main branch and _branch1 for the shortcut, BatchNorms "bn" likewise.
     */
    private static final LayerAliases LEGACY_NAMES = new LayerAliases()
            .alias("conv1", m -> "conv1_conv")
            .alias("bn_conv1", m -> "conv1_bn")
            .alias("(res|bn)(\\d)([a-z])_branch(1|2[abc])", m -> "conv" + m.group(2) + "_block"
                    + (m.group(3).charAt(0) - 'a' + 1) + "_"
                    + (m.group(4).equals("1") ? 0 : m.group(4).charAt(1) - 'a' + 1)
                    + (m.group(1).equals("res") ? "_conv" : "_bn"));

    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels";
        return List.of(Backbone.of("resnet50", new ResNet50(), 224, Preprocessing.CAFFE, PretrainedWeights.anySize(
                new WeightFile(file + "_notop.h5", "4d473c1dd8becc155b73f8504c6f6626"),
                new WeightFile(file + ".h5", "2cb95161c43110f7111970584f804107")))
                .withAccuracy(PublishedAccuracy.table(0.749, 0.921)));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.zeroPad("conv1_pad", input, 3, 3, 3, 3);
        x = net.conv("conv1_conv", x, 64, 7, 2, Padding.VALID, true);
        x = net.batchNormActivation("conv1_bn", "conv1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.zeroPad("pool1_pad", x, 1, 1, 1, 1);
        x = net.maxPool("pool1_pool", x, 3, 2, Padding.VALID);
        x = stack(net, x, 64, 3, 1, "conv2");
        x = stack(net, x, 128, 4, 2, "conv3");
        x = stack(net, x, 256, 6, 2, "conv4");
        return stack(net, x, 512, 3, 2, "conv5");
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    @Override
    public LayerAliases legacyNames() {
        return LEGACY_NAMES;
    }

    private static FeatureMap stack(NetBuilder net, FeatureMap x, int filters, int blocks, int firstStride,
                                    String name) {
        x = block(net, x, filters, firstStride, true, name + "_block1");
        for (int i = 2; i <= blocks; i++) {
            x = block(net, x, filters, 1, false, name + "_block" + i);
        }
        return x;
    }

    private static FeatureMap block(NetBuilder net, FeatureMap in, int filters, int stride, boolean convShortcut,
                                    String name) {
        FeatureMap shortcut = in;
        if (convShortcut) {
            shortcut = net.conv(name + "_0_conv", in, 4 * filters, 1, stride, Padding.VALID, true);
            shortcut = net.batchNorm(name + "_0_bn", shortcut, BN_EPSILON, BN_MOMENTUM);
        }
        FeatureMap x = net.conv(name + "_1_conv", in, filters, 1, stride, Padding.VALID, true);
        x = net.batchNormActivation(name + "_1_bn", name + "_1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.conv(name + "_2_conv", x, filters, 3, 1, Padding.SAME, true);
        x = net.batchNormActivation(name + "_2_bn", name + "_2_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.conv(name + "_3_conv", x, 4 * filters, 1, 1, Padding.VALID, true);
        x = net.batchNorm(name + "_3_bn", x, BN_EPSILON, BN_MOMENTUM);
        x = net.add(name + "_add", shortcut, x);
        return net.activation(name + "_out", x, Activation.RELU);
    }
}
