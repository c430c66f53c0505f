package dev.tl.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.RandomParameters;
import dev.tl.TestData;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.engine.Dl4jOutputs;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.onnx.OnnxOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * One network of every backbone family exported to ONNX and run by ONNX Runtime with full graph optimisation on
 * real photos: the probabilities must be those tl computes, fed tl's preprocessed pixels or, with the preprocessing
 * in the graph, raw RGB. Every parameter is random (BatchNorm statistics and biases too), and the image sizes give
 * odd feature-map sizes, where Keras' asymmetric padding matters. Fused models: {@code ExportCommandTest}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnnxExportTest {

    private static final List<String> CLASSES = List.of("ants", "bees", "wasps");
    private static final ImageSet IMAGES = TestData.subset(TestData.VAL, 2);
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path exports;

    private static final List<Path> exported = new ArrayList<>();

    static Stream<Arguments> models() {
        return Stream.of(
                arguments("vgg16", List.of(new BaseSpec("vgg16", 32)), 0),
                arguments("resnet50", List.of(new BaseSpec("resnet50", 40)), 0),
                arguments("resnet50v2", List.of(new BaseSpec("resnet50v2", 37)), 0),
                arguments("mobilenet", List.of(new BaseSpec("mobilenet", 40)), 8),
                arguments("mobilenetv2", List.of(new BaseSpec("mobilenetv2", 44)), 0),
                arguments("densenet121", List.of(new BaseSpec("densenet121", 36)), 0),
                arguments("efficientnetb0", List.of(new BaseSpec("efficientnetb0", 44)), 0),
                arguments("efficientnetv2b0", List.of(new BaseSpec("efficientnetv2b0", 44)), 0),
                arguments("mobilenetv3small", List.of(new BaseSpec("mobilenetv3small", 44)), 0),
                arguments("convnext_tiny", List.of(new BaseSpec("convnext_tiny", 36)), 0),
                arguments("inceptionv3", List.of(new BaseSpec("inceptionv3", 99)), 0),
                arguments("xception", List.of(new BaseSpec("xception", 71)), 0),
                arguments("inceptionresnetv2", List.of(new BaseSpec("inceptionresnetv2", 75)), 0),
                arguments("nasnetmobile", List.of(new BaseSpec("nasnetmobile", 35)), 0));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void onnxRuntimeComputesTlsProbabilities(String label, List<BaseSpec> bases, int denseUnits) throws Exception {
        ModelSpec spec = new ModelSpec(bases, new HeadSpec(denseUnits, 0.2), CLASSES.size());
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 7);
        BundleMetadata metadata = new BundleMetadata(BundleMetadata.FORMAT_VERSION, "test", "now",
                ModelBundle.MODEL_FILE, BundleMetadata.inputsOf(spec), CLASSES,
                new BundleMetadata.Head(denseUnits, 0.2), null, List.of(), null);
        INDArray[] tlInputs;
        float[][] tlProbabilities;
        try (BatchLoader loader = new BatchLoader(spec.inputSpecs(), 0)) {
            tlInputs = loader.batches(IMAGES.images(), IMAGES.size(), ImageViews.PLAIN).next().inputs();
            RandomParameters.randomise(graph, tlInputs, 7);
            tlProbabilities = Dl4jOutputs.of(graph, spec.inputSpecs(), IMAGES.images(), IMAGES.size()).toFloatMatrix();
        }

        Map<String, OnnxRuntimeModel.Tensor> preprocessed = new LinkedHashMap<>();
        Map<String, OnnxRuntimeModel.Tensor> raw = new LinkedHashMap<>();
        for (int i = 0; i < bases.size(); i++) {
            preprocessed.put(ModelGraphs.inputName(spec, i), OnnxInputs.nchw(tlInputs[i]));
            raw.put(ModelGraphs.inputName(spec, i), OnnxInputs.rawRgb(IMAGES.images(), bases.get(i).inputSpec()));
        }
        double preprocessedDifference;
        double rawDifference;
        try (OnnxRuntimeModel onnx = OnnxRuntimeModel.load(export(graph, metadata, false, label))) {
            assertThat(Json.MAPPER.readValue(onnx.metadata().get("classes"), String[].class))
                    .containsExactlyElementsOf(CLASSES);
            assertThat(describedPreprocessingDifference(onnx.metadata(), raw, preprocessed)).isLessThan(1e-6);
            preprocessedDifference = OnnxInputs.maxAbsDifference(onnx.run(preprocessed), tlProbabilities);
        }
        // images framed and resized by tl already pass the graph's framing unchanged (a square at the input size),
        // so this compares the network and the preprocessing alone; FramingNodesTest compares the framing
        try (OnnxRuntimeModel onnx = OnnxRuntimeModel.load(export(graph, metadata, true,
                label + "-with-preprocessing"))) {
            rawDifference = OnnxInputs.maxAbsDifference(onnx.run(raw), tlProbabilities);
        }
        System.out.printf(Locale.ROOT, "ONNX Runtime vs tl, %s: max |p_onnx - p_tl| = %.2e, with preprocessing "
                + "%.2e%n", label, preprocessedDifference, rawDifference);
        assertThat(preprocessedDifference).as(label).isLessThan(TOLERANCE);
        assertThat(rawDifference).as(label + " with preprocessing").isLessThan(TOLERANCE);
    }

    private static Path export(ComputationGraph graph, BundleMetadata metadata, boolean withPreprocessing,
                               String name) {
        Path file = exports.resolve(name + ".onnx");
        OnnxExport.write(OnnxExport.model(graph, metadata,
                new OnnxOptions(OnnxOptions.DEFAULT_OPSET, OptionalInt.empty(), withPreprocessing)), file);
        exported.add(file);
        return file;
    }

    /**
     * How far a caller who preprocesses raw pixels as the file's metadata says — channel c is (p - mean[c]) /
     * std[c] for the pixel values p of colour channel_order[c] — lands from tl's own preprocessing.
     */
    private static double describedPreprocessingDifference(Map<String, String> metadata,
                                                           Map<String, OnnxRuntimeModel.Tensor> raw,
                                                           Map<String, OnnxRuntimeModel.Tensor> preprocessed)
            throws Exception {
        double max = 0;
        for (JsonNode input : Json.MAPPER.readTree(metadata.get("inputs"))) {
            float[] pixels = raw.get(input.get("name").asText()).values();
            float[] expected = preprocessed.get(input.get("name").asText()).values();
            int plane = input.get("image_size").asInt() * input.get("image_size").asInt();
            String order = input.get("channel_order").asText();
            for (int at = 0; at < pixels.length; at++) {
                int image = at / (3 * plane);
                int channel = at / plane % 3;
                int colour = "RGB".indexOf(order.charAt(channel));
                float pixel = pixels[image * 3 * plane + colour * plane + at % plane];
                float described = (pixel - (float) input.get("mean").get(channel).asDouble())
                        / (float) input.get("std").get(channel).asDouble();
                max = Math.max(max, Math.abs(described - expected[at]));
            }
        }
        return max;
    }

    @Order(2)
    @Test
    void onnxRuntimeLoadsEveryExportWithFullOptimisationWithoutWarnings() throws Exception {
        assertThat(exported).hasSize(2 * (int) models().count());
        assertThat(OnnxRuntimeWarnings.of(exported)).isEmpty();
    }
}
