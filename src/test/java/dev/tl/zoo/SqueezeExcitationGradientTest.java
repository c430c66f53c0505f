package dev.tl.zoo;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
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

/**
 * Backprop through the pieces EfficientNet adds, in tl's channels-last layout: native convolutions, depthwise
 * convolution with Keras' explicit padding, swish, squeeze (pooling to 1x1), excitation (broadcast multiply).
 */
class SqueezeExcitationGradientTest {

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @Test
    void gradientsAreExact() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 3, NetBuilder.layout()));
        NetBuilder net = new NetBuilder(graph, "", NetBuilder.Options.inference());
        FeatureMap x = net.conv("expand", new FeatureMap("in", 3, 6, 6), 4, 1, 1, Padding.SAME, false);
        x = net.activation("expand_activation", x, Activation.SWISH);
        x = KerasPadding.correctPad(net, "pad", x, 3);
        x = net.depthwiseConv("dwconv", x, 3, 2, Padding.VALID, false);
        FeatureMap se = net.reshapeToMap("se_reshape", net.globalAvgPool("se_squeeze", x));
        se = net.conv("se_reduce", se, 2, 1, 1, Padding.SAME, true, Activation.SWISH);
        se = net.conv("se_expand", se, 4, 1, 1, Padding.SAME, true, Activation.SIGMOID);
        x = net.multiply("se_excite", x, se);
        x = net.globalAvgPool("pool", x);
        graph.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                .activation(Activation.SOFTMAX).build(), x.name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs("out").build());
        network.init();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 6, 6, 3).subi(0.5);
        INDArray labels = Nd4j.create(new double[][] {{1, 0}, {0, 1}});

        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(network).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
