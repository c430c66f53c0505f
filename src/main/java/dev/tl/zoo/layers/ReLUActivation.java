package dev.tl.zoo.layers;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Relu6;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Min;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * ReLU, or ReLU6 with {@code max = 6}, whose backward pass runs as vectorised element-wise operations. DL4J's own
 * ReLU/ReLU6 backprop calls libnd4j ops that evaluate a std::function per element and allocate their output: on a
 * MobileNetV2 batch 16 at 224 px they took ~15% of a training step (docs/BENCHMARKS.md). Only libnd4j's scalar and
 * pairwise operations are used: its transform operations with arguments (hard tanh derivative, compare-and-set)
 * measured 3-4x slower per element on a 2-core AVX-512 VM.
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
        forward(in, in);
        return in;
    }

    /** dL/dz = dL/da where 0 &lt; z (&lt; max), else 0; ReLU overwrites {@code in} with the result. */
    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        if (max == null) {
            Nd4j.getExecutioner().exec(new Step(in, in, 0.0));
            return new Pair<>(in.muli(epsilon), null);
        }
        INDArray gradient = in.ulike();
        backward(in, epsilon, gradient);
        return new Pair<>(gradient, null);
    }

    /** One oneDNN pass where it applies ({@link Eltwise}): libnd4j's ReLU6 took 2.5 times as long. */
    @Override
    public void forward(INDArray in, INDArray out) {
        if (!Eltwise.forward(function(), in, out)) {
            Nd4j.getExecutioner().exec(max == null ? new RectifiedLinear(in, out, 0.0) : new Relu6(in, out));
        }
    }

    private Eltwise.Function function() {
        return max == null ? Eltwise.Function.RELU : Eltwise.Function.RELU6;
    }

    /**
     * One oneDNN pass where it applies ({@link Eltwise}); otherwise, for ReLU6, 0 &lt; z &lt; max exactly when
     * min(z, max - z) &gt; 0 (max - z is exact in float where it is the smaller one), so the mask is three fast
     * passes and needs no second buffer.
     */
    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        if (Eltwise.backward(function(), in, epsilon, gradient)) {
            return;
        }
        if (max == null) {
            Nd4j.getExecutioner().exec(new Step(in, gradient, 0.0));
        } else {
            in.rsub(max, gradient);
            Nd4j.exec(new Min(in, gradient, gradient));
            Nd4j.getExecutioner().exec(new Step(gradient, gradient, 0.0));
        }
        gradient.muli(epsilon);
    }

    @Override
    public String toString() {
        return max == null ? "relu" : "relu" + max.intValue();
    }
}
