package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.model.ImageNetClassifier;
import dev.tl.model.ModelGraphs;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.weights.KerasH5Fixture;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * predict with a stock ImageNet classifier, embed, and training the DenseNet, EfficientNet and MobileNetV3 families
 * (BatchNorm trainable: MobileNetV3's hard swish as a layer of its own).
 */
class ZooCommandsTest {

    @TempDir
    Path dir;

    /** A with-top MobileNet file in Keras' layout whose classifier bias makes class 417 win by a mile. */
    private Path mobilenetWithTopFavouring(int favourite) {
        ModelGraphs.ImageNetGraph network = ModelGraphs.imagenetClassifier(Backbones.get("mobilenet"), 224);
        Random random = new Random(1);
        KerasH5Fixture fixture = new KerasH5Fixture();
        for (String name : network.vertexNames()) {
            Layer layer = network.graph().getVertex(name) == null ? null : network.graph().getLayer(name);
            if (layer == null || layer.numParams() == 0) {
                fixture.layer(name);
                continue;
            }
            var conf = layer.conf().getLayer();
            if (conf instanceof BatchNormalization) {
                int c = (int) layer.getParam("gamma").length();
                fixture.layer(name, constant(name + "/gamma:0", 1f, c), constant(name + "/beta:0", 0f, c),
                        constant(name + "/moving_mean:0", 0f, c), constant(name + "/moving_variance:0", 1f, c));
            } else {
                long[] w = layer.getParam("W").shape();
                KerasH5Fixture.Tensor kernel = conf instanceof DepthwiseConvolution2D
                        ? scaled(KerasH5Fixture.random(name + "/depthwise_kernel:0", random,
                        (int) w[0], (int) w[1], (int) w[2], (int) w[3]), 0.3f)
                        : scaled(KerasH5Fixture.random(name + "/kernel:0", random,
                        (int) w[2], (int) w[3], (int) w[1], (int) w[0]), 0.05f);
                if (layer.paramTable().containsKey("b")) {
                    KerasH5Fixture.Tensor bias = constant(name + "/bias:0", 0f, (int) w[0]);
                    bias.values()[favourite] = 50f;
                    fixture.layer(name, kernel, bias);
                } else {
                    fixture.layer(name, kernel);
                }
                assertThat(conf).isInstanceOf(ConvolutionLayer.class);
            }
        }
        Path file = dir.resolve("mobilenet_1_0_224_tf.h5");
        fixture.write(file);
        return file;
    }

    private static KerasH5Fixture.Tensor constant(String name, float value, int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, value);
        return new KerasH5Fixture.Tensor(name, new int[] {n}, values);
    }

    private static KerasH5Fixture.Tensor scaled(KerasH5Fixture.Tensor tensor, float factor) {
        for (int i = 0; i < tensor.values().length; i++) {
            tensor.values()[i] *= factor;
        }
        return tensor;
    }

    @Test
    void predictWithTheStockImageNetClassifierNamesImageNetClasses() throws Exception {
        Path weights = mobilenetWithTopFavouring(417);
        Path image = Files.list(TestData.VAL.resolve("vertical")).sorted().findFirst().orElseThrow();

        CliRunner.Result result = CliRunner.run("predict", "--model", "mobilenet", "--weights", weights.toString(),
                "--top-k", "5", "--json", image.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode top = Json.MAPPER.readTree(result.out()).get(0).get("predictions");
        assertThat(top).hasSize(5);
        assertThat(top.get(0).get("label").asText()).isEqualTo(ImageNetClassifier.classes().get(417)).isEqualTo("balloon");
        assertThat(top.get(0).get("probability").asDouble()).isGreaterThan(0.99);
        for (JsonNode label : top) {
            assertThat(ImageNetClassifier.classes()).contains(label.get("label").asText());
        }
    }

    @Test
    void predictRefusesUntrainedWeightsAndBothModelOptions() {
        assertThat(CliRunner.run("predict", "--model", "mobilenet", "--weights", "none", "x.jpg").exitCode()).isEqualTo(2);
        CliRunner.Result both = CliRunner.run("predict", "--model", "mobilenet", "--model-dir", "m", "x.jpg");
        assertThat(both.exitCode()).isEqualTo(2);
    }

    @Test
    void embedWritesOneRowPerImageAsCsvAndNpy() throws Exception {
        Path data = TestData.copySubset(TestData.VAL, 3, dir.resolve("data"));
        Path csv = dir.resolve("features.csv");
        Path npy = dir.resolve("features.npy");

        CliRunner.Result a = CliRunner.run("embed", "--model", "mobilenet", "--weights", "none", "--image-size", "32",
                "--data", data.toString(), "--out", csv.toString());
        CliRunner.Result b = CliRunner.run("embed", "--model", "mobilenet", "--weights", "none", "--image-size", "32",
                "--data", data.toString(), "--out", npy.toString());

        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(b.exitCode()).as(b.err()).isZero();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(7);
        String[] header = lines.get(0).split(",");
        assertThat(header).hasSize(2 + 1024);
        assertThat(header[0]).isEqualTo("path");
        assertThat(header[2]).isEqualTo("f0");
        assertThat(lines.subList(1, 7)).extracting(line -> line.split(",")[1])
                .containsExactly("horizontal", "horizontal", "horizontal", "vertical", "vertical", "vertical");

        byte[] bytes = Files.readAllBytes(npy);
        int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        String npyHeader = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(npyHeader).contains("'descr': '<f4'", "'shape': (6, 1024)");
        assertThat((10 + headerLength) % 64).isZero();
        ByteBuffer values = ByteBuffer.wrap(bytes, 10 + headerLength, bytes.length - 10 - headerLength)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int row = 0; row < 6; row++) {
            String[] fields = lines.get(row + 1).split(",");
            for (int j = 0; j < 1024; j++) {
                assertThat(values.getFloat()).isEqualTo(Float.parseFloat(fields[2 + j]));
            }
        }
        assertThat(Files.readAllLines(dir.resolve("features.index.csv"))).hasSize(7);
    }

    @Test
    void embedTakesAFlatFolderOfUnlabelledImages() throws Exception {
        Path flat = Files.createDirectories(dir.resolve("flat"));
        for (var image : TestData.subset(TestData.VAL, 2).images()) {
            Files.copy(image.path(), flat.resolve(image.path().getFileName()));
        }
        Path csv = dir.resolve("flat.csv");

        CliRunner.Result result = CliRunner.run("embed", "--model", "mobilenet", "--weights", "none",
                "--image-size", "32", "--data", flat.toString(), "--out", csv.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(5);
        assertThat(lines.subList(1, 5)).allMatch(line -> line.replaceFirst("^\"", "").startsWith(flat.toString())
                && line.split(",")[1].isEmpty());
    }

    @Test
    void fusedEmbeddingsConcatenateTheBackbones() throws Exception {
        Path data = TestData.copySubset(TestData.VAL, 1, dir.resolve("data"));
        CliRunner.Result result = CliRunner.run("embed", "--model", "mobilenet,densenet121", "--weights", "none",
                "--image-size", "32", "--data", data.toString(), "--out", dir.resolve("f.csv").toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("f.csv")).get(0).split(",")).hasSize(2 + 1024 + 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"densenet121", "efficientnetb0", "mobilenetv3small"})
    void newFamiliesTrainThroughBothPhasesWithTrainableBatchNorm(String backbone) throws Exception {
        Path train = TestData.copySubset(TestData.TRAIN, 4, dir.resolve("train"));
        Path val = TestData.copySubset(TestData.VAL, 2, dir.resolve("val"));
        Path model = dir.resolve("model");

        CliRunner.Result trained = CliRunner.run("train", "--model", backbone, "--weights", "none",
                "--data", train.toString(), "--val-data", val.toString(), "--image-size", "32", "--batch-size", "4",
                "--frozen-epochs", "1", "--finetune-epochs", "1", "--bn-trainable", "--output", model.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();

        CliRunner.Result evaluated = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                val.toString(), "--json");
        assertThat(evaluated.exitCode()).as(evaluated.err()).isZero();
        assertThat(Json.MAPPER.readTree(evaluated.out()).get("images").asInt()).isEqualTo(4);
        JsonNode meta = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
        assertThat(meta.get("inputs").get(0).get("preprocessing").asText())
                .isEqualTo(Backbones.get(backbone).preprocessing().id());
        assertThat(meta.get("history")).hasSize(2);
    }
}
