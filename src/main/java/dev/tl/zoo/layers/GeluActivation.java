package dev.tl.zoo.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GELU in its exact form, x·Φ(x) = x/2·(1 + erf(x/√2)), as Keras' {@code gelu} computes it by default
 * ({@code approximate=False}) and ConvNeXt was trained with. DL4J's GELU is x·sigmoid(1.702x) and its "precise" one
 * the tanh approximation: both differ from the exact form by up to ~1e-2.
 */
public class GeluActivation extends ElementwiseActivation {

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    @Override
    public void forward(INDArray in, INDArray out) {
        INDArray phi = cumulativeNormal(in);
        Nd4j.exec(new MulOp(in, phi, out));
    }

    /** d/dx x·Φ(x) = Φ(x) + x·φ(x), with φ(x) = exp(-x²/2)/√(2π). */
    @Override
    public void backward(INDArray in, INDArray epsilon, INDArray gradient) {
        INDArray density = in.mul(in).muli(-0.5);
        Nd4j.exec(new Exp(density, density));
        density.muli(in).muli(INV_SQRT_2PI);
        gradient.assign(cumulativeNormal(in)).addi(density).muli(epsilon);
    }

    /** Φ(x) = (1 + erf(x/√2))/2. */
    private static INDArray cumulativeNormal(INDArray x) {
        INDArray phi = x.mul(INV_SQRT2);
        Nd4j.exec(new Erf(phi, phi));
        return phi.addi(1).muli(0.5);
    }

    @Override
    public String toString() {
        return "gelu";
    }
}
