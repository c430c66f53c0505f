package dev.tl.zoo.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

/** An activation function that reads its input and writes its result to another array, leaving the input intact. */
public interface OutOfPlaceActivation {

    /** out = f(in). */
    void forward(INDArray in, INDArray out);

    /** gradient = f'(in) * epsilon. */
    void backward(INDArray in, INDArray epsilon, INDArray gradient);
}
