package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad labelling, test-split and class-weight options: exit code 2, a message naming the flag or file, no bundle. */
class LabelOptionsBadInputTest {

    @TempDir
    Path dir;

    private CliRunner.Result train(String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mobilenet", "--weights", "none", "--data",
                TestData.TRAIN.toString(), "--image-size", "32", "--frozen-epochs", "1", "--finetune-epochs", "0",
                "--output", dir.resolve("m").toString()));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    private void assertUsageError(CliRunner.Result result, String... mentions) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).contains(mentions);
        assertThat(dir.resolve("m")).doesNotExist();
    }

    @Test
    void labelOptionsExcludeEachOtherAndBadPatternsAreNamed() {
        assertUsageError(train("--labels-from-filename", "^(\\w+)", "--labels-csv", "x.csv"),
                "--labels-from-filename and --labels-csv exclude each other");
        assertUsageError(train("--labels-from-filename", "([a-z]+"), "--labels-from-filename: not a valid");
        assertUsageError(train("--labels-from-filename", "^checks_(\\d+)"), "--labels-from-filename: 93 of 93 images");
        assertUsageError(CliRunner.run("evaluate", "--model-dir", dir.toString(), "--data", TestData.VAL.toString(),
                "--labels-from-filename", "x", "--labels-csv", "y.csv"), "exclude each other");
    }

    @Test
    void csvLabelsNeedTheirOwnCsvForValidationData() throws Exception {
        Path csv = Files.writeString(dir.resolve("labels.csv"), "path,label\nnope.jpg,horizontal\n");
        assertUsageError(train("--labels-csv", csv.toString()), "--labels-csv: " + csv + " line 2",
                "no such image file");
        assertUsageError(train("--labels-csv", csv.toString(), "--val-data", TestData.VAL.toString()),
                "--val-labels-csv FILE");
        assertUsageError(train("--val-labels-csv", csv.toString()), "--val-labels-csv", "--val-data");
    }

    @Test
    void testSplitMustLeaveTrainingImages() {
        assertUsageError(train("--test-split", "1.5"), "--test-split", "must be at least 0 and below 1");
        assertUsageError(train("--test-split", "0.5", "--val-split", "0.5"), "--test-split 0.5 and --val-split 0.5");
    }

    @Test
    void classWeightsFileErrorsNameTheFile() throws Exception {
        Path weights = Files.writeString(dir.resolve("weights.json"),
                "{\"horizontal\": 1, \"vertical\": 1, \"wasps\": 2}");
        assertUsageError(train("--class-weights", weights.toString()), "--class-weights: " + weights,
                "unknown class 'wasps'");
        assertUsageError(train("--class-weights", "lots"), "'--class-weights': expected auto, none");
    }
}
