package dev.tl.zoo;

import static dev.tl.zoo.ResNet.BN_EPSILON;
import static dev.tl.zoo.ResNet.BN_MOMENTUM;

import dev.tl.data.Preprocessing;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * ResNet50V2/101V2/152V2 (pre-activation) as in keras.applications.resnet_v2: each block starts with BatchNorm and
 * ReLU, its residual sum is left unactivated, and the stride of a stage sits on the 3x3 convolution of its last
 * block (its shortcut a 1x1 max pooling); BatchNorm and ReLU close the network.
 */
final class ResNetV2 implements Architecture {

    /**
     * The stem, stages conv2..conv5 with their shortcut poolings (unnamed in Keras, so named as Keras numbers them)
     * and the closing BatchNorm.
     */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("(conv1|pool1)_.*", "stem")
            .rule("(conv\\d)_.*", "$1")
            .rule("max_pooling2d", "conv2")
            .rule("max_pooling2d_1", "conv3")
            .rule("max_pooling2d_2", "conv4")
            .rule("post_.*", "conv5");

    /** Blocks in stages conv2..conv5. */
    private final int[] blocks;

    private ResNetV2(int... blocks) {
        this.blocks = blocks;
    }

    /** Blocks per stage, then the MD5s of Keras' weight files without and with the classifier. */
    static List<Backbone> variants() {
        return List.of(
                ResNet.variant("resnet50v2", new ResNetV2(3, 4, 6, 3), Preprocessing.TF,
                        "fac2f116257151a9d068a22e544a4917", "3ef43a0b657b3be2300d5770ece849e0")
                        .withAccuracy(PublishedAccuracy.table(0.760, 0.930)),
                ResNet.variant("resnet101v2", new ResNetV2(3, 4, 23, 3), Preprocessing.TF,
                        "c0ed64b8031c3730f411d2eb4eea35b5", "6343647c601c52e1368623803854d971")
                        .withAccuracy(PublishedAccuracy.table(0.772, 0.938)),
                ResNet.variant("resnet152v2", new ResNetV2(3, 8, 36, 3), Preprocessing.TF,
                        "ed17cf2e0169df9d443503ef94b23b33", "a49b44d1979771252814e80f8ec446f9")
                        .withAccuracy(PublishedAccuracy.table(0.780, 0.942)));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = ResNet.stem(net, input, false);
        int[] filters = {64, 128, 256, 512};
        for (int stage = 0; stage < blocks.length; stage++) {
            String name = "conv" + (stage + 2);
            // Every stage but the last halves the resolution in its last block.
            boolean strided = stage < blocks.length - 1;
            x = block(net, x, filters[stage], 1, true, null, name + "_block1");
            for (int i = 2; i < blocks[stage]; i++) {
                x = block(net, x, filters[stage], 1, false, null, name + "_block" + i);
            }
            String pool = stage == 0 ? "max_pooling2d" : "max_pooling2d_" + stage;
            x = block(net, x, filters[stage], strided ? 2 : 1, false, pool, name + "_block" + blocks[stage]);
        }
        return net.batchNormActivation("post_bn", "post_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    /** @param shortcutPool the name of the strided identity shortcut's 1x1 max pooling (stride 2 only) */
    private static FeatureMap block(NetBuilder net, FeatureMap in, int filters, int stride, boolean convShortcut,
                                    String shortcutPool, String name) {
        FeatureMap preact = net.batchNormActivation(name + "_preact_bn", name + "_preact_relu", in, BN_EPSILON,
                BN_MOMENTUM, Activation.RELU);
        FeatureMap shortcut;
        if (convShortcut) {
            shortcut = net.conv(name + "_0_conv", preact, 4 * filters, 1, stride, Padding.VALID, true);
        } else if (stride > 1) {
            shortcut = net.maxPool(shortcutPool, in, 1, stride, Padding.VALID);
        } else {
            shortcut = in;
        }
        FeatureMap x = net.conv(name + "_1_conv", preact, filters, 1, 1, Padding.VALID, false);
        x = net.batchNormActivation(name + "_1_bn", name + "_1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.zeroPad(name + "_2_pad", x, 1, 1, 1, 1);
        x = net.conv(name + "_2_conv", x, filters, 3, stride, Padding.VALID, false);
        x = net.batchNormActivation(name + "_2_bn", name + "_2_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU);
        x = net.conv(name + "_3_conv", x, 4 * filters, 1, 1, Padding.VALID, true);
        return net.add(name + "_out", shortcut, x);
    }
}
