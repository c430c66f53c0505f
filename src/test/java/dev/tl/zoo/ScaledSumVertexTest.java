package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** InceptionResNetV2's scaled residual x + scale * r, forward, backward and through JSON. */
class ScaledSumVertexTest {

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /** x -> conv (the residual branch) -> x + 0.17 * conv -> pooled softmax. */
    private static ComputationGraph network(DataType type) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(2).dataType(type).updater(new NoOp())
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(4, 5, 3, NetBuilder.layout()));
        NetBuilder net = new NetBuilder(graph, "", NetBuilder.Options.inference());
        FeatureMap in = new FeatureMap("in", 3, 4, 5);
        FeatureMap x = net.conv("stem", in, 3, 1, 1, Padding.SAME, true);
        FeatureMap residual = net.conv("branch", x, 3, 3, 1, Padding.SAME, true);
        x = net.scaledSum("block35_1", x, residual, 0.17);
        graph.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                .activation(Activation.SOFTMAX).build(), net.globalAvgPool("pool", x).name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs("out").build());
        network.init();
        return network;
    }

    private static INDArray input(DataType type) {
        return NetBuilder.layout() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC
                ? Nd4j.randn(type, 2, 4, 5, 3) : Nd4j.randn(type, 2, 3, 4, 5);
    }

    @Test
    void addsTheScaledResidualToTheInput() {
        ComputationGraph network = network(DataType.FLOAT);
        var activations = network.feedForward(input(DataType.FLOAT), false);

        INDArray expected = activations.get("branch").mul(0.17).addi(activations.get("stem"));
        assertThat(activations.get("block35_1").equalsWithEps(expected, 1e-6)).isTrue();
    }

    @Test
    void gradientsAreExact() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        ComputationGraph network = network(DataType.DOUBLE);

        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(network).inputs(new INDArray[] {input(DataType.DOUBLE)})
                .labels(new INDArray[] {Nd4j.create(new double[][] {{1, 0}, {0, 1}})})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }

    @Test
    void theScaleSurvivesJson() {
        ComputationGraph network = network(DataType.FLOAT);
        ComputationGraph restored = new ComputationGraph(ComputationGraphConfiguration.fromJson(
                network.getConfiguration().toJson()));
        restored.init(network.params().dup(), false);
        INDArray x = input(DataType.FLOAT);

        assertThat(restored.output(x)[0]).isEqualTo(network.output(x)[0]);
    }
}
