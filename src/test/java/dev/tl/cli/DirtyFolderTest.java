package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.LogCapture;
import dev.tl.data.DirtyFolder;
import dev.tl.data.ImageCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real-world folders: every bad file is named once, with the right reason, in one path form (absolute) wherever it
 * is recorded, and skipped; every good one is used; predict gives every input a record; or --strict stops early.
 */
class DirtyFolderTest {

    @TempDir
    static Path work;
    static DirtyFolder folder;
    static Path model;
    static CliRunner.Result trained;
    static List<String> warnings;

    @BeforeAll
    static void trainOnIt() throws Exception {
        folder = DirtyFolder.create(work);
        model = work.resolve("model");
        List<CliRunner.Result> result = new ArrayList<>();
        warnings = LogCapture.infoLinesOf(ImageCheck.class, () -> result.add(CliRunner.run(train(model))));
        trained = result.get(0);
    }

    /** The folder as a path relative to the working directory, as users type it. */
    private static String relativeData() {
        return Path.of("").toAbsolutePath().relativize(folder.root()).toString();
    }

    private static String[] train(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mobilenet", "--weights", "none", "--data",
                relativeData(), "--val-split", "0", "--image-size", "32", "--batch-size", "8",
                "--frozen-epochs", "1", "--finetune-epochs", "0", "--no-feature-cache", "--output", output.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void trainingSkipsEveryBadFileOnceAndUsesEveryGoodOne() throws Exception {
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        for (Path bad : folder.bad()) {
            assertThat(warnings.stream().filter(line -> line.startsWith("skipping " + bad + ": "))).as(bad.toString())
                    .hasSize(1);
        }
        assertThat(warnings).hasSize(folder.bad().size());
        JsonNode training = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile()).get("training");
        assertThat(training.get("train_images").asInt()).isEqualTo(folder.good().size());
        // data given as a relative path: the bundle, the summary and the log all name the files by absolute path
        List<String> skipped = new ArrayList<>();
        training.get("skipped_files").forEach(entry -> skipped.add(entry.get("path").asText()));
        assertThat(skipped).containsExactlyInAnyOrderElementsOf(folder.bad().stream().map(Path::toString).toList());
        assertThat(training.get("skipped_files")).allSatisfy(entry -> assertThat(entry.get("reason").asText())
                .isNotBlank());
        assertThat(trained.out()).contains("skipped " + folder.bad().size() + " image files",
                "  " + folder.bad().get(0) + ": empty file (0 bytes)");
        // a run given the absolute path (as --resume gives its recorded arguments) records the same
        Path again = work.resolve("absolute");
        List<String> args = new ArrayList<>(List.of(train(again)));
        args.set(args.indexOf(relativeData()), folder.root().toString());
        CliRunner.Result absolute = CliRunner.run(args.toArray(String[]::new));
        assertThat(absolute.exitCode()).as(absolute.err()).isZero();
        assertThat(Json.MAPPER.readTree(again.resolve("tl-model.json").toFile()).get("training").get("skipped_files"))
                .isEqualTo(training.get("skipped_files"));
    }

    @Test
    void aJpegWithCorruptDataIsNamedDamagedNotTruncated() throws Exception {
        JsonNode skipped = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile()).get("training")
                .get("skipped_files");
        Map<String, String> reasons = new HashMap<>();
        skipped.forEach(entry -> reasons.put(Path.of(entry.get("path").asText()).getFileName().toString(),
                entry.get("reason").asText()));
        assertThat(reasons).containsEntry("corrupt.jpg", "damaged JPEG (corrupt data in its compressed image)")
                .containsEntry("half.jpg", "truncated JPEG (it ends before its end-of-image marker)");
    }

    @Test
    void strictStopsAtTheFirstBadFileBeforeAnyTraining() {
        Path model = work.resolve("strict");
        CliRunner.Result result = CliRunner.run(train(model, "--strict"));

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("cannot use image").containsAnyOf(folder.bad().stream()
                .map(Path::toString).toArray(String[]::new));
        assertThat(model).doesNotExist();
        assertThat(dev.tl.train.Checkpoint.dirFor(model)).doesNotExist();
    }

    @Test
    void predictClassifiesTheGoodFilesOfAFolderAndNamesTheBadOnes() throws Exception {
        List<CliRunner.Result> result = new ArrayList<>();
        List<String> skipped = LogCapture.infoLinesOf(ImageCheck.class, () -> result.add(CliRunner.run("predict",
                "--model-dir", model.toString(), "--json", folder.root().toString())));

        assertThat(result.get(0).exitCode()).as(result.get(0).err()).isZero();
        assertThat(skipped).hasSize(folder.bad().size());
        // a record for every input: predictions for the good files, the error for each bad one
        JsonNode records = Json.MAPPER.readTree(result.get(0).out());
        assertThat(records).hasSize(folder.good().size() + folder.bad().size());
        List<String> failed = new ArrayList<>();
        for (JsonNode record : records) {
            if (record.get("error").isNull()) {
                assertThat(record.get("predictions")).isNotEmpty();
            } else {
                assertThat(record.get("predictions")).isEmpty();
                failed.add(record.get("path").asText());
            }
        }
        assertThat(failed).containsExactlyInAnyOrderElementsOf(folder.bad().stream().map(Path::toString).toList());

        CliRunner.Result csv = CliRunner.run("predict", "--model-dir", model.toString(), "--output-format", "csv",
                folder.root().toString());
        assertThat(csv.exitCode()).as(csv.err()).isZero();
        // (unquoted: these paths and reasons hold no commas or quotes)
        assertThat(csv.out().lines().skip(1).map(line -> line.replace("\"", "")))
                .hasSize(folder.good().size() + folder.bad().size())
                .contains(folder.bad().get(0) + ",,,,,empty file (0 bytes)");
    }
}
