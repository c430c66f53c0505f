package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.data.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies a Keras weight file into the layers of a graph built with Keras' layer names. Every tensor must land in
 * exactly one parameter and every parameter must get a tensor; anything else is an error naming it.
 *
 * <p>Layer names match with '/' and '_' treated alike (Keras 3 renamed DenseNet's "conv1/conv" to "conv1_conv"),
 * and the classifier also answers to the names older weight files use for it. Keras' in-model input Normalization
 * (EfficientNet) has no parameter here: tl preprocesses images before the network, so its tensors are checked
 * against that preprocessing instead of loaded.
 */
public final class KerasWeightLoader {

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
        Map<String, Map<String, KerasWeightsFile.Tensor>> tensors = KerasWeightsFile.read(file);
        Map<String, String> byNormalisedName = new HashMap<>();
        tensors.keySet().forEach(name -> byNormalisedName.put(normalise(name), name));
        Set<String> used = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String fullName : layerNames) {
            Layer layer = graph.getVertex(fullName) == null ? null : graph.getLayer(fullName);
            if (layer == null || layer.numParams() == 0) {
                continue;
            }
            String kerasName = fullName.substring(prefix.length());
            Map<String, KerasWeightsFile.Tensor> layerTensors = tensors.get(fileLayerName(kerasName, byNormalisedName));
            for (Map.Entry<String, INDArray> param : layer.paramTable().entrySet()) {
                String kerasWeight = kerasWeightName(layer, param.getKey());
                KerasWeightsFile.Tensor tensor = layerTensors == null ? null : layerTensors.get(kerasWeight);
                if (tensor == null) {
                    missing.add(kerasName + "/" + kerasWeight);
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
            case "W" -> conf instanceof DepthwiseConvolution2D ? "depthwise_kernel" : "kernel";
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
     * Keras stores conv kernels HWIO; DL4J wants OIHW. Depthwise kernels and dense matrices match as stored, except
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
