package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * DenseNet121/169/201 as in keras.applications.densenet. The stem keeps the names the published weight files were
 * written with ("conv1/conv"; Keras 3 renamed it "conv1_conv", and the weight loader treats '/' and '_' alike).
 */
final class DenseNet implements Architecture {

    private static final int GROWTH_RATE = 32;
    private static final double BN_EPSILON = 1.001e-5;
    private static final double BN_MOMENTUM = 0.99;

    private final int[] blocks;
    /** Dense blocks conv2..conv5, each with the transition after it (the last one with the final BatchNorm). */
    private final BlockRules blockRules;

    private DenseNet(int... blocks) {
        this.blocks = blocks;
        this.blockRules = new BlockRules()
                .rule("zero_padding2d(_1)?|conv1/.*|pool1", "stem")
                .rule("(conv|pool)(\\d+)_.*", "conv$2")
                .rule("bn|relu", "conv" + (blocks.length + 1));
    }

    /**
     * Layers per dense block, the MD5s of Keras' weight files without and with the classifier, and the ImageNet
     * accuracy Keras publishes.
     */
    static List<Backbone> variants() {
        return List.of(
                variant("densenet121", new DenseNet(6, 12, 24, 16), "30ee3e1110167f948a6b9946edeeb738",
                        "9d60b8095a5708f2dcce2bca79d332c7").withAccuracy(PublishedAccuracy.table(0.750, 0.923)),
                variant("densenet169", new DenseNet(6, 12, 32, 32), "b8c4d4c20dd625c148057b9ff1c1176b",
                        "d699b8f76981ab1b30698df4c175e90b").withAccuracy(PublishedAccuracy.table(0.762, 0.932)),
                variant("densenet201", new DenseNet(6, 12, 48, 32), "c13680b51ded0fb44dff2d8f86ac8bb1",
                        "1ceb130c1ea1b78c3bf6114dbdfd8807").withAccuracy(PublishedAccuracy.table(0.773, 0.936)));
    }

    private static Backbone variant(String name, DenseNet architecture, String noTopMd5, String topMd5) {
        String file = PretrainedWeights.KERAS_APPLICATIONS + "densenet/" + name + "_weights_tf_dim_ordering_tf_kernels";
        return Backbone.of(name, architecture, 224, Preprocessing.TORCH, PretrainedWeights.anySize(
                new WeightFile(file + "_notop.h5", noTopMd5), new WeightFile(file + ".h5", topMd5)));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.zeroPad("zero_padding2d", input, 3, 3, 3, 3);
        x = net.conv("conv1/conv", x, 64, 7, 2, Padding.VALID, false);
        x = net.batchNormActivation("conv1/bn", "conv1/relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.zeroPad("zero_padding2d_1", x, 1, 1, 1, 1);
        x = net.maxPool("pool1", x, 3, 2, Padding.VALID);
        for (int b = 0; b < blocks.length; b++) {
            x = denseBlock(net, x, blocks[b], "conv" + (b + 2));
            if (b < blocks.length - 1) {
                x = transition(net, x, "pool" + (b + 2));
            }
        }
        return net.batchNormActivation("bn", "relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
    }

    @Override
    public String blockOf(String layerName) {
        return blockRules.blockOf(layerName);
    }

    private static FeatureMap denseBlock(NetBuilder net, FeatureMap x, int layers, String name) {
        for (int i = 1; i <= layers; i++) {
            String prefix = name + "_block" + i;
            FeatureMap y = net.batchNormActivation(prefix + "_0_bn", prefix + "_0_relu", x, BN_EPSILON, BN_MOMENTUM,
                    Activation.RELU);
            y = net.conv(prefix + "_1_conv", y, 4 * GROWTH_RATE, 1, 1, Padding.VALID, false);
            y = net.batchNormActivation(prefix + "_1_bn", prefix + "_1_relu", y, BN_EPSILON, BN_MOMENTUM,
                    Activation.RELU);
            y = net.conv(prefix + "_2_conv", y, GROWTH_RATE, 3, 1, Padding.SAME, false);
            x = net.concat(prefix + "_concat", x, y);
        }
        return x;
    }

    private static FeatureMap transition(NetBuilder net, FeatureMap x, String name) {
        x = net.batchNormActivation(name + "_bn", name + "_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.conv(name + "_conv", x, x.channels() / 2, 1, 1, Padding.VALID, false);
        return net.avgPool(name + "_pool", x, 2, 2, Padding.VALID);
    }
}
