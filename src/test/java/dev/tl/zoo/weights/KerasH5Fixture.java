package dev.tl.zoo.weights;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes HDF5 files in Keras' legacy weight layout (what {@code model.save_weights(...h5)} produces), for tests:
 * root attribute {@code layer_names}, one group per layer with attribute {@code weight_names}, each tensor stored at
 * {@code <layer>/<weight name>} with "/" in names creating nested groups, as h5py does.
 */
public final class KerasH5Fixture {

    /** A Keras tensor to write: weight name (e.g. "conv1/kernel:0"), Keras shape, values in C order. */
    public record Tensor(String weightName, int[] shape, float[] values) {
    }

    private final Map<String, List<Tensor>> layers = new LinkedHashMap<>();

    /** Adds a layer; a layer with no tensors is listed in layer_names (with no weight_names), as Keras does. */
    public KerasH5Fixture layer(String name, Tensor... tensors) {
        layers.put(name, new ArrayList<>(List.of(tensors)));
        return this;
    }

    public static Tensor random(String weightName, Random random, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new Tensor(weightName, shape, values);
    }

    public void write(Path file) {
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("layer_names", layers.keySet().toArray(String[]::new));
            for (Map.Entry<String, List<Tensor>> layer : layers.entrySet()) {
                WritableGroup group = groupAt(hdf, layer.getKey());
                if (layer.getValue().isEmpty()) {
                    continue; // jHDF cannot write an empty string array; Keras' empty weight_names means the same
                }
                group.putAttribute("weight_names",
                        layer.getValue().stream().map(Tensor::weightName).toArray(String[]::new));
                for (Tensor tensor : layer.getValue()) {
                    String path = tensor.weightName();
                    int slash = path.lastIndexOf('/');
                    WritableGroup parent = slash < 0 ? group : groupAt(group, path.substring(0, slash));
                    parent.putDataset(path.substring(slash + 1), nested(tensor.values(), tensor.shape()));
                }
            }
        }
    }

    private static WritableGroup groupAt(WritableGroup root, String path) {
        WritableGroup group = root;
        for (String part : path.split("/")) {
            group = group.getChild(part) instanceof WritableGroup existing ? existing : group.putGroup(part);
        }
        return group;
    }

    /** jHDF infers the dataset shape from nested Java arrays. */
    private static Object nested(float[] values, int[] shape) {
        return switch (shape.length) {
            case 1 -> values.clone();
            case 2 -> {
                float[][] a = new float[shape[0]][shape[1]];
                int k = 0;
                for (float[] row : a) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = values[k++];
                    }
                }
                yield a;
            }
            case 4 -> {
                float[][][][] a = new float[shape[0]][shape[1]][shape[2]][shape[3]];
                int k = 0;
                for (float[][][] x : a) {
                    for (float[][] y : x) {
                        for (float[] z : y) {
                            for (int j = 0; j < z.length; j++) {
                                z[j] = values[k++];
                            }
                        }
                    }
                }
                yield a;
            }
            default -> throw new IllegalArgumentException("rank " + shape.length + " not needed by Keras weights");
        };
    }
}
