package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets a message naming the flag or file, exit code 2, and nothing written. */
class BadInputTest {

    @TempDir
    Path dir;

    private void assertUsageError(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions);
        assertThat(result.err()).doesNotContain("Exception\n\tat ");
    }

    @Test
    void missingDataDirectory() {
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data",
                dir.resolve("missing").toString(), "--output", dir.resolve("m").toString()), "--data", "missing");
        assertThat(dir.resolve("m")).doesNotExist();
    }

    @Test
    void unknownBackboneListsTheChoices() {
        assertUsageError(CliRunner.run("train", "--model", "resnet9000", "--data", TestData.TRAIN.toString()),
                "--model", "resnet9000", "mobilenet", "vgg16");
    }

    @Test
    void unknownOptionAndMissingRequiredOption() {
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", "x", "--frobnicate"), "--frobnicate");
        assertUsageError(CliRunner.run("train", "--data", "x"), "--model");
        assertUsageError(CliRunner.run("frobnicate"), "frobnicate");
    }

    @Test
    void outOfRangeNumbers() {
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--dropout", "1.5"), "--dropout");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--batch-size", "0"), "--batch-size");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--unfreeze", "some"), "--unfreeze");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--image-size", "16", "--weights", "none"), "--image-size", "mobilenet");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--weights", dir.resolve("nope.h5").toString()), "--weights", "nope.h5");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--micro-batch-size", "0"), "--micro-batch-size", "auto");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--micro-batch-size", "8", "--bn-trainable"), "--micro-batch-size", "--bn-trainable");
        assertUsageError(CliRunner.run("bench", "--model", "mobilenet", "--micro-batch-size", "some"),
                "--micro-batch-size", "some");
    }

    @Test
    void refusesToOverwriteADirectoryThatIsNotABundle() throws Exception {
        Path precious = dir.resolve("precious");
        Files.createDirectories(precious);
        Files.writeString(precious.resolve("thesis.txt"), "years of work");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data",
                TestData.TRAIN.toString(), "--image-size", "32", "--frozen-epochs", "0", "--finetune-epochs", "0",
                "--output", precious.toString()), "--output", "not a tl model bundle");
        assertThat(precious.resolve("thesis.txt")).hasContent("years of work");
    }

    @Test
    void evaluateAndPredictNeedABundle() throws Exception {
        assertUsageError(CliRunner.run("evaluate", "--model-dir", dir.toString(), "--data", TestData.VAL.toString()),
                "--model-dir", "not a tl model bundle");
        assertUsageError(CliRunner.run("predict", "--model-dir", dir.resolve("none").toString(), "x.jpg"),
                "no such image", "x.jpg");
    }

    @Test
    void aCorruptImageIsNamed() throws Exception {
        Path data = TestData.copySubset(TestData.TRAIN, 2, dir.resolve("data"));
        Files.writeString(data.resolve("horizontal/broken.jpg"), "not a jpeg");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data",
                data.toString(), "--val-split", "0", "--image-size", "32", "--frozen-epochs", "1",
                "--finetune-epochs", "0", "--output", dir.resolve("m").toString()), "broken.jpg");
        assertThat(dir.resolve("m")).doesNotExist();
    }
}
