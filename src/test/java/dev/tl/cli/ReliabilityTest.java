package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.LogCapture;
import dev.tl.TestData;
import dev.tl.bundle.BundleLock;
import dev.tl.bundle.ModelBundle;
import dev.tl.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What tl train does with the user's files and hours: bad usage refused before work, NaN, locks, interruptions. */
class ReliabilityTest {

    @TempDir
    static Path work;
    static Path data;

    @BeforeAll
    static void images() throws Exception {
        data = TestData.copySubset(TestData.TRAIN, 4, work.resolve("data"));
    }

    /** A small run; {@code more} adds options or replaces these defaults. */
    private static List<String> train(Path output, String... more) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("--model", "mobilenet", "--weights", "none",
                "--data", data.toString(), "--val-split", "0.25", "--image-size", "32", "--batch-size", "4",
                "--frozen-epochs", "2", "--finetune-epochs", "0", "--output", output.toString()));
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < more.length; i++) {
            boolean hasValue = i + 1 < more.length && !more[i + 1].startsWith("--");
            if (hasValue) {
                options.put(more[i], more[++i]);
            } else {
                flags.add(more[i]);
            }
        }
        List<String> args = new ArrayList<>(List.of("train"));
        options.forEach((name, value) -> args.addAll(List.of(name, value)));
        args.addAll(flags);
        return args;
    }

    private static CliRunner.Result run(List<String> args) {
        return CliRunner.run(args.toArray(String[]::new));
    }

    private static void assertUsageError(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions).doesNotContain("\tat ");
    }

    @Test
    void aForeignOutputIsRefusedBeforeTrainingAndKeptWithOverwrite() throws Exception {
        Path project = Files.createDirectories(work.resolve("proj/src"));
        Files.writeString(project.resolve("app.py"), "x");
        Files.writeString(project.getParent().resolve("tl-model.json"), "{}");
        long start = System.nanoTime();
        assertUsageError(run(train(project.getParent())), "--output", "not a tl model bundle", "src",
                "--overwrite");
        assertThat((System.nanoTime() - start) / 1e9).as("refused before any training").isLessThan(10);

        CliRunner.Result overwritten = run(train(project.getParent(), "--overwrite"));
        assertThat(overwritten.exitCode()).as(overwritten.err()).isZero();
        assertThat(project.resolve("app.py")).hasContent("x");
        assertThat(ModelBundle.load(project.getParent()).metadata().classes()).hasSize(2);
    }

    @Test
    void badUsageIsCaughtBeforeAnyWork() throws Exception {
        assertUsageError(run(train(Path.of("/"))), "--output", "cannot hold a bundle");
        assertUsageError(run(train(work.resolve("x"), "--frozen-epochs", "0")), "--frozen-epochs",
                "nothing to train");
        assertUsageError(run(train(work.resolve("x"), "--finetune-epochs", "1", "--unfreeze", "5000")),
                "--unfreeze 5000", "layers");
        Path oneClass = TestData.copySubset(TestData.TRAIN, 2, work.resolve("one"));
        Files.walk(oneClass.resolve("vertical")).sorted(java.util.Comparator.reverseOrder()).map(Path::toFile)
                .forEach(java.io.File::delete);
        assertUsageError(CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--data",
                oneClass.toString(), "--output", work.resolve("x").toString()), "one class", "at least two");
        assertUsageError(CliRunner.run("embed", "--model", "mobilenet", "--weights", "none", "--data",
                data.toString(), "--out", work.resolve("f.txt").toString()), "--out", ".csv, .npy or .parquet");
        assertUsageError(CliRunner.run("embed", "--model", "mobilenet", "--weights", "none", "--data",
                data.toString(), "--out", work.resolve("missing/f.csv").toString()), "--out", "does not exist");
        assertThat(work.resolve("x")).doesNotExist();
    }

    @Test
    void aDivergingRunExitsThreeKeepingTheBestFiniteWeights() throws Exception {
        Path nothing = work.resolve("nan");
        CliRunner.Result diverged = run(train(nothing, "--lr", "1e38"));
        assertThat(diverged.exitCode()).as(diverged.err()).isEqualTo(3);
        assertThat(diverged.err()).contains("loss became").contains("nothing was saved").contains("--lr");
        assertThat(nothing).doesNotExist();

        Path kept = work.resolve("nan-later");
        CliRunner.Result later = run(train(kept, "--finetune-epochs", "1", "--finetune-lr", "1e38"));
        assertThat(later.exitCode()).as(later.err()).isEqualTo(3);
        assertThat(later.err()).contains("finetune epoch 1").contains("frozen epoch");
        JsonNode meta = Json.MAPPER.readTree(kept.resolve("tl-model.json").toFile());
        assertThat(meta.get("kept_epoch").get("phase").asText()).isEqualTo("frozen");
        assertThat(meta.get("history")).hasSize(2);
        CliRunner.Result predicted = CliRunner.run("predict", "--model-dir", kept.toString(), "--json",
                data.toString());
        assertThat(predicted.out()).doesNotContain("NaN");
    }

    @Test
    void evaluatePrintsItsReportEvenWhenItCannotWriteItIntoTheBundle() throws Exception {
        Path model = work.resolve("read-only");
        assertThat(run(train(model)).exitCode()).isZero();
        // what a read-only bundle does for a user; root (as tests may run) could write into one anyway
        Files.createDirectories(model.resolve(ModelBundle.EVALUATION_FILE).resolve("in-the-way"));

        CliRunner.Result result = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                data.toString(), "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(Json.MAPPER.readTree(result.out()).get("accuracy").isNumber()).isTrue();
    }

    @Test
    void evaluateAddsNothingToABundleThatATrainingRunHolds() throws Exception {
        Path model = work.resolve("held");
        assertThat(run(train(model)).exitCode()).isZero();
        List<String> warnings = new ArrayList<>();
        try (BundleLock training = BundleLock.acquire(model)) { // a tl train about to save a new bundle there
            warnings.addAll(LogCapture.infoLinesOf(EvaluateCommand.class, () -> {
                CliRunner.Result result = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                        data.toString(), "--json");
                assertThat(result.exitCode()).as(result.err()).isZero();
                assertThat(result.out()).contains("\"accuracy\"");
            }));
        }
        assertThat(warnings).anyMatch(line -> line.contains("not written into the bundle")
                && line.contains("pid " + ProcessHandle.current().pid()));
        assertThat(model.resolve(ModelBundle.EVALUATION_FILE)).doesNotExist();
        assertThat(model.resolve("confusion.png")).doesNotExist();

        CliRunner.Result reported = CliRunner.run("report", "--model-dir", model.toString());
        assertThat(reported.exitCode()).as(reported.err()).isZero();
        try (BundleLock training = BundleLock.acquire(model)) {
            assertUsageError(CliRunner.run("report", "--model-dir", model.toString()), "--model-dir",
                    "not written", "is writing");
        }
    }

    @Test
    void aBundleSavedInsideTheDataIsNotReadAsData() throws Exception {
        Path inside = TestData.copySubset(TestData.TRAIN, 4, work.resolve("with-model"));
        Path model = inside.resolve("model");
        assertThat(CliRunner.run("train", "--model", "mobilenet_0.25", "--weights", "none", "--data", inside.toString(),
                "--image-size", "32", "--frozen-epochs", "1", "--finetune-epochs", "0", "--output", model.toString())
                .exitCode()).isZero();
        assertThat(model.resolve("training.png")).exists();

        CliRunner.Result evaluated = CliRunner.run("evaluate", "--model-dir", model.toString(), "--data",
                inside.toString(), "--json");
        assertThat(evaluated.exitCode()).as(evaluated.err()).isZero();
        assertThat(Json.MAPPER.readTree(evaluated.out()).get("images").asInt()).isEqualTo(8);
    }

    @Test
    void validationImagesThatAreTrainingImagesAreCounted() throws Exception {
        Path val = Files.createDirectories(work.resolve("overlap/val"));
        Files.createSymbolicLink(val.resolve("horizontal"), data.resolve("horizontal"));   // 4 shared, by a link
        Path vertical = Files.createDirectories(val.resolve("vertical"));
        List<Path> trainingImages;
        try (var images = Files.list(data.resolve("vertical"))) {
            trainingImages = images.sorted().toList();
        }
        Files.createSymbolicLink(vertical.resolve("linked.jpg"), trainingImages.get(0));   // 1 shared
        Files.copy(trainingImages.get(1), vertical.resolve("copy.jpg"));                    // another file

        for (Path valData : List.of(val, data)) {
            List<String> warnings = LogCapture.infoLinesOf(dev.tl.train.TrainingRun.class, () -> {
                CliRunner.Result result = CliRunner.run("train", "--model", "mobilenet_0.25", "--weights", "none",
                        "--image-size", "32", "--data", data.toString(), "--val-data", valData.toString(),
                        "--frozen-epochs", "1", "--finetune-epochs", "0", "--output",
                        work.resolve("overlap/model").toString());
                assertThat(result.exitCode()).as(result.err()).isZero();
            });
            String shared = valData.equals(val) ? "5 of its 6 images" : "8 of its 8 images";
            assertThat(warnings).anyMatch(line -> line.startsWith("--val-data: " + shared
                    + " are also training images (--data)"));
        }
    }

    @Test
    void theWorkingDirectoryAndTheFoldersHoldingItAreNeverAnOutput() throws Exception {
        Path here = Files.createDirectories(work.resolve("shell/here"));
        for (String output : List.of(".", "..")) {
            TlProcess.Result result = TlProcess.pipedIn(here, Files.createTempDirectory("tl-home"), train(
                    Path.of(output), "--overwrite").toArray(String[]::new));
            assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
            assertThat(result.stderr()).contains("--output", output.equals(".") ? "is the working directory"
                    : "holds the working directory", "choose a directory below it");
        }
        assertThat(here).isEmptyDirectory();
        try (var beside = Files.list(here.getParent())) {
            assertThat(beside).containsExactly(here);
        }
    }

    @Test
    void offlineEachCommandSuggestsWhatItCanDoInstead() {
        CliRunner.Result predict = CliRunner.run("predict", "--model", "mobilenet", data.toString());
        assertThat(predict.exitCode()).isEqualTo(2);
        assertThat(predict.err()).contains("--weights FILE").doesNotContain("--weights none");

        CliRunner.Result train = CliRunner.run("train", "--model", "mobilenet", "--data", data.toString(),
                "--output", work.resolve("offline").toString());
        assertThat(train.exitCode()).isEqualTo(2);
        assertThat(train.err()).contains("Place it at").contains("--weights none");
    }

    @Test
    void configFilesNameThemselvesRejectDuplicatesAndResolvePathsBesideThem() throws Exception {
        Path dir = Files.createDirectories(work.resolve("conf"));
        Path typed = Files.writeString(dir.resolve("typed.yaml"), "dense: lots\n");
        assertUsageError(run(train(work.resolve("x"), "--config", typed.toString())), "--dense", typed.toString());
        Path twice = Files.writeString(dir.resolve("twice.yaml"), "dense: 1\nfrozen_epochs: 2\nfrozen-epochs: 1\n");
        assertUsageError(run(train(work.resolve("x"), "--config", twice.toString())), twice.toString(),
                "frozen-epochs", "frozen_epochs");
        Path repeated = Files.writeString(dir.resolve("repeated.yaml"), "dense: 1\ndense: 2\n");
        assertUsageError(run(train(work.resolve("x"), "--config", repeated.toString())), repeated.toString(),
                "dense");

        TestData.copySubset(TestData.TRAIN, 3, dir.resolve("images"));
        Path relative = Files.writeString(dir.resolve("relative.yaml"), "model: mobilenet\nweights: none\n"
                + "data: images\nimage-size: 32\nfrozen-epochs: 1\nfinetune-epochs: 0\noutput: out\n");
        CliRunner.Result result = CliRunner.run("train", "--config", relative.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(dir.resolve("out/tl-model.json")).exists();
    }

    @Test
    void aSecondRunOnTheSameOutputIsRefusedAndAnInterruptedOneSaysHowToResume() throws Exception {
        Path output = work.resolve("busy");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-Dtl.home=" + Files.createTempDirectory("tl-home"), TlCli.class.getName()));
        command.addAll(train(output, "--frozen-epochs", "1", "--finetune-epochs", "50"));
        Path log = work.resolve("busy.log");
        Process first = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path checkpoint = Checkpoint.dirFor(output).resolve(Checkpoint.FILE);
            FileWatch.await(checkpoint, file -> true, first, Duration.ofMinutes(3));
            assertThat(checkpoint).as(Files.readString(log)).exists();

            assertUsageError(run(train(output)), "another tl run (pid " + first.pid() + ")");

            first.destroy(); // SIGTERM
            assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isEqualTo(143);
            assertThat(Files.readString(log)).contains("interrupted; resume with: tl train --resume");
            assertThat(work.resolve(".busy.lock")).as("the lock file goes with the run").doesNotExist();
        } finally {
            first.destroyForcibly();
        }
    }
}
