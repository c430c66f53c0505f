package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TlHome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code tl cache} lists what the feature, weight and ONNX model caches hold; {@code tl cache clean} empties them. */
class CacheCommandTest {

    @Test
    void listsSizesAndCleans() throws Exception {
        CliRunner.run("cache", "clean"); // other tests may have filled the shared test home
        Path features = Files.createDirectories(TlHome.directory().resolve("features"));
        Path weights = Files.createDirectories(TlHome.directory().resolve("weights"));
        Files.write(features.resolve("a.features"), new byte[1_500_000]);
        Files.write(weights.resolve("w.h5"), new byte[2_000_000]);
        Files.write(weights.resolve("x.h5"), new byte[500_000]);
        Path onnx = Files.createDirectories(TlHome.directory().resolve("onnx"));
        Files.write(onnx.resolve("m.onnx"), new byte[700_000]);

        CliRunner.Result listed = CliRunner.run("cache");
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out()).containsPattern("features +1 files +1\\.5 MB  " + features)
                .containsPattern("weights +2 files +2\\.5 MB  " + weights)
                .containsPattern("onnx +1 files +0\\.7 MB  " + onnx);
        JsonNode json = Json.MAPPER.readTree(CliRunner.run("cache", "--json").out());
        assertThat(json.get(1).get("bytes").asLong()).isEqualTo(2_500_000);

        CliRunner.Result cleaned = CliRunner.run("cache", "clean");
        assertThat(cleaned.exitCode()).as(cleaned.err()).isZero();
        assertThat(cleaned.out()).contains("features: removed 1 files (1.5 MB)", "weights: removed 2 files (2.5 MB)",
                "onnx: removed 1 files (0.7 MB)");
        assertThat(features).isEmptyDirectory();
        assertThat(weights).isEmptyDirectory();
        assertThat(onnx).isEmptyDirectory();
    }
}
