package dev.tl.zoo.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Min;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' MobileNetV3 hard sigmoid, ReLU6(x + 3)·(1/6) (also torch's Hardsigmoid). DL4J's HARDSIGMOID is another
 * function, clip(0.2x + 0.5, 0, 1).
 */
public class HardSigmoidActivation extends ElementwiseActivation {

    static final double SIXTH = 1.0 / 6;

    @Override
    public void forward(INDArray in, INDArray out) {
        Nd4j.exec(new ScalarAdd(in, null, out, 3.0));
        Nd4j.exec(new Relu6(out, out));
        out.muli(SIXTH);
    }

    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        slope(in, gradient);
        gradient.muli(epsilon);
    }

    /** The derivative, 1/6 where -3 &lt; x &lt; 3 (i.e. min(x + 3, 3 - x) &gt; 0), else 0. */
    static void slope(INDArray in, INDArray out) {
        INDArray shifted = in.add(3.0);
        in.rsub(3.0, out);
        Nd4j.exec(new Min(shifted, out, out));
        Nd4j.getExecutioner().exec(new Step(out, out, 0.0));
        out.muli(SIXTH);
    }

    @Override
    public String toString() {
        return "hard_sigmoid";
    }
}
