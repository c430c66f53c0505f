package dev.tl.onnx;

import static dev.tl.onnx.OnnxGraph.attribute;
import static java.util.Map.entry;

import dev.tl.zoo.layers.BroadcastMultiplyVertex;
import dev.tl.zoo.layers.ChannelLayerNormalization;
import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.LayerScale;
import dev.tl.zoo.layers.NativeActivationLayer;
import dev.tl.zoo.layers.ChannelConcat;
import dev.tl.zoo.layers.DeferredZeroPadding;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.NativeDepthwiseConvolution;
import dev.tl.zoo.layers.ScaledSumVertex;
import dev.tl.zoo.layers.SeparableConvolution;
import dev.tl.zoo.layers.VectorToMapVertex;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which ONNX operations compute each kind of vertex tl's graphs are made of, in NCHW whatever DL4J's layout: the
 * weights are rearranged where ONNX wants another order, the data never is. Looked up by exact class, since a
 * subclass may compute something else. Dropout is the identity at inference and leaves no node.
 */
final class VertexMappings {

    /** Adds the nodes of a vertex; returns the tensor holding its output. */
    interface Mapping {
        String emit(Vertex vertex, OnnxGraph graph);
    }

    private static final Map<Class<?>, Mapping> TABLE = Map.ofEntries(
            entry(NativeConvolution.class, VertexMappings::convolution),
            entry(DepthwiseConvolution2D.class, VertexMappings::depthwiseConvolution),
            entry(NativeDepthwiseConvolution.class, VertexMappings::depthwiseConvolution), // fine-tune graphs'
            entry(SeparableConvolution.class, VertexMappings::separableConvolution),
            entry(FrozenBatchNormalization.class, VertexMappings::batchNormalization),
            entry(BatchNormalization.class, VertexMappings::trainableBatchNormalization),
            entry(ChannelLayerNormalization.class, VertexMappings::layerNormalization),
            entry(LayerScale.class, VertexMappings::layerScale),
            entry(NativeActivationLayer.class, VertexMappings::activation),
            entry(ZeroPaddingLayer.class, VertexMappings::zeroPadding),
            entry(DeferredZeroPadding.class, VertexMappings::zeroPadding), // fine-tune graphs'
            entry(Cropping2D.class, VertexMappings::cropping),
            entry(SubsamplingLayer.class, VertexMappings::pooling),
            entry(GlobalPoolingLayer.class, VertexMappings::globalAveragePooling),
            entry(DenseLayer.class, VertexMappings::dense),
            entry(OutputLayer.class, VertexMappings::dense),
            entry(DropoutLayer.class, (vertex, graph) -> vertex.input()),
            entry(MergeVertex.class, VertexMappings::concat),
            entry(ChannelConcat.class, VertexMappings::concat), // fine-tune graphs'
            entry(ElementWiseVertex.class, VertexMappings::add),
            entry(BroadcastMultiplyVertex.class, VertexMappings::broadcastMultiply),
            entry(ScaledSumVertex.class, VertexMappings::scaledSum),
            entry(VectorToMapVertex.class, VertexMappings::vectorToMap));

    private VertexMappings() {
    }

    static Mapping of(Vertex vertex) {
        Mapping mapping = TABLE.get(vertex.configuration().getClass());
        if (mapping == null) {
            throw vertex.unsupported(vertex.configuration().getClass().getSimpleName() + " has no ONNX mapping");
        }
        return mapping;
    }

    /** DL4J keeps convolution kernels as ONNX does, [out, in, kh, kw]. */
    private static String convolution(Vertex vertex, OnnxGraph graph) {
        ConvolutionLayer conf = (ConvolutionLayer) vertex.configuration();
        return convolution(vertex, graph, conf, vertex.weights(graph, "W", "kernel"), 1);
    }

    /**
     * DL4J keeps depthwise kernels as Keras does, [kh, kw, channels, multiplier]; ONNX wants a grouped convolution's
     * [channels * multiplier, 1, kh, kw], output channel c * multiplier + m, which is also DL4J's output order.
     */
    private static String depthwiseConvolution(Vertex vertex, OnnxGraph graph) {
        DepthwiseConvolution2D conf = (DepthwiseConvolution2D) vertex.configuration();
        INDArray kernel = vertex.param("W");
        long channels = kernel.size(2);
        INDArray grouped = kernel.permute(2, 3, 0, 1).dup('c')
                .reshape('c', channels * kernel.size(3), 1, kernel.size(0), kernel.size(1));
        return convolution(vertex, graph, conf, graph.weights(vertex.name() + "/depthwise_kernel", grouped),
                channels);
    }

    /**
     * A depthwise convolution (DL4J's depthwise kernel [1, channels, kh, kw] is ONNX's grouped [channels, 1, kh, kw])
     * with the layer's window, then a 1x1 convolution with the pointwise kernel [out, channels, 1, 1] and the bias.
     */
    private static String separableConvolution(Vertex vertex, OnnxGraph graph) {
        SeparableConvolution conf = (SeparableConvolution) vertex.configuration();
        if (conf.getDepthMultiplier() != 1) {
            throw vertex.unsupported("separable convolutions with a depth multiplier other than 1 have no mapping");
        }
        INDArray depthwise = vertex.param("W");
        String kernel = graph.weights(vertex.name() + "/depthwise_kernel", depthwise.permute(1, 0, 2, 3));
        String spatial = window(vertex, graph, conf, vertex.name() + "/depthwise", List.of(vertex.input(), kernel),
                depthwise.size(1));
        String pointwise = vertex.weights(graph, "pW", "pointwise_kernel");
        List<String> inputs = vertex.params().containsKey("b")
                ? List.of(spatial, pointwise, vertex.vector(graph, "b", "bias")) : List.of(spatial, pointwise);
        String conv = graph.node("Conv", vertex.name(), inputs, attribute("kernel_shape", new long[] {1, 1}));
        return ActivationMappings.apply(conf.getActivationFn(), conv, vertex, graph);
    }

    private static String convolution(Vertex vertex, OnnxGraph graph, ConvolutionLayer conf, String kernel,
                                      long groups) {
        String conv = window(vertex, graph, conf, vertex.name(), vertex.inputKernelBias(graph, kernel), groups);
        return ActivationMappings.apply(conf.getActivationFn(), conv, vertex, graph);
    }

    /** A Conv node with the layer's kernel size, strides, dilations and padding. */
    private static String window(Vertex vertex, OnnxGraph graph, ConvolutionLayer conf, String name,
                                 List<String> inputs, long groups) {
        InputType.InputTypeConvolutional in = vertex.featureMap();
        return graph.node("Conv", name, inputs,
                attribute("kernel_shape", longs(conf.getKernelSize())),
                attribute("strides", longs(conf.getStride())),
                attribute("dilations", longs(conf.getDilation())),
                attribute("pads", WindowPads.of(conf.getConvolutionMode(), conf.getKernelSize(), conf.getStride(),
                        conf.getDilation(), conf.getPadding(), in.getHeight(), in.getWidth())),
                attribute("group", groups));
    }

    /**
     * Inference-mode BatchNorm with the running statistics, then the activation DL4J fused into the layer. ONNX's
     * BatchNormalization always scales: without Keras' scale, by ones.
     */
    private static String batchNormalization(Vertex vertex, OnnxGraph graph) {
        FrozenBatchNormalization conf = (FrozenBatchNormalization) vertex.configuration();
        String gamma = conf.isScale() ? vertex.vector(graph, "gamma", "gamma")
                : graph.weights(vertex.name() + "/gamma", Nd4j.ones(conf.getNOut()));
        String normalised = graph.node("BatchNormalization", vertex.name(), List.of(vertex.input(),
                        gamma, vertex.vector(graph, "beta", "beta"),
                        vertex.vector(graph, "mean", "moving_mean"), vertex.vector(graph, "var", "moving_variance")),
                attribute("epsilon", (float) conf.getEps()));
        return ActivationMappings.apply(conf.getActivationFn(), normalised, vertex, graph);
    }

    /**
     * DL4J's own BatchNorm (trainable BatchNorm while fine-tuning) at inference: the running statistics, no
     * activation (DL4J's layer ignores its own). Only with the variance stored as such, as tl builds it.
     */
    private static String trainableBatchNormalization(Vertex vertex, OnnxGraph graph) {
        BatchNormalization conf = (BatchNormalization) vertex.configuration();
        if (conf.isUseLogStd()) {
            throw vertex.unsupported("BatchNorm storing log10 of the standard deviation has no ONNX mapping");
        }
        return graph.node("BatchNormalization", vertex.name(), List.of(vertex.input(),
                        vertex.vector(graph, "gamma", "gamma"), vertex.vector(graph, "beta", "beta"),
                        vertex.vector(graph, "mean", "moving_mean"), vertex.vector(graph, "var", "moving_variance")),
                attribute("epsilon", (float) conf.getEps()));
    }

    /** LayerNormalization is an ONNX operation from opset 17; before, it is written out. */
    private static final int LAYER_NORMALIZATION_OPSET = 17;

    /**
     * LayerNormalization over the channels, axis 1 here. ONNX's normalises the axes from {@code axis} to the last,
     * so a feature map goes channels-last around it; before opset 17 the arithmetic is written out: (x - mean) /
     * sqrt(variance + epsilon) * gamma + beta, the mean and (biased) variance over the channels.
     */
    private static String layerNormalization(Vertex vertex, OnnxGraph graph) {
        ChannelLayerNormalization conf = (ChannelLayerNormalization) vertex.configuration();
        String name = vertex.name();
        boolean map = vertex.inputType() instanceof InputType.InputTypeConvolutional;
        if (graph.opset() >= LAYER_NORMALIZATION_OPSET) {
            List<String> affine = List.of(vertex.vector(graph, "gamma", "gamma"), vertex.vector(graph, "beta", "beta"));
            if (!map) {
                return graph.node("LayerNormalization", name, concat(vertex.input(), affine),
                        attribute("axis", -1L), attribute("epsilon", (float) conf.getEpsilon()));
            }
            String channelsLast = graph.node("Transpose", name + "/channels_last", List.of(vertex.input()),
                    attribute("perm", new long[] {0, 2, 3, 1}));
            String normalised = graph.node("LayerNormalization", name + "/normalised", concat(channelsLast, affine),
                    attribute("axis", -1L), attribute("epsilon", (float) conf.getEpsilon()));
            return graph.node("Transpose", name, List.of(normalised), attribute("perm", new long[] {0, 3, 1, 2}));
        }
        long[] channelAxis = {1};
        String mean = graph.node("ReduceMean", name + "/mean", List.of(vertex.input()), attribute("axes", channelAxis));
        String centred = graph.node("Sub", name + "/centred", List.of(vertex.input(), mean));
        String squared = graph.node("Mul", name + "/squared", List.of(centred, centred));
        String variance = graph.node("ReduceMean", name + "/variance", List.of(squared), attribute("axes", channelAxis));
        String std = graph.node("Sqrt", name + "/std", List.of(graph.node("Add", name + "/variance_epsilon",
                List.of(variance, graph.floats(name + "/epsilon", new long[0], (float) conf.getEpsilon())))));
        String normalised = graph.node("Div", name + "/normalised", List.of(centred, std));
        String scaled = graph.node("Mul", name + "/scaled", List.of(normalised, perChannel(vertex, graph, "gamma")));
        return graph.node("Add", name, List.of(scaled, perChannel(vertex, graph, "beta")));
    }

    /** A layer scale multiplies each channel. */
    private static String layerScale(Vertex vertex, OnnxGraph graph) {
        return graph.node("Mul", vertex.name(), List.of(vertex.input(), perChannel(vertex, graph, "gamma")));
    }

    /** A parameter vector shaped to broadcast over the channels of the vertex's input: [C, 1, 1] on maps, else [C]. */
    private static String perChannel(Vertex vertex, OnnxGraph graph, String key) {
        INDArray values = vertex.param(key).reshape(-1);
        if (vertex.inputType() instanceof InputType.InputTypeConvolutional) {
            values = values.reshape(values.length(), 1, 1);
        }
        return graph.weights(vertex.name() + "/" + key, values);
    }

    private static List<String> concat(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).toList();
    }

    private static String activation(Vertex vertex, OnnxGraph graph) {
        return ActivationMappings.apply(((NativeActivationLayer) vertex.configuration()).getActivationFn(),
                vertex.input(), vertex, graph);
    }

    /** DL4J's padding is [top, bottom, left, right]; ONNX's is all starts, then all ends, over N, C, H, W. */
    private static String zeroPadding(Vertex vertex, OnnxGraph graph) {
        int[] p = ((ZeroPaddingLayer) vertex.configuration()).getPadding();
        String pads = graph.int64s(vertex.name() + "/pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]);
        return graph.node("Pad", vertex.name(), List.of(vertex.input(), pads));
    }

    /** DL4J's cropping is [top, bottom, left, right]: the rows and columns kept, as a Slice over H and W. */
    private static String cropping(Vertex vertex, OnnxGraph graph) {
        int[] c = ((Cropping2D) vertex.configuration()).getCropping();
        InputType.InputTypeConvolutional in = vertex.featureMap();
        return graph.node("Slice", vertex.name(), List.of(vertex.input(),
                graph.int64s(vertex.name() + "/starts", c[0], c[2]),
                graph.int64s(vertex.name() + "/ends", in.getHeight() - c[1], in.getWidth() - c[3]),
                graph.int64s(vertex.name() + "/axes", 2, 3)));
    }

    private static String pooling(Vertex vertex, OnnxGraph graph) {
        SubsamplingLayer conf = (SubsamplingLayer) vertex.configuration();
        InputType.InputTypeConvolutional in = vertex.featureMap();
        long[] pads = WindowPads.of(conf.getConvolutionMode(), conf.getKernelSize(), conf.getStride(),
                conf.getDilation(), conf.getPadding(), in.getHeight(), in.getWidth());
        List<String> inputs = List.of(vertex.input());
        if (conf.getPoolingType() == PoolingType.MAX) {
            return graph.node("MaxPool", vertex.name(), inputs, attribute("kernel_shape", longs(conf.getKernelSize())),
                    attribute("strides", longs(conf.getStride())), attribute("pads", pads));
        }
        if (conf.getPoolingType() == PoolingType.AVG) {
            return graph.node("AveragePool", vertex.name(), inputs,
                    attribute("kernel_shape", longs(conf.getKernelSize())),
                    attribute("strides", longs(conf.getStride())), attribute("pads", pads),
                    attribute("count_include_pad", conf.isAvgPoolIncludePadInDivisor() ? 1L : 0L));
        }
        throw vertex.unsupported(conf.getPoolingType() + " pooling has no ONNX mapping");
    }

    /** DL4J's global pooling collapses to [N, C]; ONNX's keeps [N, C, 1, 1], hence the Flatten. */
    private static String globalAveragePooling(Vertex vertex, OnnxGraph graph) {
        GlobalPoolingLayer conf = (GlobalPoolingLayer) vertex.configuration();
        if (conf.getPoolingType() != PoolingType.AVG || !conf.isCollapseDimensions()) {
            throw vertex.unsupported("only collapsing global average pooling has an ONNX mapping");
        }
        String pooled = graph.node("GlobalAveragePool", vertex.name(), List.of(vertex.input()));
        return graph.node("Flatten", vertex.name() + "/flatten", List.of(pooled), attribute("axis", 1L));
    }

    /** Dense and softmax output layers: x W + b with DL4J's W [in, out], then the activation. */
    private static String dense(Vertex vertex, OnnxGraph graph) {
        BaseLayer conf = (BaseLayer) vertex.configuration();
        String product = graph.node("Gemm", vertex.name(),
                vertex.inputKernelBias(graph, vertex.weights(graph, "W", "kernel")));
        return ActivationMappings.apply(conf.getActivationFn(), product, vertex, graph);
    }

    /** Channels are axis 1 both of NCHW feature maps and of [N, C] vectors. */
    private static String concat(Vertex vertex, OnnxGraph graph) {
        return graph.node("Concat", vertex.name(), vertex.inputs(), attribute("axis", 1L));
    }

    private static String add(Vertex vertex, OnnxGraph graph) {
        if (((ElementWiseVertex) vertex.configuration()).getOp() != ElementWiseVertex.Op.Add
                || vertex.inputs().size() != 2) {
            throw vertex.unsupported("only the sum of two tensors has an ONNX mapping among element-wise vertices");
        }
        return graph.node("Add", vertex.name(), vertex.inputs());
    }

    /** x + scale * residual. */
    private static String scaledSum(Vertex vertex, OnnxGraph graph) {
        float scale = (float) ((ScaledSumVertex) vertex.configuration()).getScale();
        String scaled = graph.node("Mul", vertex.name() + "/scale", List.of(vertex.inputs().get(1),
                graph.floats(vertex.name() + "/scale_factor", new long[0], scale)));
        return graph.node("Add", vertex.name(), List.of(vertex.inputs().get(0), scaled));
    }

    /** Squeeze-and-excitation: x [N, C, H, W] times s [N, C, 1, 1] by ONNX's broadcasting. */
    private static String broadcastMultiply(Vertex vertex, OnnxGraph graph) {
        return graph.node("Mul", vertex.name(), vertex.inputs());
    }

    private static String vectorToMap(Vertex vertex, OnnxGraph graph) {
        int channels = ((VectorToMapVertex) vertex.configuration()).getChannels();
        String shape = graph.int64s(vertex.name() + "/shape", -1, channels, 1, 1);
        return graph.node("Reshape", vertex.name(), List.of(vertex.input(), shape));
    }

    private static long[] longs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
