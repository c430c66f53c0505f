package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TlHome;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.PretrainedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code tl cache} lists what the feature, weight and ONNX model caches hold; {@code tl cache clean} empties them,
 * and removes nothing else: a user's files in those directories stay.
 */
class CacheCommandTest {

    @Test
    void listsSizesAndCleansOnlyWhatTlKeepsThere() throws Exception {
        CliRunner.run("cache", "clean"); // other tests may have filled the shared test home
        Path features = Files.createDirectories(TlHome.directory().resolve("features"));
        Path weights = Files.createDirectories(TlHome.directory().resolve("weights"));
        Files.write(features.resolve("ab".repeat(32) + ".features"), new byte[1_500_000]);
        Files.writeString(features.resolve("fingerprints.tsv"), "x\t1\n");
        Files.write(features.resolve("." + "cd".repeat(32) + ".features123.tmp"), new byte[10]);
        PretrainedWeights.Files published = Backbones.get("mobilenet").weights().forSize(224);
        String noTop = published.noTop().fileName();
        Files.write(weights.resolve(noTop), new byte[2_000_000]);
        Files.write(weights.resolve(published.withTop().fileName() + ".part"), new byte[500_000]);
        // the user's: a weight file of their own in a folder, notes, a file that only looks like a feature entry
        Path mine = Files.createDirectories(weights.resolve("mine")).resolve("my_model.h5");
        Files.write(mine, new byte[100]);
        Files.writeString(weights.resolve(noTop + ".notes"), "where it came from");
        Files.writeString(features.resolve("README.features"), "mine");
        Path onnx = Files.createDirectories(TlHome.directory().resolve("onnx"));
        Files.write(onnx.resolve("ef".repeat(32) + ".onnx"), new byte[700_000]);
        Path myOnnx = onnx.resolve("my_model.onnx");
        Files.write(myOnnx, new byte[10]);
        Path natives = Files.createDirectories(TlHome.directory().resolve("natives").resolve("onnxruntime-1a2b"));
        Files.write(natives.resolve(System.mapLibraryName("onnxruntime")), new byte[300_000]);
        Path myLibrary = natives.resolveSibling("mylib.so");
        Files.write(myLibrary, new byte[10]);

        CliRunner.Result listed = CliRunner.run("cache");
        assertThat(listed.exitCode()).as(listed.err()).isZero();
        assertThat(listed.out()).containsPattern("features +3 files +1\\.5 MB  " + features)
                .containsPattern("weights +2 files +2\\.5 MB  " + weights)
                .containsPattern("onnx +1 files +0\\.7 MB  " + onnx)
                .containsPattern("natives +1 files +0\\.3 MB  " + natives.getParent());
        JsonNode json = Json.MAPPER.readTree(CliRunner.run("cache", "--json").out());
        assertThat(json.get(1).get("bytes").asLong()).isEqualTo(2_500_000);

        CliRunner.Result cleaned = CliRunner.run("cache", "clean");
        assertThat(cleaned.exitCode()).as(cleaned.err()).isZero();
        assertThat(cleaned.out()).contains("features: removed 3 files (1.5 MB)", "kept 1 file tl did not write",
                "weights: removed 2 files (2.5 MB)", "kept 2 files tl did not write", "onnx: removed 1 files (0.7 MB)",
                "natives: removed 1 files (0.3 MB)");
        try (var left = Files.walk(TlHome.directory())) {
            assertThat(left.filter(Files::isRegularFile)).containsExactlyInAnyOrder(mine,
                    weights.resolve(noTop + ".notes"), features.resolve("README.features"), myOnnx, myLibrary);
        }
    }
}
