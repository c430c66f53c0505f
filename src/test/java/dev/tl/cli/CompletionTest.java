package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tl completion bash} sources cleanly in bash and completes commands, options and backbone names. */
class CompletionTest {

    @TempDir
    static Path work;

    private static Path script;

    @BeforeAll
    static void writeScript() throws Exception {
        CliRunner.Result result = CliRunner.run("completion", "bash");
        assertThat(result.exitCode()).as(result.err()).isZero();
        script = Files.writeString(work.resolve("tl-completion.bash"), result.out());
    }

    /** What bash offers after {@code line}, as when Tab is pressed at its end. */
    private static List<String> complete(String line) throws Exception {
        String program = "source \"$1\" || exit 3\n"
                + "COMP_LINE=\"$2\"; read -ra COMP_WORDS <<< \"$COMP_LINE\"\n"
                + "[[ \"$COMP_LINE\" == *' ' ]] && COMP_WORDS+=('')\n"
                + "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_POINT=${#COMP_LINE}\n"
                + "complete -p tl >/dev/null || exit 4\n"
                + "_complete_tl 2>/dev/null; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Process bash = new ProcessBuilder("bash", "-c", program, "bash", script.toString(), line)
                .redirectErrorStream(true).start();
        String out = new String(bash.getInputStream().readAllBytes());
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        return out.lines().filter(word -> !word.isEmpty()).toList();
    }

    @Test
    void completesCommands() throws Exception {
        assertThat(complete("tl ")).contains("train", "evaluate", "predict", "report", "completion", "models");
        assertThat(complete("tl ev")).containsExactly("evaluate");
    }

    @Test
    void completesOptionsOfACommand() throws Exception {
        assertThat(complete("tl train --fro")).containsExactly("--frozen-epochs");
        assertThat(complete("tl evaluate --mod")).containsExactly("--model-dir");
    }

    @Test
    void completesBackboneNames() throws Exception {
        assertThat(complete("tl train --model mobilenetv2")).containsExactly("mobilenetv2_0.35", "mobilenetv2_0.5",
                "mobilenetv2_0.75", "mobilenetv2", "mobilenetv2_1.3", "mobilenetv2_1.4");
        assertThat(complete("tl train --model mobilenetv3s")).containsExactly("mobilenetv3small",
                "mobilenetv3small_0.75", "mobilenetv3small_minimalistic");
        assertThat(complete("tl predict --model dense")).containsExactly("densenet121", "densenet169",
                "densenet201");
    }

    @Test
    void weightsCompleteAsImagenetNoneOrAFile() throws Exception {
        Files.createFile(work.resolve("keras-weights.h5"));
        String dir = work + "/";
        assertThat(complete("tl train --weights ")).contains("imagenet", "none");
        assertThat(complete("tl train --weights im")).containsExactly("imagenet");
        assertThat(complete("tl predict --weights " + dir + "keras")).containsExactly(dir + "keras-weights.h5");
        assertThat(complete("tl train --class-weights a")).containsExactly("auto");
    }

    @Test
    void onlyBash() {
        CliRunner.Result result = CliRunner.run("completion", "fish");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("bash");
    }
}
