package dev.tl.zoo;

/** Keras' {@code imagenet_utils.correct_pad}: the zero padding that precedes a stride-2 'valid' convolution. */
final class KerasPadding {

    private KerasPadding() {
    }

    /**
     * Pads k/2 on the bottom/right and k/2 (one less for an even input size) on the top/left, as Keras does when
     * the model is built for a known input size.
     */
    static FeatureMap correctPad(NetBuilder net, String name, FeatureMap x, int kernel) {
        int half = kernel / 2;
        int top = half - (1 - x.height() % 2);
        int left = half - (1 - x.width() % 2);
        return net.zeroPad(name, x, top, half, left, half);
    }
}
