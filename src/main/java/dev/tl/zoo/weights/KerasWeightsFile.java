package dev.tl.zoo.weights;

import dev.tl.TlException;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Keras HDF5 weight files in any of the three layouts Keras writes:
 * <ul>
 *   <li>{@link Layout#LEGACY}: {@code model.save_weights(...h5)} before Keras 3 and the published
 *       {@code *_notop.h5} files. Root attribute {@code layer_names}; per layer a group with attribute
 *       {@code weight_names}; each tensor at {@code <layer>/<weight_name>}.</li>
 *   <li>{@link Layout#FULL_MODEL}: {@code model.save(...h5)}, the same under a {@code model_weights} group (the
 *       optimizer's state beside it is not read).</li>
 *   <li>{@link Layout#KERAS_3}: Keras 3's {@code model.save_weights(...weights.h5)} (keras.src.saving.saving_lib,
 *       H5IOStore). A model's layers sit in {@code layers/}, each in a group named after its class, numbered per
 *       class in the model's layer order ({@code conv2d}, {@code conv2d_1}, ...), its variables at
 *       {@code vars/0}, {@code vars/1}, ... without names. A nested model (a base inside a transfer-learning
 *       model) has its own {@code layers/} inside its group: {@code layers/functional/layers/conv2d/vars/0}.
 *       Anything outside {@code layers/} (the optimizer's variables) is not read.</li>
 * </ul>
 */
public final class KerasWeightsFile {

    public enum Layout {
        LEGACY("Keras 2 layout"),
        FULL_MODEL("Keras full-model layout"),
        KERAS_3("Keras 3 .weights.h5 layout");

        private final String description;

        Layout(String description) {
            this.description = description;
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** One stored tensor: where it is in the file, its shape as Keras stores it (HWIO kernels), values in C order. */
    public record Tensor(String name, long[] shape, float[] values) {
    }

    /**
     * What a file holds, layer by layer in file order, each layer's tensors keyed by Keras' weight name (kernel,
     * bias, gamma, moving_mean, ...). Legacy layers are keyed by layer name (the layers of a nested model by their
     * own names); Keras 3 layers by their group's path below the top {@code layers/} ({@code conv2d_3},
     * {@code functional/layers/conv2d_3}).
     */
    public record Contents(Layout layout, Map<String, Map<String, Tensor>> layers) {
    }

    /**
     * What Keras 3 stores at {@code vars/0, 1, ...} for a layer class: the layer's trainable variables as created,
     * then the non-trainable ones; the first {@code required} are always there (a bias only with use_bias).
     */
    private record Keras3Variables(List<String> names, int required) {
    }

    /** The layer classes of tl's backbones. Keras 3 calls a depthwise kernel "kernel"; named here as elsewhere. */
    private static final Map<String, Keras3Variables> KERAS_3_VARIABLES = Map.of(
            "conv2d", new Keras3Variables(List.of("kernel", "bias"), 1),
            "depthwise_conv2d", new Keras3Variables(List.of("depthwise_kernel", "bias"), 1),
            "separable_conv2d", new Keras3Variables(List.of("depthwise_kernel", "pointwise_kernel", "bias"), 2),
            "dense", new Keras3Variables(List.of("kernel", "bias"), 1),
            "batch_normalization", new Keras3Variables(List.of("gamma", "beta", "moving_mean", "moving_variance"), 3),
            "normalization", new Keras3Variables(List.of("mean", "variance", "count"), 3),
            "layer_normalization", new Keras3Variables(List.of("gamma", "beta"), 2),
            "layer_scale", new Keras3Variables(List.of("gamma"), 1));

    private KerasWeightsFile() {
    }

    public static Contents read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TlException("weights file not found: " + file);
        }
        try (HdfFile hdf = new HdfFile(file)) {
            if (hdf.getChild("model_weights") instanceof Group modelWeights) {
                return new Contents(Layout.FULL_MODEL, readLegacy(modelWeights, file));
            }
            if (hdf.getAttribute("layer_names") != null) {
                return new Contents(Layout.LEGACY, readLegacy(hdf, file));
            }
            if (hdf.getChild("layers") instanceof Group layers) {
                Map<String, Map<String, Tensor>> tensors = new LinkedHashMap<>();
                readKeras3(layers, "", file, tensors);
                return new Contents(Layout.KERAS_3, tensors);
            }
            throw new TlException("weights file " + file + " is not in a Keras HDF5 weight layout (no 'layer_names' "
                    + "attribute, 'model_weights' group or Keras 3 'layers' group)");
        } catch (TlException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TlException("cannot read Keras weights from " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Map<String, Tensor>> readLegacy(Group root, Path file) {
        Attribute layerNames = root.getAttribute("layer_names");
        if (layerNames == null) {
            throw new TlException("weights file " + file + ": group '" + root.getPath()
                    + "' has no 'layer_names' attribute");
        }
        Map<String, Map<String, Tensor>> layers = new LinkedHashMap<>();
        for (String layer : strings(layerNames.getData())) {
            if (!(root.getByPath(layer) instanceof Group layerGroup)) {
                throw new TlException("weights file " + file + ": layer '" + layer + "' has no group");
            }
            // A nested model (ConvNeXt's stem and downsampling Sequentials) is one group holding its layers'
            // weights, each named after its own layer.
            Map<String, Map<String, Tensor>> bySubLayer = new LinkedHashMap<>();
            for (String weightName : weightNames(layerGroup)) {
                if (!(layerGroup.getByPath(weightName) instanceof Dataset dataset)) {
                    throw new TlException("weights file " + file + ": layer '" + layer + "' lists weight '"
                            + weightName + "' but holds no such dataset");
                }
                bySubLayer.computeIfAbsent(scope(weightName), scope -> new LinkedHashMap<>())
                        .put(shortName(weightName), tensor(layer + "/" + weightName, dataset, file));
            }
            if (bySubLayer.size() == 1) {
                layers.put(layer, bySubLayer.values().iterator().next());
            } else {
                bySubLayer.forEach((scope, tensors) -> layers.put(
                        scope.startsWith(layer + "/") ? scope.substring(layer.length() + 1) : scope, tensors));
            }
        }
        return layers;
    }

    /** "conv1/conv/kernel:0" -> "conv1/conv": the layer a weight's name says it belongs to. */
    private static String scope(String weightName) {
        int slash = weightName.lastIndexOf('/');
        return slash < 0 ? "" : weightName.substring(0, slash);
    }

    /** Every layer group below {@code container} (a {@code layers/} group) whose {@code vars/} holds tensors. */
    private static void readKeras3(Group container, String prefix, Path file,
                                   Map<String, Map<String, Tensor>> layers) {
        for (Node child : container) {
            if (!(child instanceof Group layer)) {
                continue;
            }
            String key = prefix + layer.getName();
            if (layer.getChild("vars") instanceof Group vars && !vars.getChildren().isEmpty()) {
                layers.put(key, keras3Variables(key, vars, file));
            }
            if (layer.getChild("layers") instanceof Group nested) {
                readKeras3(nested, key + "/layers/", file, layers);
            }
        }
    }

    private static Map<String, Tensor> keras3Variables(String key, Group vars, Path file) {
        String kerasClass = key.substring(key.lastIndexOf('/') + 1).replaceFirst("_\\d+$", "");
        Keras3Variables known = KERAS_3_VARIABLES.get(kerasClass);
        List<String> names = known == null ? List.of() : known.names();
        int count = vars.getChildren().size();
        if (kerasClass.equals("batch_normalization") && count == 3) {
            names = names.subList(1, 4); // BatchNormalization(scale=False), as Keras' applications use it
        }
        if (known != null && (count < known.required() || count > names.size())) {
            throw new TlException("weights file " + file + ": layers/" + key + " holds " + count
                    + " variables; tl reads " + kerasClass + " layers with " + String.join(", ", names));
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            if (!(vars.getChild(Integer.toString(i)) instanceof Dataset dataset)) {
                throw new TlException("weights file " + file + ": layers/" + key + "/vars has no variable " + i);
            }
            String name = i < names.size() ? names.get(i) : Integer.toString(i);
            tensors.put(name, tensor("layers/" + key + "/vars/" + i, dataset, file));
        }
        return tensors;
    }

    private static Tensor tensor(String name, Dataset dataset, Path file) {
        return new Tensor(name, dataset.getDimensionsAsLong(), toFloats(dataset.getDataFlat(), file, name));
    }

    /** "conv1/conv/kernel:0" -> "kernel". */
    static String shortName(String weightName) {
        String name = weightName.substring(weightName.lastIndexOf('/') + 1);
        int colon = name.indexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** Keras writes an empty {@code weight_names} for layers without weights; a missing one means the same. */
    private static List<String> weightNames(Group layer) {
        Attribute attribute = layer.getAttribute("weight_names");
        return attribute == null ? List.of() : strings(attribute.getData());
    }

    private static List<String> strings(Object data) {
        List<String> values = new ArrayList<>();
        if (data instanceof String[] array) {
            values.addAll(List.of(array));
        } else if (data instanceof String single) {
            values.add(single);
        }
        return values;
    }

    private static float[] toFloats(Object flat, Path file, String weightName) {
        if (flat instanceof float[] floats) {
            return floats;
        }
        if (flat instanceof Number scalar) { // e.g. the int64 "count" of a Normalization layer
            return new float[] {scalar.floatValue()};
        }
        if (flat instanceof long[] longs) {
            float[] floats = new float[longs.length];
            for (int i = 0; i < longs.length; i++) {
                floats[i] = longs[i];
            }
            return floats;
        }
        if (flat instanceof double[] doubles) {
            float[] floats = new float[doubles.length];
            for (int i = 0; i < doubles.length; i++) {
                floats[i] = (float) doubles[i];
            }
            return floats;
        }
        throw new TlException("weights file " + file + ": tensor " + weightName + " is not floating point");
    }
}
