package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import org.junit.jupiter.api.Test;

/** {@code tl bench}: real measurements of a real graph, one phase at a time if asked. */
class BenchCommandTest {

    @Test
    void measuresTheRequestedPhasesAndPeakMemory() throws Exception {
        CliRunner.Result both = CliRunner.run("bench", "--model", "mobilenet", "--image-size", "32", "--batch-size",
                "2", "--warmup", "1", "--batches", "1", "--json");
        assertThat(both.exitCode()).as(both.err()).isZero();
        JsonNode result = Json.MAPPER.readTree(both.out());
        assertThat(result.get("inference_images_per_second").asDouble()).isPositive();
        assertThat(result.get("training_images_per_second").asDouble()).isPositive();
        double rate = result.get("inference_images_per_second").asDouble();
        long multiplyAdds = result.get("multiply_adds_per_image").asLong();
        assertThat(multiplyAdds).isGreaterThan(result.get("depthwise_multiply_adds_per_image").asLong()).isPositive();
        assertThat(result.get("inference_gflops").asDouble()).isCloseTo(2e-9 * multiplyAdds * rate, within(1e-6));
        assertThat(result.get("training_first_batch_seconds").asDouble()).isPositive();
        assertThat(result.get("peak_rss_bytes").asLong()).isGreaterThan(100_000_000L);

        CliRunner.Result training = CliRunner.run("bench", "--model", "mobilenet", "--image-size", "32",
                "--batch-size", "2", "--warmup", "0", "--batches", "1", "--phase", "training", "--json");
        assertThat(training.exitCode()).as(training.err()).isZero();
        JsonNode trainingOnly = Json.MAPPER.readTree(training.out());
        assertThat(trainingOnly.has("inference_images_per_second")).isFalse();
        assertThat(trainingOnly.get("training_images_per_second").asDouble()).isPositive();
    }
}
