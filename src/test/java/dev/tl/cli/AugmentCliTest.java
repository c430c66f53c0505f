package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.data.Framing;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelSource;
import dev.tl.plot.AugmentationPreview;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Augmentation, its preview and test-time augmentation through the command line. */
class AugmentCliTest {

    @TempDir
    static Path work;

    private static Path train;
    private static Path val;
    private static Path model;
    private static CliRunner.Result trained;

    /** A small train command writing to {@code output}, with {@code extra} options. */
    private static String[] trainArgs(Path output, String... extra) {
        String[] base = {"train", "--model", "mobilenet", "--weights", "none", "--data", train.toString(),
            "--val-data", val.toString(), "--image-size", "32", "--output", output.toString()};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }

    @BeforeAll
    static void trainWithAugmentation() throws Exception {
        train = TestData.copySubset(TestData.TRAIN, 8, work.resolve("train"));
        val = TestData.copySubset(TestData.VAL, 3, work.resolve("val"));
        model = work.resolve("model");
        trained = CliRunner.run(trainArgs(model, "--batch-size", "8", "--frozen-epochs", "2", "--finetune-epochs", "1",
                "--augment", "--rotation", "30", "--no-flip", "--vertical-flip"));
    }

    @Test
    void theBundleRecordsTheAugmentation() throws Exception {
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        JsonNode augmentation = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile())
                .get("training").get("augmentation");
        assertThat(augmentation.get("feature_cache_copies").asInt()).isZero();
        JsonNode settings = augmentation.get("settings");
        assertThat(settings.has("active")).isFalse();
        assertThat(settings.get("horizontal_flip").asBoolean()).isFalse();
        assertThat(settings.get("vertical_flip").asBoolean()).isTrue();
        assertThat(settings.get("rotation").asDouble()).isEqualTo(30);
        assertThat(settings.get("zoom").asDouble()).isEqualTo(0.1);
        assertThat(settings.get("contrast").asDouble()).isEqualTo(0.1);
    }

    @Test
    void previewWritesAGridOfAugmentedImagesAndDoesNotTrain() throws Exception {
        Path png = work.resolve("preview/grid.png");
        Path output = work.resolve("not-trained");
        CliRunner.Result result = CliRunner.run(trainArgs(output, "--flip", "--rotation", "--zoom",
                "--preview-augment", png.toString()));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("wrote 16 augmented training images to " + png);
        assertThat(output).doesNotExist();
        BufferedImage grid = ImageIO.read(png.toFile());
        int width = 2 + 4 * (32 + 2);
        int height = grid.getHeight();
        assertThat(grid.getWidth()).isEqualTo(width);
        assertThat(height).as("4 rows of 32-pixel images, each with its class name under it")
                .isBetween(2 + 4 * (32 + 10), 2 + 4 * (32 + 20));
        int cell = (height - 2) / 4;
        int ink = 0;
        for (int x = 2; x < 2 + 32; x++) {
            for (int y = 2 + 32; y < cell; y++) {
                ink += (grid.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF ? 1 : 0;
            }
        }
        assertThat(ink).as("pixels of the first tile's label").isGreaterThan(10);

        ImageSet images = LabelSource.FOLDERS.scan(train, "--data");
        BufferedImage plain = AugmentationPreview.render(AugmentationPreview.sample(images, 42), images.classes(), 32,
                new Framing(1), ImageViews.PLAIN);
        int[] previewPixels = grid.getRGB(0, 0, width, height, null, 0, width);
        int[] plainPixels = plain.getRGB(0, 0, width, height, null, 0, width);
        int differing = 0;
        for (int i = 0; i < previewPixels.length; i++) {
            differing += previewPixels[i] != plainPixels[i] ? 1 : 0;
        }
        assertThat(differing).as("pixels changed by augmentation").isGreaterThan(width * width / 4);
    }

    @Test
    void badAugmentationValuesNameTheirFlag() {
        for (String[] bad : new String[][] {{"--rotation", "-5"}, {"--rotation", "181"}, {"--zoom", "1"}, {"--translate", "1.5"},
            {"--brightness", "1"}, {"--contrast", "-0.2"}, {"--feature-cache-augment", "2"},
            {"--feature-cache-augment", "-1", "--augment"}, {"--preview-augment", "x.png"}}) {
            CliRunner.Result result = CliRunner.run(trainArgs(work.resolve("unused"), bad));
            assertThat(result.exitCode()).as(String.join(" ", bad) + ": " + result.err()).isEqualTo(2);
            assertThat(result.err()).contains(bad[0]);
        }
        CliRunner.Result result = CliRunner.run("predict", "--model-dir", model.toString(), "--tta", "13",
                val.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--tta", "12");
    }

    @Test
    void testTimeAugmentationAveragesProbabilities() throws Exception {
        CliRunner.Result plain = CliRunner.run("predict", "--model-dir", model.toString(), "--json", val.toString());
        CliRunner.Result one = CliRunner.run("predict", "--model-dir", model.toString(), "--json", "--tta", "1",
                val.toString());
        CliRunner.Result four = CliRunner.run("predict", "--model-dir", model.toString(), "--json", "--tta", "4",
                val.toString());
        assertThat(four.exitCode()).as(four.err()).isZero();
        assertThat(one.out()).isEqualTo(plain.out());

        JsonNode averaged = Json.MAPPER.readTree(four.out());
        JsonNode single = Json.MAPPER.readTree(one.out());
        assertThat(averaged).hasSize(6);
        boolean anyDiffers = false;
        for (int i = 0; i < averaged.size(); i++) {
            JsonNode top = averaged.get(i).get("predictions");
            assertThat(top.get(0).get("probability").asDouble() + top.get(1).get("probability").asDouble())
                    .isCloseTo(1.0, Offset.offset(1e-5));
            anyDiffers |= top.get(0).get("probability").asDouble()
                    != single.get(i).get("predictions").get(0).get("probability").asDouble();
        }
        assertThat(anyDiffers).isTrue();

        CliRunner.Result evaluated = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                val.toString(), "--json", "--tta", "4");
        assertThat(evaluated.exitCode()).as(evaluated.err()).isZero();
        JsonNode report = Json.MAPPER.readTree(evaluated.out());
        assertThat(report.get("tta").asInt()).isEqualTo(4);
        assertThat(report.get("images").asInt()).isEqualTo(6);
    }
}
