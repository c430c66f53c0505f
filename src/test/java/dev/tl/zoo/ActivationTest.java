package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.layers.OutOfPlaceActivation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** tl's ReLU/ReLU6/swish compute exactly what DL4J's do, forward and backward, in place or not. */
class ActivationTest {

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"RELU", "RELU6", "SWISH"})
    void matchesDl4j(Activation activation) {
        IActivation ours = NetBuilder.function(activation);
        assertThat(ours).isInstanceOf(OutOfPlaceActivation.class);
        INDArray z = Nd4j.randn(DataType.FLOAT, 4, 5, 6, 7).muli(5); // spans both kinks
        float[] atTheKinks = {0f, 6f, 1e-9f, -1e-9f, 5.9999995f, 6.0000005f};
        for (int i = 0; i < atTheKinks.length; i++) {
            z.putScalar(i, atTheKinks[i]);
        }
        INDArray eps = Nd4j.randn(DataType.FLOAT, 4, 5, 6, 7);

        assertThat(ours.getActivation(z.dup(), true))
                .isEqualTo(activation.getActivationFunction().getActivation(z.dup(), true));
        assertThat(ours.backprop(z.dup(), eps.dup()).getFirst())
                .isEqualTo(activation.getActivationFunction().backprop(z.dup(), eps.dup()).getFirst());

        OutOfPlaceActivation outOfPlace = (OutOfPlaceActivation) ours;
        INDArray in = z.dup();
        INDArray out = z.ulike();
        INDArray gradient = z.ulike();
        outOfPlace.forward(in, out);
        outOfPlace.backward(in, eps, gradient);
        assertThat(in).as("input untouched").isEqualTo(z);
        assertThat(out).isEqualTo(activation.getActivationFunction().getActivation(z.dup(), true));
        assertThat(gradient).isEqualTo(activation.getActivationFunction().backprop(z.dup(), eps.dup()).getFirst());
    }
}
