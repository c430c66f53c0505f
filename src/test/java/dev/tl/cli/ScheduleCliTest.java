package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning-rate schedules and fine-tuning by block through `tl train`: the epoch history and the bundle record them. */
class ScheduleCliTest {

    @TempDir
    static Path work;

    private static Path train;
    private static Path val;

    @BeforeAll
    static void copyImages() throws Exception {
        train = TestData.copySubset(TestData.TRAIN, 4, work.resolve("train"));
        val = TestData.copySubset(TestData.VAL, 2, work.resolve("val"));
    }

    /** Trains mobilenet at 32 px on 8 images in mini-batches of 4 (2 per epoch); returns the bundle's metadata. */
    private static JsonNode train(String name, String... options) throws Exception {
        Path model = work.resolve(name);
        List<String> args = new ArrayList<>(List.of("train", "--model", "mobilenet", "--weights", "none",
                "--data", train.toString(), "--val-data", val.toString(), "--image-size", "32", "--batch-size", "4",
                "--lr", "0.01", "--finetune-lr", "0.001", "--output", model.toString()));
        args.addAll(List.of(options));
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isZero();
        return Json.MAPPER.readTree(model.resolve("tl-model.json").toFile());
    }

    private static List<Double> learningRates(JsonNode meta) {
        List<Double> rates = new ArrayList<>();
        meta.get("history").forEach(epoch -> rates.add(epoch.get("learning_rate").asDouble()));
        return rates;
    }

    @Test
    void stepScheduleRestartsAtEachPhasesRateAndIsRecorded() throws Exception {
        JsonNode meta = train("step", "--schedule", "step", "--step-size", "1", "--step-gamma", "0.5",
                "--frozen-epochs", "3", "--finetune-epochs", "2", "--unfreeze-blocks", "2",
                "--lr-decay-per-block", "0.5");

        assertThat(learningRates(meta)).containsExactly(0.01, 0.005, 0.0025, 0.001, 0.0005);
        JsonNode options = meta.get("training").get("options");
        assertThat(options.get("schedule").toString())
                .isEqualTo("{\"name\":\"step\",\"params\":{\"step_size\":1,\"gamma\":0.5},\"warmup_epochs\":null}");
        assertThat(options.get("unfreeze").asText()).isEqualTo("2 blocks");
        assertThat(options.get("lr_decay_per_block").asDouble()).isEqualTo(0.5);
    }

    @Test
    void cosineEpochsStartWhereTheCurveIsAtTheirFirstMiniBatch() throws Exception {
        JsonNode meta = train("cosine", "--schedule", "cosine", "--frozen-epochs", "4", "--finetune-epochs", "0");

        // 8 mini-batches in all; epochs start at mini-batches 0, 2, 4 and 6.
        List<Double> rates = learningRates(meta);
        assertThat(rates).hasSize(4);
        for (int epoch = 0; epoch < 4; epoch++) {
            assertThat(rates.get(epoch)).isCloseTo(0.01 * (1 + Math.cos(Math.PI * epoch / 4)) / 2, within(1e-12));
        }
    }

    @Test
    void constantIsTheDefault() throws Exception {
        JsonNode meta = train("constant", "--frozen-epochs", "2", "--finetune-epochs", "1");

        assertThat(learningRates(meta)).containsExactly(0.01, 0.01, 0.001);
        assertThat(meta.get("training").get("options").get("schedule").get("name").asText()).isEqualTo("constant");
    }

    private static void assertUsageError(String flag, String... options) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mobilenet", "--weights", "none",
                "--data", train.toString(), "--image-size", "32", "--output", work.resolve("never").toString()));
        args.addAll(List.of(options));
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(flag).doesNotContain("Exception\n\tat ");
        assertThat(work.resolve("never")).doesNotExist();
    }

    @Test
    void badScheduleAndBlockOptionsAreErrorsNamingTheFlag() {
        assertUsageError("--schedule", "--schedule", "sometimes");
        assertUsageError("--step-size", "--schedule", "cosine", "--step-size", "2");
        assertUsageError("--warmup-epochs", "--schedule", "onecycle", "--warmup-epochs", "1");
        assertUsageError("--plateau-factor", "--schedule", "plateau", "--plateau-factor", "1");
        assertUsageError("--unfreeze-blocks", "--unfreeze", "3", "--unfreeze-blocks", "1");
        assertUsageError("--unfreeze-blocks", "--unfreeze-blocks", "0");
        assertUsageError("--lr-decay-per-block", "--lr-decay-per-block", "0");
        // mobilenet has 14 blocks (stem, block_1..block_13); caught before any training.
        assertUsageError("--unfreeze-blocks 15", "--unfreeze-blocks", "15");
    }
}
