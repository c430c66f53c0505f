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
import dev.tl.data.LabelledImage;
import dev.tl.export.OnnxInputs;
import dev.tl.export.OnnxRuntimeModel;
import dev.tl.export.OnnxRuntimeWarnings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.tools.ToolProvider;
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
    /**
     * Decoded images framed by the graph: its resize may put a pixel value one level of 255 from OpenCV's, which
     * moves these small, barely trained models' probabilities by a few thousandths (4.3e-3 measured).
     */
    private static final double FRAMING_TOLERANCE = 2e-2;
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
        assertThat(exported.out()).contains("input  input [N,3,H,W]: an image of any size, RGB values 0-255");
        assertAgreesWithPredict(model, onnx, true);
    }

    /** Where the documentation shows how to run an exported model from Java; its snippet must give tl's answers. */
    static final Path DEPLOYING_DOC = Path.of("docs/DEPLOYING.md");

    @Test
    void theDocumentedJavaSnippetGivesTlsAnswers() throws Exception {
        Path onnx = work.resolve("snippet.onnx");
        CliRunner.Result exported = CliRunner.run("export", "--model-dir", model.toString(), "--format", "onnx",
                "--out", onnx.toString(), "--with-preprocessing");
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        Method main = compiledSnippet(work.resolve("snippet")).getMethod("main", String[].class);

        CliRunner.Result predicted = PREDICTIONS.computeIfAbsent(model, dir -> CliRunner.run("predict",
                "--model-dir", dir.toString(), "--json", "--top-k", "2", images.toString()));
        double worst = 0;
        for (JsonNode image : Json.MAPPER.readTree(predicted.out())) {
            String[] answer = printedBy(main, onnx.toString(), image.get("path").asText()).trim().split(" ");
            JsonNode best = image.get("predictions").get(0);
            assertThat(answer[0]).as(image.get("path").asText()).isEqualTo(best.get("label").asText());
            worst = Math.max(worst, Math.abs(Double.parseDouble(answer[1]) - best.get("probability").asDouble()));
        }
        System.out.printf(Locale.ROOT, "the documented Java snippet vs tl predict: max |p - p_tl| = %.2e%n", worst);
        // ImageIO decodes JPEGs a little differently from tl's libjpeg-turbo, and the graph resizes in floats
        assertThat(worst).isLessThan(FRAMING_TOLERANCE);
    }

    /** The documentation's Java snippet (its first java code block), compiled against the test classpath. */
    private static Class<?> compiledSnippet(Path dir) throws Exception {
        String doc = Files.readString(DEPLOYING_DOC);
        int start = doc.indexOf("```java\n");
        assertThat(start).as("a java code block in " + DEPLOYING_DOC).isNotNegative();
        String source = doc.substring(start + "```java\n".length(), doc.indexOf("```", start + 7));
        Path file = Files.writeString(Files.createDirectories(dir).resolve("Classify.java"), source);
        StringWriter errors = new StringWriter();
        boolean compiled = ToolProvider.getSystemJavaCompiler().getTask(errors, null, null,
                List.of("-d", dir.toString(), "-cp", System.getProperty("java.class.path")), null,
                ToolProvider.getSystemJavaCompiler().getStandardFileManager(null, null, null)
                        .getJavaFileObjects(file)).call();
        assertThat(compiled).as(errors.toString()).isTrue();
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, ExportCommandTest.class.getClassLoader())
                .loadClass("Classify");
    }

    /** What {@code main} prints for {@code args}. */
    private static synchronized String printedBy(Method main, String... args) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(stdout);
        }
        return printed.toString(StandardCharsets.UTF_8);
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
            assertThat(exported.out()).contains(withPreprocessing
                    ? List.of("mobilenet/input [N,3,H,W]", "efficientnetb0/input [N,3,H,W]")
                    : List.of("mobilenet/input [N,3,32,32]", "efficientnetb0/input [N,3,40,40]"));
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
        List<LabelledImage> predictedImages = new ArrayList<>();
        List<float[]> tlRows = new ArrayList<>();
        for (JsonNode image : Json.MAPPER.readTree(predicted.out())) {
            predictedImages.add(new LabelledImage(Path.of(image.get("path").asText()), -1));
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
            float[][] probabilities = rawInput
                    ? OnnxInputs.runOnDecoded(onnx, names(inputs), predictedImages)
                    : onnx.run(feed(inputs, metadata.inputSpecs(), predictedImages));
            double difference = OnnxInputs.maxAbsDifference(probabilities, tlRows.toArray(float[][]::new));
            System.out.printf(Locale.ROOT, "ONNX Runtime vs tl predict, %s: max |p_onnx - p_tl| = %.2e%n",
                    onnxFile.getFileName(), difference);
            assertThat(difference).isLessThan(rawInput ? FRAMING_TOLERANCE : TOLERANCE);
        }
    }

    private static List<String> names(JsonNode inputs) {
        List<String> names = new ArrayList<>();
        inputs.forEach(input -> names.add(input.get("name").asText()));
        return names;
    }

    /** The ONNX inputs, named as the file's metadata lists them, in tl's input order. */
    private static Map<String, OnnxRuntimeModel.Tensor> feed(JsonNode inputs, List<InputSpec> specs,
                                                             List<LabelledImage> images) {
        INDArray[] preprocessed;
        try (BatchLoader loader = new BatchLoader(specs, 0)) {
            preprocessed = loader.batches(images, images.size(), ImageViews.PLAIN).next().inputs();
        }
        Map<String, OnnxRuntimeModel.Tensor> feed = new LinkedHashMap<>();
        for (int i = 0; i < specs.size(); i++) {
            feed.put(inputs.get(i).get("name").asText(), OnnxInputs.nchw(preprocessed[i]));
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
        assertThat(exported).hasSize(9);
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
