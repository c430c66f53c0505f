package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
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
        assertThat(screen.split("\n")).filteredOn(line -> line.matches("(?s).*\\d\\d:\\d\\d:\\d\\d [a-z].*"))
                .hasSizeGreaterThan(5).allMatch(line -> line.replaceAll("(?s).*\u001b\\[K", "")
                        .matches("\\d\\d:\\d\\d:\\d\\d [a-z].*\r?"));
    }

    @Test
    void ctrlCSaysHowToResumeOnALineOfItsOwn() throws Exception {
        Path screen = work.resolve("interrupted.txt");
        String[] args = train("interrupted", "50");
        Process run = TlProcess.startInTerminal(work.resolve("home"), screen, args);
        try {
            // wait until a fine-tune epoch's bar is on the last line (an epoch, and so a checkpoint, is done)
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (run.isAlive() && System.nanoTime() < deadline && !lastLine(screen).contains("finetune epoch 2/")) {
                Thread.sleep(20);
            }
            assertThat(lastLine(screen)).as(Files.readString(screen)).contains("finetune epoch", "ETA");

            TlProcess.interrupt(run);

            assertThat(TlProcess.await(run)).isEqualTo(130);
        } finally {
            run.destroyForcibly();
        }
        String shown = Files.readString(screen);
        assertThat(shown).contains("tl train: interrupted; resume with: tl train --resume");
        // the bar was erased first: nothing of it is left on the message's line
        int message = shown.indexOf("tl train: interrupted");
        String before = shown.substring(shown.lastIndexOf('\n', message) + 1, message);
        assertThat(before.replaceAll("(?s).*\r\u001b\\[K", "")).as(before).isEmpty();
    }

    /** What the terminal shows on its last line now, after the last line break. */
    private static String lastLine(Path screen) throws IOException {
        String shown = Files.readString(screen);
        return shown.substring(shown.lastIndexOf('\n') + 1);
    }

    @Test
    void withoutATerminalPlainLinesWithRates() throws Exception {
        // A pass of a second or more ends with its summary line; on DL4J the feature pass of these 24 images takes
        // that long (on ONNX Runtime it may not), and the fine-tune epoch's last line is over 100 columns if any is.
        TlProcess.Result result = TlProcess.piped(work.resolve("home"), Stream.concat(Arrays.stream(train("piped",
                "1")), Stream.of("--engine", "dl4j")).toArray(String[]::new));

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).doesNotContain("\r", "\u001b")
                .containsPattern("\\d\\d:\\d\\d:\\d\\d features: 16 img in [\\d.]+ s \\([\\d.]+ img/s\\)")
                .containsPattern("\\d\\d frozen epoch 1/1: loss \\d\\.\\d{4}, accuracy \\d\\.\\d{4}, val_loss ")
                .doesNotContain("INFO", "CUDA");
        assertThat(result.stderr().lines()).allMatch(line -> line.length() <= 100);
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
