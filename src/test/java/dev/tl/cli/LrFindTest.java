package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.SharedFiles;
import dev.tl.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tl lr-find` on real images at 32 px: the table or JSON, the suggestion, the plot, and bad ranges. */
class LrFindTest {

    @TempDir
    static Path work;

    private static Path data;

    @BeforeAll
    static void copyImages() throws Exception {
        data = TestData.copySubset(TestData.TRAIN, 6, work.resolve("train"));
    }

    private static CliRunner.Result lrFind(String... options) {
        String[] base = {"lr-find", "--model", "mobilenet", "--weights", "none", "--data", data.toString(),
                "--image-size", "32", "--batch-size", "4"};
        String[] args = new String[base.length + options.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(options, 0, args, base.length, options.length);
        return CliRunner.run(args);
    }

    @Test
    void suggestsARateInTheRangeAndPlotsTheCurve() throws Exception {
        Path plot = work.resolve("lr.png");
        CliRunner.Result result = lrFind("--start-lr", "1e-5", "--end-lr", "10", "--steps", "40", "--plot",
                plot.toString(), "--json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode json = Json.MAPPER.readTree(result.out());
        double suggestion = json.get("suggested_lr").asDouble();
        assertThat(suggestion).isBetween(1e-5, 10.0);
        assertThat(json.get("method").asText()).isEqualTo("start of the steepest persistent fall of the smoothed loss");
        JsonNode points = json.get("points");
        assertThat(points.size()).isBetween(2, 40);
        assertThat(points.get(0).get("learning_rate").asDouble()).isEqualTo(1e-5);
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).get("learning_rate").asDouble())
                    .isGreaterThan(points.get(i - 1).get("learning_rate").asDouble());
            assertThat(points.get(i).get("smoothed_loss").isNumber()).isTrue();
        }
        if (points.size() < 40) {
            assertThat(json.get("diverged").asBoolean()).isTrue();
        }
        BufferedImage image = ImageIO.read(plot.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(800);
        assertThat(image.getHeight()).isEqualTo(500);
    }

    @Test
    void printsATableWithTheSuggestion() {
        CliRunner.Result result = lrFind("--start-lr", "1e-4", "--end-lr", "1", "--steps", "12");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("lr", "loss", "smoothed", "suggested learning rate: ");
        assertThat(result.out().lines().filter(line -> line.matches("\\s*\\d\\.\\d\\de[-+]\\d+\\s+.*"))).hasSize(12);
    }

    /**
     * The suggestion is a rate that trains: on the hymenoptera photos with Keras' real MobileNet 0.25 weights, a
     * head trained at it for the default frozen epochs classifies ants and bees. At the defaults (224 px, batch 32,
     * 100 steps); the training features come from the cache the range test filled.
     */
    @Test
    void aHeadTrainedAtTheSuggestionLearnsOnRealPhotos() throws Exception {
        Path weights = SharedFiles.require(SharedFiles.MOBILENET_025_NO_TOP);
        Path train = SharedFiles.require(SharedFiles.HYMENOPTERA_TRAIN);
        Path val = SharedFiles.require(SharedFiles.HYMENOPTERA_VAL);
        CliRunner.Result found = CliRunner.run("lr-find", "--model", "mobilenet_0.25", "--weights",
                weights.toString(), "--data", train.toString(), "--json");
        assertThat(found.exitCode()).as(found.err()).isZero();
        String suggestion = Json.MAPPER.readTree(found.out()).get("suggested_lr").asText();

        Path model = work.resolve("at-suggestion");
        CliRunner.Result trained = CliRunner.run("train", "--model", "mobilenet_0.25", "--weights",
                weights.toString(), "--data", train.toString(), "--val-data", val.toString(), "--lr", suggestion,
                "--finetune-epochs", "0", "--output", model.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();

        JsonNode bundle = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
        JsonNode history = bundle.get("history");
        assertThat(history.get(history.size() - 1).get("val_accuracy").asDouble())
                .as("val accuracy after the last frozen epoch at the suggested rate " + suggestion)
                .isGreaterThanOrEqualTo(0.85);
    }

    private static void assertUsageError(CliRunner.Result result, String flag) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(flag).doesNotContain("Exception\n\tat ");
    }

    @Test
    void badRangesAreErrorsNamingTheFlag() {
        assertUsageError(lrFind("--start-lr", "0"), "--start-lr");
        assertUsageError(lrFind("--start-lr", "1e-2", "--end-lr", "1e-3"), "--end-lr");
        assertUsageError(lrFind("--steps", "1"), "--steps");
        assertUsageError(lrFind("--plot", work.resolve("missing/lr.png").toString()), "--plot");
    }
}
