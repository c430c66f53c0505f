package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.data.Preprocessing;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.layers.ChannelLayerNormalization;
import dev.tl.zoo.layers.LayerScale;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a Keras weight file (any layout {@link KerasWeightsFile} reads) into the layers of a graph built with
 * Keras' layer names. Every tensor must land in exactly one parameter and every parameter must get a tensor;
 * anything else is an error naming it. A load that succeeds logs how many tensors went into how many layers, and by
 * which rule the layers were matched.
 *
 * <p>In the layouts that name layers, {@link LayerMatcher} pairs them: by today's names (or, for a layer Keras named
 * itself, such as ConvNeXt's final "layer_normalization", that name numbered), the family's older names, then
 * Keras' layer order. A Keras 3 {@code .weights.h5} names no layer; its layers match by class and position (see
 * {@link #byClassInKerasOrder}; ConvNeXt, whose Keras layers tl builds as other kinds, loads from the named layouts
 * only). Keras' in-model input Normalization (EfficientNet) has no parameter here: tl preprocesses images before the
 * network, so its tensors are checked against that preprocessing instead of loaded.
 */
public final class KerasWeightLoader {

    private static final Logger log = LoggerFactory.getLogger(KerasWeightLoader.class);

    private KerasWeightLoader() {
    }

    /**
     * @param layerNames the graph layers to fill (full names, i.e. with {@code prefix}); layers without parameters
     *                   are skipped
     * @param backbone   the family's older layer names, and the preprocessing an in-model Normalization must match
     */
    public static void load(Path file, ComputationGraph graph, String prefix, List<String> layerNames,
                            Backbone backbone) {
        KerasWeightsFile.Contents contents = KerasWeightsFile.read(file);
        try {
            fill(file, contents, graph, prefix, layerNames, backbone);
        } catch (TlException e) {
            throw new TlException(e.getMessage() + lookalike(contents, backbone), e);
        }
    }

    private static void fill(Path file, KerasWeightsFile.Contents contents, ComputationGraph graph, String prefix,
                             List<String> layerNames, Backbone backbone) {
        Map<String, Map<String, KerasWeightsFile.Tensor>> tensors = contents.layers();
        List<String> parameterised = layerNames.stream()
                .filter(name -> graph.getVertex(name) != null && graph.getLayer(name) != null
                        && graph.getLayer(name).numParams() > 0)
                .toList();
        KerasLayerOrder order = KerasLayerOrder.of(graph, parameterised);
        LayerMatcher.Result match = contents.layout() == KerasWeightsFile.Layout.KERAS_3
                ? LayerMatcher.byClassAndPosition(byClassInKerasOrder(file, graph, order, prefix, tensors.keySet()))
                : LayerMatcher.legacy(file, signatures(graph, order.layers(), prefix), kerasDepths(order, prefix),
                fileSignatures(tensors), backbone.architecture().legacyNames(), kerasClasses(graph, order, prefix));
        Set<String> used = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String fullName : parameterised) {
            Layer layer = graph.getLayer(fullName);
            String kerasName = fullName.substring(prefix.length());
            String fileLayer = match.fileLayerOf().get(kerasName);
            Map<String, KerasWeightsFile.Tensor> layerTensors = fileLayer == null ? null : tensors.get(fileLayer);
            for (Map.Entry<String, INDArray> param : layer.paramTable().entrySet()) {
                List<String> kerasWeights = kerasWeightNames(layer, param.getKey());
                KerasWeightsFile.Tensor tensor = layerTensors == null ? null : kerasWeights.stream()
                        .map(layerTensors::get).filter(Objects::nonNull).findFirst().orElse(null);
                if (tensor == null) {
                    missing.add(kerasName + "/" + kerasWeights.get(0) + (fileLayer != null && !fileLayer.equals(kerasName)
                            ? " (in " + (contents.layout() == KerasWeightsFile.Layout.KERAS_3 ? "layers/" : "")
                            + fileLayer + ")" : ""));
                    continue;
                }
                assign(file, layer, fullName, param.getValue(), tensor, flattenedFrom(graph, fullName));
                used.add(tensor.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new TlException("weights file " + file + " lacks " + missing.size() + " tensor(s) the network needs: "
                    + abbreviate(missing));
        }
        int loaded = used.size();
        tensors.forEach((layer, layerTensors) -> {
            if (isInputNormalization(layer, layerTensors)) {
                checkNormalization(file, layer, layerTensors, backbone.preprocessing());
                layerTensors.values().forEach(tensor -> used.add(tensor.name()));
            }
        });
        List<String> unmatched = tensors.values().stream()
                .flatMap(layer -> layer.values().stream())
                .map(KerasWeightsFile.Tensor::name)
                .filter(name -> !used.contains(name))
                .toList();
        if (!unmatched.isEmpty()) {
            throw new TlException("weights file " + file + " has " + unmatched.size()
                    + " tensor(s) that match no layer of the network (a file with the classifier top, or another "
                    + "architecture?): " + abbreviate(unmatched));
        }
        if (match.matchedByOrder()) {
            log.info("{}: layers whose names tl does not know were matched by Keras' layer order (as Keras' "
                    + "load_weights does), every shape checked", file.getFileName());
        }
        log.info("loaded {} tensors into {} layers from {} ({}; {}; 0 unmatched, 0 missing)", loaded,
                parameterised.size(), file, contents.layout(), match.describe());
    }

    /** Each layer's tensors as Keras stores them, by Keras name, in Keras' layer order. */
    private static Map<String, LayerMatcher.Signature> signatures(ComputationGraph graph, List<String> layers,
                                                                  String prefix) {
        Map<String, LayerMatcher.Signature> signatures = new LinkedHashMap<>();
        for (String fullName : layers) {
            Layer layer = graph.getLayer(fullName);
            Map<String, List<Long>> shapes = new LinkedHashMap<>();
            layer.paramTable().forEach((key, value) -> shapes.put(kerasWeightNames(layer, key).get(0),
                    Arrays.stream(kerasShape(layer, key, value)).boxed().toList()));
            signatures.put(fullName.substring(prefix.length()), new LayerMatcher.Signature(shapes));
        }
        return signatures;
    }

    /** Each layer's Keras class (the name Keras gives a layer an application leaves unnamed). */
    private static Map<String, String> kerasClasses(ComputationGraph graph, KerasLayerOrder order, String prefix) {
        Map<String, String> classes = new HashMap<>();
        order.layers().forEach(layer -> classes.put(layer.substring(prefix.length()), kerasClass(graph.getLayer(layer))));
        return classes;
    }

    private static Map<String, Integer> kerasDepths(KerasLayerOrder order, String prefix) {
        Map<String, Integer> depths = new HashMap<>();
        order.layers().forEach(layer -> depths.put(layer.substring(prefix.length()), order.depth().get(layer)));
        return depths;
    }

    /** The file's layers with weights, in file order; an input Normalization is checked apart. */
    private static Map<String, LayerMatcher.Signature> fileSignatures(
            Map<String, Map<String, KerasWeightsFile.Tensor>> tensors) {
        Map<String, LayerMatcher.Signature> signatures = new LinkedHashMap<>();
        tensors.forEach((layer, layerTensors) -> {
            if (!isInputNormalization(layer, layerTensors)) {
                signatures.put(layer, LayerMatcher.Signature.of(layerTensors));
            }
        });
        return signatures;
    }

    /**
     * The shape Keras stores a DL4J parameter in: convolution kernels HWIO (a separable convolution's pointwise one
     * too), vectors rank 1, the rest as DL4J's.
     */
    private static long[] kerasShape(Layer layer, String paramKey, INDArray param) {
        if (!paramKey.equals("W") && !paramKey.equals("pW")) {
            return new long[] {param.length()};
        }
        long[] shape = param.shape();
        if (shape.length == 4 && !(unwrap(layer.conf().getLayer()) instanceof DepthwiseConvolution2D)) {
            return new long[] {shape[2], shape[3], shape[1], shape[0]};
        }
        return shape;
    }

    /**
     * The file's size in values, and the backbones whose weights have as many, for a message about a file that does
     * not fit: "--model mobilenet" given mobilenet_0.25's file.
     */
    private static String lookalike(KerasWeightsFile.Contents contents, Backbone backbone) {
        long values = contents.layers().values().stream().flatMap(layer -> layer.values().stream())
                .mapToLong(tensor -> tensor.values().length).sum();
        List<String> alike = Backbones.withParameterCount(values).stream()
                .filter(name -> !name.equals(backbone.name())).toList();
        return alike.isEmpty() ? "" : String.format(Locale.ROOT, " (the file holds %,d values, as the weights of %s"
                + " do: a file for %s?)", values, String.join(" or ", alike), String.join(" or ", alike));
    }

    /** Whether {@code layerName} is a name Keras gives a layer of {@code kerasClass}: conv2d, conv2d_1, ... */

    /**
     * Keras 3 names no layer: a layer's group is named after its class and numbered per class in the order Keras
     * lists the model's layers (conv2d, conv2d_1, ...; see {@link KerasLayerOrder}).
     */
    private static Map<String, String> byClassInKerasOrder(Path file, ComputationGraph graph, KerasLayerOrder order,
                                                           String prefix, Set<String> fileLayers) {
        String scope = nestedModelScope(file, fileLayers);
        Map<String, Integer> perClass = new HashMap<>();
        Map<String, String> found = new LinkedHashMap<>();
        for (String name : order.layers()) {
            String kerasClass = kerasClass(graph.getLayer(name));
            int index = perClass.merge(kerasClass, 1, Integer::sum) - 1;
            found.put(name.substring(prefix.length()), scope + kerasClass + (index == 0 ? "" : "_" + index));
        }
        return found;
    }

    /**
     * Where a Keras 3 file keeps the backbone: in its model's {@code layers/}, or, for a model that wraps the
     * backbone (Sequential([base, pooling, classifier])), in the one nested model's {@code layers/}.
     */
    private static String nestedModelScope(Path file, Set<String> fileLayers) {
        String marker = "/layers/";
        Set<String> nested = new TreeSet<>();
        fileLayers.stream().filter(layer -> layer.contains(marker))
                .forEach(layer -> nested.add(layer.substring(0, layer.indexOf(marker) + marker.length())));
        if (nested.size() > 1) {
            throw new TlException("weights file " + file + " holds " + nested.size() + " nested models ("
                    + String.join(", ", nested) + "); tl loads one backbone's weights from a file");
        }
        return nested.isEmpty() ? "" : nested.iterator().next();
    }

    /** The Keras layer class (as Keras 3 names its group) of a layer with parameters. */
    private static String kerasClass(Layer layer) {
        org.deeplearning4j.nn.conf.layers.Layer conf = unwrap(layer.conf().getLayer());
        if (conf instanceof BatchNormalization) {
            return "batch_normalization";
        }
        if (conf instanceof DepthwiseConvolution2D) {
            return "depthwise_conv2d";
        }
        if (conf instanceof SeparableConvolution2D) {
            return "separable_conv2d";
        }
        if (conf instanceof ConvolutionLayer) {
            return "conv2d";
        }
        if (conf instanceof DenseLayer || conf instanceof BaseOutputLayer) {
            return "dense";
        }
        if (conf instanceof ChannelLayerNormalization) {
            return "layer_normalization";
        }
        if (conf instanceof LayerScale) {
            return "layer_scale";
        }
        throw new IllegalStateException("layer " + conf.getLayerName() + " (" + conf.getClass().getSimpleName()
                + ") has no Keras counterpart");
    }

    /**
     * The names Keras gives a parameter, the usual one first. A depthwise kernel is a Conv2D's "kernel" where Keras
     * builds it as a convolution with one group per channel (ConvNeXt); ConvNeXt's published files call the layer
     * scale "Variable" (it was a bare tf.Variable when they were written).
     */
    private static List<String> kerasWeightNames(Layer layer, String paramKey) {
        org.deeplearning4j.nn.conf.layers.Layer conf = unwrap(layer.conf().getLayer());
        if (conf instanceof BatchNormalization) {
            return List.of(switch (paramKey) {
                case "gamma" -> "gamma";
                case "beta" -> "beta";
                case "mean" -> "moving_mean";
                case "var" -> "moving_variance";
                default -> throw new IllegalStateException("BatchNorm parameter " + paramKey + " is not supported");
            });
        }
        if (conf instanceof LayerScale) {
            return List.of("gamma", "Variable");
        }
        if (conf instanceof ChannelLayerNormalization) {
            return List.of(paramKey);
        }
        return switch (paramKey) {
            case "W" -> conf instanceof DepthwiseConvolution2D ? List.of("depthwise_kernel", "kernel")
                    : conf instanceof SeparableConvolution2D ? List.of("depthwise_kernel") : List.of("kernel");
            case "pW" -> List.of("pointwise_kernel");
            case "b" -> List.of("bias");
            default -> throw new IllegalStateException("parameter " + paramKey + " of " + conf.getLayerName()
                    + " has no Keras counterpart");
        };
    }

    /**
     * The [channels, height, width] of a feature map that DL4J flattens channels-first into this layer's input,
     * else null (channels-last maps flatten in Keras' order already).
     */
    private static long[] flattenedFrom(ComputationGraph graph, String layerName) {
        GraphVertex vertex = graph.getConfiguration().getVertices().get(layerName);
        if (vertex instanceof LayerVertex layerVertex) {
            InputPreProcessor preProcessor = layerVertex.getPreProcessor();
            if (preProcessor instanceof CnnToFeedForwardPreProcessor flatten && flatten.getFormat() == CNN2DFormat.NCHW) {
                return new long[] {flatten.getNumChannels(), flatten.getInputHeight(), flatten.getInputWidth()};
            }
        }
        return null;
    }

    /**
     * Keras stores conv kernels HWIO; DL4J wants OIHW, and a separable convolution's [multiplier, in, h, w]
     * depthwise and [out, in, 1, 1] pointwise kernels the same transposition of Keras' [h, w, in, multiplier] and
     * [1, 1, in, out]. Depthwise convolutions' kernels and dense matrices match as stored, except
     * a Dense layer on a flattened feature map: Keras flattens channels-last (h, w, c), DL4J channels-first (c, h, w).
     * A grouped Conv2D's kernel with one channel per group, [kh, kw, 1, C], is a depthwise kernel [kh, kw, C, 1] in
     * the same order; a Dense layer on a feature map (ConvNeXt's pointwise layers, [in, out]) is a 1x1 convolution.
     */
    private static void assign(Path file, Layer layer, String layerName, INDArray target,
                               KerasWeightsFile.Tensor tensor, long[] flattenedChw) {
        INDArray value = Nd4j.create(tensor.values(), tensor.shape(), 'c');
        org.deeplearning4j.nn.conf.layers.Layer conf = unwrap(layer.conf().getLayer());
        if (conf instanceof DepthwiseConvolution2D && value.rank() == 4 && value.size(2) == 1
                && target.rank() == 4 && target.size(3) == 1 && value.size(3) == target.size(2)) {
            value = value.reshape('c', target.shape());
        } else if (conf instanceof ConvolutionLayer && value.rank() == 2 && target.rank() == 4
                && target.size(2) == 1 && target.size(3) == 1) {
            value = value.transpose().reshape('c', value.size(1), value.size(0), 1, 1);
        } else if (value.rank() == 4 && !(conf instanceof DepthwiseConvolution2D)) {
            value = value.permute(3, 2, 0, 1);
        } else if (value.rank() == 2 && flattenedChw != null
                && value.size(0) == flattenedChw[0] * flattenedChw[1] * flattenedChw[2]) {
            long c = flattenedChw[0];
            long h = flattenedChw[1];
            long w = flattenedChw[2];
            value = value.reshape('c', h, w, c, value.size(1)).permute(2, 0, 1, 3).dup('c')
                    .reshape('c', c * h * w, value.size(1));
        }
        boolean vector = value.rank() == 1 && target.length() == value.length();
        if (!vector && !Arrays.equals(value.shape(), target.shape())) {
            throw new TlException("weights file " + file + ": tensor " + tensor.name() + " has shape "
                    + Arrays.toString(tensor.shape()) + " but layer " + layerName + " needs "
                    + Arrays.toString(target.shape()) + " (DL4J layout)");
        }
        target.assign(vector ? value.reshape(target.shape()) : value);
    }

    /** Keras' input Normalization layer: named so, holding its mean and variance (and a count) only. */
    private static boolean isInputNormalization(String layer, Map<String, KerasWeightsFile.Tensor> tensors) {
        return layer.toLowerCase(Locale.ROOT).contains("normalization") && tensors.containsKey("mean")
                && tensors.containsKey("variance") && Set.of("mean", "variance", "count").containsAll(tensors.keySet());
    }

    /**
     * Keras' EfficientNet normalises inside the model with the ImageNet mean and (as published) the standard deviation
     * stored as "variance", then divides by sqrt(std) once more; ConvNeXt with the mean and variance in 0..255 units.
     * Whatever the units, the result must be the torch mode.
     */
    private static void checkNormalization(Path file, String layer, Map<String, KerasWeightsFile.Tensor> tensors,
                                           Preprocessing preprocessing) {
        float[] mean = tensors.get("mean").values();
        float[] variance = tensors.get("variance").values();
        boolean ok = false;
        for (float units : new float[] {1, 255}) {
            float[] std = scaled(Preprocessing.IMAGENET_STD, units);
            ok |= close(mean, scaled(Preprocessing.IMAGENET_MEAN, units))
                    && (close(variance, std) || close(variance, squares(std)));
        }
        if (preprocessing != Preprocessing.TORCH || !ok) {
            throw new TlException("weights file " + file + ": its input Normalization layer '" + layer
                    + "' does not match the preprocessing tl applies (" + preprocessing.id() + ")");
        }
    }

    private static float[] scaled(float[] values, float factor) {
        float[] s = values.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] *= factor;
        }
        return s;
    }

    private static float[] squares(float[] values) {
        float[] s = values.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] *= s[i];
        }
        return s;
    }

    /** Equal to 1e-4 relative (0..255 units' variances reach 3,400). */
    private static boolean close(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return false;
        }
        for (int i = 0; i < actual.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > 1e-4 * Math.max(1, Math.abs(expected[i]))) {
                return false;
            }
        }
        return true;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer unwrap(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return conf instanceof FrozenLayer frozen ? frozen.getLayer() : conf;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 8 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 8)) + ", ... (" + (names.size() - 8) + " more)";
    }
}
