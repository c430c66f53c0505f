package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.data.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * anything else is an error naming it. A load that succeeds logs how many tensors went into how many layers.
 *
 * <p>In the layouts that name layers, layer names match with '/' and '_' treated alike (Keras 3 renamed DenseNet's
 * "conv1/conv" to "conv1_conv"), and the classifier also answers to the names older weight files use for it. A
 * Keras 3 {@code .weights.h5} names no layer; its layers match by class and position (see
 * {@link #byClassInKerasOrder}). Keras' in-model input Normalization (EfficientNet) has no parameter here: tl
 * preprocesses images before the network, so its tensors are checked against that preprocessing instead of loaded.
 */
public final class KerasWeightLoader {

    private static final Logger log = LoggerFactory.getLogger(KerasWeightLoader.class);

    /** The Keras classes of layers with weights that tl builds (see {@link #kerasClass}). */
    private static final List<String> KERAS_CLASSES = List.of("conv2d", "depthwise_conv2d", "separable_conv2d",
            "batch_normalization", "dense");

    /** What the 1000-class classifier was called when the published with-top files were written. */
    private static final List<String> CLASSIFIER_ALIASES = List.of("fc1000", "probs", "Logits");

    private KerasWeightLoader() {
    }

    /**
     * @param layerNames    the graph layers to fill (full names, i.e. with {@code prefix}); layers without parameters
     *                      are skipped
     * @param preprocessing what the network's input has been through, to check an in-model Normalization against
     */
    public static void load(Path file, ComputationGraph graph, String prefix, List<String> layerNames,
                            Preprocessing preprocessing) {
        KerasWeightsFile.Contents contents = KerasWeightsFile.read(file);
        Map<String, Map<String, KerasWeightsFile.Tensor>> tensors = contents.layers();
        List<String> parameterised = layerNames.stream()
                .filter(name -> graph.getVertex(name) != null && graph.getLayer(name) != null
                        && graph.getLayer(name).numParams() > 0)
                .toList();
        Map<String, String> fileLayers = contents.layout() == KerasWeightsFile.Layout.KERAS_3
                ? byClassInKerasOrder(file, graph, parameterised, tensors.keySet())
                : byName(graph, parameterised, prefix, tensors.keySet());
        Set<String> used = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String fullName : parameterised) {
            Layer layer = graph.getLayer(fullName);
            String kerasName = fullName.substring(prefix.length());
            String fileLayer = fileLayers.get(fullName);
            Map<String, KerasWeightsFile.Tensor> layerTensors = fileLayer == null ? null : tensors.get(fileLayer);
            for (Map.Entry<String, INDArray> param : layer.paramTable().entrySet()) {
                String kerasWeight = kerasWeightName(layer, param.getKey());
                KerasWeightsFile.Tensor tensor = layerTensors == null ? null : layerTensors.get(kerasWeight);
                if (tensor == null) {
                    missing.add(kerasName + "/" + kerasWeight + (contents.layout() == KerasWeightsFile.Layout.KERAS_3
                            ? " (in layers/" + fileLayer + ")" : ""));
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
            if (layer.toLowerCase(Locale.ROOT).startsWith("normalization")) {
                checkNormalization(file, layer, layerTensors, preprocessing);
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
        log.info("loaded {} tensors into {} layers from {} ({}; 0 unmatched, 0 missing)", loaded,
                parameterised.size(), file, contents.layout());
    }

    /**
     * Legacy layouts name each layer: the network's layer is the file's layer of the same name. Layers an
     * application leaves for Keras to name (InceptionV3's conv2d_5, Xception's residual convolutions) are matched by
     * position instead, as Keras itself loads a legacy file: the n-th such layer of a class in Keras' layer order
     * (see {@link #byClassInKerasOrder}) is the file's n-th layer so named. Their numbers tell nothing: Keras 2
     * counted from conv2d_1, Keras 3 from conv2d, and a session's earlier models shift them.
     */
    private static Map<String, String> byName(ComputationGraph graph, List<String> layers, String prefix,
                                              Set<String> fileLayers) {
        Map<String, String> byNormalisedName = new HashMap<>();
        Map<String, List<String>> fileNumbered = new HashMap<>();
        for (String name : fileLayers) {
            byNormalisedName.put(normalise(name), name);
            KERAS_CLASSES.stream().filter(kerasClass -> numbered(name, kerasClass)).findFirst()
                    .ifPresent(kerasClass -> fileNumbered.computeIfAbsent(kerasClass, c -> new ArrayList<>()).add(name));
        }
        Map<String, List<String>> ourNumbered = new HashMap<>();
        Map<String, String> found = new HashMap<>();
        for (String fullName : kerasLayerOrder(graph, layers)) {
            String kerasName = fullName.substring(prefix.length());
            String kerasClass = kerasClass(graph.getLayer(fullName));
            if (numbered(kerasName, kerasClass)) {
                ourNumbered.computeIfAbsent(kerasClass, c -> new ArrayList<>()).add(fullName);
                continue;
            }
            String fileLayer = fileLayerName(kerasName, byNormalisedName);
            if (fileLayer != null) {
                found.put(fullName, fileLayer);
            }
        }
        ourNumbered.forEach((kerasClass, ours) -> {
            List<String> theirs = fileNumbered.getOrDefault(kerasClass, List.of());
            for (int i = 0; i < Math.min(ours.size(), theirs.size()); i++) {
                found.put(ours.get(i), theirs.get(i));
            }
        });
        return found;
    }

    /** Whether {@code layerName} is a name Keras gives a layer of {@code kerasClass}: conv2d, conv2d_1, ... */
    private static boolean numbered(String layerName, String kerasClass) {
        return layerName.startsWith(kerasClass) && layerName.substring(kerasClass.length()).matches("(_\\d+)?");
    }

    /**
     * Keras 3 names no layer: a layer's group is named after its class and numbered per class in the order Keras
     * lists the model's layers (conv2d, conv2d_1, ...). That order is not the order the layers were built in:
     * Keras sorts them by depth from the output, deepest first, ties in the order a depth-first search from the
     * output meets them (keras.src.ops.function.map_graph), so a ResNet block's shortcut convolution comes after
     * its second convolution. tl fuses a BatchNorm and its activation into one vertex, which in tl's backbones
     * changes no depth by which two layers of one class are ordered.
     */
    private static Map<String, String> byClassInKerasOrder(Path file, ComputationGraph graph, List<String> layers,
                                                           Set<String> fileLayers) {
        String scope = nestedModelScope(file, fileLayers);
        Map<String, Integer> perClass = new HashMap<>();
        Map<String, String> found = new HashMap<>();
        for (String name : kerasLayerOrder(graph, layers)) {
            String kerasClass = kerasClass(graph.getLayer(name));
            int index = perClass.merge(kerasClass, 1, Integer::sum) - 1;
            found.put(name, scope + kerasClass + (index == 0 ? "" : "_" + index));
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

    /** {@code layers} sorted as keras.src.ops.function.map_graph sorts a Functional model's layers. */
    static List<String> kerasLayerOrder(ComputationGraph graph, List<String> layers) {
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        Map<String, Integer> discovered = new HashMap<>();
        List<String> finished = new ArrayList<>(); // every vertex after the vertices it reads
        for (String output : graph.getConfiguration().getNetworkOutputs()) {
            depthFirst(output, inputs, discovered, finished);
        }
        Map<String, Integer> depth = new HashMap<>();
        for (int i = finished.size() - 1; i >= 0; i--) { // outputs first: a vertex's depth is final when reached
            int below = depth.getOrDefault(finished.get(i), 0) + 1;
            for (String input : inputs.getOrDefault(finished.get(i), List.of())) {
                depth.merge(input, below, Math::max);
            }
        }
        return layers.stream()
                .sorted(Comparator.comparing((String layer) -> -depth.getOrDefault(layer, 0))
                        .thenComparing(discovered::get))
                .toList();
    }

    private static void depthFirst(String vertex, Map<String, List<String>> inputs, Map<String, Integer> discovered,
                                   List<String> finished) {
        if (discovered.putIfAbsent(vertex, discovered.size()) != null) {
            return;
        }
        for (String input : inputs.getOrDefault(vertex, List.of())) {
            depthFirst(input, inputs, discovered, finished);
        }
        finished.add(vertex);
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
        throw new IllegalStateException("layer " + conf.getLayerName() + " (" + conf.getClass().getSimpleName()
                + ") has no Keras counterpart");
    }

    private static String normalise(String layerName) {
        return layerName.replace('/', '_');
    }

    private static String fileLayerName(String kerasName, Map<String, String> byNormalisedName) {
        String found = byNormalisedName.get(normalise(kerasName));
        if (found == null && kerasName.equals("predictions")) {
            for (String alias : CLASSIFIER_ALIASES) {
                found = byNormalisedName.get(alias);
                if (found != null) {
                    break;
                }
            }
        }
        return found;
    }

    private static String kerasWeightName(Layer layer, String paramKey) {
        org.deeplearning4j.nn.conf.layers.Layer conf = unwrap(layer.conf().getLayer());
        if (conf instanceof BatchNormalization) {
            return switch (paramKey) {
                case "gamma" -> "gamma";
                case "beta" -> "beta";
                case "mean" -> "moving_mean";
                case "var" -> "moving_variance";
                default -> throw new IllegalStateException("BatchNorm parameter " + paramKey + " is not supported");
            };
        }
        return switch (paramKey) {
            case "W" -> conf instanceof DepthwiseConvolution2D || conf instanceof SeparableConvolution2D
                    ? "depthwise_kernel" : "kernel";
            case "pW" -> "pointwise_kernel";
            case "b" -> "bias";
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
     */
    private static void assign(Path file, Layer layer, String layerName, INDArray target,
                               KerasWeightsFile.Tensor tensor, long[] flattenedChw) {
        INDArray value = Nd4j.create(tensor.values(), tensor.shape(), 'c');
        org.deeplearning4j.nn.conf.layers.Layer conf = unwrap(layer.conf().getLayer());
        if (value.rank() == 4 && !(conf instanceof DepthwiseConvolution2D)) {
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

    /**
     * Keras' EfficientNet normalises inside the model with the ImageNet mean and (as published) the standard deviation
     * stored as "variance", then divides by sqrt(std) once more. Either way the result must be the torch mode.
     */
    private static void checkNormalization(Path file, String layer, Map<String, KerasWeightsFile.Tensor> tensors,
                                           Preprocessing preprocessing) {
        KerasWeightsFile.Tensor mean = tensors.get("mean");
        KerasWeightsFile.Tensor variance = tensors.get("variance");
        boolean ok = preprocessing == Preprocessing.TORCH && mean != null && variance != null
                && close(mean.values(), Preprocessing.IMAGENET_MEAN)
                && (close(variance.values(), Preprocessing.IMAGENET_STD) || close(variance.values(), squares()));
        if (!ok) {
            throw new TlException("weights file " + file + ": its input normalization layer '" + layer
                    + "' does not match the preprocessing tl applies (" + preprocessing.id() + ")");
        }
    }

    private static float[] squares() {
        float[] s = Preprocessing.IMAGENET_STD.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] *= s[i];
        }
        return s;
    }

    private static boolean close(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            return false;
        }
        for (int i = 0; i < actual.length; i++) {
            if (Math.abs(actual[i] - expected[i]) > 1e-4) {
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
