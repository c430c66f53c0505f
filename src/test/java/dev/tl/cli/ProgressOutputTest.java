package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tl train} as a user sees it: in a terminal a bar with count, rate and ETA redrawn in place, logs above
 * it; through a pipe (a CI log) plain lines only, each pass summed up with its rate.
 */
class ProgressOutputTest {

    @TempDir
    static Path work;

    private static Path train;
    private static Path val;

    @BeforeAll
    static void data() throws Exception {
        train = TestData.copySubset(TestData.TRAIN, 8, work.resolve("train"));
        val = TestData.copySubset(TestData.VAL, 4, work.resolve("val"));
    }

    private static String[] train(String output, String finetuneEpochs) {
        return new String[] {"train", "--model", "mobilenet", "--weights", "none", "--data", train.toAbsolutePath()
                .toString(), "--val-data", val.toAbsolutePath().toString(), "--image-size", "32", "--batch-size", "4",
                "--frozen-epochs", "1", "--finetune-epochs", finetuneEpochs, "--no-feature-cache", "--output",
                work.resolve(output).toString()};
    }

    @Test
    void aTerminalShowsABarWithEtaAndLogLinesAboveIt() throws Exception {
        TlProcess.Result result = TlProcess.inTerminal(work.resolve("home"), train("tty", "1"));

        assertThat(result.exitCode()).as(result.stdout()).isZero();
        String screen = result.stdout();
        assertThat(screen).containsPattern("\r\u001b\\[Kfeatures \\[=+>?\\.*\\] \\d+/16 img +[\\d.]+ img/s +ETA \\d+:\\d\\d")
                .containsPattern("finetune epoch 1/1 \\[=+>?\\.*\\] \\d+/16 img .*ETA \\d+:\\d\\d +loss \\d\\.\\d{4}")
                .containsPattern("validation \\[=+>?\\.*\\] \\d+/8 img")
                .contains("saved model to");
        // a log line starts a line of its own: the bar was erased before it
        assertThat(screen.split("\n")).filteredOn(line -> line.contains(" INFO "))
                .allMatch(line -> line.replaceAll("(?s).*\u001b\\[K", "").matches("\\d\\d:\\d\\d:\\d\\d INFO .*\r?"));
    }

    @Test
    void withoutATerminalPlainLinesWithRates() throws Exception {
        TlProcess.Result result = TlProcess.piped(work.resolve("home"), train("piped", "0"));

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).doesNotContain("\r", "\u001b", "ETA ?")
                .containsPattern("INFO  features: 16 img in [\\d.]+ s \\([\\d.]+ img/s\\)")
                .contains("INFO  frozen epoch 1/1: loss");
        assertThat(result.stderr().lines()).allMatch(line -> line.length() < 160);
        assertThat(result.stdout()).startsWith("saved model to");
    }

    @Test
    void quietShowsNoProgress() throws Exception {
        TlProcess.Result quiet = TlProcess.inTerminal(work.resolve("home"),
                Stream.concat(Stream.of("-q"), Arrays.stream(train("quiet", "0"))).toArray(String[]::new));

        assertThat(quiet.exitCode()).as(quiet.stdout()).isZero();
        assertThat(quiet.stdout()).doesNotContain("img/s", "INFO").contains("saved model to");
    }
}
