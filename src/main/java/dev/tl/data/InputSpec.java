package dev.tl.data;

import org.deeplearning4j.nn.conf.CNN2DFormat;

/**
 * What one network input expects: square images of {@code imageSize} pixels, framed (squashed or centre-cropped),
 * preprocessed with a mode, laid out channels-first (NCHW) or channels-last (NHWC).
 */
public record InputSpec(int imageSize, Preprocessing preprocessing, CNN2DFormat layout, Framing framing) {

    public long[] batchShape(int batchSize) {
        return layout == CNN2DFormat.NHWC ? new long[] {batchSize, imageSize, imageSize, 3}
                : new long[] {batchSize, 3, imageSize, imageSize};
    }

    /** The same input in another layout (an engine that takes NCHW whatever the graph's). */
    public InputSpec withLayout(CNN2DFormat other) {
        return new InputSpec(imageSize, preprocessing, other, framing);
    }

    /** Writes one image's preprocessed pixels at {@code offset} in the input's layout. */
    public void write(int[] rgb, float[] out, int offset) {
        if (layout == CNN2DFormat.NHWC) {
            preprocessing.toInterleaved(rgb, out, offset);
        } else {
            preprocessing.toPlanes(rgb, out, offset);
        }
    }
}
