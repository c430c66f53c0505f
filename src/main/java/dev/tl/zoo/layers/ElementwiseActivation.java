package dev.tl.zoo.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An activation defined by its out-of-place passes, which DL4J's interface calls in place: {@link #forward} must
 * accept {@code out == in}.
 */
abstract class ElementwiseActivation extends BaseActivationFunction implements OutOfPlaceActivation {

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        forward(in, in);
        return in;
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray gradient = in.ulike();
        backward(in, epsilon, gradient);
        return new Pair<>(gradient, null);
    }
}
