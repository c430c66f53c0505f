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
 * Reads Keras' legacy HDF5 weight layout ({@code model.save_weights(...h5)} and the published {@code *_notop.h5}):
 * root attribute {@code layer_names}; per layer a group with attribute {@code weight_names}; each tensor at
 * {@code <layer>/<weight_name>}. A full-model file ({@code model.save}) keeps the same layout under
 * {@code model_weights}.
 */
public final class KerasWeightsFile {

    /** One stored tensor: its shape as Keras stores it (e.g. HWIO for kernels) and values in C order. */
    public record Tensor(String name, long[] shape, float[] values) {
    }

    private KerasWeightsFile() {
    }

    /** Layer name to its tensors keyed by short weight name (kernel, bias, gamma, moving_mean, ...), in file order. */
    public static Map<String, Map<String, Tensor>> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new TlException("weights file not found: " + file);
        }
        try (HdfFile hdf = new HdfFile(file)) {
            Group root = hdf;
            Node nested = hdf.getChild("model_weights");
            if (nested instanceof Group group) {
                root = group;
            }
            Map<String, Map<String, Tensor>> layers = new LinkedHashMap<>();
            for (String layer : strings(root.getAttribute("layer_names"), file, "layer_names")) {
                Node node = root.getByPath(layer);
                if (!(node instanceof Group layerGroup)) {
                    throw new TlException("weights file " + file + ": layer '" + layer + "' has no group");
                }
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (String weightName : weightNames(layerGroup)) {
                    Dataset dataset = (Dataset) layerGroup.getByPath(weightName);
                    tensors.put(shortName(weightName), new Tensor(layer + "/" + weightName,
                            dataset.getDimensionsAsLong(), toFloats(dataset.getDataFlat(), file, weightName)));
                }
                if (!tensors.isEmpty()) {
                    layers.put(layer, tensors);
                }
            }
            return layers;
        } catch (TlException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TlException("cannot read Keras weights from " + file + ": " + e.getMessage(), e);
        }
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

    private static List<String> strings(Attribute attribute, Path file, String what) {
        if (attribute == null) {
            throw new TlException("weights file " + file + " is not in Keras' HDF5 weight layout (no '" + what
                    + "' attribute)");
        }
        return strings(attribute.getData());
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
