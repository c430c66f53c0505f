package dev.tl.zoo.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/** Keras' (and torch's) hard swish, x·ReLU6(x + 3)/6: MobileNetV3's activation. DL4J has none. */
public class HardSwishActivation extends ElementwiseActivation {

    private static final HardSigmoidActivation HARD_SIGMOID = new HardSigmoidActivation();

    @Override
    public void forward(INDArray in, INDArray out) {
        INDArray gate = in.ulike();
        HARD_SIGMOID.forward(in, gate);
        Nd4j.exec(new MulOp(in, gate, out));
    }

    /** d/dx x·h(x) = h(x) + x·h'(x), h the hard sigmoid. */
    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        INDArray slope = in.ulike();
        HardSigmoidActivation.slope(in, slope);
        HARD_SIGMOID.forward(in, gradient);
        gradient.addi(slope.muli(in)).muli(epsilon);
    }

    @Override
    public String toString() {
        return "hard_swish";
    }
}
