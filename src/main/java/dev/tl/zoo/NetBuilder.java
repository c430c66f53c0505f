package dev.tl.zoo;

import dev.tl.device.DeviceSelection;
import dev.tl.zoo.layers.BroadcastMultiplyVertex;
import dev.tl.zoo.layers.ChannelLayerNormalization;
import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.LayerScale;
import dev.tl.zoo.layers.NativeActivationLayer;
import dev.tl.zoo.layers.NativeConvolution;
import dev.tl.zoo.layers.ReLUActivation;
import dev.tl.zoo.layers.ScaleFreeBatchNormalization;
import dev.tl.zoo.layers.ScaledSumVertex;
import dev.tl.zoo.layers.SampleDropout;
import dev.tl.zoo.layers.SeparableConvolution;
import dev.tl.zoo.layers.SwishActivation;
import dev.tl.zoo.layers.VectorToMapVertex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * Adds Keras-style layers to a DL4J graph while tracking shapes, so architectures read like their Keras source and
 * padding can be computed exactly as Keras does. Every vertex name gets {@code prefix} (empty for a single backbone,
 * used to keep fused backbones apart). The options decide which vertices are frozen and how BatchNorm is built.
 */
public final class NetBuilder {

    /**
     * The layout new models are built in: the backend's ND4J runs (or will run) on (channels-last for oneDNN, NCHW
     * for cuDNN), known without starting ND4J.
     */
    public static CNN2DFormat layout() {
        return DeviceSelection.nd4jKind().layout();
    }

    /** How to build: data layout, BatchNorm mode and which (prefixed) vertex names are frozen. */
    public record Options(CNN2DFormat format, BatchNormMode batchNorm, Predicate<String> frozen) {
        public static Options inference() {
            return new Options(layout(), BatchNormMode.FROZEN, name -> false);
        }
    }

    private final GraphBuilder graph;
    private final String prefix;
    private final Options options;
    private final List<String> vertexNames = new ArrayList<>();
    private long parameterCount;

    public NetBuilder(GraphBuilder graph, String prefix, Options options) {
        this.graph = graph;
        this.prefix = prefix;
        this.options = options;
    }

    /**
     * Keras' names of the layers added so far, in insertion (hence topological) order. A name that became part of
     * another DL4J layer (an activation fused into BatchNorm) has no vertex of its own.
     */
    public List<String> vertexNames() {
        return Collections.unmodifiableList(vertexNames);
    }

    /** Parameters of the layers added so far, counted the Keras way (BatchNorm: 4 per channel). */
    public long parameterCount() {
        return parameterCount;
    }

    public CNN2DFormat format() {
        return options.format();
    }

    public FeatureMap conv(String name, FeatureMap in, int filters, int kernel, int stride, Padding padding,
                           boolean bias, IActivation activation) {
        return conv(name, in, filters, kernel, kernel, stride, padding, bias, activation);
    }

    /** A kernelHeight x kernelWidth convolution (Inception's 1x7 and 7x1). */
    public FeatureMap conv(String name, FeatureMap in, int filters, int kernelHeight, int kernelWidth, int stride,
                           Padding padding, boolean bias) {
        return conv(name, in, filters, kernelHeight, kernelWidth, stride, padding, bias, new ActivationIdentity());
    }

    private FeatureMap conv(String name, FeatureMap in, int filters, int kernelHeight, int kernelWidth, int stride,
                            Padding padding, boolean bias, IActivation activation) {
        NativeConvolution layer = new NativeConvolution(new ConvolutionLayer.Builder(kernelHeight, kernelWidth)
                .stride(stride, stride)
                .nIn(in.channels())
                .nOut(filters)
                .hasBias(bias)
                .convolutionMode(mode(padding))
                .activation(activation)
                .dataFormat(options.format()));
        return addLayer(name, layer, in, filters, padding.outputSize(in.height(), kernelHeight, stride),
                padding.outputSize(in.width(), kernelWidth, stride));
    }

    public FeatureMap conv(String name, FeatureMap in, int filters, int kernel, int stride, Padding padding,
                           boolean bias) {
        return conv(name, in, filters, kernel, stride, padding, bias, Activation.IDENTITY);
    }

    public FeatureMap conv(String name, FeatureMap in, int filters, int kernel, int stride, Padding padding,
                           boolean bias, Activation activation) {
        return conv(name, in, filters, kernel, stride, padding, bias, function(activation));
    }

    public FeatureMap depthwiseConv(String name, FeatureMap in, int kernel, int stride, Padding padding,
                                    boolean bias) {
        DepthwiseConvolution2D layer = new DepthwiseConvolution2D.Builder(kernel, kernel)
                .stride(stride, stride)
                .nIn(in.channels())
                .nOut(in.channels())
                .depthMultiplier(1)
                // DL4J takes the fan-in of a depthwise kernel as channels*k*k; each output sees only k*k inputs.
                .weightInit(new NormalDistribution(0, Math.sqrt(2.0 / (kernel * kernel))))
                .hasBias(bias)
                .convolutionMode(mode(padding))
                .activation(Activation.IDENTITY)
                .dataFormat(options.format())
                .build();
        return addLayer(name, layer, in, in.channels(), padding.outputSize(in.height(), kernel, stride),
                padding.outputSize(in.width(), kernel, stride));
    }

    /** Keras SeparableConv2D (depth multiplier 1): depthwise, then pointwise with the bias. */
    public FeatureMap separableConv(String name, FeatureMap in, int filters, int kernel, int stride, Padding padding,
                                    boolean bias) {
        SeparableConvolution layer = new SeparableConvolution(new SeparableConvolution2D.Builder(kernel, kernel)
                .stride(stride, stride)
                .nIn(in.channels())
                .nOut(filters)
                .depthMultiplier(1)
                .hasBias(bias)
                .convolutionMode(mode(padding))
                .activation(Activation.IDENTITY)
                .dataFormat(options.format()));
        return addLayer(name, layer, in, filters, padding.outputSize(in.height(), kernel, stride),
                padding.outputSize(in.width(), kernel, stride));
    }

    /**
     * Keras BatchNormalization followed by an activation layer. With frozen statistics both are one DL4J layer,
     * named after the BatchNorm (DL4J keeps every layer's output for backprop; two layers would keep two full-size
     * tensors); the activation's Keras name is still listed, so layer counts stay Keras'.
     */
    public FeatureMap batchNormActivation(String bnName, String activationName, FeatureMap in, double epsilon,
                                          double momentum, Activation activation) {
        return batchNormActivation(bnName, activationName, in, epsilon, momentum, true, function(activation));
    }

    /** As above, with one of tl's out-of-place activations (hard swish...). */
    public FeatureMap batchNormActivation(String bnName, String activationName, FeatureMap in, double epsilon,
                                          double momentum, IActivation activation) {
        return batchNormActivation(bnName, activationName, in, epsilon, momentum, true, activation);
    }

    /** As above; without {@code scale}, Keras' BatchNormalization(scale=False), which has no gamma. */
    public FeatureMap batchNormActivation(String bnName, String activationName, FeatureMap in, double epsilon,
                                          double momentum, boolean scale, Activation activation) {
        return batchNormActivation(bnName, activationName, in, epsilon, momentum, scale, function(activation));
    }

    private FeatureMap batchNormActivation(String bnName, String activationName, FeatureMap in, double epsilon,
                                           double momentum, boolean scale, IActivation activation) {
        if (trainableBatchNorm(prefix + bnName)) {
            return activation(activationName, batchNorm(bnName, in, epsilon, momentum, scale), activation);
        }
        FeatureMap out = addLayer(bnName, new FrozenBatchNormalization(prefix + bnName, in.channels(), epsilon,
                scale, options.format(), activation), in, in.channels(), in.height(), in.width());
        vertexNames.add(prefix + activationName);
        return out;
    }

    /** Keras BatchNormalization(epsilon, momentum); DL4J's decay is Keras' momentum. */
    public FeatureMap batchNorm(String name, FeatureMap in, double epsilon, double momentum) {
        return batchNorm(name, in, epsilon, momentum, true);
    }

    /** As above; without {@code scale}, Keras' BatchNormalization(scale=False), which has no gamma. */
    public FeatureMap batchNorm(String name, FeatureMap in, double epsilon, double momentum, boolean scale) {
        String full = prefix + name;
        Layer layer;
        if (trainableBatchNorm(full) && !scale) {
            layer = new ScaleFreeBatchNormalization(full, in.channels(), epsilon, momentum, options.format());
        } else if (trainableBatchNorm(full)) {
            layer = new BatchNormalization.Builder()
                    .nIn(in.channels())
                    .nOut(in.channels())
                    .eps(epsilon)
                    .decay(momentum)
                    .useLogStd(false)
                    .dataFormat(options.format())
                    .build();
        } else {
            layer = new FrozenBatchNormalization(full, in.channels(), epsilon, scale, options.format(),
                    new ActivationIdentity());
        }
        return addLayer(name, layer, in, in.channels(), in.height(), in.width());
    }

    private boolean trainableBatchNorm(String fullName) {
        return options.batchNorm() == BatchNormMode.TRAINABLE && !options.frozen().test(fullName);
    }

    /** Keras LayerNormalization(epsilon) over the channels of a feature map or of a pooled vector. */
    public FeatureMap layerNorm(String name, FeatureMap in, double epsilon) {
        return addLayer(name, new ChannelLayerNormalization(prefix + name, in.channels(), epsilon, options.format()),
                in, in.channels(), in.height(), in.width());
    }

    /** ConvNeXt's LayerScale: a learnt factor per channel, starting at {@code initialValue}. */
    public FeatureMap layerScale(String name, FeatureMap in, double initialValue) {
        return addLayer(name, new LayerScale(prefix + name, in.channels(), initialValue, options.format()), in,
                in.channels(), in.height(), in.width());
    }

    public FeatureMap activation(String name, FeatureMap in, IActivation activation) {
        return addLayer(name, new NativeActivationLayer(activation), in, in.channels(), in.height(), in.width());
    }

    public FeatureMap activation(String name, FeatureMap in, Activation activation) {
        return activation(name, in, function(activation));
    }

    /**
     * DL4J's activation, except ReLU, ReLU6 and swish, which tl computes out of place (see
     * {@link NativeActivationLayer}) and, for the ReLUs, with a much faster backward pass.
     */
    public static IActivation function(Activation activation) {
        return switch (activation) {
            case RELU -> ReLUActivation.relu();
            case RELU6 -> ReLUActivation.relu6();
            case SWISH -> new SwishActivation();
            default -> activation.getActivationFunction();
        };
    }

    public FeatureMap zeroPad(String name, FeatureMap in, int top, int bottom, int left, int right) {
        ZeroPaddingLayer layer = new ZeroPaddingLayer.Builder(top, bottom, left, right)
                .dataFormat(options.format())
                .build();
        return addLayer(name, layer, in, in.channels(), in.height() + top + bottom, in.width() + left + right);
    }

    /** Keras Cropping2D: drops rows and columns at the edges. */
    public FeatureMap crop(String name, FeatureMap in, int top, int bottom, int left, int right) {
        Cropping2D layer = new Cropping2D.Builder(top, bottom, left, right).dataFormat(options.format()).build();
        return addLayer(name, layer, in, in.channels(), in.height() - top - bottom, in.width() - left - right);
    }

    public FeatureMap maxPool(String name, FeatureMap in, int kernel, int stride, Padding padding) {
        return pool(name, in, PoolingType.MAX, kernel, stride, padding);
    }

    public FeatureMap avgPool(String name, FeatureMap in, int kernel, int stride, Padding padding) {
        return pool(name, in, PoolingType.AVG, kernel, stride, padding);
    }

    /**
     * Max pooling ignores 'same' padding, average pooling divides by the values it covers (TensorFlow's and so
     * Keras' semantics; DL4J's default counts the padding).
     */
    private FeatureMap pool(String name, FeatureMap in, PoolingType type, int kernel, int stride, Padding padding) {
        SubsamplingLayer layer = new SubsamplingLayer.Builder(type)
                .kernelSize(kernel, kernel)
                .stride(stride, stride)
                .convolutionMode(mode(padding))
                .avgPoolIncludePadInDivisor(false)
                .dataFormat(options.format())
                .build();
        return addLayer(name, layer, in, in.channels(), padding.outputSize(in.height(), kernel, stride),
                padding.outputSize(in.width(), kernel, stride));
    }

    /** Channel concatenation (Keras Concatenate on the channel axis). */
    public FeatureMap concat(String name, FeatureMap... in) {
        int channels = Arrays.stream(in).mapToInt(FeatureMap::channels).sum();
        // DL4J picks the channel axis from the input type's data format.
        return addVertex(name, new MergeVertex(), channels, in[0].height(), in[0].width(), in);
    }

    /** Global average pooling to a [N, C] vector (Keras GlobalAveragePooling2D). */
    public FeatureMap globalAvgPool(String name, FeatureMap in) {
        return addLayer(name, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), in, in.channels(), 1, 1);
    }

    /** [N, C] to a 1x1 feature map (Keras Reshape((1, 1, C))), so 1x1 convolutions can follow pooling. */
    public FeatureMap reshapeToMap(String name, FeatureMap in) {
        return addVertex(name, new VectorToMapVertex(in.channels(), options.format()), in.channels(), 1, 1, in);
    }

    /** x * s with s broadcast over the spatial axes (squeeze-and-excitation). */
    public FeatureMap multiply(String name, FeatureMap x, FeatureMap scale) {
        return addVertex(name, new BroadcastMultiplyVertex(), x.channels(), x.height(), x.width(), x, scale);
    }

    /** Keras Dropout(rate): element-wise dropout in training, identity at inference. */
    public FeatureMap dropout(String name, FeatureMap in, double rate) {
        return addLayer(name, new DropoutLayer.Builder(1.0 - rate).build(), in, in.channels(), in.height(), in.width());
    }

    /** Keras Dropout(rate, noise_shape=(None, 1, 1, 1)): drops whole examples (EfficientNet's drop-connect). */
    public FeatureMap dropExamples(String name, FeatureMap in, double rate) {
        return addLayer(name, new DropoutLayer.Builder().dropOut(new SampleDropout(rate)).build(), in,
                in.channels(), in.height(), in.width());
    }

    /** Keras Dense; a feature map input is flattened first (DL4J adds the preprocessor). */
    public FeatureMap dense(String name, FeatureMap in, int units, Activation activation) {
        DenseLayer layer = new DenseLayer.Builder()
                .nIn((long) in.channels() * in.height() * in.width())
                .nOut(units)
                .activation(function(activation))
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .build();
        return addLayer(name, layer, in, units, 1, 1);
    }

    /** x + scale * residual (InceptionResNetV2's scaled residual). */
    public FeatureMap scaledSum(String name, FeatureMap x, FeatureMap residual, double scale) {
        return addVertex(name, new ScaledSumVertex(scale), x.channels(), x.height(), x.width(), x, residual);
    }

    public FeatureMap add(String name, FeatureMap a, FeatureMap b) {
        return addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), a.channels(), a.height(), a.width(),
                a, b);
    }

    /** Adds any layer whose output shape the caller knows; frozen layers are wrapped in DL4J's FrozenLayer. */
    public FeatureMap addLayer(String name, Layer layer, FeatureMap in, int channels, int height, int width) {
        String full = prefix + name;
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("Input too small: layer " + full + " would have no spatial extent");
        }
        layer.setLayerName(full);
        parameterCount += layer.initializer().numParams(layer);
        graph.addLayer(full, options.frozen().test(full) ? new FrozenLayer(layer) : layer, in.name());
        vertexNames.add(full);
        return new FeatureMap(full, channels, height, width);
    }

    /** Adds a parameter-free vertex; frozen ones are wrapped in DL4J's FrozenVertex so backprop skips them. */
    public FeatureMap addVertex(String name, GraphVertex vertex, int channels, int height, int width,
                                FeatureMap... in) {
        String full = prefix + name;
        String[] inputs = Arrays.stream(in).map(FeatureMap::name).toArray(String[]::new);
        graph.addVertex(full, options.frozen().test(full) ? new FrozenVertex(vertex) : vertex, inputs);
        vertexNames.add(full);
        return new FeatureMap(full, channels, height, width);
    }

    private static ConvolutionMode mode(Padding padding) {
        return padding == Padding.SAME ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    }
}
