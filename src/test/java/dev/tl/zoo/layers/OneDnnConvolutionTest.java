package dev.tl.zoo.layers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * oneDNN's convolutions run what training gives them on the CPU (the fallback to libnd4j would hide a failure to
 * load them) and leave to libnd4j what they cannot take. NativeConvolutionTest checks their values against DL4J's.
 */
class OneDnnConvolutionTest {

    /** A 3x3 convolution, stride 1, padding 1, of 2 images of 6x6 with 4 channels into 5. */
    private static final OneDnnConvolution.Shape DENSE = new OneDnnConvolution.Shape(OneDnnConvolution.Weights.DENSE,
            2, 4, 5, 6, 6, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, false);

    @Test
    void computesChannelsLastFloatArraysAndWeightViews() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 6, 6, 4);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 7 + 5 * 4 * 9);
        INDArray weights = params.get(NDArrayIndex.point(0), NDArrayIndex.interval(7, 7 + 5 * 4 * 9))
                .reshape('c', 5, 4, 3, 3);   // a view 7 elements into the parameters, as DL4J's are
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 2, 6, 6, 5);

        assertThat(OneDnnConvolution.forward(DENSE, x, weights, null, out)).isTrue();
        // centre pixel of image 1, output channel 3: the full 3x3 window
        double expected = 0;
        for (int i = 0; i < 4; i++) {
            for (int dy = 0; dy < 3; dy++) {
                for (int dx = 0; dx < 3; dx++) {
                    expected += x.getDouble(1, 2 + dy, 2 + dx, i) * weights.getDouble(3, i, dy, dx);
                }
            }
        }
        assertThat(out.getDouble(1, 3, 3, 3)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5));

        INDArray inGradient = x.ulike();
        INDArray weightGradient = weights.ulike();
        assertThat(OneDnnConvolution.backward(DENSE, x, weights, out, inGradient, weightGradient, null)).isTrue();
        assertThat(weightGradient.amaxNumber().doubleValue()).isGreaterThan(0);
    }

    @Test
    void leavesDoublesAndScatteredArraysToLibnd4j() {
        INDArray weights = Nd4j.rand(DataType.FLOAT, 5, 4, 3, 3);
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, 2, 6, 6, 5);
        assertThat(OneDnnConvolution.forward(DENSE, Nd4j.rand(DataType.DOUBLE, 2, 6, 6, 4), weights, null, out))
                .isFalse();
        INDArray wide = Nd4j.rand(DataType.FLOAT, 2, 6, 6, 8);
        INDArray everyOtherChannel = wide.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(0, 2, 8));
        assertThat(OneDnnConvolution.forward(DENSE, everyOtherChannel, weights, null, out)).isFalse();
    }
}
