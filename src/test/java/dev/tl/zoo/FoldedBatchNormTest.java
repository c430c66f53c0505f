package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.model.BatchNormFolding;
import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.NativeDepthwiseConvolution;
import dev.tl.zoo.layers.ReLUActivation;
import dev.tl.zoo.layers.SwishActivation;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Frozen BatchNorm folded into the convolution before it during training computes the unfolded graph's step: a
 * gradient check in double through a folded convolution (with and without bias) and a folded depthwise convolution,
 * and the folded graph's SGD steps against the unfolded graph's in float.
 */
class FoldedBatchNormTest {

    private static final String[] BATCH_NORMS = {"bn1", "bn2", "bn3"};

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /**
     * conv 3x3 → BN + act1 → depthwise 3x3 (stride 2) → BN + act2 → conv 1x1 with bias → BN → pool → softmax, the
     * convolutions' pattern in MobileNet and EfficientNet, with DL4J's depthwise layer as the zoo builds it.
     */
    private static ComputationGraphConfiguration configuration(DataType type, IActivation act1, IActivation act2) {
        CNN2DFormat nhwc = CNN2DFormat.NHWC;
        return new NeuralNetConfiguration.Builder()
                .seed(5).dataType(type).updater(type == DataType.DOUBLE ? new NoOp() : new Sgd(0.1))
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(7, 7, 3, nhwc))
                .addLayer("conv1", new NativeConvolution(new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).dataFormat(nhwc)), "in")
                .addLayer("bn1", new FrozenBatchNormalization("bn1", 4, 1e-3, nhwc, act1), "conv1")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2).nIn(4).nOut(4).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).dataFormat(nhwc)
                        .build(), "bn1")
                .addLayer("bn2", new FrozenBatchNormalization("bn2", 4, 1e-3, nhwc, act2), "dw")
                .addLayer("conv2", new NativeConvolution(new ConvolutionLayer.Builder(1, 1).nOut(5).hasBias(true)
                        .activation(Activation.IDENTITY).dataFormat(nhwc)), "bn2")
                .addLayer("bn3", new FrozenBatchNormalization("bn3", 5, 1e-3, nhwc), "conv2")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn3")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
    }

    /** Non-trivial statistics and affine parameters for every BatchNorm, and a non-zero convolution bias. */
    private static void setBatchNorms(ComputationGraph graph) {
        for (String name : BATCH_NORMS) {
            long channels = graph.getLayer(name).getParam("gamma").length();
            DataType type = graph.getLayer(name).getParam("gamma").dataType();
            graph.getLayer(name).getParam("gamma").assign(Nd4j.linspace(type, 1.5, -0.4, channels));
            graph.getLayer(name).getParam("beta").assign(Nd4j.linspace(type, 0.1, 0.05, channels));
            graph.getLayer(name).getParam("mean").assign(Nd4j.linspace(type, -0.2, 0.1, channels));
            graph.getLayer(name).getParam("var").assign(Nd4j.linspace(type, 0.5, 0.4, channels));
        }
        graph.getLayer("conv2").getParam("b").assign(Nd4j.linspace(graph.params().dataType(), -0.3, 0.1, 5));
    }

    @Test
    void foldedGradientsMatchNumericalOnes() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph graph = BatchNormFolding.training(configuration(DataType.DOUBLE, new SwishActivation(),
                new SwishActivation()));
        setBatchNorms(graph);
        assertThat(graph.getLayer("dw").getConfig()).isInstanceOf(NativeDepthwiseConvolution.class);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 7, 7, 3).subi(0.5);
        INDArray labels = Nd4j.create(new double[][] {{1, 0}, {0, 1}, {1, 0}});

        Set<String> frozen = Set.of("bn1_gamma", "bn1_beta", "bn1_mean", "bn1_var", "bn2_gamma", "bn2_beta",
                "bn2_mean", "bn2_var", "bn3_gamma", "bn3_beta", "bn3_mean", "bn3_var");
        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(graph).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .excludeParams(frozen)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-10).subset(true).maxPerParam(10));
    }

    /** Three SGD steps of the folded and the unfolded graph from the same parameters, with ReLU6 as MobileNet has. */
    @Test
    void foldedGraphTakesTheUnfoldedGraphsSteps() {
        ComputationGraph unfolded = new ComputationGraph(configuration(DataType.FLOAT, ReLUActivation.relu6(),
                ReLUActivation.relu6()));
        unfolded.init();
        setBatchNorms(unfolded);
        ComputationGraph folded = BatchNormFolding.training(configuration(DataType.FLOAT, ReLUActivation.relu6(),
                ReLUActivation.relu6()));
        folded.setParams(unfolded.params().dup());
        INDArray initial = unfolded.params().dup();
        INDArray bnBefore = unfolded.getLayer("bn2").params().dup();

        MultiDataSet batch = new MultiDataSet(Nd4j.rand(DataType.FLOAT, 8, 7, 7, 3).muli(4).subi(2),
                Nd4j.eye(2).getRows(0, 1, 1, 0, 0, 1, 1, 0).castTo(DataType.FLOAT));
        for (int step = 0; step < 3; step++) {
            unfolded.fit(batch);
            folded.fit(batch);
            assertThat(folded.score()).isCloseTo(unfolded.score(), org.assertj.core.data.Offset.offset(1e-5));
        }

        double moved = unfolded.params().sub(initial).amaxNumber().doubleValue();
        assertThat(moved).as("the steps move the weights").isGreaterThan(1e-3);
        assertThat(folded.params().sub(unfolded.params()).amaxNumber().doubleValue()).isLessThan(moved * 1e-4);
        assertThat(folded.getLayer("bn2").params()).as("BatchNorm stays frozen").isEqualTo(bnBefore);
        INDArray x = batch.getFeatures(0);
        assertThat(folded.outputSingle(x).sub(unfolded.outputSingle(x)).amaxNumber().doubleValue()).isLessThan(1e-5);
    }
}
