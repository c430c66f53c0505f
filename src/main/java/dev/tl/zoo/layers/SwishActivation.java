package dev.tl.zoo.layers;

import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Swish;
import org.nd4j.linalg.api.ops.impl.transforms.strict.SwishDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's swish (x * sigmoid(x)), also computable out of place, each way in one vectorised oneDNN pass where it
 * applies ({@link Eltwise}); libnd4j's swish and derivative call {@code expf} per element.
 */
public class SwishActivation extends ActivationSwish implements OutOfPlaceActivation {

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return Eltwise.forward(Eltwise.Function.SWISH, in, in) ? in : super.getActivation(in, training);
    }

    @Override
    public void forward(INDArray in, INDArray out) {
        if (!Eltwise.forward(Eltwise.Function.SWISH, in, out)) {
            Nd4j.getExecutioner().exec(new Swish(in, out));
        }
    }

    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        if (!Eltwise.backward(Eltwise.Function.SWISH, in, epsilon, gradient)) {
            Nd4j.getExecutioner().exec(new SwishDerivative(in, gradient));
            gradient.muli(epsilon);
        }
    }
}
