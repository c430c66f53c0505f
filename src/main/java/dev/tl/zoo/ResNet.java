package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * ResNet50/101/152 (v1, biases on every convolution) as in keras.applications.resnet: bottleneck blocks whose
 * stride sits on the first 1x1 convolution, BatchNorm after every convolution, ReLU after the residual sum.
 */
final class ResNet implements Architecture {

    static final double BN_EPSILON = 1.001e-5;
    static final double BN_MOMENTUM = 0.99;
    static final String WEIGHTS = PretrainedWeights.KERAS_APPLICATIONS + "resnet/";
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

    /** Bottleneck blocks in stages conv2..conv5. */
    private final int[] blocks;

    private ResNet(int... blocks) {
        this.blocks = blocks;
    }

    /** Blocks per stage, then the MD5s of Keras' weight files without and with the classifier. */
    static List<Backbone> variants() {
        return List.of(
                variant("resnet50", new ResNet(3, 4, 6, 3), Preprocessing.CAFFE, "4d473c1dd8becc155b73f8504c6f6626",
                        "2cb95161c43110f7111970584f804107").withAccuracy(PublishedAccuracy.table(0.749, 0.921)),
                variant("resnet101", new ResNet(3, 4, 23, 3), Preprocessing.CAFFE, "88cf7a10940856eca736dc7b7e228a21",
                        "f1aeb4b969a6efcfb50fad2f0c20cfc5").withAccuracy(PublishedAccuracy.table(0.764, 0.928)),
                variant("resnet152", new ResNet(3, 8, 36, 3), Preprocessing.CAFFE, "ee4c566cf9a93f14d82f913c2dc6dd0c",
                        "100835be76be38e30d865e96f2aaae62").withAccuracy(PublishedAccuracy.table(0.766, 0.931)));
    }

    /** A ResNet (v1 or v2) by its name, with Keras' files under that name in the resnet/ folder. */
    static Backbone variant(String name, Architecture architecture, Preprocessing preprocessing, String noTopMd5,
                            String topMd5) {
        String file = WEIGHTS + name + "_weights_tf_dim_ordering_tf_kernels";
        return Backbone.of(name, architecture, 224, preprocessing, PretrainedWeights.anySize(
                new WeightFile(file + "_notop.h5", noTopMd5), new WeightFile(file + ".h5", topMd5)));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = stem(net, input, true);
        x = stack(net, x, 64, blocks[0], 1, "conv2");
        x = stack(net, x, 128, blocks[1], 2, "conv3");
        x = stack(net, x, 256, blocks[2], 2, "conv4");
        return stack(net, x, 512, blocks[3], 2, "conv5");
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    @Override
    public LayerAliases legacyNames() {
        return LEGACY_NAMES;
    }

    /**
     * The 7x7 stride-2 convolution (with bias) and the 3x3 stride-2 max pooling, each after an explicit zero
     * padding; v1 puts BatchNorm and ReLU between them, the pre-activation v2 does not.
     */
    static FeatureMap stem(NetBuilder net, FeatureMap input, boolean batchNorm) {
        FeatureMap x = net.zeroPad("conv1_pad", input, 3, 3, 3, 3);
        x = net.conv("conv1_conv", x, 64, 7, 2, Padding.VALID, true);
        if (batchNorm) {
            x = net.batchNormActivation("conv1_bn", "conv1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        }
        x = net.zeroPad("pool1_pad", x, 1, 1, 1, 1);
        return net.maxPool("pool1_pool", x, 3, 2, Padding.VALID);
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
