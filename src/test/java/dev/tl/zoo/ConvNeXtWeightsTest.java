package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.weights.KerasH5Fixture;
import dev.tl.zoo.weights.KerasWeightLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ConvNeXt weight file as Keras wrote the published ones loads value by value where Keras' layout says: the stem
 * and downsampling layers inside nested Sequential models' groups, the depthwise convolution as a grouped Conv2D
 * kernel [7, 7, 1, C] with bias, the pointwise layers as Dense kernels [in, out], the layer scale as the bare
 * "Variable" it was, the classifier-less file's final LayerNormalization as Keras numbered it. Each value is checked by
 * explicit index arithmetic. The architecture is ConvNeXt's with narrow stages (same layers and names).
 */
class ConvNeXtWeightsTest {

    private static final String MODEL = "convnext_tiny";
    private static final int[] DEPTHS = {1, 1, 2, 1};
    private static final int[] DIMS = {8, 16, 24, 32};

    @TempDir
    Path dir;

    private final Random random = new Random(5);
    private final List<Runnable> checks = new ArrayList<>();

    @Test
    void theClassifierLessFileLoadsIntoTheBase() {
        Network network = build(net -> new ConvNeXt(MODEL, DEPTHS, DIMS).base(net, input()));
        KerasH5Fixture file = stagesInKerasLayout(network.graph());
        // Keras before 2.6 stored an input Normalization's statistics (here in 0..255 units): checked, not loaded.
        file.layer(MODEL + "_prestem_normalization",
                new KerasH5Fixture.Tensor("mean:0", new int[] {3}, new float[] {123.675f, 116.28f, 103.53f}),
                new KerasH5Fixture.Tensor("variance:0", new int[] {3}, new float[] {3409.976f, 3262.6944f, 3291.5625f}),
                new KerasH5Fixture.Tensor("count:0", new int[] {1}, new float[] {0}));
        file.layer("layer_normalization_3", vector(network.graph(), "layer_normalization", "gamma", "gamma"),
                vector(network.graph(), "layer_normalization", "beta", "beta"));

        load(file, network);
        checks.forEach(Runnable::run);
        assertThat(checks).hasSizeGreaterThan(40);
    }

    @Test
    void theFileWithTheClassifierLoadsIntoKerasClassifier() {
        Network network = build(net -> new ConvNeXt(MODEL, DEPTHS, DIMS).imagenetClassifier(net, input()));
        KerasH5Fixture file = stagesInKerasLayout(network.graph());
        file.layer(MODEL + "_head_layernorm", vector(network.graph(), MODEL + "_head_layernorm", "gamma", "gamma"),
                vector(network.graph(), MODEL + "_head_layernorm", "beta", "beta"));
        file.layer(MODEL + "_head_dense", dense(network.graph(), MODEL + "_head_dense", false),
                vector(network.graph(), MODEL + "_head_dense", "b", "bias"));

        load(file, network);
        checks.forEach(Runnable::run);
        assertThat(checks).hasSizeGreaterThan(40);
    }

    private record Network(ComputationGraph graph, List<String> layers) {
    }

    private static FeatureMap input() {
        return new FeatureMap("input", 3, 32, 32);
    }

    private static Network build(Function<NetBuilder, FeatureMap> architecture) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(32, 32, 3, NetBuilder.layout()));
        NetBuilder net = new NetBuilder(graph, "", NetBuilder.Options.inference());
        graph.setOutputs(architecture.apply(net).name());
        ComputationGraph network = new ComputationGraph(graph.build());
        network.init();
        return new Network(network, net.vertexNames());
    }

    private void load(KerasH5Fixture file, Network network) {
        Path path = dir.resolve(MODEL + ".h5");
        file.write(path);
        KerasWeightLoader.load(path, network.graph(), "", network.layers(), Backbones.get(MODEL));
    }

    /** The stem, the stages and the downsampling between them, as the published files hold them. */
    private KerasH5Fixture stagesInKerasLayout(ComputationGraph graph) {
        KerasH5Fixture file = new KerasH5Fixture().layer("input_1");
        file.layer(MODEL + "_stem", conv(graph, MODEL + "_stem_conv"), vector(graph, MODEL + "_stem_conv", "b", "bias"),
                vector(graph, MODEL + "_stem_layernorm", "gamma", "gamma"),
                vector(graph, MODEL + "_stem_layernorm", "beta", "beta"));
        for (int i = 0; i < DIMS.length; i++) {
            if (i > 0) {
                String norm = MODEL + "_downsampling_layernorm_" + (i - 1);
                String conv = MODEL + "_downsampling_conv_" + (i - 1);
                file.layer(MODEL + "_downsampling_block_" + (i - 1), vector(graph, norm, "gamma", "gamma"),
                        vector(graph, norm, "beta", "beta"), conv(graph, conv), vector(graph, conv, "b", "bias"));
            }
            for (int j = 0; j < DEPTHS[i]; j++) {
                String block = MODEL + "_stage_" + i + "_block_" + j;
                file.layer(block + "_depthwise_conv", groupedKernel(graph, block + "_depthwise_conv"),
                        vector(graph, block + "_depthwise_conv", "b", "bias"));
                file.layer(block + "_layernorm", vector(graph, block + "_layernorm", "gamma", "gamma"),
                        vector(graph, block + "_layernorm", "beta", "beta"));
                file.layer(block + "_pointwise_conv_1", dense(graph, block + "_pointwise_conv_1", true),
                        vector(graph, block + "_pointwise_conv_1", "b", "bias"));
                file.layer(block + "_gelu");
                file.layer(block + "_pointwise_conv_2", dense(graph, block + "_pointwise_conv_2", true),
                        vector(graph, block + "_pointwise_conv_2", "b", "bias"));
                file.layer(block + "_layer_scale", vector(graph, block + "_layer_scale", "gamma", "Variable"));
                file.layer(block + "_identity");
            }
        }
        return file;
    }

    /** Keras' HWIO kernel [kh, kw, in, out]; DL4J's OIHW. */
    private KerasH5Fixture.Tensor conv(ComputationGraph graph, String layer) {
        INDArray w = graph.getLayer(layer).getParam("W");
        int out = (int) w.size(0);
        int in = (int) w.size(1);
        int k = (int) w.size(2);
        KerasH5Fixture.Tensor t = KerasH5Fixture.random(layer + "/kernel:0", random, k, k, in, out);
        checks.add(() -> {
            for (int at = 0; at < t.values().length; at += 7) {
                int o = at % out;
                int i = at / out % in;
                int x = at / (out * in) % k;
                int y = at / (out * in * k);
                assertThat(w.getFloat(o, i, y, x)).as("%s[%d]", layer, at).isEqualTo(t.values()[at]);
            }
        });
        return t;
    }

    /** A Conv2D with one group per channel: kernel [7, 7, 1, C]; DL4J's depthwise kernel is [7, 7, C, 1]. */
    private KerasH5Fixture.Tensor groupedKernel(ComputationGraph graph, String layer) {
        INDArray w = graph.getLayer(layer).getParam("W");
        int c = (int) w.size(2);
        KerasH5Fixture.Tensor t = KerasH5Fixture.random(layer + "/kernel:0", random, 7, 7, 1, c);
        checks.add(() -> {
            for (int at = 0; at < t.values().length; at += 5) {
                assertThat(w.getFloat(at / c / 7, at / c % 7, at % c, 0)).as("%s[%d]", layer, at)
                        .isEqualTo(t.values()[at]);
            }
        });
        return t;
    }

    /** A Dense kernel [in, out]: on a feature map, tl's 1x1 convolution [out, in, 1, 1]; else DL4J's [in, out]. */
    private KerasH5Fixture.Tensor dense(ComputationGraph graph, String layer, boolean onFeatureMap) {
        INDArray w = graph.getLayer(layer).getParam("W");
        int in = (int) (onFeatureMap ? w.size(1) : w.size(0));
        int out = (int) (onFeatureMap ? w.size(0) : w.size(1));
        KerasH5Fixture.Tensor t = KerasH5Fixture.random(layer + "/kernel:0", random, in, out);
        checks.add(() -> {
            for (int at = 0; at < t.values().length; at += 3) {
                float actual = onFeatureMap ? w.getFloat(at % out, at / out, 0, 0) : w.getFloat(at / out, at % out);
                assertThat(actual).as("%s[%d]", layer, at).isEqualTo(t.values()[at]);
            }
        });
        return t;
    }

    private KerasH5Fixture.Tensor vector(ComputationGraph graph, String layer, String param, String kerasName) {
        INDArray p = graph.getLayer(layer).getParam(param);
        KerasH5Fixture.Tensor t = KerasH5Fixture.random(
                (kerasName.equals("Variable") ? "" : layer + "/") + kerasName + ":0", random, (int) p.length());
        checks.add(() -> assertThat(p.reshape(-1).toFloatVector()).as("%s/%s", layer, param)
                .containsExactly(t.values()));
        return t;
    }
}
