package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.layers.DeferredZeroPadding;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.NativeDepthwiseConvolution;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * tl's convolutions (oneDNN on channels-last input as it is, no forward pass repeated in backprop) compute what
 * DL4J's own convolutions compute, in float as training runs them, parameters read from views of the network's
 * parameter array as in training.
 */
class NativeConvolutionTest {

    /**
     * DL4J's own 1x1 convolution, the convolution under test, pooling, softmax: the first layer's gradient shows the
     * gradient that the convolution under test passes down.
     */
    private static ComputationGraph network(boolean native_, int kernel, int stride, ConvolutionMode mode,
                                            boolean bias, Activation activation) {
        return network(native_, kernel, stride, 1, mode, bias, activation);
    }

    private static ComputationGraph network(boolean native_, int kernel, int stride, int dilation,
                                            ConvolutionMode mode, boolean bias, Activation activation) {
        ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(6)
                .dilation(dilation, dilation).convolutionMode(mode).hasBias(bias).activation(activation)
                .dataFormat(CNN2DFormat.NHWC);
        return network(native_ ? new NativeConvolution(conv) : conv.build());
    }

    /** The depthwise convolution under test, with {@code multiplier} outputs per input channel. */
    private static ComputationGraph depthwise(boolean native_, int kernel, int stride, ConvolutionMode mode,
                                              boolean bias, int multiplier) {
        DepthwiseConvolution2D conv = new DepthwiseConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                .depthMultiplier(multiplier).convolutionMode(mode).hasBias(bias).activation(Activation.IDENTITY)
                .dataFormat(CNN2DFormat.NHWC).build();
        return network(native_ ? NativeDepthwiseConvolution.of(conv) : conv);
    }

    private static ComputationGraph network(Layer layer) {
        return network(null, layer, DataType.FLOAT);
    }

    /** As {@link #network(Layer)}, with {@code padding} (if not null) between the first layer and the one under test. */
    private static ComputationGraph network(Layer padding, Layer layer, DataType dataType) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11).dataType(dataType).updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(9, 9, 5, CNN2DFormat.NHWC))
                .addLayer("first", new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.TANH)
                        .dataFormat(CNN2DFormat.NHWC).build(), "in")
                .addLayer("pad", padding != null ? padding : new ZeroPaddingLayer.Builder(0, 0, 0, 0)
                        .dataFormat(CNN2DFormat.NHWC).build(), "first")
                .addLayer("conv", layer, "pad")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    @ParameterizedTest
    @CsvSource({
            "3, 1, 1, Same, false, IDENTITY",
            "3, 2, 1, Same, true, IDENTITY",
            "1, 1, 1, Truncate, false, IDENTITY",
            "3, 2, 1, Truncate, true, IDENTITY",
            "3, 1, 1, Same, true, RELU",
            "3, 1, 2, Same, false, IDENTITY",
            "2, 2, 1, Same, false, IDENTITY"})
    void sameOutputsAndGradientsAsDl4jConvolution(int kernel, int stride, int dilation, ConvolutionMode mode,
                                                   boolean bias, Activation activation) {
        assertSameAsDl4j(network(false, kernel, stride, dilation, mode, bias, activation),
                network(true, kernel, stride, dilation, mode, bias, activation), bias);
    }

    /** The depthwise convolution computes what DL4J's computes, whichever of its kernels runs it. */
    @ParameterizedTest
    @CsvSource({
            "3, 1, Same, false, 1",
            "3, 2, Same, true, 1",
            "3, 2, Truncate, false, 2",
            "5, 1, Same, true, 2"})
    void depthwiseSameOutputsAndGradientsAsDl4j(int kernel, int stride, ConvolutionMode mode, boolean bias,
                                                int multiplier) {
        assertSameAsDl4j(depthwise(false, kernel, stride, mode, bias, multiplier),
                depthwise(true, kernel, stride, mode, bias, multiplier), bias);
    }

    /**
     * Keras' explicit padding before a stride-2 "valid" convolution, applied by tl's convolution as it reads (linked
     * as training graphs link them): the same outputs and gradients as DL4J's padding layer and convolution, on
     * oneDNN's path (float) and on the paths that pad explicitly (double).
     */
    @ParameterizedTest
    @CsvSource({"false, FLOAT", "true, FLOAT", "false, DOUBLE", "true, DOUBLE"})
    void deferredPaddingSameAsDl4jPaddingLayer(boolean depthwise, DataType dataType) {
        ZeroPaddingLayer padding = new ZeroPaddingLayer.Builder(0, 1, 0, 1).dataFormat(CNN2DFormat.NHWC).build();
        Layer reference;
        Layer tested;
        if (depthwise) {
            DepthwiseConvolution2D conv = new DepthwiseConvolution2D.Builder(3, 3).stride(2, 2)
                    .convolutionMode(ConvolutionMode.Truncate).hasBias(false).activation(Activation.IDENTITY)
                    .dataFormat(CNN2DFormat.NHWC).build();
            reference = conv;
            tested = NativeDepthwiseConvolution.of(conv);
        } else {
            ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(6)
                    .convolutionMode(ConvolutionMode.Truncate).hasBias(true).activation(Activation.IDENTITY)
                    .dataFormat(CNN2DFormat.NHWC);
            reference = conv.build();
            tested = new NativeConvolution(conv);
        }
        ComputationGraph deferred = network(DeferredZeroPadding.of(padding), tested, dataType);
        assertThat(DeferredZeroPadding.link(deferred.getLayer("pad"), deferred.getLayer("conv"))).isTrue();
        assertSameAsDl4j(network(padding.clone(), reference, dataType), deferred, !depthwise, dataType);
    }

    private static void assertSameAsDl4j(ComputationGraph reference, ComputationGraph nativeConv, boolean bias) {
        assertSameAsDl4j(reference, nativeConv, bias, DataType.FLOAT);
    }

    private static void assertSameAsDl4j(ComputationGraph reference, ComputationGraph nativeConv, boolean bias,
                                         DataType dataType) {
        nativeConv.setParams(reference.params().dup());
        if (bias) {   // non-zero biases, so a dropped bias would show
            INDArray b = reference.getLayer("conv").getParam("b");
            b.assign(Nd4j.linspace(dataType, -0.3, 0.1, b.length()).reshape(b.shape()));
            nativeConv.getLayer("conv").getParam("b").assign(b);
        }
        INDArray input = Nd4j.rand(dataType, 4, 9, 9, 5).subi(0.5);
        INDArray labels = Nd4j.eye(3).getRows(0, 1, 2, 0).castTo(dataType);

        INDArray convOut = reference.feedForward(input, false).get("conv");
        assertThat(convOut.amaxNumber().doubleValue()).isGreaterThan(1e-2);
        assertThat(nativeConv.feedForward(input, false).get("conv").equalsWithEps(convOut, 1e-5)).isTrue();

        Map<String, INDArray> expected = gradients(reference, input, labels);
        Map<String, INDArray> actual = gradients(nativeConv, input, labels);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String key : expected.keySet()) {
            assertThat(actual.get(key).equalsWithEps(expected.get(key), 1e-5)).as(key).isTrue();
        }
        assertThat(expected.get("conv_W").amaxNumber().doubleValue()).isGreaterThan(1e-4);
        assertThat(expected.get("first_W").amaxNumber().doubleValue()).isGreaterThan(1e-4);
    }

    private static Map<String, INDArray> gradients(ComputationGraph graph, INDArray input, INDArray labels) {
        graph.setInputs(input);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        return graph.gradient().gradientForVariable();
    }
}
