package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a message naming the flag or file, exit code 2, and nothing written. */
class BadInputTest {

    @TempDir
    Path dir;

    private void assertUsageError(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions);
        assertThat(result.err()).doesNotContain("Exception\n\tat ");
    }

    private static final String DATA = TestData.TRAIN.toString();

    private static Arguments bad(String mention, String... args) {
        return Arguments.of(String.join(" ", args), mention, args);
    }

    /** A bad value or combination for every command, each caught before any work (nothing is downloaded here). */
    static Stream<Arguments> everyCommand() {
        return Stream.of(
                bad("--batch-size", "embed", "--model", "mobilenet", "--weights", "none", "--batch-size", "0",
                        "--data", DATA, "--out", "x.csv"),
                bad("--model", "embed", "--data", DATA, "--out", "x.csv"),
                bad("--image-size", "embed", "--model", "mobilenet", "--image-size", "16", "--data", DATA, "--out",
                        "x.csv"),
                bad("--dropout", "lr-find", "--model", "mobilenet", "--weights", "none", "--dropout", "1.5",
                        "--data", DATA),
                bad("--dense", "lr-find", "--model", "mobilenet", "--dense", "-1", "--data", DATA),
                bad("--start-lr", "lr-find", "--model", "mobilenet", "--start-lr", "0", "--data", DATA),
                bad("--steps", "lr-find", "--model", "mobilenet", "--steps", "1", "--data", DATA),
                bad("--end-lr", "lr-find", "--model", "mobilenet", "--start-lr", "1", "--end-lr", "0.1", "--data",
                        DATA),
                bad("--plot", "lr-find", "--model", "mobilenet", "--plot", "lr.jpg", "--data", DATA),
                bad("--batch-size", "lr-find", "--model", "mobilenet", "--batch-size", "-3", "--data", DATA),
                bad("--batch-size", "evaluate", "--batch-size", "0", "--data", DATA),
                bad("--tta", "evaluate", "--tta", "13", "--data", DATA),
                bad("exclude each other", "evaluate", "--labels-csv", "x.csv", "--labels-from-filename", "(x)",
                        "--data", DATA),
                bad("--batch-size", "predict", "--batch-size", "0", "x.jpg"),
                bad("--top-k", "predict", "--top-k", "0", "x.jpg"),
                bad("--tta", "predict", "--tta", "0", "x.jpg"),
                bad("exclude each other", "predict", "--model", "mobilenet", "--model-dir", "m", DATA),
                bad("--model", "predict", "--model", "mobilenet3", DATA),
                bad("--weights", "predict", "--model", "mobilenet", "--weights", "none", DATA),
                bad("--batch-size", "bench", "--model", "mobilenet", "--batch-size", "0"),
                bad("--batches", "bench", "--model", "mobilenet", "--batches", "0"),
                bad("--model", "bench", "--model", "mobilenet,vgg16"),
                bad("--phase", "bench", "--model", "mobilenet", "--phase", "sideways"),
                bad("--frobnicate", "models", "--frobnicate"),
                bad("--lr", "train", "--model", "mobilenet", "--data", DATA, "--lr", "0"),
                bad("--patience", "train", "--model", "mobilenet", "--data", DATA, "--patience", "-1"),
                bad("--monitor", "train", "--model", "mobilenet", "--data", DATA, "--monitor", "accuracy"),
                bad("--rotation", "train", "--model", "mobilenet", "--data", DATA, "--rotation", "200"),
                bad("--val-split", "train", "--model", "mobilenet", "--data", DATA, "--val-split", "0.2",
                        "--val-data", DATA));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyCommand")
    void everyCommandRefusesBadValuesNamingTheFlag(String command, String mention, String[] args) {
        assertUsageError(CliRunner.run(args), mention);
    }

    @Test
    void anUnknownBackboneOfTlWeightsIsNotCalledAFlag() {
        CliRunner.Result result = CliRunner.run("weights", "nosuch");
        assertUsageError(result, "unknown backbone 'nosuch'");
        assertThat(result.err()).doesNotContain("--model");
    }

    @Test
    void formatNamesAreTakenInAnyCaseAndAnUnknownOneListsTheChoices() {
        assertUsageError(CliRunner.run("models", "--output-format", "xml"), "--output-format", "[text, json, csv]",
                "'xml'");
        assertUsageError(CliRunner.run("export", "--model-dir", dir.toString(), "--format", "pb", "--out",
                dir.resolve("m.onnx").toString()), "--format", "[onnx]", "'pb'");
        CliRunner.Result json = CliRunner.run("models", "--output-format", "JSON");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.out()).startsWith("[");
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
    void kerasEpochsAndLearningRateSuggestBothPhasesOptions() {
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--data", TestData.TRAIN.toString(),
                "--epochs", "5"), "Unknown option", "--epochs", "--frozen-epochs N", "--finetune-epochs N");
        assertUsageError(CliRunner.run("train", "--learning-rate=1e-3"), "--lr F", "--finetune-lr F");
        // lr-find has no fine-tune phase: no suggestion of options it does not have
        assertThat(CliRunner.run("lr-find", "--epochs", "3").err()).doesNotContain("--finetune-epochs");
    }

    @Test
    void aMistypedBackboneSuggestsTheNearestNames() {
        assertUsageError(CliRunner.run("train", "--model", "mobilenet3", "--data", TestData.TRAIN.toString()),
                "--model: unknown backbone 'mobilenet3'; did you mean mobilenet or mobilenetv2?");
        assertUsageError(CliRunner.run("predict", "--model", "desnet121", DATA),
                "did you mean resnet101 or densenet121?");
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
                TestData.TRAIN.toString(), "--image-size", "32", "--frozen-epochs", "1", "--finetune-epochs", "0",
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
    void aCorruptImageIsNamedAndWithStrictStopsTheRun() throws Exception {
        Path data = TestData.copySubset(TestData.TRAIN, 2, dir.resolve("data"));
        Files.writeString(data.resolve("horizontal/broken.jpg"), "not a jpeg");
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data",
                data.toString(), "--val-split", "0", "--image-size", "32", "--frozen-epochs", "1",
                "--finetune-epochs", "0", "--strict", "--output", dir.resolve("m").toString()), "broken.jpg");
        assertThat(dir.resolve("m")).doesNotExist();
    }
}
