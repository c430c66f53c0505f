package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.layers.FrozenBatchNormalization;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class FrozenBatchNormalizationTest {

    private static final double EPS = 1e-3;

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /** conv -> frozen BN -> tanh -> global average pool -> softmax, with non-trivial BN statistics. */
    private static ComputationGraph network(DataType type) {
        return network(type, CNN2DFormat.NCHW);
    }

    private static ComputationGraph network(DataType type, CNN2DFormat format) {
        return network(type, format, new org.nd4j.linalg.activations.impl.ActivationIdentity());
    }

    private static ComputationGraph network(DataType type, CNN2DFormat format,
                                            org.nd4j.linalg.activations.IActivation fused) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(type).updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(5, 5, 3, format))
                .addLayer("conv", new dev.tl.zoo.layers.NativeConvolution(new ConvolutionLayer.Builder(3, 3).nOut(4)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).dataFormat(format)),
                        "in")
                .addLayer("bn", new FrozenBatchNormalization("bn", 4, EPS, format, fused), "conv")
                .addLayer("act", new ActivationLayer.Builder().activation(Activation.TANH).build(), "bn")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "act")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getLayer("bn").getParam("gamma").assign(Nd4j.create(new double[] {1.5, 0.5, -1.0, 2.0}));
        graph.getLayer("bn").getParam("beta").assign(Nd4j.create(new double[] {0.1, -0.2, 0.3, 0.0}));
        graph.getLayer("bn").getParam("mean").assign(Nd4j.create(new double[] {0.2, -0.1, 0.05, 0.3}));
        graph.getLayer("bn").getParam("var").assign(Nd4j.create(new double[] {0.5, 2.0, 1.0, 0.25}));
        return graph;
    }

    @Test
    void forwardUsesRunningStatisticsEvenInTraining() {
        ComputationGraph graph = network(DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 4, 5, 5);
        INDArray y = graph.getLayer("bn").activate(x, true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());

        INDArray gamma = graph.getLayer("bn").getParam("gamma").reshape(1, 4, 1, 1);
        INDArray beta = graph.getLayer("bn").getParam("beta").reshape(1, 4, 1, 1);
        INDArray mean = graph.getLayer("bn").getParam("mean").reshape(1, 4, 1, 1);
        INDArray std = org.nd4j.linalg.ops.transforms.Transforms.sqrt(
                graph.getLayer("bn").getParam("var").reshape(1, 4, 1, 1).add(EPS));
        INDArray expected = x.sub(mean.broadcast(x.shape())).div(std.broadcast(x.shape()))
                .mul(gamma.broadcast(x.shape())).add(beta.broadcast(x.shape()));
        assertThat(y.equalsWithEps(expected, 1e-5)).isTrue();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(CNN2DFormat.class)
    void gradientsFlowThroughToLowerLayers(CNN2DFormat format) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph graph = network(DataType.DOUBLE, format);
        INDArray input = format == CNN2DFormat.NCHW ? Nd4j.rand(DataType.DOUBLE, 3, 3, 5, 5)
                : Nd4j.rand(DataType.DOUBLE, 3, 5, 5, 3);

        assertGradientsMatchNumerically(graph, input);
    }

    /** With the following activation fused in (BN then swish in one layer), as the zoo builds frozen BatchNorm. */
    @Test
    void gradientsFlowThroughAFusedActivation() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph graph = network(DataType.DOUBLE, CNN2DFormat.NHWC, new dev.tl.zoo.layers.SwishActivation());
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 5, 5, 3);
        assertGradientsMatchNumerically(graph, input);
    }

    /** BN parameters get zero gradient by design; the conv below must get exact gradients through BN. */
    private static void assertGradientsMatchNumerically(ComputationGraph graph, INDArray input) {
        INDArray labels = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 0}});
        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(graph).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .excludeParams(Set.of("bn_gamma", "bn_beta", "bn_mean", "bn_var"))
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-10));
    }

    /**
     * In float, the layer computes BatchNorm (then ReLU) in one pass each way: its output and the gradient it passes
     * down equal the definition's, dL/dx = s·dL/dy where the normalised input is positive, in both layouts.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"NCHW, true", "NHWC, true", "NCHW, false", "NHWC, false"})
    void computesBatchNormAndReLUInOnePassEachWay(CNN2DFormat format, boolean relu) {
        ComputationGraph graph = network(DataType.FLOAT, format, relu ? dev.tl.zoo.layers.ReLUActivation.relu()
                : new org.nd4j.linalg.activations.impl.ActivationIdentity());
        graph.initGradientsView();
        org.deeplearning4j.nn.api.Layer bn = graph.getLayer("bn");
        long[] shape = format == CNN2DFormat.NCHW ? new long[] {2, 4, 5, 5} : new long[] {2, 5, 5, 4};
        long[] perChannel = format == CNN2DFormat.NCHW ? new long[] {1, 4, 1, 1} : new long[] {1, 1, 1, 4};
        INDArray x = Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(4);
        INDArray epsilon = Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
        var workspaces = org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();

        INDArray y = bn.activate(x, true, workspaces).dup();
        INDArray dx = bn.backpropGradient(epsilon, workspaces).getSecond();

        INDArray scale = bn.getParam("gamma").reshape(perChannel).div(org.nd4j.linalg.ops.transforms.Transforms.sqrt(
                bn.getParam("var").reshape(perChannel).add(EPS))).broadcast(shape);
        INDArray z = x.sub(bn.getParam("mean").reshape(perChannel).broadcast(shape)).muli(scale)
                .addi(bn.getParam("beta").reshape(perChannel).broadcast(shape));
        INDArray mask = relu ? z.gt(0).castTo(DataType.FLOAT) : Nd4j.onesLike(z);
        assertThat(y.equalsWithEps(relu ? z.mul(mask) : z, 1e-5)).as("forward").isTrue();
        assertThat(dx.equalsWithEps(epsilon.mul(scale).muli(mask), 1e-6)).as("backward").isTrue();
        assertThat(mask.minNumber().doubleValue()).as("ReLU cuts somewhere").isEqualTo(relu ? 0.0 : 1.0);
    }

    @Test
    void fittingNeverChangesBatchNormParameters() {
        ComputationGraph graph = network(DataType.FLOAT);
        graph.setLearningRate(0.1);
        INDArray before = graph.getLayer("bn").params().dup();
        INDArray convBefore = graph.getLayer("conv").params().dup();
        for (int i = 0; i < 3; i++) {
            graph.fit(new org.nd4j.linalg.dataset.MultiDataSet(Nd4j.rand(DataType.FLOAT, 4, 3, 5, 5),
                    Nd4j.create(new float[][] {{1, 0}, {0, 1}, {1, 0}, {0, 1}})));
        }
        assertThat(graph.getLayer("bn").params()).isEqualTo(before);
        assertThat(graph.getLayer("conv").params()).isNotEqualTo(convBefore);
    }

    @Test
    void configurationSurvivesJsonRoundTrip() {
        ComputationGraph graph = network(DataType.FLOAT);
        String json = graph.getConfiguration().toJson();
        ComputationGraph restored = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
        restored.init(graph.params().dup(), false);
        assertThat(restored.getLayer("bn")).isInstanceOf(dev.tl.zoo.layers.FrozenBatchNormalizationLayer.class);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 5);
        assertThat(restored.output(x)[0]).isEqualTo(graph.output(x)[0]);
    }
}
