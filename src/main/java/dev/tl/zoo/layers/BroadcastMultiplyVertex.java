package dev.tl.zoo.layers;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * Squeeze-and-excitation's {@code x * s} with x [N,C,H,W] and s [N,C,1,1]. DL4J's element-wise product already
 * broadcasts (and reduces the gradient over the broadcast axes) at run time; only its configuration-time shape
 * check rejects differing shapes, so this vertex declares the output to have the shape of the first input.
 */
public class BroadcastMultiplyVertex extends ElementWiseVertex {

    public BroadcastMultiplyVertex() {
        super(Op.Product);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public BroadcastMultiplyVertex clone() {
        return new BroadcastMultiplyVertex();
    }
}
