package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.layers.ChannelLayerNormalization;
import dev.tl.zoo.layers.LayerScale;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNormalization over the channels and LayerScale compute what Keras defines, on feature maps in either layout
 * and on pooled vectors, checked against plain loops; their configurations survive DL4J's JSON.
 */
class ChannelLayersTest {

    private static final int C = 5;
    private static final double EPSILON = 1e-6;

    private static ComputationGraph network(CNN2DFormat format) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(3, 4, C, format))
                .addLayer("ln", new ChannelLayerNormalization("ln", C, EPSILON, format), "in")
                .addLayer("scale", new LayerScale("scale", C, 1e-6, format), "ln")
                .setOutputs("scale")
                .build();
        ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(conf.toJson()));
        graph.init();
        graph.getLayer("ln").getParam("gamma").assign(Nd4j.create(new float[] {1.5f, 0.5f, -1f, 2f, 0.25f}));
        graph.getLayer("ln").getParam("beta").assign(Nd4j.create(new float[] {0.1f, -0.2f, 0.3f, 0f, 1f}));
        graph.getLayer("scale").getParam("gamma").assign(Nd4j.create(new float[] {2f, -1f, 0.5f, 3f, 1f}));
        return graph;
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void normalisesEachPositionOverItsChannelsThenScales(CNN2DFormat format) {
        ComputationGraph graph = network(format);
        INDArray x = Nd4j.randn(DataType.FLOAT, format == CNN2DFormat.NHWC ? new long[] {2, 3, 4, C}
                : new long[] {2, C, 3, 4}).muli(3).addi(1);
        INDArray y = graph.outputSingle(x);

        float[] gamma = graph.getLayer("ln").getParam("gamma").toFloatVector();
        float[] beta = graph.getLayer("ln").getParam("beta").toFloatVector();
        float[] scale = graph.getLayer("scale").getParam("gamma").toFloatVector();
        double worst = 0;
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 3; h++) {
                for (int w = 0; w < 4; w++) {
                    double[] v = new double[C];
                    double mean = 0;
                    for (int c = 0; c < C; c++) {
                        v[c] = at(x, format, n, c, h, w);
                        mean += v[c] / C;
                    }
                    double variance = 0;
                    for (int c = 0; c < C; c++) {
                        variance += (v[c] - mean) * (v[c] - mean) / C;
                    }
                    for (int c = 0; c < C; c++) {
                        double expected = ((v[c] - mean) / Math.sqrt(variance + EPSILON) * gamma[c] + beta[c]) * scale[c];
                        worst = Math.max(worst, Math.abs(at(y, format, n, c, h, w) - expected));
                    }
                }
            }
        }
        assertThat(worst).isLessThan(1e-5);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void normalisesPooledVectorsOverTheirChannels(CNN2DFormat format) {
        Layer ln = network(format).getLayer("ln");
        INDArray x = Nd4j.create(new float[][] {{1, 2, 3, 4, 10}, {-1, -1, -1, -1, -1}});
        INDArray y = ln.activate(x, false, LayerWorkspaceMgr.noWorkspaces());

        double mean = 4;
        double std = Math.sqrt((9 + 4 + 1 + 0 + 36) / 5.0 + EPSILON);
        assertThat(y.getDouble(0, 4)).isCloseTo((10 - mean) / std * 0.25 + 1, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(y.getDouble(0, 0)).isCloseTo((1 - mean) / std * 1.5 + 0.1, org.assertj.core.data.Offset.offset(1e-5));
        // A constant vector has no variance: ε keeps it finite, and every channel lands on its beta.
        assertThat(y.getRow(1).toFloatVector()).containsExactly(0.1f, -0.2f, 0.3f, 0f, 1f);
    }

    private static double at(INDArray array, CNN2DFormat format, int n, int c, int h, int w) {
        return format == CNN2DFormat.NHWC ? array.getDouble(n, h, w, c) : array.getDouble(n, c, h, w);
    }
}
