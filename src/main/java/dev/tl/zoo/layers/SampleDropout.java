package dev.tl.zoo.layers;

import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.DropOutInverted;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Drops whole examples (Keras {@code Dropout(rate, noise_shape=(None, 1, 1, 1))}, EfficientNet's drop-connect /
 * stochastic depth): during training each example's activations are zeroed with probability {@code rate} and the
 * rest scaled by 1/(1-rate); at inference it is the identity.
 */
public class SampleDropout implements IDropout {

    private final double rate;
    private transient INDArray mask;

    public SampleDropout(@JsonProperty("rate") double rate) {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("drop rate must be in (0, 1), got " + rate);
        }
        this.rate = rate;
    }

    public double getRate() {
        return rate;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray output, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        mask = workspaceMgr.createUninitialized(ArrayType.INPUT, output.dataType(), input.size(0)).assign(1.0);
        Nd4j.getExecutioner().exec(new DropOutInverted(mask, 1.0 - rate));
        Broadcast.mul(input, mask, output, 0);
        return output;
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (mask == null) {
            throw new IllegalStateException("backprop without a forward pass in training mode");
        }
        Broadcast.mul(gradAtOutput, mask, gradAtInput, 0);
        mask = null;
        return gradAtInput;
    }

    @Override
    public void clear() {
        mask = null;
    }

    @Override
    public SampleDropout clone() {
        return new SampleDropout(rate);
    }
}
