package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import dev.tl.train.Checkpoint;
import dev.tl.train.Phase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Same seed, same weights; a killed run resumed from its checkpoint ends exactly where an uninterrupted one does. */
class ResumeTest {

    @TempDir
    static Path dir;
    static Path train;
    static Path val;

    @BeforeAll
    static void data() throws Exception {
        train = TestData.copySubset(TestData.TRAIN, 4, dir.resolve("train"));
        val = TestData.copySubset(TestData.VAL, 2, dir.resolve("val"));
    }

    /** Both phases, dropout and a Dense layer, so every source of randomness is exercised. */
    private static List<String> trainArgs(Path output, int finetuneEpochs) {
        return List.of("train", "--model", "mobilenet", "--weights", "none", "--image-size", "32",
                "--data", train.toString(), "--val-data", val.toString(), "--batch-size", "3", "--dense", "16",
                "--dropout", "0.5", "--frozen-epochs", "3", "--finetune-epochs", Integer.toString(finetuneEpochs),
                "--finetune-lr", "1e-3", "--seed", "11", "--no-feature-cache", "--output", output.toString());
    }

    private static INDArray params(Path model) {
        return ModelBundle.load(model).graph().params();
    }

    @Test
    void theSameSeedGivesBitIdenticalWeights() {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        assertThat(CliRunner.run(trainArgs(first, 1).toArray(String[]::new)).exitCode()).isZero();
        assertThat(CliRunner.run(trainArgs(second, 1).toArray(String[]::new)).exitCode()).isZero();

        assertThat(params(second)).isEqualTo(params(first));
        assertThat(Checkpoint.dirFor(first)).as("checkpoint removed after a finished run").doesNotExist();
    }

    @Test
    void aRunKilledInFineTuningAndResumedEndsWithTheSameWeights() throws Exception {
        int finetuneEpochs = 6;
        Path uninterrupted = dir.resolve("uninterrupted");
        CliRunner.Result whole = CliRunner.run(trainArgs(uninterrupted, finetuneEpochs).toArray(String[]::new));
        assertThat(whole.exitCode()).as(whole.err()).isZero();

        // The same run in its own JVM, killed (SIGKILL) once its first fine-tune epoch is checkpointed.
        Path killed = dir.resolve("killed");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-Dtl.home=" + Files.createTempDirectory("tl-home"), TlCli.class.getName()));
        command.addAll(trainArgs(killed, finetuneEpochs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path checkpoints = Checkpoint.dirFor(killed);
        boolean fineTuning = FileWatch.await(checkpoints.resolve(Checkpoint.FILE),
                file -> Checkpoint.load(checkpoints).phase() == Phase.FINETUNE, process, Duration.ofMinutes(3));
        process.destroyForcibly().waitFor();
        assertThat(fineTuning).as("killed during fine-tuning; log: %s", Files.readString(dir.resolve("killed.log")))
                .isTrue();
        Checkpoint atKill = Checkpoint.load(checkpoints);
        assertThat(atKill.epoch()).isLessThan(finetuneEpochs);
        assertThat(killed.resolve(ModelBundle.METADATA_FILE)).doesNotExist();

        CliRunner.Result resumed = CliRunner.run("train", "--resume", killed.toString());

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(params(killed)).isEqualTo(params(uninterrupted));
        assertThat(Checkpoint.dirFor(killed)).as("checkpoint, and any partial one, removed").doesNotExist();
        JsonNode history = Json.MAPPER.readTree(killed.resolve(ModelBundle.METADATA_FILE).toFile()).get("history");
        assertThat(history).hasSize(3 + finetuneEpochs);
    }

    @Test
    void aResumeWithOtherOptionsOrWithoutACheckpointIsRefused() {
        CliRunner.Result extra = CliRunner.run("train", "--resume", dir.toString(), "--lr", "0.1");
        assertThat(extra.exitCode()).isEqualTo(2);
        assertThat(extra.err()).contains("--resume", "--lr");

        CliRunner.Result missing = CliRunner.run("train", "--resume", dir.resolve("nothing").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no checkpoint", "nothing");
    }

    @Test
    void patienceStopsAPhaseThatNoLongerImproves() throws Exception {
        Path model = dir.resolve("stopped");
        // A learning rate too small to change a float32 weight: validation numbers never improve after epoch 1.
        CliRunner.Result result = CliRunner.run("train", "--model", "mobilenet", "--weights", "none", "--image-size",
                "32", "--data", train.toString(), "--val-data", val.toString(), "--frozen-epochs", "10",
                "--finetune-epochs", "0", "--lr", "1e-30", "--patience", "2", "--monitor", "val_loss",
                "--output", model.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode meta = Json.MAPPER.readTree(model.resolve(ModelBundle.METADATA_FILE).toFile());
        assertThat(meta.get("history")).hasSize(3);
        assertThat(meta.get("kept_epoch").get("epoch").asInt()).isEqualTo(1);
    }
}
