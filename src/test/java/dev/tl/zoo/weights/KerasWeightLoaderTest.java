package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TlException;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Loads generated files in Keras' layout (random values for every layer of an architecture) and checks every value
 * landed where Keras' layout says it belongs, by explicit index arithmetic rather than the loader's own transform.
 */
class KerasWeightLoaderTest {

    @TempDir
    Path dir;

    /** What Keras stores for each parameterised layer of a graph, with random values, in Keras' layer order. */
    static Map<String, Map<String, KerasH5Fixture.Tensor>> kerasTensors(ComputationGraph graph, List<String> layers,
                                                                       long seed) {
        Random random = new Random(seed);
        Map<String, Map<String, KerasH5Fixture.Tensor>> out = new LinkedHashMap<>();
        for (String name : layers) {
            Layer layer = graph.getLayer(name);
            Map<String, KerasH5Fixture.Tensor> tensors = new LinkedHashMap<>();
            if (layer != null && layer.numParams() > 0) {
                org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
                if (conf instanceof BatchNormalization) {
                    int c = (int) layer.getParam("gamma").length();
                    for (String w : List.of("gamma", "beta", "moving_mean", "moving_variance")) {
                        KerasH5Fixture.Tensor t = KerasH5Fixture.random(name + "/" + w + ":0", random, c);
                        if (w.equals("moving_variance")) {
                            for (int i = 0; i < c; i++) {
                                t.values()[i] = Math.abs(t.values()[i]) + 0.1f;
                            }
                        }
                        tensors.put(w, t);
                    }
                } else {
                    long[] w = layer.getParam("W").shape();
                    if (conf instanceof DepthwiseConvolution2D) {
                        tensors.put("depthwise_kernel", KerasH5Fixture.random(name + "/depthwise_kernel:0", random,
                                (int) w[0], (int) w[1], (int) w[2], (int) w[3]));
                    } else if (conf instanceof ConvolutionLayer) { // DL4J [out, in, kh, kw] -> Keras [kh, kw, in, out]
                        tensors.put("kernel", KerasH5Fixture.random(name + "/kernel:0", random,
                                (int) w[2], (int) w[3], (int) w[1], (int) w[0]));
                    } else {
                        tensors.put("kernel", KerasH5Fixture.random(name + "/kernel:0", random, (int) w[0], (int) w[1]));
                    }
                    if (layer.paramTable().containsKey("b")) {
                        tensors.put("bias", KerasH5Fixture.random(name + "/bias:0", random,
                                (int) layer.getParam("b").length()));
                    }
                }
            }
            out.put(name, tensors);
        }
        return out;
    }

    static void write(Map<String, Map<String, KerasH5Fixture.Tensor>> tensors, Path file) {
        KerasH5Fixture fixture = new KerasH5Fixture();
        tensors.forEach((layer, ts) -> fixture.layer(layer, ts.values().toArray(KerasH5Fixture.Tensor[]::new)));
        fixture.write(file);
    }

    /** Checks every tensor value against the graph parameter Keras' layout maps it to. */
    static void assertLoaded(ComputationGraph graph, Map<String, Map<String, KerasH5Fixture.Tensor>> tensors) {
        int checked = 0;
        for (Map.Entry<String, Map<String, KerasH5Fixture.Tensor>> layer : tensors.entrySet()) {
            for (Map.Entry<String, KerasH5Fixture.Tensor> entry : layer.getValue().entrySet()) {
                KerasH5Fixture.Tensor t = entry.getValue();
                INDArray param = graph.getLayer(layer.getKey()).getParam(switch (entry.getKey()) {
                    case "kernel", "depthwise_kernel" -> "W";
                    case "bias" -> "b";
                    case "moving_mean" -> "mean";
                    case "moving_variance" -> "var";
                    default -> entry.getKey();
                });
                int[] s = t.shape();
                for (int k = 0; k < t.values().length; k += Math.max(1, t.values().length / 97)) {
                    float expected = t.values()[k];
                    float actual;
                    if (s.length == 4 && entry.getKey().equals("kernel")) {
                        int o = k % s[3];
                        int i = (k / s[3]) % s[2];
                        int w = (k / (s[3] * s[2])) % s[1];
                        int h = k / (s[3] * s[2] * s[1]);
                        actual = param.getFloat(o, i, h, w);
                    } else if (s.length == 4) {
                        int m = k % s[3];
                        int c = (k / s[3]) % s[2];
                        int w = (k / (s[3] * s[2])) % s[1];
                        int h = k / (s[3] * s[2] * s[1]);
                        actual = param.getFloat(h, w, c, m);
                    } else if (s.length == 2) {
                        actual = param.getFloat(k / s[1], k % s[1]);
                    } else {
                        actual = param.reshape(-1).getFloat(k);
                    }
                    assertThat(actual).as("%s/%s[%d]", layer.getKey(), entry.getKey(), k).isEqualTo(expected);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    private static ModelSpec spec(String backbone) {
        return new ModelSpec(List.of(new BaseSpec(backbone, 32)), new HeadSpec(0, 0), 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mobilenet", "vgg16"})
    void everyTensorLandsInItsParameter(String backbone) {
        ModelSpec spec = spec(backbone);
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 11);
        Path file = dir.resolve(backbone + ".h5");
        write(tensors, file);

        KerasWeightLoader.load(file, graph, "", layers);

        assertLoaded(graph, tensors);
    }

    /** Writes a complete MobileNet weight file after {@code damage}, then loads it into a fresh graph. */
    private void loadDamaged(java.util.function.Consumer<Map<String, Map<String, KerasH5Fixture.Tensor>>> damage) {
        ModelSpec spec = spec("mobilenet");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 11);
        damage.accept(tensors);
        Path file = dir.resolve("damaged.h5");
        write(tensors, file);
        KerasWeightLoader.load(file, graph, "", layers);
    }

    @Test
    void aMissingTensorIsNamed() {
        assertThatThrownBy(() -> loadDamaged(t -> t.get("conv_pw_5_bn").remove("moving_variance")))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("conv_pw_5_bn/moving_variance");
    }

    @Test
    void anUnmatchedTensorIsNamed() {
        assertThatThrownBy(() -> loadDamaged(t -> t.put("conv_preds", Map.of("kernel",
                KerasH5Fixture.random("conv_preds/kernel:0", new Random(1), 1, 1, 1024, 10)))))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("conv_preds/conv_preds/kernel:0");
    }

    @Test
    void aWrongShapeIsNamed() {
        assertThatThrownBy(() -> loadDamaged(t -> t.get("conv1").put("kernel",
                KerasH5Fixture.random("conv1/kernel:0", new Random(1), 3, 3, 3, 16))))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("conv1/conv1/kernel:0")
                .hasMessageContaining("[3, 3, 3, 16]");
    }
}
