package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * NASNet's second path when it halves the older input: zero padding at the bottom/right, cropping at the top/left
 * (a shift by one pixel), then a 1x1 average pooling with stride 2, i.e. every other pixel from (1, 1) on, zero
 * past the edge. Forward and (in double precision) backward, in both layouts.
 */
class ShiftedPoolingTest {

    private static final int HEIGHT = 4;
    private static final int WIDTH = 5;

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static ComputationGraph network(CNN2DFormat format, DataType type) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(4).dataType(type).updater(new NoOp())
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(HEIGHT, WIDTH, 2, format));
        NetBuilder net = new NetBuilder(graph, "", new NetBuilder.Options(format, BatchNormMode.FROZEN, n -> false));
        FeatureMap x = net.conv("conv", new FeatureMap("in", 2, HEIGHT, WIDTH), 3, 1, 1, Padding.SAME, true);
        x = net.zeroPad("zero_padding2d", x, 0, 1, 0, 1);
        x = net.crop("cropping2d", x, 1, 0, 1, 0);
        x = net.avgPool("adjust_avg_pool_2", x, 1, 2, Padding.VALID);
        graph.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                .activation(Activation.SOFTMAX).build(), net.globalAvgPool("pool", x).name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs("out").build());
        network.init();
        return network;
    }

    private static INDArray channelsLast(INDArray x, CNN2DFormat format) {
        return format == CNN2DFormat.NHWC ? x : x.permute(0, 2, 3, 1);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void takesEveryOtherPixelFromTheSecond(CNN2DFormat format) {
        ComputationGraph network = network(format, DataType.FLOAT);
        INDArray input = format == CNN2DFormat.NHWC ? Nd4j.randn(DataType.FLOAT, 1, HEIGHT, WIDTH, 2)
                : Nd4j.randn(DataType.FLOAT, 1, 2, HEIGHT, WIDTH);

        var activations = network.feedForward(input, false);
        INDArray conv = channelsLast(activations.get("conv"), format);
        INDArray shifted = channelsLast(activations.get("adjust_avg_pool_2"), format);

        assertThat(shifted.shape()).containsExactly(1, 2, 3, 3);
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                for (int ch = 0; ch < 3; ch++) {
                    int row = 2 * r + 1;
                    int col = 2 * c + 1;
                    double expected = row < HEIGHT && col < WIDTH ? conv.getDouble(0, row, col, ch) : 0;
                    assertThat(shifted.getDouble(0, r, c, ch)).as("[%d, %d, %d]", r, c, ch).isEqualTo(expected);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void gradientsAreExact(CNN2DFormat format) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph network = network(format, DataType.DOUBLE);
        INDArray input = format == CNN2DFormat.NHWC ? Nd4j.rand(DataType.DOUBLE, 2, HEIGHT, WIDTH, 2)
                : Nd4j.rand(DataType.DOUBLE, 2, 2, HEIGHT, WIDTH);

        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(network).inputs(new INDArray[] {input})
                .labels(new INDArray[] {Nd4j.create(new double[][] {{1, 0}, {0, 1}})})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
