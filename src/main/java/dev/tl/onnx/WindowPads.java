package dev.tl.onnx;

import org.deeplearning4j.nn.conf.ConvolutionMode;

/**
 * The explicit ONNX {@code pads} [top, left, bottom, right] of a DL4J convolution or pooling window. DL4J's Same
 * mode pads like TensorFlow, the odd row or column at the bottom/right; writing the amounts out (rather than
 * ONNX's auto_pad) keeps the graph exact for any runtime. Truncate mode pads the configured amount on both sides.
 */
final class WindowPads {

    private WindowPads() {
    }

    static long[] of(ConvolutionMode mode, int[] kernel, int[] stride, int[] dilation, int[] padding, long height,
                     long width) {
        if (mode == ConvolutionMode.Same) {
            long[] vertical = same(height, kernel[0], stride[0], dilation[0]);
            long[] horizontal = same(width, kernel[1], stride[1], dilation[1]);
            return new long[] {vertical[0], horizontal[0], vertical[1], horizontal[1]};
        }
        if (mode == ConvolutionMode.Truncate) {
            return new long[] {padding[0], padding[1], padding[0], padding[1]};
        }
        throw new IllegalArgumentException("convolution mode " + mode + " has no ONNX mapping");
    }

    /** Before and after along one axis: enough for ceil(size / stride) outputs, the extra one after. */
    private static long[] same(long size, int kernel, int stride, int dilation) {
        long outputs = (size + stride - 1) / stride;
        long effectiveKernel = (long) (kernel - 1) * dilation + 1;
        long total = Math.max(0, (outputs - 1) * stride + effectiveKernel - size);
        return new long[] {total / 2, total - total / 2};
    }
}
