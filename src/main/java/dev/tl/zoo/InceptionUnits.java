package dev.tl.zoo;

import org.nd4j.linalg.activations.Activation;

/**
 * One build of an Inception network as keras.applications writes it: conv2d_bn units (a convolution without bias,
 * BatchNorm without scale, ReLU) whose layers Keras names itself, numbered as they are created, on the stem that
 * InceptionV3 and InceptionResNetV2 share.
 */
class InceptionUnits {

    static final double BN_EPSILON = 1e-3;
    static final double BN_MOMENTUM = 0.99;
    /** The Keras layers of one unit, in the order they are numbered. */
    static final String[] CONV_BN_RELU = {"conv2d", "batch_normalization", "activation"};

    final NetBuilder net;
    final KerasNames names = new KerasNames();

    InceptionUnits(NetBuilder net) {
        this.net = net;
    }

    /** Five units and two max poolings, 35x35x192 from 299 px. */
    FeatureMap stem(FeatureMap input) {
        FeatureMap x = convBn(input, 32, 3, 3, 2, Padding.VALID);
        x = convBn(x, 32, 3, 3, 1, Padding.VALID);
        x = convBn(x, 64, 3, 3);
        x = net.maxPool(names.next("max_pooling2d"), x, 3, 2, Padding.VALID);
        x = convBn(x, 80, 1, 1, 1, Padding.VALID);
        x = convBn(x, 192, 3, 3, 1, Padding.VALID);
        return net.maxPool(names.next("max_pooling2d"), x, 3, 2, Padding.VALID);
    }

    /** The 3x3 average pooling of the blocks' pooling branches, 'same' padding not counted (TensorFlow's). */
    FeatureMap averagePool(FeatureMap x) {
        return net.avgPool(names.next("average_pooling2d"), x, 3, 1, Padding.SAME);
    }

    FeatureMap convBn(FeatureMap x, int filters, int rows, int cols) {
        return convBn(x, filters, rows, cols, 1, Padding.SAME);
    }

    /** Keras' conv2d_bn. */
    FeatureMap convBn(FeatureMap x, int filters, int rows, int cols, int stride, Padding padding) {
        x = net.conv(names.next("conv2d"), x, filters, rows, cols, stride, padding, false);
        return net.batchNormActivation(names.next("batch_normalization"), names.next("activation"), x,
                BN_EPSILON, BN_MOMENTUM, false, Activation.RELU);
    }
}
