package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.tl.zoo.layers.GeluActivation;
import dev.tl.zoo.layers.HardSigmoidActivation;
import dev.tl.zoo.layers.HardSwishActivation;
import dev.tl.zoo.layers.OutOfPlaceActivation;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * tl's ReLU/ReLU6/swish compute exactly what DL4J's do, forward and backward, in place or not; GELU, hard swish and
 * hard sigmoid (which DL4J lacks or defines otherwise) compute Keras' functions, with their derivatives.
 */
class ActivationTest {

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /** Keras' definitions, written out (Φ from its values at a few points: Java has no erf). */
    static Stream<Arguments> kerasFunctions() {
        DoubleUnaryOperator hardSigmoid = x -> Math.min(Math.max(x + 3, 0), 6) / 6;
        return Stream.of(
                arguments(new HardSigmoidActivation(), hardSigmoid),
                arguments(new HardSwishActivation(), (DoubleUnaryOperator) x -> x * hardSigmoid.applyAsDouble(x)));
    }

    @ParameterizedTest
    @MethodSource("kerasFunctions")
    void computesKerasFunctionAndItsDerivative(IActivation activation, DoubleUnaryOperator keras) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        INDArray x = Nd4j.linspace(-5.05, 5.05, 102, DataType.DOUBLE);   // steps of 0.1, never on a kink
        INDArray y = activation.getActivation(x.dup(), false);
        INDArray gradient = activation.backprop(x.dup(), Nd4j.onesLike(x)).getFirst();
        for (int i = 0; i < x.length(); i++) {
            double v = x.getDouble(i);
            double h = 1e-6;
            assertThat(y.getDouble(i)).isCloseTo(keras.applyAsDouble(v), offset(1e-12));
            assertThat(gradient.getDouble(i)).as("derivative at " + v)
                    .isCloseTo((keras.applyAsDouble(v + h) - keras.applyAsDouble(v - h)) / (2 * h), offset(1e-6));
        }
    }

    @Test
    void geluIsTheExactErfForm() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        // x·Φ(x) with Φ(0.5) = 0.6914624612740131, Φ(1) = 0.8413447460685429, Φ(2) = 0.9772498680518208
        INDArray x = Nd4j.create(new double[] {-2, -1, -0.5, 0, 0.5, 1, 2});
        double[] expected = {-2 * (1 - 0.9772498680518208), -(1 - 0.8413447460685429),
                -0.5 * (1 - 0.6914624612740131), 0, 0.5 * 0.6914624612740131, 0.8413447460685429,
                2 * 0.9772498680518208};
        assertThat(new GeluActivation().getActivation(x.dup(), false).toDoubleVector())
                .containsExactly(expected, offset(1e-7));
        // d/dx x·Φ(x) at 0 is Φ(0) = 1/2, at 1 it is Φ(1) + φ(1)
        INDArray derivative = new GeluActivation().backprop(Nd4j.create(new double[] {0, 1}),
                Nd4j.ones(DataType.DOUBLE, 2)).getFirst();
        assertThat(derivative.toDoubleVector()).containsExactly(
                new double[] {0.5, 0.8413447460685429 + Math.exp(-0.5) / Math.sqrt(2 * Math.PI)}, offset(1e-7));
    }

    @ParameterizedTest
    @MethodSource("tlsOwn")
    void outOfPlacePassesLeaveTheInputAndMatchTheInPlaceOnes(IActivation activation) {
        INDArray z = Nd4j.randn(DataType.FLOAT, 3, 4, 5, 6).muli(4);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 3, 4, 5, 6);
        OutOfPlaceActivation outOfPlace = (OutOfPlaceActivation) activation;
        INDArray in = z.dup();
        INDArray out = z.ulike();
        INDArray gradient = z.ulike();
        outOfPlace.forward(in, out);
        outOfPlace.backward(in, eps, gradient);
        assertThat(in).as("input untouched").isEqualTo(z);
        assertThat(out).isEqualTo(activation.getActivation(z.dup(), true));
        assertThat(gradient).isEqualTo(activation.backprop(z.dup(), eps.dup()).getFirst());
    }

    static Stream<IActivation> tlsOwn() {
        return Stream.of(new GeluActivation(), new HardSwishActivation(), new HardSigmoidActivation());
    }

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
