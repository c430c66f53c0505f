package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/** VGG16/VGG19 as in keras.applications.vgg16/vgg19: 3x3 'same' convolutions with ReLU, 2x2 max pooling. */
final class Vgg implements Architecture {

    private static final int[] FILTERS = {64, 128, 256, 512, 512};
    /** block1..block5, each ending with its max pooling. */
    private static final BlockRules BLOCK_RULES = new BlockRules().rule("(block\\d)_.*", "$1");

    private final int[] convsPerBlock;

    private Vgg(int... convsPerBlock) {
        this.convsPerBlock = convsPerBlock;
    }

    /**
     * VGG16 and VGG19, with the MD5s of Keras' published weight files (without and with the classifier) and the
     * ImageNet accuracy Keras publishes for them.
     */
    static List<Backbone> variants() {
        return List.of(
                variant("vgg16", new Vgg(2, 2, 3, 3, 3), "6d6bbae143d832006294945121d1f1fc",
                        "64373286793e3c8b2b4e3219cbf3544b").withAccuracy(PublishedAccuracy.table(0.713, 0.901)),
                variant("vgg19", new Vgg(2, 2, 4, 4, 4), "253f8cb515780f3b799900260a226db6",
                        "cbe5617147190e668d6c5d5026f83318").withAccuracy(PublishedAccuracy.table(0.713, 0.900)));
    }

    private static Backbone variant(String name, Vgg architecture, String noTopMd5, String topMd5) {
        String file = PretrainedWeights.KERAS_APPLICATIONS + name + "/" + name + "_weights_tf_dim_ordering_tf_kernels";
        return Backbone.of(name, architecture, 224, Preprocessing.CAFFE, PretrainedWeights.anySize(
                new WeightFile(file + "_notop.h5", noTopMd5), new WeightFile(file + ".h5", topMd5)));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = input;
        for (int block = 1; block <= convsPerBlock.length; block++) {
            for (int conv = 1; conv <= convsPerBlock[block - 1]; conv++) {
                x = net.conv("block" + block + "_conv" + conv, x, FILTERS[block - 1], 3, 1, Padding.SAME, true,
                        Activation.RELU);
            }
            x = net.maxPool("block" + block + "_pool", x, 2, 2, Padding.VALID);
        }
        return x;
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    /** Flatten, two Dense(4096, ReLU) and the classifier; needs the 224 px input the weights were trained at. */
    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        FeatureMap x = net.dense("fc1", features, 4096, Activation.RELU);
        x = net.dense("fc2", x, 4096, Activation.RELU);
        return net.dense("predictions", x, 1000, Activation.SOFTMAX);
    }
}
