package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * InceptionResNetV2 as in keras.applications.inception_resnet_v2: InceptionV3's stem and conv2d_bn units
 * (convolution without bias, BatchNorm without scale, ReLU), then 10, 20 and 10 Inception-ResNet blocks whose
 * branches a 1x1 convolution with bias projects back to the block's input, added to it scaled by 0.17, 0.1 and 0.2
 * (the last block by 1, without ReLU), with reduction blocks mixed_6a and mixed_7a between them and conv_7b on top.
 * Keras leaves the branches' layers unnamed, so they carry the names Keras numbers them with; the scaled sums are
 * named after their block as in the published files' Keras (block35_1, ...; Keras 3 numbers them
 * custom_scale_layer).
 */
final class InceptionResNetV2 implements Architecture {

    private static final int[] REPEATS = {10, 20, 10};
    /** conv2d_bn units in each Inception-ResNet block's branches. */
    private static final int[] BRANCH_UNITS = {6, 4, 4};
    private static final String[] BLOCK_TYPES = {"block35", "block17", "block8"};
    private static final double[] SCALES = {0.17, 0.1, 0.2};
    /** The stem, mixed_5b, each Inception-ResNet block, the reductions mixed_6a and mixed_7a, conv_7b. */
    private static final KerasNames.Blocks NUMBERED_BLOCKS = numberedBlocks();
    private static final BlockRules NAMED_BLOCKS = new BlockRules()
            .rule("(block\\d+_\\d+)(_.*)?", "$1")
            .rule("mixed_\\w+", "$0")
            .rule("conv_7b.*", "conv_7b");

    private static KerasNames.Blocks numberedBlocks() {
        KerasNames.Blocks blocks = new KerasNames.Blocks()
                .add("stem", 5, InceptionUnits.CONV_BN_RELU).add("stem", 2, "max_pooling2d")
                .add("mixed_5b", 7, InceptionUnits.CONV_BN_RELU).add("mixed_5b", 1, "average_pooling2d");
        int[] reductionUnits = {4, 7};
        String[] reductions = {"mixed_6a", "mixed_7a"};
        for (int type = 0; type < BLOCK_TYPES.length; type++) {
            for (int i = 1; i <= REPEATS[type]; i++) {
                blocks.add(BLOCK_TYPES[type] + "_" + i, BRANCH_UNITS[type], InceptionUnits.CONV_BN_RELU);
            }
            if (type < reductions.length) {
                blocks.add(reductions[type], reductionUnits[type], InceptionUnits.CONV_BN_RELU).add(reductions[type], 1,
                        "max_pooling2d");
            }
        }
        return blocks;
    }

    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS
                + "inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels";
        return List.of(new Backbone("inceptionresnetv2", new InceptionResNetV2(), 299, 75, Preprocessing.TF,
                PretrainedWeights.anySize(new WeightFile(file + "_notop.h5", "d19885ff4a710c122648d3b5c3b684e4"),
                        new WeightFile(file + ".h5", "e693bd0210a403b3192acc6073ad2e96")),
                PublishedAccuracy.table(0.803, 0.953)));
    }

    @Override
    public String blockOf(String layerName) {
        return NUMBERED_BLOCKS.blockOf(layerName).orElseGet(() -> NAMED_BLOCKS.blockOf(layerName));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        return new Builder(net).base(input);
    }

    /** One build: Keras numbers the unnamed layers as they are created. */
    private static final class Builder extends InceptionUnits {

        Builder(NetBuilder net) {
            super(net);
        }

        FeatureMap base(FeatureMap input) {
            FeatureMap x = stem(input);

            FeatureMap branch0 = convBn(x, 96, 1, 1);
            FeatureMap branch1 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
            FeatureMap branch2 = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
            FeatureMap branchPool = convBn(averagePool(x), 64, 1, 1);
            x = net.concat("mixed_5b", branch0, branch1, branch2, branchPool);
            for (int i = 1; i <= REPEATS[0]; i++) {
                x = residualBlock(x, 0, i, true);
            }

            branch0 = convBn(x, 384, 3, 3, 2, Padding.VALID);
            branch1 = convBn(convBn(convBn(x, 256, 1, 1), 256, 3, 3), 384, 3, 3, 2, Padding.VALID);
            branchPool = net.maxPool(names.next("max_pooling2d"), x, 3, 2, Padding.VALID);
            x = net.concat("mixed_6a", branch0, branch1, branchPool);
            for (int i = 1; i <= REPEATS[1]; i++) {
                x = residualBlock(x, 1, i, true);
            }

            branch0 = convBn(convBn(x, 256, 1, 1), 384, 3, 3, 2, Padding.VALID);
            branch1 = convBn(convBn(x, 256, 1, 1), 288, 3, 3, 2, Padding.VALID);
            branch2 = convBn(convBn(convBn(x, 256, 1, 1), 288, 3, 3), 320, 3, 3, 2, Padding.VALID);
            branchPool = net.maxPool(names.next("max_pooling2d"), x, 3, 2, Padding.VALID);
            x = net.concat("mixed_7a", branch0, branch1, branch2, branchPool);
            for (int i = 1; i <= REPEATS[2]; i++) {
                x = residualBlock(x, 2, i, i < REPEATS[2]);
            }

            x = net.conv("conv_7b", x, 1536, 1, 1, Padding.SAME, false);
            return net.batchNormActivation("conv_7b_bn", "conv_7b_ac", x, BN_EPSILON, BN_MOMENTUM, false,
                    Activation.RELU);
        }

        /**
         * Keras' inception_resnet_block: the branches, their concatenation, a 1x1 convolution with bias back to the
         * input's channels, the scaled sum (by 1 for the last block8, which has no ReLU either).
         */
        private FeatureMap residualBlock(FeatureMap x, int type, int index, boolean activate) {
            String name = BLOCK_TYPES[type] + "_" + index;
            FeatureMap mixed = switch (type) {
                case 0 -> net.concat(name + "_mixed", convBn(x, 32, 1, 1), convBn(convBn(x, 32, 1, 1), 32, 3, 3),
                        convBn(convBn(convBn(x, 32, 1, 1), 48, 3, 3), 64, 3, 3));
                case 1 -> net.concat(name + "_mixed", convBn(x, 192, 1, 1),
                        convBn(convBn(convBn(x, 128, 1, 1), 160, 1, 7), 192, 7, 1));
                default -> net.concat(name + "_mixed", convBn(x, 192, 1, 1),
                        convBn(convBn(convBn(x, 192, 1, 1), 224, 1, 3), 256, 3, 1));
            };
            FeatureMap up = net.conv(name + "_conv", mixed, x.channels(), 1, 1, Padding.SAME, true);
            x = net.scaledSum(name, x, up, activate ? SCALES[type] : 1.0);
            return activate ? net.activation(name + "_ac", x, Activation.RELU) : x;
        }
    }
}
