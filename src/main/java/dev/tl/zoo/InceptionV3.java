package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;

/**
 * InceptionV3 as in keras.applications.inception_v3: every convolution without bias, followed by BatchNorm without
 * scale (no gamma) and ReLU, in 'valid' stems and eleven mixed blocks with 1x7/7x1 and 1x3/3x1 factorised
 * convolutions and average pooling over 'same' padding. Keras names only the blocks' concatenations (mixed0 ...
 * mixed10); every other layer has the name Keras numbers it with.
 */
final class InceptionV3 implements Architecture {

    /** The stem (up to the second max pooling) and mixed0 ... mixed10, each ending with its concatenation. */
    private static final KerasNames.Blocks NUMBERED_BLOCKS = new KerasNames.Blocks()
            .add("stem", 5, InceptionUnits.CONV_BN_RELU).add("stem", 2, "max_pooling2d")
            .add("mixed0", 7, InceptionUnits.CONV_BN_RELU).add("mixed0", 1, "average_pooling2d")
            .add("mixed1", 7, InceptionUnits.CONV_BN_RELU).add("mixed1", 1, "average_pooling2d")
            .add("mixed2", 7, InceptionUnits.CONV_BN_RELU).add("mixed2", 1, "average_pooling2d")
            .add("mixed3", 4, InceptionUnits.CONV_BN_RELU).add("mixed3", 1, "max_pooling2d")
            .add("mixed4", 10, InceptionUnits.CONV_BN_RELU).add("mixed4", 1, "average_pooling2d")
            .add("mixed5", 10, InceptionUnits.CONV_BN_RELU).add("mixed5", 1, "average_pooling2d")
            .add("mixed6", 10, InceptionUnits.CONV_BN_RELU).add("mixed6", 1, "average_pooling2d")
            .add("mixed7", 10, InceptionUnits.CONV_BN_RELU).add("mixed7", 1, "average_pooling2d")
            .add("mixed8", 6, InceptionUnits.CONV_BN_RELU).add("mixed8", 1, "max_pooling2d")
            .add("mixed9", 9, InceptionUnits.CONV_BN_RELU).add("mixed9", 1, "average_pooling2d").add("mixed9", 1, "concatenate")
            .add("mixed10", 9, InceptionUnits.CONV_BN_RELU).add("mixed10", 1, "average_pooling2d").add("mixed10", 1, "concatenate");
    /** Keras names mixed9's and mixed10's 1x3/3x1 concatenations mixed9_0 and mixed9_1. */
    private static final BlockRules NAMED_BLOCKS = new BlockRules()
            .rule("mixed9_0", "mixed9")
            .rule("mixed9_1", "mixed10")
            .rule("mixed\\d+", "$0");

    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS
                + "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels";
        return List.of(new Backbone("inceptionv3", new InceptionV3(), 299, 75, Preprocessing.TF,
                PretrainedWeights.anySize(new WeightFile(file + "_notop.h5", "bcbd6486424b2319ff4ef7d526e38f63"),
                        new WeightFile(file + ".h5", "9a0d58056eeedaa3f26cb7ebd46da564")),
                PublishedAccuracy.table(0.779, 0.937)));
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

            x = blockA(x, 32, "mixed0");
            x = blockA(x, 64, "mixed1");
            x = blockA(x, 64, "mixed2");

            FeatureMap branch3x3 = convBn(x, 384, 3, 3, 2, Padding.VALID);
            FeatureMap branch3x3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, Padding.VALID);
            FeatureMap branchPool = net.maxPool(names.next("max_pooling2d"), x, 3, 2, Padding.VALID);
            x = net.concat("mixed3", branch3x3, branch3x3dbl, branchPool);

            x = blockC(x, 128, "mixed4");
            x = blockC(x, 160, "mixed5");
            x = blockC(x, 160, "mixed6");
            x = blockC(x, 192, "mixed7");

            branch3x3 = convBn(convBn(x, 192, 1, 1), 320, 3, 3, 2, Padding.VALID);
            FeatureMap branch7x7x3 = convBn(convBn(convBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1);
            branch7x7x3 = convBn(branch7x7x3, 192, 3, 3, 2, Padding.VALID);
            branchPool = net.maxPool(names.next("max_pooling2d"), x, 3, 2, Padding.VALID);
            x = net.concat("mixed8", branch3x3, branch7x7x3, branchPool);

            for (int i = 0; i < 2; i++) {
                x = blockE(x, i);
            }
            return x;
        }

        /** mixed0..2: 1x1, 5x5, double 3x3 and average pooling branches. */
        private FeatureMap blockA(FeatureMap x, int poolFilters, String name) {
            FeatureMap branch1x1 = convBn(x, 64, 1, 1);
            FeatureMap branch5x5 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
            FeatureMap branch3x3dbl = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
            FeatureMap branchPool = convBn(averagePool(x), poolFilters, 1, 1);
            return net.concat(name, branch1x1, branch5x5, branch3x3dbl, branchPool);
        }

        /** mixed4..7: 1x1, factorised 7x7, double factorised 7x7 and average pooling branches. */
        private FeatureMap blockC(FeatureMap x, int filters7x7, String name) {
            FeatureMap branch1x1 = convBn(x, 192, 1, 1);
            FeatureMap branch7x7 = convBn(convBn(convBn(x, filters7x7, 1, 1), filters7x7, 1, 7), 192, 7, 1);
            FeatureMap branch7x7dbl = convBn(convBn(x, filters7x7, 1, 1), filters7x7, 7, 1);
            branch7x7dbl = convBn(convBn(convBn(branch7x7dbl, filters7x7, 1, 7), filters7x7, 7, 1), 192, 1, 7);
            FeatureMap branchPool = convBn(averagePool(x), 192, 1, 1);
            return net.concat(name, branch1x1, branch7x7, branch7x7dbl, branchPool);
        }

        /** mixed9 and mixed10: 1x1, split 3x3, double split 3x3 and average pooling branches. */
        private FeatureMap blockE(FeatureMap x, int i) {
            FeatureMap branch1x1 = convBn(x, 320, 1, 1);
            FeatureMap branch3x3 = convBn(x, 384, 1, 1);
            branch3x3 = net.concat("mixed9_" + i, convBn(branch3x3, 384, 1, 3), convBn(branch3x3, 384, 3, 1));
            FeatureMap branch3x3dbl = convBn(convBn(x, 448, 1, 1), 384, 3, 3);
            branch3x3dbl = net.concat(names.next("concatenate"), convBn(branch3x3dbl, 384, 1, 3),
                    convBn(branch3x3dbl, 384, 3, 1));
            FeatureMap branchPool = convBn(averagePool(x), 192, 1, 1);
            return net.concat("mixed" + (9 + i), branch1x1, branch3x3, branch3x3dbl, branchPool);
        }
    }
}
