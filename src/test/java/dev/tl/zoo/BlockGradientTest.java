package dev.tl.zoo;

import dev.tl.zoo.layers.GeluActivation;
import dev.tl.zoo.layers.HardSigmoidActivation;
import dev.tl.zoo.layers.HardSwishActivation;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Backprop through the layers ConvNeXt and MobileNetV3 add, in double precision: LayerNormalization
 * over the channels (on a feature map and on the pooled vector), GELU, layer scale, hard swish after BatchNorm and
 * as a layer, the hard sigmoid gate of squeeze-and-excitation. The check perturbs every trainable parameter (gamma and
 * beta of the LayerNormalizations, the layer scale, kernels and biases; frozen BatchNorm's have none), a sample of
 * six values of each to keep it fast. ConvNeXt's block runs in both layouts, since its layers find the channel axis.
 */
class BlockGradientTest {

    @AfterEach
    void restoreFloat() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @ParameterizedTest
    @EnumSource(CNN2DFormat.class)
    void convNeXtBlockGradientsAreExact(CNN2DFormat format) {
        GraphBuilder graph = builder(format, 4);
        NetBuilder net = new NetBuilder(graph, "", options(format));
        FeatureMap in = new FeatureMap("in", 3, 6, 6);
        FeatureMap x = net.conv("stem", in, 4, 2, 2, Padding.VALID, true);
        FeatureMap y = net.depthwiseConv("depthwise_conv", x, 3, 1, Padding.SAME, true);
        y = net.layerNorm("layernorm", y, 1e-6);
        y = net.conv("pointwise_conv_1", y, 8, 1, 1, Padding.SAME, true, new GeluActivation());
        y = net.conv("pointwise_conv_2", y, 4, 1, 1, Padding.SAME, true);
        y = net.layerScale("layer_scale", y, 1e-6);
        x = net.add("add", x, y);
        x = net.layerNorm("head_layernorm", net.globalAvgPool("gap", x), 1e-6);
        assertGradientsMatchNumerically(graph, x, format, Set.of());
    }

    /** In tl's layout only: the activations work element-wise, and squeeze-and-excitation's layout is covered. */
    @Test
    void mobileNetV3BlockGradientsAreExact() {
        CNN2DFormat format = NetBuilder.layout();
        GraphBuilder graph = builder(format, 3);
        NetBuilder net = new NetBuilder(graph, "", options(format));
        FeatureMap x = net.conv("expand", new FeatureMap("in", 3, 6, 6), 6, 1, 1, Padding.SAME, false);
        x = net.batchNormActivation("expand/BatchNorm", "expand/hard_swish", x, 1e-3, 0.999,
                new HardSwishActivation());
        x = net.depthwiseConv("depthwise", x, 3, 1, Padding.SAME, false);
        x = net.activation("depthwise/hard_swish", x, new HardSwishActivation());
        FeatureMap se = net.reshapeToMap("squeeze_excite/keepdims", net.globalAvgPool("squeeze_excite/AvgPool", x));
        se = net.conv("squeeze_excite/Conv", se, 2, 1, 1, Padding.SAME, true, Activation.RELU);
        se = net.conv("squeeze_excite/Conv_1", se, 6, 1, 1, Padding.SAME, true, new HardSigmoidActivation());
        x = net.multiply("squeeze_excite/Mul", x, se);
        assertGradientsMatchNumerically(graph, net.globalAvgPool("pool", x), format, Set.of("expand/BatchNorm_gamma",
                "expand/BatchNorm_beta", "expand/BatchNorm_mean", "expand/BatchNorm_var"));
    }

    private static GraphBuilder builder(CNN2DFormat format, long seed) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(DataType.DOUBLE).updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(6, 6, 3, format));
    }

    private static NetBuilder.Options options(CNN2DFormat format) {
        return new NetBuilder.Options(format, BatchNormMode.FROZEN, name -> false);
    }

    /** A softmax on {@code features}, parameters away from their initial constants, then DL4J's gradient check. */
    private static void assertGradientsMatchNumerically(GraphBuilder graph, FeatureMap features, CNN2DFormat format,
                                          Set<String> frozen) {
        graph.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(features.channels())
                .nOut(2).activation(Activation.SOFTMAX).build(), features.name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs("out").build());
        network.init();
        Nd4j.getRandom().setSeed(11);
        for (Layer layer : network.getLayers()) {
            layer.paramTable().forEach((key, value) -> {
                if (!key.equals("W")) {
                    value.assign(Nd4j.rand(DataType.DOUBLE, value.shape()).addi(0.5));
                }
            });
        }
        INDArray input = Nd4j.rand(DataType.DOUBLE, format == CNN2DFormat.NHWC ? new long[] {2, 6, 6, 3}
                : new long[] {2, 3, 6, 6}).muli(4).subi(2);
        INDArray labels = Nd4j.create(new double[][] {{1, 0}, {0, 1}});
        GradientChecks.assertBackpropMatchesNumerical(new GradientCheckUtil.GraphConfig()
                .net(network).inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .excludeParams(frozen).subset(true).maxPerParam(6)
                .epsilon(1e-6).maxRelError(1e-5).minAbsoluteError(1e-9));
    }
}
