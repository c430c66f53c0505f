package dev.tl.zoo.weights;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5T_STR_NULLPAD;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Writes HDF5 files in the layouts Keras writes weights in, for tests:
 * <ul>
 *   <li>{@link #write}: the legacy layout of {@code model.save_weights(...h5)} and the published files: root
 *       attribute {@code layer_names}, one group per layer with attribute {@code weight_names}, each tensor stored
 *       at {@code <layer>/<weight name>} with "/" in names creating nested groups, as h5py does;</li>
 *   <li>{@link #writeFullModel}: {@code model.save(...h5)}: the same inside {@code model_weights}, the optimizer's
 *       state in {@code optimizer_weights} beside it;</li>
 *   <li>{@link #writeKeras3}: Keras 3's {@code model.save_weights(...weights.h5)}: {@code layers/<layer>/vars/<name>},
 *       where the layers are named as Keras 3 names them (conv2d, conv2d_1, ...) and the tensors "0", "1", ...; an
 *       empty {@code vars} for the model itself and for a weightless input layer, and optimizer variables, as a
 *       compiled model has.</li>
 * </ul>
 */
public final class KerasH5Fixture {

    /** A Keras tensor to write: weight name (e.g. "conv1/kernel:0"), Keras shape, values in C order. */
    public record Tensor(String weightName, int[] shape, float[] values) {
    }

    private final Map<String, List<Tensor>> layers = new LinkedHashMap<>();

    /** Adds a layer; a layer with no tensors is listed in layer_names with empty weight_names, as Keras does. */
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

    /** The legacy layout, with the native HDF5 library, as h5py writes it. */
    public void write(Path file) {
        inNewFile(file, this::writeLegacy);
    }

    /** A whole-model file: the legacy layout inside {@code model_weights}, optimizer state beside it. */
    public void writeFullModel(Path file) {
        inNewFile(file, (root, opened) -> {
            writeLegacy(groupAt(root, "model_weights", opened), opened);
            writeTensor(groupAt(root, "optimizer_weights/Adam", opened), new Tensor("iterations:0", new int[] {1},
                    new float[] {7}));
        });
    }

    /**
     * Keras 3's {@code .weights.h5}; with {@code nestedModel} (e.g. "functional") the layers sit in that model
     * inside the saved one, as a backbone does in {@code Sequential([backbone, GlobalAveragePooling2D()])}.
     */
    public void writeKeras3(Path file, String nestedModel) {
        inNewFile(file, (root, opened) -> {
            groupAt(root, "vars", opened);
            Group container = groupAt(root, "layers", opened);
            if (nestedModel != null) {
                groupAt(container, "global_average_pooling2d/vars", opened);
                groupAt(container, nestedModel + "/vars", opened);
                container = groupAt(container, nestedModel + "/layers", opened);
            }
            groupAt(container, "input_layer/vars", opened);
            for (Map.Entry<String, List<Tensor>> layer : layers.entrySet()) {
                Group vars = groupAt(container, layer.getKey() + "/vars", opened);
                layer.getValue().forEach(tensor -> writeTensor(vars, tensor));
            }
            writeTensor(groupAt(root, "optimizer/vars", opened), new Tensor("0", new int[] {1}, new float[] {7}));
        });
    }

    private interface Contents {
        void write(Group root, List<Group> opened);
    }

    private static void inNewFile(Path file, Contents contents) {
        H5File hdf = new H5File(file.toString(), H5F_ACC_TRUNC);
        // HDF5 only really closes (and flushes) the file once every handle into it is closed.
        List<Group> opened = new ArrayList<>();
        try {
            Group root = hdf.openGroup("/");
            opened.add(root);
            contents.write(root, opened);
        } finally {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
            hdf.close();
        }
    }

    private void writeLegacy(Group root, List<Group> opened) {
        stringArrayAttribute(root, "layer_names", layers.keySet().toArray(String[]::new));
        for (Map.Entry<String, List<Tensor>> layer : layers.entrySet()) {
            Group group = groupAt(root, layer.getKey(), opened);
            stringArrayAttribute(group, "weight_names",
                    layer.getValue().stream().map(Tensor::weightName).toArray(String[]::new));
            for (Tensor tensor : layer.getValue()) {
                String path = tensor.weightName();
                int slash = path.lastIndexOf('/');
                Group parent = slash < 0 ? group : groupAt(group, path.substring(0, slash), opened);
                writeTensor(parent, new Tensor(path.substring(slash + 1), tensor.shape(), tensor.values()));
            }
        }
    }

    private static void writeTensor(Group parent, Tensor tensor) {
        long[] dims = Arrays.stream(tensor.shape()).asLongStream().toArray();
        DataSpace space = new DataSpace(dims.length, dims);
        DataSet dataset = parent.createDataSet(tensor.weightName(), PredType.NATIVE_FLOAT(), space);
        dataset.write(new FloatPointer(tensor.values()), PredType.NATIVE_FLOAT());
        dataset.close();
        space.close();
    }

    /** Keras stores names as a fixed-length byte-string array (numpy 'S'); an empty list as zero elements. */
    private static void stringArrayAttribute(Group group, String name, String[] values) {
        int width = Math.max(1, Arrays.stream(values).mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length)
                .max().orElse(1));
        byte[] packed = new byte[Math.max(1, values.length) * width];
        for (int i = 0; i < values.length; i++) {
            byte[] bytes = values[i].getBytes(StandardCharsets.UTF_8);
            System.arraycopy(bytes, 0, packed, i * width, bytes.length);
        }
        StrType type = new StrType(PredType.C_S1(), width);
        type.setStrpad(H5T_STR_NULLPAD);
        DataSpace space = new DataSpace(1, new long[] {values.length});
        Attribute attribute = group.createAttribute(name, type, space);
        attribute.write(type, new BytePointer(packed));
        attribute.close();
        space.close();
        type.close();
    }

    private static Group groupAt(Group root, String path, List<Group> opened) {
        Group group = root;
        for (String part : path.split("/")) {
            group = group.nameExists(part) ? group.openGroup(part) : group.createGroup(part);
            opened.add(group);
        }
        return group;
    }

}
