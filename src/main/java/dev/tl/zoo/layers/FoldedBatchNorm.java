package dev.tl.zoo.layers;

import org.deeplearning4j.nn.api.Layer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen BatchNorm computed by the convolution before it while training. Frozen, BatchNorm is the fixed affine map
 * y = s·z + t per channel (s = γ/√(σ²+ε), t = β − μ·s), so conv → BatchNorm is one convolution with weights s·W and
 * bias s·b + t, whose weight gradient is s·(dL/dW'). The convolution computes that, and the BatchNorm layer is left
 * with its activation only: one pass fewer each way, and its backward pass no longer recomputes the normalised
 * input nor scales the gradient.
 *
 * <p>Only the layers' run-time behaviour changes: parameters, their names and the updater state stay those of the
 * unfolded graph, and a layer that is not linked computes as before. The folded weights live in a buffer of the
 * convolution's own, refreshed on every forward pass and read again by the backward pass that follows it.
 */
public final class FoldedBatchNorm {

    /** A convolution that can compute the frozen BatchNorm after it. */
    interface Foldable {
        void foldBatchNorm(FoldedBatchNorm fold);
    }

    private final FrozenBatchNormAffine affine;
    private final boolean depthwise;
    private INDArray foldedWeights;
    private INDArray foldedBias;

    private FoldedBatchNorm(FrozenBatchNormalizationLayer batchNorm, boolean depthwise) {
        this.affine = new FrozenBatchNormAffine(batchNorm);
        this.depthwise = depthwise;
    }

    /**
     * Makes {@code conv} compute the frozen BatchNorm {@code batchNorm} that takes its output (and nothing else
     * does), when both are tl's layers; the caller checks the wiring.
     *
     * @return whether the two are linked
     */
    public static boolean link(Layer conv, Layer batchNorm) {
        if (!(conv instanceof Foldable foldable) || !(batchNorm instanceof FrozenBatchNormalizationLayer frozen)) {
            return false;
        }
        foldable.foldBatchNorm(new FoldedBatchNorm(frozen, conv instanceof NativeDepthwiseConvolution.Runtime));
        frozen.foldIntoInput();
        return true;
    }

    /**
     * s·W and s·b + t ({@code bias} is the convolution's own, or null for none) into this fold's buffers. Called by
     * every forward pass; the backward pass that follows reads the same buffers.
     */
    void fold(INDArray w, INDArray bias) {
        boolean changed = affine.refresh();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            if (bias != null) {
                foldedBias = affine.shift().add(bias.reshape(-1).mul(affine.scale())).reshape(bias.shape());
            } else if (changed || foldedBias == null) {
                foldedBias = affine.shift().reshape(1, affine.shift().length());
            }
            if (foldedWeights == null || foldedWeights.length() != w.length()
                    || foldedWeights.dataType() != w.dataType()) {
                foldedWeights = w.ulike();
            }
        }
        scalePerOutputChannel(w, foldedWeights);
    }

    /** s·W of the latest {@link #fold}, shaped as the convolution's weights. */
    INDArray weights() {
        return foldedWeights;
    }

    /** s·b + t of the latest {@link #fold}, shaped as the convolution's bias (a [1, channels] row if it has none). */
    INDArray bias() {
        return foldedBias;
    }

    /** dL/dW = s·dL/dW' (and likewise for a bias), in place. */
    void unfoldGradients(INDArray weightGradient, INDArray biasGradient) {
        scalePerOutputChannel(weightGradient, weightGradient);
        if (biasGradient != null) {
            biasGradient.reshape(-1).muli(affine.scale());
        }
    }

    /**
     * out = w·s per output channel. Convolution weights are [out, in, kh, kw]; depthwise ones [kh, kw, in,
     * multiplier], whose output channel is in·multiplier + m, i.e. the last two axes flattened. Both arrays are
     * contiguous, so the reshapes are views.
     */
    private void scalePerOutputChannel(INDArray w, INDArray out) {
        INDArray scale = affine.scale();
        long channels = scale.length();
        long other = w.length() / channels;
        boolean scaled = depthwise ? OneDnnChannelAffine.scale(w, other, channels, 1, scale, out)
                : OneDnnChannelAffine.scale(w, 1, channels, other, scale, out);
        if (!scaled) {
            long[] shape = depthwise ? new long[] {other, channels} : new long[] {channels, other};
            Nd4j.getExecutioner().exec(new BroadcastMulOp(w.reshape('c', shape), scale, out.reshape('c', shape),
                    depthwise ? 1 : 0));
        }
    }
}
