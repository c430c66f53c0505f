package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running out of ND4J's memory says what to lower, in one message, exit 2: not an internal error and its stack. */
class OutOfMemoryTest {

    @TempDir
    Path dir;

    @Test
    void aPassTooLargeForTheMemoryLimitSaysWhatToLower() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path photo = TestData.subset(TestData.VAL, 1).images().get(0).path();
        Files.copy(photo, images.resolve(photo.getFileName()));
        // one image at 4096 px takes over a GB of activations; the JVM and ND4J start in less than 640 MB (on the
        // dl4j engine: ONNX Runtime's own memory is not JavaCPP's to limit)
        TlProcess.Result result = TlProcess.piped(dir.resolve("home"),
                List.of("-Dorg.bytedeco.javacpp.maxphysicalbytes=640M", "-Dorg.bytedeco.javacpp.maxretries=0"),
                "embed", "--engine", "dl4j", "--model", "mobilenet_0.25", "--weights", "none", "--image-size", "4096",
                "--data",
                images.toString(), "--out", dir.resolve("features.csv").toString());

        assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
        assertThat(result.stderr()).contains("tl embed: error: out of memory for ND4J's arrays",
                "lower --batch-size (32) or --image-size (4096)", "maxphysicalbytes").doesNotContain("\tat ");
        assertThat(dir.resolve("features.csv")).doesNotExist();
    }
}
