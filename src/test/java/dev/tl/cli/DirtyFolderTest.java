package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Json;
import dev.tl.LogCapture;
import dev.tl.data.DirtyFolder;
import dev.tl.data.ImageCheck;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-world folders: every bad file is named once and skipped, every good one is used, or --strict stops early. */
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

    private static String[] train(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mobilenet", "--weights", "none", "--data",
                folder.root().toString(), "--val-split", "0", "--image-size", "32", "--batch-size", "8",
                "--frozen-epochs", "1", "--finetune-epochs", "0", "--no-feature-cache", "--output", output.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void trainingSkipsEveryBadFileOnceAndUsesEveryGoodOne() throws Exception {
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        for (Path bad : folder.bad()) {
            assertThat(warnings.stream().filter(line -> line.contains(bad.toString()))).as(bad.toString()).hasSize(1);
        }
        assertThat(warnings).hasSize(folder.bad().size());
        JsonNode training = Json.MAPPER.readTree(model.resolve("tl-model.json").toFile()).get("training");
        assertThat(training.get("train_images").asInt()).isEqualTo(folder.good().size());
        List<String> skipped = new ArrayList<>();
        training.get("skipped_files").forEach(entry -> skipped.add(entry.get("path").asText()));
        assertThat(skipped).containsExactlyInAnyOrderElementsOf(folder.bad().stream().map(Path::toString).toList());
        assertThat(training.get("skipped_files").get(0).get("reason").asText()).isNotBlank();
        assertThat(trained.out()).contains("skipped " + folder.bad().size() + " image files");
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
        assertThat(Json.MAPPER.readTree(result.get(0).out())).hasSize(folder.good().size());
        assertThat(skipped).hasSize(folder.bad().size());
    }
}
