package dev.tl.zoo.layers;

import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SwishDerivative;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's swish (x * sigmoid(x)), also computable out of place. */
public class SwishActivation extends ActivationSwish implements OutOfPlaceActivation {

    @Override
    public void forward(INDArray in, INDArray out) {
        Nd4j.getExecutioner().exec(new Swish(in, out));
    }

    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        Nd4j.getExecutioner().exec(new SwishDerivative(in, gradient));
        gradient.muli(epsilon);
    }
}
