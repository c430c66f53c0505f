package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.LogCapture;
import dev.tl.TlException;
import dev.tl.data.Preprocessing;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.Backbones;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
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
            Layer layer = graph.getVertex(name) == null ? null : graph.getLayer(name);
            Map<String, KerasH5Fixture.Tensor> tensors = new LinkedHashMap<>();
            if (layer != null && layer.numParams() > 0) {
                org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
                if (conf instanceof BatchNormalization) {
                    int c = (int) layer.getParam("beta").length();
                    boolean scale = layer.paramTable().containsKey("gamma"); // not with Keras' scale=False
                    for (String w : scale ? List.of("gamma", "beta", "moving_mean", "moving_variance")
                            : List.of("beta", "moving_mean", "moving_variance")) {
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
                    } else if (conf instanceof SeparableConvolution2D) { // [m, in, kh, kw] -> [kh, kw, in, m]
                        long[] p = layer.getParam("pW").shape();
                        tensors.put("depthwise_kernel", KerasH5Fixture.random(name + "/depthwise_kernel:0", random,
                                (int) w[2], (int) w[3], (int) w[1], (int) w[0]));
                        tensors.put("pointwise_kernel", KerasH5Fixture.random(name + "/pointwise_kernel:0", random,
                                1, 1, (int) p[1], (int) p[0]));
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
        fixture(tensors).write(file);
    }

    /**
     * The layers with weights in the order Keras lists them (and writes files in), after the others: the order that
     * matters for the layers Keras named itself, which load by position.
     */
    static Map<String, Map<String, KerasH5Fixture.Tensor>> inKerasOrder(ComputationGraph graph,
            Map<String, Map<String, KerasH5Fixture.Tensor>> tensors) {
        List<String> withWeights = tensors.keySet().stream()
                .filter(layer -> graph.getVertex(layer) != null && !tensors.get(layer).isEmpty()).toList();
        Map<String, Map<String, KerasH5Fixture.Tensor>> ordered = new LinkedHashMap<>();
        tensors.forEach((layer, t) -> {
            if (!withWeights.contains(layer)) {
                ordered.put(layer, t);
            }
        });
        KerasLayerOrder.of(graph, withWeights).layers().forEach(layer -> ordered.put(layer, tensors.get(layer)));
        return ordered;
    }

    /** The tensors as the legacy layouts store them: layers and weights by name. */
    static KerasH5Fixture fixture(Map<String, Map<String, KerasH5Fixture.Tensor>> tensors) {
        KerasH5Fixture fixture = new KerasH5Fixture();
        tensors.forEach((layer, ts) -> fixture.layer(layer, ts.values().toArray(KerasH5Fixture.Tensor[]::new)));
        return fixture;
    }

    /**
     * The tensors as Keras 3 stores them, given the layers in Keras' layer order: a group per layer named after its
     * class and numbered per class in that order, the variables by position (a BatchNorm's gamma, beta,
     * moving_mean, moving_variance; a kernel before its bias).
     */
    static KerasH5Fixture keras3(Map<String, Map<String, KerasH5Fixture.Tensor>> tensors, List<String> kerasOrder) {
        KerasH5Fixture fixture = new KerasH5Fixture();
        Map<String, Integer> perClass = new HashMap<>();
        for (String layer : kerasOrder) {
            Map<String, KerasH5Fixture.Tensor> named = tensors.get(layer);
            if (named == null || named.isEmpty()) {
                continue;
            }
            String kerasClass = named.containsKey("moving_mean") ? "batch_normalization"
                    : named.containsKey("pointwise_kernel") ? "separable_conv2d"
                    : named.containsKey("depthwise_kernel") ? "depthwise_conv2d"
                    : named.get("kernel").shape().length == 4 ? "conv2d" : "dense";
            List<String> order = switch (kerasClass) {
                case "batch_normalization" -> List.of("gamma", "beta", "moving_mean", "moving_variance");
                case "depthwise_conv2d" -> List.of("depthwise_kernel", "bias");
                case "separable_conv2d" -> List.of("depthwise_kernel", "pointwise_kernel", "bias");
                default -> List.of("kernel", "bias");
            };
            List<KerasH5Fixture.Tensor> vars = new ArrayList<>();
            for (String weight : order) {
                KerasH5Fixture.Tensor t = named.get(weight);
                if (t != null) {
                    vars.add(new KerasH5Fixture.Tensor(Integer.toString(vars.size()), t.shape(), t.values()));
                }
            }
            int index = perClass.merge(kerasClass, 1, Integer::sum) - 1;
            fixture.layer(kerasClass + (index == 0 ? "" : "_" + index), vars.toArray(KerasH5Fixture.Tensor[]::new));
        }
        return fixture;
    }

    /** Checks every tensor value against the graph parameter Keras' layout maps it to. */
    static void assertLoaded(ComputationGraph graph, Map<String, Map<String, KerasH5Fixture.Tensor>> tensors) {
        int checked = 0;
        for (Map.Entry<String, Map<String, KerasH5Fixture.Tensor>> layer : tensors.entrySet()) {
            for (Map.Entry<String, KerasH5Fixture.Tensor> entry : layer.getValue().entrySet()) {
                KerasH5Fixture.Tensor t = entry.getValue();
                boolean separable = graph.getLayer(layer.getKey()).conf().getLayer() instanceof SeparableConvolution2D;
                INDArray param = graph.getLayer(layer.getKey()).getParam(switch (entry.getKey()) {
                    case "kernel", "depthwise_kernel" -> "W";
                    case "pointwise_kernel" -> "pW";
                    case "bias" -> "b";
                    case "moving_mean" -> "mean";
                    case "moving_variance" -> "var";
                    default -> entry.getKey();
                });
                int[] s = t.shape();
                for (int k = 0; k < t.values().length; k += Math.max(1, t.values().length / 97)) {
                    float expected = t.values()[k];
                    float actual;
                    if (s.length == 4 && (entry.getKey().endsWith("kernel") && (separable
                            || !entry.getKey().equals("depthwise_kernel")))) { // HWIO to DL4J's [o, i, h, w]
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

    /** A backbone's base at 32 px inside a model, and its layers (Keras' names, build order). */
    record Base(ComputationGraph graph, List<String> layers) {
        static Base of(String backbone) {
            ModelSpec spec = spec(backbone);
            return new Base(ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1),
                    ModelGraphs.baseVertexNames(spec, 0));
        }

        Map<String, Map<String, KerasH5Fixture.Tensor>> randomTensors(long seed) {
            return kerasTensors(graph, layers, seed);
        }

        void load(Path file, String backbone) {
            KerasWeightLoader.load(file, graph, "", layers, Backbones.get(backbone));
        }
    }

    /** At the smallest input the backbone takes (32 px for most). */
    static ModelSpec spec(String backbone) {
        return new ModelSpec(List.of(new BaseSpec(backbone, Backbones.get(backbone).minImageSize())),
                new HeadSpec(0, 0), 2);
    }

    /**
     * Keras' EfficientNet files carry the input Normalization layer (the std stored as "variance"); EfficientNetV2's
     * keeps its statistics as constants, outside the file.
     */
    static void addNormalizationIfEfficientNet(String backbone,
                                                       Map<String, Map<String, KerasH5Fixture.Tensor>> tensors) {
        if (backbone.startsWith("efficientnetb")) {
            Map<String, KerasH5Fixture.Tensor> normalization = new LinkedHashMap<>();
            normalization.put("mean", new KerasH5Fixture.Tensor("normalization/mean:0", new int[] {3},
                    new float[] {0.485f, 0.456f, 0.406f}));
            normalization.put("variance", new KerasH5Fixture.Tensor("normalization/variance:0", new int[] {3},
                    new float[] {0.229f, 0.224f, 0.225f}));
            Map<String, Map<String, KerasH5Fixture.Tensor>> withNormalization = new LinkedHashMap<>();
            withNormalization.put("normalization", normalization);
            withNormalization.putAll(tensors);
            tensors.clear();
            tensors.putAll(withNormalization);
        }
    }

    /** One architecture per family: base only, as in the *_notop.h5 files. */
    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "resnet50", "mobilenet", "mobilenetv2", "densenet121", "efficientnetb0",
            "efficientnetv2b0", "mobilenetv3small", "mobilenetv3large_minimalistic", "resnet50v2", "inceptionv3",
            "xception", "inceptionresnetv2", "nasnetmobile"})
    void everyTensorLandsInItsParameter(String backbone) {
        ModelSpec spec = spec(backbone);
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 11);
        addNormalizationIfEfficientNet(backbone, tensors);
        Path file = dir.resolve(backbone + ".h5");
        write(inKerasOrder(graph, tensors), file);

        KerasWeightLoader.load(file, graph, "", layers, spec.bases().get(0).backbone());

        tensors.remove("normalization");
        assertLoaded(graph, tensors);
    }

    /** With the ImageNet classifier, as in the with-top files, including the classifier names older files use. */
    @ParameterizedTest
    @CsvSource({"mobilenet, predictions", "mobilenet_0.5, predictions", "mobilenetv2, Logits",
            "mobilenetv2_1.4, Logits", "densenet121, fc1000", "resnet50, probs", "efficientnetb0, predictions",
            "efficientnetv2b0, predictions", "mobilenetv3small, Logits", "inceptionv3, predictions",
            "xception, predictions"})
    void withTopFilesLoadIncludingHistoricalClassifierNames(String backbone, String classifierInFile) {
        ModelGraphs.ImageNetGraph classifier = ModelGraphs.imagenetClassifier(Backbones.get(backbone),
                Backbones.get(backbone).minImageSize());
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors =
                kerasTensors(classifier.graph(), classifier.vertexNames(), 5);
        addNormalizationIfEfficientNet(backbone, tensors);
        Map<String, Map<String, KerasH5Fixture.Tensor>> inFile = new LinkedHashMap<>();
        inKerasOrder(classifier.graph(), tensors).forEach((layer, t) ->
                inFile.put(layer.equals("predictions") ? classifierInFile : layer, t));
        write(inFile, dir.resolve(backbone + "_top.h5"));

        KerasWeightLoader.load(dir.resolve(backbone + "_top.h5"), classifier.graph(), "", classifier.vertexNames(),
                Backbones.get(backbone));

        tensors.remove("normalization");
        assertLoaded(classifier.graph(), tensors);
    }

    /** VGG's fc1 sees a flattened map: Keras flattens (h, w, c); outputs must agree in either DL4J layout. */
    @ParameterizedTest
    @ValueSource(strings = {"NHWC", "NCHW"})
    void denseOnAFlattenedMapUsesKerasChannelsLastOrder(String layout) {
        org.deeplearning4j.nn.conf.CNN2DFormat format = org.deeplearning4j.nn.conf.CNN2DFormat.valueOf(layout);
        var graph = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(org.nd4j.linalg.api.buffer.DataType.FLOAT).graphBuilder().addInputs("input")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(2, 3, 3, format));
        dev.tl.zoo.NetBuilder net = new dev.tl.zoo.NetBuilder(graph, "",
                new dev.tl.zoo.NetBuilder.Options(format, dev.tl.zoo.BatchNormMode.FROZEN, name -> false));
        dev.tl.zoo.FeatureMap conv = net.conv("conv", new dev.tl.zoo.FeatureMap("input", 3, 2, 3), 2, 1, 1,
                dev.tl.zoo.Padding.SAME, false);
        net.dense("fc1", conv, 4, org.nd4j.linalg.activations.Activation.IDENTITY);
        ComputationGraph g = new ComputationGraph(graph.setOutputs("fc1").build());
        g.init();
        Random random = new Random(4);
        KerasH5Fixture.Tensor kernel = KerasH5Fixture.random("conv/kernel:0", random, 1, 1, 3, 2);
        KerasH5Fixture.Tensor dense = KerasH5Fixture.random("fc1/kernel:0", random, 12, 4);
        KerasH5Fixture.Tensor bias = KerasH5Fixture.random("fc1/bias:0", random, 4);
        new KerasH5Fixture().layer("conv", kernel).layer("fc1", dense, bias).write(dir.resolve("flat.h5"));

        KerasWeightLoader.load(dir.resolve("flat.h5"), g, "", List.of("conv", "fc1"),
                Backbones.get("vgg16"));

        INDArray nhwc = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 2, 3, 3);
        INDArray x = format == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC ? nhwc : nhwc.permute(0, 3, 1, 2).dup();
        float[] expected = new float[4];
        for (int h = 0; h < 2; h++) {
            for (int w = 0; w < 3; w++) {
                for (int c = 0; c < 2; c++) {
                    float y = 0; // 1x1 conv, Keras kernel [1, 1, in, out]
                    for (int i = 0; i < 3; i++) {
                        y += nhwc.getFloat(0, h, w, i) * kernel.values()[i * 2 + c];
                    }
                    int row = (h * 3 + w) * 2 + c; // Keras' channels-last flatten
                    for (int o = 0; o < 4; o++) {
                        expected[o] += y * dense.values()[row * 4 + o];
                    }
                }
            }
        }
        for (int o = 0; o < 4; o++) {
            expected[o] += bias.values()[o];
        }
        assertThat(g.output(x)[0].toFloatVector()).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void aForeignInputNormalizationIsRejected() {
        ModelSpec spec = spec("efficientnetb0");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 3);
        addNormalizationIfEfficientNet("efficientnetb0", tensors);
        tensors.get("normalization").put("mean", new KerasH5Fixture.Tensor("normalization/mean:0", new int[] {3},
                new float[] {0.5f, 0.5f, 0.5f}));
        write(tensors, dir.resolve("odd.h5"));

        assertThatThrownBy(() -> KerasWeightLoader.load(dir.resolve("odd.h5"), graph, "", layers,
                Backbones.get("efficientnetb0")))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("normalization");
    }

    /** How the tests write a file, and the layout the reader must recognise in it. */
    enum Written {
        LEGACY(KerasWeightsFile.Layout.LEGACY),
        FULL_MODEL(KerasWeightsFile.Layout.FULL_MODEL),
        KERAS_3(KerasWeightsFile.Layout.KERAS_3),
        KERAS_3_NESTED_IN_A_MODEL(KerasWeightsFile.Layout.KERAS_3);

        final KerasWeightsFile.Layout layout;

        Written(KerasWeightsFile.Layout layout) {
            this.layout = layout;
        }
    }

    /** The same MobileNet weights load identically from every layout, and the load says what it loaded. */
    @ParameterizedTest
    @EnumSource(Written.class)
    void everyLayoutLoadsAndReportsItsCounts(Written written) {
        ModelSpec spec = spec("mobilenet");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0); // a chain: Keras' layer order is build order
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 13);
        Path file = dir.resolve("mobilenet-" + written + ".h5");
        switch (written) {
            case LEGACY -> write(tensors, file);
            case FULL_MODEL -> fixture(tensors).writeFullModel(file);
            case KERAS_3 -> keras3(tensors, layers).writeKeras3(file, null);
            case KERAS_3_NESTED_IN_A_MODEL -> keras3(tensors, layers).writeKeras3(file, "functional");
        }

        List<String> info = LogCapture.infoLinesOf(KerasWeightLoader.class,
                () -> KerasWeightLoader.load(file, graph, "", layers, Backbones.get("mobilenet")));

        assertThat(KerasWeightsFile.read(file).layout()).isEqualTo(written.layout);
        assertLoaded(graph, tensors);
        long layersWithWeights = tensors.values().stream().filter(t -> !t.isEmpty()).count();
        long tensorCount = tensors.values().stream().mapToLong(Map::size).sum();
        assertThat(layersWithWeights).isEqualTo(54); // conv1, 13 depthwise and 13 pointwise convolutions, 27 BatchNorms
        String rule = written.layout == KerasWeightsFile.Layout.KERAS_3 ? "by class and position" : "by name";
        assertThat(info).containsExactly("loaded " + tensorCount + " tensors into " + layersWithWeights
                + " layers from " + file + " (" + written.layout + "; " + layersWithWeights + " " + rule
                + "; 0 unmatched, 0 missing)");
    }

    /**
     * Keras lists a ResNet block's shortcut after the main branch's second convolution (model.summary():
     * ..._2_relu, _0_conv, _3_conv, _0_bn, _3_bn, _add), not in the order the block builds it; Keras 3 numbers
     * the conv2d and batch_normalization groups in the listed order.
     */
    @Test
    void keras3GroupsAreNumberedInKerasLayerOrder() {
        ModelSpec spec = spec("resnet50");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 17);
        List<String> kerasOrder = new ArrayList<>(layers);
        for (String shortcut : layers.stream().filter(n -> n.endsWith("_0_conv") || n.endsWith("_0_bn")).toList()) {
            kerasOrder.remove(shortcut);
            kerasOrder.add(kerasOrder.indexOf(shortcut.replace("_0_", "_3_")), shortcut);
        }
        assertThat(kerasOrder.subList(kerasOrder.indexOf("conv2_block1_2_relu"), kerasOrder.indexOf("conv2_block1_add")))
                .containsExactly("conv2_block1_2_relu", "conv2_block1_0_conv", "conv2_block1_3_conv",
                        "conv2_block1_0_bn", "conv2_block1_3_bn");
        Path file = dir.resolve("resnet50.weights.h5");
        keras3(tensors, kerasOrder).writeKeras3(file, null);

        KerasWeightLoader.load(file, graph, "", layers, Backbones.get("resnet50"));

        assertLoaded(graph, tensors);
    }

    /**
     * Keras lists InceptionV3's mixed0 as model.summary() does: deepest first (the double 3x3 branch's first
     * convolution, then the second convolutions of two branches), ties in the order a search from the output meets
     * them (branches in concatenation order, each from its end). tl's names are Keras 3's, numbered in build order.
     */
    @Test
    void kerasLayerOrderListsAnInceptionBlockByDepth() {
        ModelSpec spec = spec("inceptionv3");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> mixed0 = List.of("conv2d_5", "conv2d_6", "conv2d_7", "conv2d_8", "conv2d_9", "conv2d_10",
                "conv2d_11");

        assertThat(KerasLayerOrder.of(graph, mixed0).layers())
                .containsExactly("conv2d_8", "conv2d_6", "conv2d_9", "conv2d_5", "conv2d_7", "conv2d_10", "conv2d_11");
    }

    /**
     * Layers the application leaves for Keras to name load by position, as Keras loads a legacy file: a Keras 2
     * file numbers them from conv2d_1 (tl's conv2d_1 is its conv2d_2), and lists them in Keras' layer order.
     */
    @Test
    void layersKerasNamedLoadByTheirPositionNotTheirNumber() {
        ModelSpec spec = spec("inceptionv3");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 19);
        Map<String, Map<String, KerasH5Fixture.Tensor>> keras2 = new LinkedHashMap<>();
        Map<String, Integer> perClass = new HashMap<>();
        List<String> withWeights = layers.stream().filter(layer -> !tensors.get(layer).isEmpty()).toList();
        for (String layer : KerasLayerOrder.of(graph, withWeights).layers()) {
            String kerasClass = layer.replaceFirst("_\\d+$", "");
            String name = kerasClass + "_" + perClass.merge(kerasClass, 1, Integer::sum);
            Map<String, KerasH5Fixture.Tensor> renamed = new LinkedHashMap<>();
            tensors.get(layer).forEach((w, t) -> renamed.put(w, new KerasH5Fixture.Tensor(name + "/" + w + ":0",
                    t.shape(), t.values())));
            keras2.put(name, renamed);
        }
        assertThat(keras2).containsKeys("conv2d_94", "batch_normalization_94").doesNotContainKey("conv2d");
        write(keras2, dir.resolve("inception_v3.h5"));

        KerasWeightLoader.load(dir.resolve("inception_v3.h5"), graph, "", layers, Backbones.get("inceptionv3"));

        assertLoaded(graph, tensors);
    }

    /** Keras 3 stores a separable convolution's kernels and bias, and a BatchNorm without scale its three vectors. */
    @ParameterizedTest
    @ValueSource(strings = {"inceptionv3", "xception"})
    void keras3FilesOfSeparableConvolutionsAndBatchNormWithoutScaleLoad(String backbone) {
        ModelSpec spec = spec(backbone);
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 23);
        Path file = dir.resolve(backbone + ".weights.h5");
        keras3(tensors, List.copyOf(inKerasOrder(graph, tensors).keySet())).writeKeras3(file, null);

        KerasWeightLoader.load(file, graph, "", layers, Backbones.get(backbone));

        assertLoaded(graph, tensors);
    }

    @Test
    void aKeras3FileLackingATensorNamesTheLayerAndTheGroupItLookedIn() {
        ModelSpec spec = spec("mobilenet");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        List<String> layers = ModelGraphs.baseVertexNames(spec, 0);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = kerasTensors(graph, layers, 3);
        tensors.remove("conv_pw_13_bn"); // the 27th BatchNorm: batch_normalization_26
        Path file = dir.resolve("short.weights.h5");
        keras3(tensors, layers).writeKeras3(file, null);

        assertThatThrownBy(() -> KerasWeightLoader.load(file, graph, "", layers, Backbones.get("mobilenet")))
                .isInstanceOf(TlException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("conv_pw_13_bn/gamma (in layers/batch_normalization_26)");
    }

    /** Four variables, or three without gamma (Keras' scale=False, InceptionV3's BatchNorm); fewer is an error. */
    @Test
    void aKeras3BatchNormWithoutItsVariablesIsNamed() {
        Random random = new Random(2);
        Path file = dir.resolve("odd.weights.h5");
        new KerasH5Fixture().layer("batch_normalization_3", KerasH5Fixture.random("0", random, 8),
                KerasH5Fixture.random("1", random, 8)).writeKeras3(file, null);

        assertThatThrownBy(() -> KerasWeightsFile.read(file))
                .isInstanceOf(TlException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("layers/batch_normalization_3 holds 2 variables")
                .hasMessageContaining("gamma, beta, moving_mean, moving_variance");
    }

    @Test
    void aKeras3FileWithTwoNestedModelsIsRefused() {
        ModelSpec spec = spec("mobilenet");
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        Random random = new Random(2);
        Path file = dir.resolve("two.weights.h5");
        new KerasH5Fixture()
                .layer("functional/layers/conv2d", KerasH5Fixture.random("0", random, 3, 3, 3, 32))
                .layer("functional_1/layers/conv2d", KerasH5Fixture.random("0", random, 3, 3, 3, 32))
                .writeKeras3(file, null);

        assertThatThrownBy(() -> KerasWeightLoader.load(file, graph, "", ModelGraphs.baseVertexNames(spec, 0),
                Backbones.get("mobilenet")))
                .isInstanceOf(TlException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("2 nested models (functional/layers/, functional_1/layers/)");
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
        KerasWeightLoader.load(file, graph, "", layers, spec.bases().get(0).backbone());
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
                .hasMessageContaining("its layer 'conv1' (kernel [3, 3, 3, 16])")
                .hasMessageContaining("the network's layer 'conv1' (kernel [3, 3, 3, 32])");
    }
}
