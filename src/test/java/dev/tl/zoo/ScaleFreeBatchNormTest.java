package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.ScaleFreeBatchNormalization;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Keras' BatchNormalization(scale=False) (InceptionV3, InceptionResNetV2): beta, moving mean and variance and no
 * gamma, frozen (inference mode) and trainable, with the same parameters either way.
 */
class ScaleFreeBatchNormTest {

    private static final double EPS = 1e-3;
    private static final CNN2DFormat FORMAT = CNN2DFormat.NHWC;

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /** conv -> BatchNorm -> global average pool -> softmax, with non-trivial statistics. */
    private static ComputationGraph network(DataType type, Layer batchNorm) {
        return network(type, batchNorm, new NoOp());
    }

    private static ComputationGraph network(DataType type, Layer batchNorm, IUpdater updater) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(type).updater(updater)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(5, 5, 3, FORMAT))
                .addLayer("conv", new dev.tl.zoo.layers.NativeConvolution(new ConvolutionLayer.Builder(3, 3).nOut(4)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).dataFormat(FORMAT)),
                        "in")
                .addLayer("bn", batchNorm, "conv")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getLayer("bn").getParam("beta").assign(Nd4j.create(new double[] {0.1, -0.2, 0.3, 0.0}));
        graph.getLayer("bn").getParam("mean").assign(Nd4j.create(new double[] {0.2, -0.1, 0.05, 0.3}));
        graph.getLayer("bn").getParam("var").assign(Nd4j.create(new double[] {0.5, 2.0, 1.0, 0.25}));
        return graph;
    }

    private static FrozenBatchNormalization frozen() {
        return new FrozenBatchNormalization("bn", 4, EPS, false, FORMAT, new ActivationIdentity());
    }

    private static ScaleFreeBatchNormalization trainable() {
        return new ScaleFreeBatchNormalization("bn", 4, EPS, 0.99, FORMAT);
    }

    @Test
    void threeParametersPerChannelAndNoGammaEitherWay() {
        ComputationGraph frozen = network(DataType.FLOAT, frozen());
        ComputationGraph trainable = network(DataType.FLOAT, trainable());

        assertThat(frozen.getLayer("bn").numParams()).isEqualTo(12);
        assertThat(frozen.getLayer("bn").paramTable().keySet()).containsExactly("beta", "mean", "var");
        assertThat(trainable.paramTable().keySet()).isEqualTo(frozen.paramTable().keySet());
    }

    @Test
    void frozenNormalisesWithTheRunningStatisticsAndNoScale() {
        ComputationGraph graph = network(DataType.FLOAT, frozen());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 5, 5, 4);

        INDArray y = graph.getLayer("bn").activate(x, true, LayerWorkspaceMgr.noWorkspaces());

        for (int c = 0; c < 4; c++) {
            double mean = graph.getLayer("bn").getParam("mean").getDouble(c);
            double std = Math.sqrt(graph.getLayer("bn").getParam("var").getDouble(c) + EPS);
            double beta = graph.getLayer("bn").getParam("beta").getDouble(c);
            assertThat(y.getDouble(1, 3, 2, c)).isCloseTo((x.getDouble(1, 3, 2, c) - mean) / std + beta,
                    org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void frozenPassesExactGradientsToTheLayersBelow() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph graph = network(DataType.DOUBLE, frozen());

        assertGradientsMatchNumerically(graph, Set.of("bn_beta", "bn_mean", "bn_var"));
    }

    /**
     * In training the layer normalises with the batch's statistics: beta and the layers below get exact gradients
     * (the convolution's bias none: the batch mean cancels it, numerically to within rounding).
     */
    @Test
    void trainableGradientsAreExact() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph graph = network(DataType.DOUBLE, trainable());

        assertGradientsMatchNumerically(graph, Set.of("bn_mean", "bn_var"));
    }

    @Test
    void trainingMovesBetaAndTheStatistics() {
        ComputationGraph graph = network(DataType.FLOAT, trainable(), new Sgd(0.1));
        java.util.Map<String, INDArray> before = new java.util.HashMap<>();
        graph.getLayer("bn").paramTable().forEach((key, value) -> before.put(key, value.dup()));

        graph.fit(new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.rand(DataType.FLOAT, 4, 5, 5, 3),
                Nd4j.create(new float[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}})));

        assertThat(before.keySet()).containsExactlyInAnyOrder("beta", "mean", "var");
        before.forEach((key, value) -> assertThat(graph.getLayer("bn").getParam(key)).as(key).isNotEqualTo(value));
    }

    @Test
    void bothSurviveJsonRoundTrips() {
        for (Layer layer : new Layer[] {frozen(), trainable()}) {
            ComputationGraph graph = network(DataType.FLOAT, layer);
            ComputationGraph restored = new ComputationGraph(
                    ComputationGraphConfiguration.fromJson(graph.getConfiguration().toJson()));
            restored.init(graph.params().dup(), false);
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 5, 5, 3);
            assertThat(restored.getLayer("bn").numParams()).isEqualTo(12);
            assertThat(restored.output(x)[0]).isEqualTo(graph.output(x)[0]);
        }
    }

    private static void assertGradientsMatchNumerically(ComputationGraph graph, Set<String> excluded) {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 5, 5, 3);
        INDArray labels = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 0}});
        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(graph).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .excludeParams(excluded)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
