package dev.tl.zoo.weights;

import dev.tl.TlException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies a Keras weight file into the layers of a graph built with Keras' layer names. Every tensor must land in
 * exactly one parameter and every parameter must get a tensor; anything else is an error naming it.
 */
public final class KerasWeightLoader {

    private KerasWeightLoader() {
    }

    /**
     * @param layerNames the graph layers to fill (full names, i.e. with {@code prefix}); layers without parameters
     *                   are skipped
     */
    public static void load(Path file, ComputationGraph graph, String prefix, List<String> layerNames) {
        Map<String, Map<String, KerasWeightsFile.Tensor>> tensors = KerasWeightsFile.read(file);
        Set<String> used = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (String fullName : layerNames) {
            Layer layer = graph.getLayer(fullName);
            if (layer == null || layer.numParams() == 0) {
                continue;
            }
            String kerasName = fullName.substring(prefix.length());
            Map<String, KerasWeightsFile.Tensor> layerTensors = tensors.get(kerasName);
            for (Map.Entry<String, INDArray> param : layer.paramTable().entrySet()) {
                String kerasWeight = kerasWeightName(layer, param.getKey());
                KerasWeightsFile.Tensor tensor = layerTensors == null ? null : layerTensors.get(kerasWeight);
                if (tensor == null) {
                    missing.add(kerasName + "/" + kerasWeight);
                    continue;
                }
                assign(file, layer, fullName, param.getValue(), tensor);
                used.add(tensor.name());
            }
        }
        if (!missing.isEmpty()) {
            throw new TlException("weights file " + file + " lacks " + missing.size() + " tensor(s) the network needs: "
                    + abbreviate(missing));
        }
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

    /** Keras stores conv kernels HWIO; DL4J wants OIHW. Depthwise kernels and dense matrices match as stored. */
    private static void assign(Path file, Layer layer, String layerName, INDArray target,
                               KerasWeightsFile.Tensor tensor) {
        INDArray value = Nd4j.create(tensor.values(), tensor.shape(), 'c');
        org.deeplearning4j.nn.conf.layers.Layer conf = unwrap(layer.conf().getLayer());
        if (value.rank() == 4 && !(conf instanceof DepthwiseConvolution2D)) {
            value = value.permute(3, 2, 0, 1);
        }
        boolean vector = value.rank() == 1 && target.length() == value.length();
        if (!vector && !Arrays.equals(value.shape(), target.shape())) {
            throw new TlException("weights file " + file + ": tensor " + tensor.name() + " has shape "
                    + Arrays.toString(tensor.shape()) + " but layer " + layerName + " needs "
                    + Arrays.toString(target.shape()) + " (DL4J layout)");
        }
        target.assign(vector ? value.reshape(target.shape()) : value);
    }

    private static org.deeplearning4j.nn.conf.layers.Layer unwrap(org.deeplearning4j.nn.conf.layers.Layer conf) {
        return conf instanceof FrozenLayer frozen ? frozen.getLayer() : conf;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 8 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 8)) + ", ... (" + (names.size() - 8) + " more)";
    }
}
