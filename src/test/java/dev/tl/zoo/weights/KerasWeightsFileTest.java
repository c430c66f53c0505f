package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.SharedFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keras' own published files, read at the file level: MobileNet v1 with width multiplier 0.25 at 224 px. */
class KerasWeightsFileTest {

    /** MobileNet v1's pointwise filters per block at alpha 1.0; alpha 0.25 keeps int(filters * 0.25). */
    private static final int[] POINTWISE_FILTERS = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    private static final double ALPHA = 0.25;
    private static final List<String> BATCH_NORM = List.of("gamma", "beta", "moving_mean", "moving_variance");

    /** Layer to weight name to Keras shape, in Keras' layer order, as keras.applications.MobileNet builds it. */
    private static Map<String, Map<String, List<Long>>> expectedShapes(boolean withTop) {
        Map<String, Map<String, List<Long>>> layers = new LinkedHashMap<>();
        long channels = (long) (32 * ALPHA);
        layers.put("conv1", Map.of("kernel", List.of(3L, 3L, 3L, channels)));
        layers.put("conv1_bn", batchNorm(channels));
        for (int block = 1; block <= POINTWISE_FILTERS.length; block++) {
            long out = (long) (POINTWISE_FILTERS[block - 1] * ALPHA);
            layers.put("conv_dw_" + block, Map.of("depthwise_kernel", List.of(3L, 3L, channels, 1L)));
            layers.put("conv_dw_" + block + "_bn", batchNorm(channels));
            layers.put("conv_pw_" + block, Map.of("kernel", List.of(1L, 1L, channels, out)));
            layers.put("conv_pw_" + block + "_bn", batchNorm(out));
            channels = out;
        }
        if (withTop) {
            layers.put("conv_preds", Map.of("kernel", List.of(1L, 1L, channels, 1000L), "bias", List.of(1000L)));
        }
        return layers;
    }

    private static Map<String, List<Long>> batchNorm(long channels) {
        Map<String, List<Long>> weights = new LinkedHashMap<>();
        BATCH_NORM.forEach(name -> weights.put(name, List.of(channels)));
        return weights;
    }

    /**
     * All values and the trainable ones (without BatchNorm's moving statistics, 5,472 values): 470,072 is the
     * count Keras and the MobileNet paper give for alpha 0.25 with the classifier.
     */
    @ParameterizedTest
    @CsvSource({"mobilenet_2_5_224_tf_no_top.h5, false, 218544, 213072",
            "mobilenet_2_5_224_tf.h5, true, 475544, 470072"})
    void everyLayerAndTensorOfKerasOwnFileReadsWithMobileNetsShapes(String name, boolean withTop, long parameters,
                                                                   long trainable) {
        Path file = SharedFiles.require("weights/" + name);

        KerasWeightsFile.Contents contents = KerasWeightsFile.read(file);

        assertThat(contents.layout()).isEqualTo(KerasWeightsFile.Layout.LEGACY);
        Map<String, Map<String, List<Long>>> shapes = new LinkedHashMap<>();
        long values = 0;
        long movingStatistics = 0;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, KerasWeightsFile.Tensor>> layer : contents.layers().entrySet()) {
            Map<String, List<Long>> weights = new LinkedHashMap<>();
            for (Map.Entry<String, KerasWeightsFile.Tensor> weight : layer.getValue().entrySet()) {
                KerasWeightsFile.Tensor tensor = weight.getValue();
                weights.put(weight.getKey(), Arrays.stream(tensor.shape()).boxed().toList());
                values += tensor.values().length;
                movingStatistics += weight.getKey().startsWith("moving_") ? tensor.values().length : 0;
                for (float v : tensor.values()) {
                    if (!Float.isFinite(v) || weight.getKey().equals("moving_variance") && v <= 0) {
                        problems.add(tensor.name() + " holds " + v);
                        break;
                    }
                }
            }
            shapes.put(layer.getKey(), weights);
        }
        assertThat(shapes).isEqualTo(expectedShapes(withTop));
        assertThat(List.copyOf(shapes.keySet())).isEqualTo(List.copyOf(expectedShapes(withTop).keySet()));
        assertThat(values).isEqualTo(parameters);
        assertThat(values - movingStatistics).isEqualTo(trainable);
        assertThat(problems).isEmpty();
        assertThat(contents.layers().get("conv1").get("kernel").name()).isEqualTo("conv1/conv1/kernel:0");
    }
}
