package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
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
 * Keras' pooling over 'same' padding, as TensorFlow computes it: the extra row and column of padding at the
 * bottom/right, average pooling dividing by the number of values the window covers (InceptionV3, NASNet), max
 * pooling ignoring the padding (Xception, NASNet).
 */
class KerasPoolingTest {

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static ComputationGraph pooling(boolean average, int size, int stride, DataType type) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(3).dataType(type).updater(new NoOp())
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(size, size + 1, 2,
                        NetBuilder.layout()));
        NetBuilder net = new NetBuilder(graph, "", NetBuilder.Options.inference());
        FeatureMap in = new FeatureMap("in", 2, size, size + 1);
        FeatureMap x = average ? net.avgPool("pool", in, 3, stride, Padding.SAME)
                : net.maxPool("pool", in, 3, stride, Padding.SAME);
        x = net.globalAvgPool("global", net.conv("conv", x, 3, 1, 1, Padding.SAME, true));
        graph.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                .activation(Activation.SOFTMAX).build(), x.name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs("out").build());
        network.init();
        return network;
    }

    /** Window rows/columns [out * stride - before, + 3) with TensorFlow's 'same' padding before. */
    private static double expected(INDArray x, boolean average, int stride, int row, int col, int channel) {
        int rowsBefore = padBefore((int) x.size(1), stride);
        int colsBefore = padBefore((int) x.size(2), stride);
        double sum = 0;
        double max = Double.NEGATIVE_INFINITY;
        int covered = 0;
        for (int r = row * stride - rowsBefore; r < row * stride - rowsBefore + 3; r++) {
            for (int c = col * stride - colsBefore; c < col * stride - colsBefore + 3; c++) {
                if (r >= 0 && r < x.size(1) && c >= 0 && c < x.size(2)) {
                    double v = x.getDouble(0, r, c, channel);
                    sum += v;
                    max = Math.max(max, v);
                    covered++;
                }
            }
        }
        return average ? sum / covered : max;
    }

    private static int padBefore(int size, int stride) {
        int out = (size + stride - 1) / stride;
        return Math.max(0, (out - 1) * stride + 3 - size) / 2;
    }

    @ParameterizedTest(name = "average {0}, stride {1}")
    @CsvSource({"true, 1", "true, 2", "false, 1", "false, 2"})
    void poolsOverTheValuesTheWindowCovers(boolean average, int stride) {
        ComputationGraph network = pooling(average, 4, stride, DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 4, 5, 2).subi(0.5); // negative values: zero padding would show

        INDArray pooled = network.feedForward(NetBuilder.layout() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC
                ? x : x.permute(0, 3, 1, 2).dup(), false).get("pool");
        if (NetBuilder.layout() != org.deeplearning4j.nn.conf.CNN2DFormat.NHWC) {
            pooled = pooled.permute(0, 2, 3, 1);
        }

        assertThat(pooled.shape()).containsExactly(1, (4 + stride - 1) / stride, (5 + stride - 1) / stride, 2);
        for (int r = 0; r < pooled.size(1); r++) {
            for (int c = 0; c < pooled.size(2); c++) {
                for (int ch = 0; ch < 2; ch++) {
                    assertThat(pooled.getDouble(0, r, c, ch)).as("[%d, %d, %d]", r, c, ch)
                            .isCloseTo(expected(x, average, stride, r, c, ch), org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
    }

    @ParameterizedTest(name = "average {0}, stride {1}")
    @CsvSource({"true, 1", "true, 2", "false, 1", "false, 2"})
    void gradientsAreExact(boolean average, int stride) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph network = pooling(average, 4, stride, DataType.DOUBLE);
        INDArray input = NetBuilder.layout() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC
                ? Nd4j.rand(DataType.DOUBLE, 2, 4, 5, 2) : Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 5);

        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(network).inputs(new INDArray[] {input})
                .labels(new INDArray[] {Nd4j.create(new double[][] {{1, 0}, {0, 1}})})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
