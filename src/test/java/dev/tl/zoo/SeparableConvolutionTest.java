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
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Keras' SeparableConv2D in both layouts, 'same' (with TensorFlow's bottom/right extra padding) and strided
 * 'valid': a depthwise 3x3 convolution, then a pointwise one plus the bias, computed here by plain loops, and
 * exact gradients in double precision.
 */
class SeparableConvolutionTest {

    private static final int IN = 3;
    private static final int OUT = 4;
    private static final int HEIGHT = 5;
    private static final int WIDTH = 6;

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static ComputationGraph network(CNN2DFormat format, int stride, Padding padding, boolean bias,
                                            DataType type) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(11).dataType(type).updater(new NoOp())
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(HEIGHT, WIDTH, IN, format));
        NetBuilder net = new NetBuilder(graph, "", new NetBuilder.Options(format, BatchNormMode.FROZEN, n -> false));
        FeatureMap x = net.separableConv("sep", new FeatureMap("in", IN, HEIGHT, WIDTH), OUT, 3, stride, padding,
                bias);
        graph.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(OUT).nOut(2)
                .activation(Activation.SOFTMAX).build(), net.globalAvgPool("pool", x).name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs("out").build());
        network.init();
        if (bias) {
            network.getLayer("sep").getParam("b").assign(Nd4j.randn(type, 1, OUT));
        }
        return network;
    }

    /** out[y][x][o] = b[o] + sum_c pW[o][c] * sum_ij W[c][i][j] * in[y*s + i - top][x*s + j - left][c]. */
    private static double expected(INDArray in, INDArray depthwise, INDArray pointwise, INDArray bias, int stride,
                                   Padding padding, int y, int x, int o) {
        int top = padding == Padding.SAME ? padBefore(HEIGHT, stride) : 0;
        int left = padding == Padding.SAME ? padBefore(WIDTH, stride) : 0;
        double sum = bias == null ? 0 : bias.getDouble(o);
        for (int c = 0; c < IN; c++) {
            double spatial = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    int r = y * stride + i - top;
                    int col = x * stride + j - left;
                    if (r >= 0 && r < HEIGHT && col >= 0 && col < WIDTH) {
                        spatial += depthwise.getDouble(0, c, i, j) * in.getDouble(0, r, col, c);
                    }
                }
            }
            sum += pointwise.getDouble(o, c, 0, 0) * spatial;
        }
        return sum;
    }

    private static int padBefore(int size, int stride) {
        int out = (size + stride - 1) / stride;
        return Math.max(0, (out - 1) * stride + 3 - size) / 2;
    }

    @ParameterizedTest(name = "{0}, stride {1}, {2}, bias {3}")
    @CsvSource({"NHWC, 1, SAME, true", "NHWC, 2, VALID, false", "NCHW, 1, SAME, false", "NCHW, 2, SAME, true"})
    void computesDepthwiseThenPointwise(CNN2DFormat format, int stride, Padding padding, boolean bias) {
        ComputationGraph network = network(format, stride, padding, bias, DataType.FLOAT);
        INDArray nhwc = Nd4j.randn(DataType.FLOAT, 1, HEIGHT, WIDTH, IN);

        INDArray out = network.feedForward(format == CNN2DFormat.NHWC ? nhwc : nhwc.permute(0, 3, 1, 2).dup(),
                false).get("sep");
        if (format == CNN2DFormat.NCHW) {
            out = out.permute(0, 2, 3, 1);
        }

        var layer = network.getLayer("sep");
        assertThat(out.shape()).containsExactly(1, padding.outputSize(HEIGHT, 3, stride),
                padding.outputSize(WIDTH, 3, stride), OUT);
        for (int y = 0; y < out.size(1); y++) {
            for (int x = 0; x < out.size(2); x++) {
                for (int o = 0; o < OUT; o++) {
                    assertThat(out.getDouble(0, y, x, o)).as("[%d, %d, %d]", y, x, o).isCloseTo(
                            expected(nhwc, layer.getParam("W"), layer.getParam("pW"), bias ? layer.getParam("b")
                                    : null, stride, padding, y, x, o), org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}, stride {1}, {2}, bias {3}")
    @CsvSource({"NHWC, 1, SAME, true", "NHWC, 2, VALID, false", "NCHW, 1, SAME, false", "NCHW, 2, SAME, true"})
    void gradientsAreExact(CNN2DFormat format, int stride, Padding padding, boolean bias) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph network = network(format, stride, padding, bias, DataType.DOUBLE);
        INDArray input = format == CNN2DFormat.NHWC ? Nd4j.rand(DataType.DOUBLE, 2, HEIGHT, WIDTH, IN)
                : Nd4j.rand(DataType.DOUBLE, 2, IN, HEIGHT, WIDTH);

        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(network).inputs(new INDArray[] {input})
                .labels(new INDArray[] {Nd4j.create(new double[][] {{1, 0}, {0, 1}})})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
