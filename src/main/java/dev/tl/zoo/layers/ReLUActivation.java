package dev.tl.zoo.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.HardTanhDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * ReLU, or ReLU6 with {@code max = 6}, whose backward pass runs as vectorised element-wise operations in place.
 * DL4J's own ReLU/ReLU6 backprop calls libnd4j ops that evaluate a std::function per element and allocate their
 * output: on a MobileNetV2 batch 16 at 224 px they took ~15% of a training step (docs/BENCHMARKS.md).
 */
public class ReLUActivation extends BaseActivationFunction implements OutOfPlaceActivation {

    private final Double max;

    @JsonCreator
    public ReLUActivation(@JsonProperty("max") Double max) {
        this.max = max;
    }

    public static ReLUActivation relu() {
        return new ReLUActivation(null);
    }

    public static ReLUActivation relu6() {
        return new ReLUActivation(6.0);
    }

    public Double getMax() {
        return max;
    }

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return Nd4j.getExecutioner().exec(max == null ? new RectifiedLinear(in, 0.0) : new Relu6(in));
    }

    /** dL/dz = dL/da where 0 &lt; z (&lt; max), else 0; {@code in} is overwritten with the result. */
    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        if (max == null) {
            Nd4j.getExecutioner().exec(new Step(in, in, 0.0));
        } else {
            // (z - max/2) / (max/2) lies in (-1, 1) exactly when 0 < z < max, where hard tanh has slope 1.
            in.subi(max / 2).divi(max / 2);
            Nd4j.getExecutioner().exec(new HardTanhDerivative(in, in));
        }
        return new Pair<>(in.muli(epsilon), null);
    }

    @Override
    public void forward(INDArray in, INDArray out) {
        Nd4j.getExecutioner().exec(max == null ? new RectifiedLinear(in, out, 0.0) : new Relu6(in, out));
    }

    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        if (max == null) {
            Nd4j.getExecutioner().exec(new Step(in, gradient, 0.0));
        } else {
            gradient.assign(in).subi(max / 2).divi(max / 2);
            Nd4j.getExecutioner().exec(new HardTanhDerivative(gradient, gradient));
        }
        gradient.muli(epsilon);
    }

    @Override
    public String toString() {
        return max == null ? "relu" : "relu" + max.intValue();
    }
}
