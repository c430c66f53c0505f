package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.Json;
import dev.tl.TestData;
import dev.tl.bundle.ModelBundle;
import dev.tl.train.Checkpoint;
import dev.tl.train.Phase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint of a run killed during fine-tuning is hours of work: a resume checks that it continues the same run
 * on the same data, a new run never discards it unasked, and a checkpoint with a field tl would never write is
 * refused naming the file and the field.
 */
class InterruptedRunTest {

    @TempDir
    static Path work;
    static Path data;
    static Path output;
    /** The killed run's checkpoint, put back before each use. */
    static byte[] checkpoint;

    private static List<String> trainArgs(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mobilenet_0.25", "--weights", "none",
                "--image-size", "32", "--data", data.toString(), "--batch-size", "4", "--frozen-epochs", "1",
                "--finetune-epochs", "4", "--no-feature-cache", "--output", out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    @BeforeAll
    static void killARunDuringFineTuning() throws Exception {
        data = TestData.copySubset(TestData.TRAIN, 4, work.resolve("data"));
        output = work.resolve("out");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                "-Dtl.home=" + Files.createTempDirectory("tl-home"), TlCli.class.getName()));
        command.addAll(trainArgs(output));
        Path log = work.resolve("killed.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path file = Checkpoint.dirFor(output).resolve(Checkpoint.FILE);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try {
            while (checkpoint == null && process.isAlive() && System.nanoTime() < deadline) {
                if (Files.exists(file) && Checkpoint.load(file.getParent()).phase() == Phase.FINETUNE) {
                    process.destroyForcibly().waitFor();
                    checkpoint = Files.readAllBytes(file);
                }
                Thread.sleep(5);
            }
        } finally {
            process.destroyForcibly();
        }
        assertThat(checkpoint).as("killed during fine-tuning; log: %s", Files.readString(log)).isNotNull();
    }

    /** The killed run's checkpoint beside {@code out}, as it was, with {@code change} made to its state.json. */
    private static Path checkpointOf(Path out, Consumer<ObjectNode> change) throws IOException {
        Path dir = Files.createDirectories(Checkpoint.dirFor(out));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(checkpoint));
             ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (entry.getName().equals("state.json")) {
                    ObjectNode state = (ObjectNode) Json.MAPPER.readTree(content);
                    change.accept(state);
                    content = Json.write(state).getBytes(StandardCharsets.UTF_8);
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                zip.write(content);
            }
        }
        return Files.write(dir.resolve(Checkpoint.FILE), bytes.toByteArray());
    }

    private static CliRunner.Result resume() {
        return CliRunner.run("train", "--resume", output.toString());
    }

    private static void assertRefused(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions).doesNotContain("\tat ");
    }

    @Test
    void aResumeOnChangedDataIsRefusedSayingWhatChanged() throws Exception {
        Path file = checkpointOf(output, state -> { });
        byte[] written = Files.readAllBytes(file);
        Path horizontal = data.resolve("horizontal");
        Path image;
        try (var images = Files.list(horizontal)) {
            image = images.sorted().findFirst().orElseThrow();
        }

        Files.move(horizontal, data.resolve("wide"));
        assertRefused(resume(), "--resume", "class horizontal renamed to wide", "--start-over", file.toString());
        Files.move(data.resolve("wide"), horizontal);

        TestData.copySubset(TestData.VAL, 2, work.resolve("more"));
        Files.move(work.resolve("more/vertical"), data.resolve("diagonal"));
        assertRefused(resume(), "class diagonal added (2 images)");
        Files.walk(data.resolve("diagonal")).sorted(java.util.Comparator.reverseOrder()).map(Path::toFile)
                .forEach(java.io.File::delete);

        Files.move(image, work.resolve("away.jpg"));
        assertRefused(resume(), "1 image removed (horizontal/" + image.getFileName() + ")");
        Files.move(work.resolve("away.jpg"), data.resolve("vertical").resolve(image.getFileName()));
        assertRefused(resume(), "1 image removed", "1 image added (vertical/" + image.getFileName() + ")");
        Files.move(data.resolve("vertical").resolve(image.getFileName()), image);

        assertThat(Arrays.equals(Files.readAllBytes(file), written)).as("the checkpoint is kept").isTrue();
        CliRunner.Result resumed = resume();
        assertThat(resumed.exitCode()).as("the same data again: %s", resumed.err()).isZero();
        assertThat(ModelBundle.load(output).metadata().history()).hasSize(1 + 4);
    }

    @Test
    void aNewRunOverAnInterruptedOneIsRefusedUnlessToldToStartOver() throws Exception {
        Path other = work.resolve("other");
        Path file = checkpointOf(other, state -> { });
        byte[] written = Files.readAllBytes(file);

        assertRefused(CliRunner.run(trainArgs(other).toArray(String[]::new)), "--output", "interrupted run",
                "finetune epoch 1", "--resume " + other, "--start-over");
        assertThat(Arrays.equals(Files.readAllBytes(file), written)).as("the checkpoint is kept").isTrue();

        CliRunner.Result again = CliRunner.run(trainArgs(other, "--finetune-epochs", "0", "--start-over")
                .toArray(String[]::new));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(ModelBundle.load(other).metadata().history()).hasSize(1);
        assertThat(Checkpoint.dirFor(other)).doesNotExist();
    }

    @Test
    void everyFieldOfACheckpointIsChecked() throws Exception {
        List<Object[]> crafted = List.of(
                new Object[] {"epoch", (Consumer<ObjectNode>) s -> s.put("epoch", Integer.MAX_VALUE)},
                new Object[] {"epoch", (Consumer<ObjectNode>) s -> s.put("epoch", -5)},
                new Object[] {"iteration_count", (Consumer<ObjectNode>) s -> s.put("iteration_count", -1)},
                new Object[] {"epoch_count", (Consumer<ObjectNode>) s -> s.put("epoch_count", -1)},
                new Object[] {"phase", (Consumer<ObjectNode>) s -> s.put("phase", "bogus")},
                new Object[] {"args", (Consumer<ObjectNode>) s -> s.putNull("args")},
                new Object[] {"history", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("history").get(0))
                        .put("loss", -1)},
                new Object[] {"history", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("history").get(0))
                        .put("epoch", 7)},
                new Object[] {"history", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("history").get(0))
                        .put("val_accuracy", 2.5)},
                new Object[] {"best", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("best")).put("loss", 99)},
                new Object[] {"data", (Consumer<ObjectNode>) s -> ((ArrayNode) s.get("data").get("classes"))
                        .remove(1)},
                new Object[] {"data", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("data").get("train").get(0))
                        .put("label", "nope")},
                // settings the saved weights do not fit: a Dense layer the checkpoint has no weights for
                new Object[] {"params.bin", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("run").get("head"))
                        .put("dense_units", 8)},
                new Object[] {"epoch", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("run").get("options"))
                        .put("finetune_epochs", 0)},
                new Object[] {"labels", (Consumer<ObjectNode>) s -> ((ObjectNode) s.get("run").get("training"))
                        .put("labels", "bogus")},
                // a checkpoint of an earlier tl, which recorded the options, is checked against them
                new Object[] {"epoch", (Consumer<ObjectNode>) s -> {
                    s.remove("run");
                    replaceArg(s, "--finetune-epochs", "0");
                }});
        for (int i = 0; i < crafted.size(); i++) {
            String field = (String) crafted.get(i)[0];
            @SuppressWarnings("unchecked")
            Consumer<ObjectNode> change = (Consumer<ObjectNode>) crafted.get(i)[1];
            Path file = checkpointOf(work.resolve("crafted-" + i), change);
            long start = System.nanoTime();
            CliRunner.Result result = CliRunner.run("train", "--resume", file.getParent().toString());
            assertThat(result.exitCode()).as("case %d (%s): %s", i, field, result.err()).isEqualTo(2);
            assertThat(result.err()).as("case %d", i).contains(file.toString(), field).doesNotContain("\tat ");
            assertThat((System.nanoTime() - start) / 1e9).as("case %d refused before training", i).isLessThan(20);
        }
    }

    @Test
    void aResumeTakesTheSettingsTheCheckpointRecordsWhateverTheOptionsAreCalledNow() throws Exception {
        Path out = work.resolve("renamed");
        checkpointOf(out, state -> {
            ((ObjectNode) state.get("run")).put("output", out.toString());
            ArrayNode args = (ArrayNode) state.get("args");
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).asText().equals("--finetune-epochs")) {
                    args.set(i, Json.MAPPER.getNodeFactory().textNode("--epochs-of-a-later-tl"));
                }
            }
        });

        CliRunner.Result resumed = CliRunner.run("train", "--resume", out.toString());

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(ModelBundle.load(out).metadata().history()).hasSize(1 + 4);
    }

    @Test
    void aCheckpointOfAnEarlierTlResumesWithTheOptionsItRecorded() throws Exception {
        Path out = work.resolve("earlier");
        checkpointOf(out, state -> {
            state.remove("run");
            replaceArg(state, "--output", out.toAbsolutePath().toString());
        });

        CliRunner.Result resumed = CliRunner.run("train", "--resume", out.toString());

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(ModelBundle.load(out).metadata().history()).hasSize(1 + 4);
    }

    private static void replaceArg(ObjectNode state, String name, String value) {
        ArrayNode args = (ArrayNode) state.get("args");
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).asText().equals(name)) {
                args.set(i + 1, Json.MAPPER.getNodeFactory().textNode(value));
            }
        }
    }
}
