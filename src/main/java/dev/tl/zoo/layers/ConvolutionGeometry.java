package dev.tl.zoo.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A 2D convolution layer's output size and top-left padding for an input, as DL4J's layers compute them. */
record ConvolutionGeometry(int[] inSize, int[] outSize, int[] padding, int[] kernel, int[] strides, int[] dilation,
                           ConvolutionMode mode, CNN2DFormat format) {

    /**
     * As {@link #of(ConvolutionLayer, ConvolutionMode, INDArray)}, for an input that the layer first pads with
     * zeros by {@code inputPadding} {top, bottom, left, right} (null for none; only in Truncate or Strict mode,
     * channels last: see {@link DeferredZeroPadding}). The padding adds to the top-left one; the bottom-right one
     * follows from the output size.
     */
    static ConvolutionGeometry of(ConvolutionLayer conf, ConvolutionMode mode, INDArray x, int[] inputPadding) {
        if (inputPadding == null) {
            return of(conf, mode, x);
        }
        int[] kernel = conf.getKernelSize();
        int[] strides = conf.getStride();
        int[] dilation = conf.getDilation();
        int[] inSize = {(int) x.size(1), (int) x.size(2)};
        int[] padded = {inSize[0] + inputPadding[0] + inputPadding[1], inSize[1] + inputPadding[2] + inputPadding[3]};
        int[] padding = conf.getPadding();
        int[] outSize = new int[2];
        for (int axis = 0; axis < 2; axis++) {
            int span = (kernel[axis] - 1) * dilation[axis] + 1;
            outSize[axis] = (padded[axis] + 2 * padding[axis] - span) / strides[axis] + 1;
        }
        return new ConvolutionGeometry(inSize, outSize, new int[] {padding[0] + inputPadding[0],
                padding[1] + inputPadding[2]}, kernel, strides, dilation, mode, conf.getCnn2dDataFormat());
    }

    static ConvolutionGeometry of(ConvolutionLayer conf, ConvolutionMode mode, INDArray x) {
        CNN2DFormat format = conf.getCnn2dDataFormat();
        int[] kernel = conf.getKernelSize();
        int[] strides = conf.getStride();
        int[] dilation = conf.getDilation();
        boolean nchw = format == CNN2DFormat.NCHW;
        int[] inSize = {(int) x.size(nchw ? 2 : 1), (int) x.size(nchw ? 3 : 2)};
        if (mode == ConvolutionMode.Same) {
            int[] outSize = ConvolutionUtils.getOutputSize(x, kernel, strides, null, mode, dilation, format);
            return new ConvolutionGeometry(inSize, outSize, ConvolutionUtils.getSameModeTopLeftPadding(outSize,
                    inSize, kernel, strides, dilation), kernel, strides, dilation, mode, format);
        }
        int[] padding = conf.getPadding();
        return new ConvolutionGeometry(inSize, ConvolutionUtils.getOutputSize(x, kernel, strides, padding, mode,
                dilation, format), padding, kernel, strides, dilation, mode, format);
    }

    /** The output's shape for a batch of {@code batch} with {@code channels} output channels. */
    long[] outputShape(long batch, long channels) {
        return format == CNN2DFormat.NCHW ? new long[] {batch, channels, outSize[0], outSize[1]}
                : new long[] {batch, outSize[0], outSize[1], channels};
    }

    /** libnd4j's integer arguments of its depthwise operations. */
    int[] depthwiseArguments() {
        return new int[] {kernel[0], kernel[1], strides[0], strides[1], padding[0], padding[1], dilation[0],
                dilation[1], mode == ConvolutionMode.Same ? 1 : 0, format == CNN2DFormat.NCHW ? 0 : 1};
    }

    /** The convolution as {@link OneDnnConvolution} computes it, or null for channels-first data, which it does not. */
    OneDnnConvolution.Shape oneDnn(OneDnnConvolution.Weights weights, long batch, long inChannels, long outChannels,
                                   boolean bias) {
        if (format != CNN2DFormat.NHWC) {
            return null;
        }
        return new OneDnnConvolution.Shape(weights, (int) batch, (int) inChannels, (int) outChannels, inSize[0],
                inSize[1], outSize[0], outSize[1], kernel[0], kernel[1], strides[0], strides[1], padding[0],
                padding[1], dilation[0], dilation[1], bias);
    }
}
