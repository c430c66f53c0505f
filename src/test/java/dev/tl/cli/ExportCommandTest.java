package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageViews;
import dev.tl.data.InputSpec;
import dev.tl.data.LabeledImage;
import dev.tl.export.OnnxInputs;
import dev.tl.export.OnnxRuntimeModel;
import dev.tl.export.OnnxRuntimeWarnings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code tl train} → {@code tl export} → ONNX Runtime through the command line, on real photos: the exported file
 * gives the probabilities {@code tl predict} prints, for a fine-tuned model with a Dense head and a fused one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExportCommandTest {

    private static final double TOLERANCE = 1e-4;
    /** tl predict's output per bundle: it does not change between exports. */
    private static final Map<Path, CliRunner.Result> PREDICTIONS = new ConcurrentHashMap<>();

    @TempDir
    static Path work;

    private static Path images;
    private static Path model;

    @BeforeAll
    static void trainOnce() throws Exception {
        images = TestData.copySubset(TestData.TRAIN, 4, work.resolve("images"));
        model = work.resolve("model");
        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenetv2", "--weights", "none", "--data",
                images.toString(), "--val-split", "0", "--image-size", "40", "--batch-size", "4",
                "--frozen-epochs", "1", "--finetune-epochs", "1", "--dense", "8", "--output", model.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();
    }

    @Test
    void exportedModelGivesTheProbabilitiesOfTlPredict() throws Exception {
        Path onnx = work.resolve("model.onnx");
        CliRunner.Result exported = CliRunner.run("export", "--model-dir", model.toString(), "--format", "onnx",
                "--out", onnx.toString());

        assertThat(exported.exitCode()).as(exported.err()).isZero();
        assertThat(exported.out()).contains("wrote " + onnx, "input  input [N,3,40,40]",
                "output probabilities [N,2]");
        assertAgreesWithPredict(model, onnx, false);
        try (var files = Files.list(work)) {
            assertThat(files.map(file -> file.getFileName().toString())).noneMatch(name -> name.startsWith("."));
        }
    }

    @Test
    void withPreprocessingTheModelTakesRawPixels() throws Exception {
        Path onnx = work.resolve("raw.onnx");
        CliRunner.Result exported = CliRunner.run("export", "--model-dir", model.toString(), "--format", "onnx",
                "--out", onnx.toString(), "--with-preprocessing");

        assertThat(exported.exitCode()).as(exported.err()).isZero();
        assertThat(exported.out()).contains("RGB pixel values 0-255");
        assertAgreesWithPredict(model, onnx, true);
    }

    @Test
    void fusedModelExportsWithOneInputPerBackbone() throws Exception {
        Path fused = work.resolve("fused");
        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet,efficientnetb0", "--weights", "none",
                "--data", images.toString(), "--val-split", "0", "--image-size", "32,40", "--batch-size", "4",
                "--frozen-epochs", "1", "--output", fused.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        for (boolean withPreprocessing : new boolean[] {false, true}) {
            Path onnx = work.resolve(withPreprocessing ? "fused-raw.onnx" : "fused.onnx");
            List<String> export = new ArrayList<>(List.of("export", "--model-dir", fused.toString(), "--format",
                    "onnx", "--out", onnx.toString()));
            if (withPreprocessing) {
                export.add("--with-preprocessing");
            }
            CliRunner.Result exported = CliRunner.run(export.toArray(String[]::new));

            assertThat(exported.exitCode()).as(exported.err()).isZero();
            assertThat(exported.out()).contains("mobilenet/input [N,3,32,32]", "efficientnetb0/input [N,3,40,40]");
            assertAgreesWithPredict(fused, onnx, withPreprocessing);
        }
    }

    /**
     * The newest families train through both phases from tl's random initialisation and export: ConvNeXt
     * (LayerNormalization, GELU, layer scale) and EfficientNetV2 (fused MBConv), at a small size.
     */
    @ParameterizedTest
    @ValueSource(strings = {"convnext_tiny", "efficientnetv2b0"})
    void newFamiliesTrainBothPhasesAndExport(String backbone) throws Exception {
        Path trained = work.resolve(backbone);
        CliRunner.Result result = CliRunner.run("train", "--model", backbone, "--weights", "none", "--data",
                images.toString(), "--val-split", "0", "--image-size", "32", "--batch-size", "4",
                "--frozen-epochs", "1", "--finetune-epochs", "1", "--output", trained.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode history = Json.MAPPER.readTree(trained.resolve(ModelBundle.METADATA_FILE).toFile()).get("history");
        assertThat(column(history, "phase")).containsExactly("frozen", "finetune");

        Path onnx = work.resolve(backbone + ".onnx");
        CliRunner.Result exported = CliRunner.run("export", "--model-dir", trained.toString(), "--format", "onnx",
                "--out", onnx.toString());
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        assertAgreesWithPredict(trained, onnx, false);
    }

    private static List<String> column(JsonNode rows, String field) {
        List<String> values = new ArrayList<>();
        rows.forEach(row -> values.add(row.get(field).asText()));
        return values;
    }

    @Test
    void fixedBatchAndOldestAndNewestOpsetsLoad() throws Exception {
        for (String opset : List.of("11", "21")) {
            Path onnx = work.resolve("opset" + opset + ".onnx");
            CliRunner.Result exported = CliRunner.run("export", "--model-dir", model.toString(), "--format", "onnx",
                    "--out", onnx.toString(), "--opset", opset, "--batch", "8");
            assertThat(exported.exitCode()).as(exported.err()).isZero();
            assertThat(exported.out()).contains("opset " + opset, "input  input [8,3,40,40]");
            assertAgreesWithPredict(model, onnx, false);
        }
    }

    /** Runs {@code tl predict} and the ONNX model on every image (8: a fixed batch of 8 fits too) and compares. */
    private static void assertAgreesWithPredict(Path bundle, Path onnxFile, boolean rawInput) throws Exception {
        CliRunner.Result predicted = PREDICTIONS.computeIfAbsent(bundle, dir -> CliRunner.run("predict",
                "--model-dir", dir.toString(), "--json", "--top-k", "2", images.toString()));
        assertThat(predicted.exitCode()).as(predicted.err()).isZero();
        BundleMetadata metadata = Json.MAPPER.readValue(bundle.resolve(ModelBundle.METADATA_FILE).toFile(),
                BundleMetadata.class);
        List<LabeledImage> predictedImages = new ArrayList<>();
        List<float[]> tlRows = new ArrayList<>();
        for (JsonNode image : Json.MAPPER.readTree(predicted.out())) {
            predictedImages.add(new LabeledImage(Path.of(image.get("path").asText()), -1));
            float[] row = new float[metadata.classes().size()];
            for (JsonNode label : image.get("predictions")) {
                row[metadata.classes().indexOf(label.get("label").asText())] = (float) label.get("probability")
                        .asDouble();
            }
            tlRows.add(row);
        }
        assertThat(predictedImages).hasSize(8);

        try (OnnxRuntimeModel onnx = OnnxRuntimeModel.load(onnxFile)) {
            assertThat(Json.MAPPER.readValue(onnx.metadata().get("classes"), String[].class))
                    .containsExactlyElementsOf(metadata.classes());
            JsonNode inputs = Json.MAPPER.readTree(onnx.metadata().get("inputs"));
            double difference = OnnxInputs.maxAbsDifference(
                    onnx.run(feed(inputs, metadata.inputSpecs(), predictedImages, rawInput)),
                    tlRows.toArray(float[][]::new));
            System.out.printf(Locale.ROOT, "ONNX Runtime vs tl predict, %s: max |p_onnx - p_tl| = %.2e%n",
                    onnxFile.getFileName(), difference);
            assertThat(difference).isLessThan(TOLERANCE);
        }
    }

    /** The ONNX inputs, named as the file's metadata lists them, in tl's input order. */
    private static Map<String, OnnxRuntimeModel.Tensor> feed(JsonNode inputs, List<InputSpec> specs,
                                                             List<LabeledImage> images, boolean rawInput) {
        INDArray[] preprocessed;
        try (BatchLoader loader = new BatchLoader(specs, 0)) {
            preprocessed = loader.batches(images, images.size(), ImageViews.PLAIN).next().inputs();
        }
        Map<String, OnnxRuntimeModel.Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            feed.put(inputs.get(i).get("name").asText(), rawInput
                    ? OnnxInputs.rawRgb(images, specs.get(i))
                    : OnnxInputs.nchw(preprocessed[i]));
        }
        return feed;
    }

    @Order(Integer.MAX_VALUE)
    @Test
    void onnxRuntimeLoadsEveryExportWithFullOptimisationWithoutWarnings() throws Exception {
        List<Path> exported;
        try (var files = Files.list(work)) {
            exported = files.filter(file -> file.toString().endsWith(".onnx") && !file.endsWith("untouched.onnx"))
                    .toList();
        }
        assertThat(exported).hasSize(8);
        assertThat(OnnxRuntimeWarnings.of(exported)).isEmpty();
    }

    @Test
    void badInputNamesTheFlagOrFileBeforeReadingTheModel() throws Exception {
        Path out = work.resolve("untouched.onnx");
        Files.writeString(out, "previous export");
        Path missingModel = work.resolve("no-such-model");

        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "tflite",
                "--out", out.toString()), "--format", "tflite", "onnx");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "onnx",
                "--out", out.toString(), "--opset", "7"), "--opset", "11 to 21");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "onnx",
                "--out", out.toString(), "--opset", "latest"), "--opset", "latest");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "onnx",
                "--out", out.toString(), "--batch", "0"), "--batch");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "onnx",
                "--out", out.toString(), "--batch", "some"), "--batch", "some");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "onnx",
                "--out", work.resolve("missing-dir/model.onnx").toString()), "--out", "missing-dir", "does not exist");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--format", "onnx",
                "--out", work.resolve("model.pb").toString()), "--out", ".onnx", "model.pb");
        assertUsageError(CliRunner.run("export", "--model-dir", missingModel.toString(), "--out", out.toString()),
                "--format");
        assertUsageError(CliRunner.run("export", "--model-dir", images.toString(), "--format", "onnx", "--out",
                out.toString()), "--model-dir", "not a tl model bundle");
        assertThat(out).hasContent("previous export");
        assertThat(work.resolve("model.pb")).doesNotExist();
    }

    private static void assertUsageError(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions);
        assertThat(result.err()).doesNotContain("Exception\n\tat ");
    }
}
