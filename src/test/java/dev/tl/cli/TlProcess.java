package dev.tl.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs tl in a child JVM, as the launcher does, with the main classes' logging (the test configuration would hide
 * the progress), so a test sees stderr as a user does: through a pipe, or in a pseudo-terminal made by script(1).
 */
final class TlProcess {

    record Result(int exitCode, String stdout, String stderr) {
    }

    private TlProcess() {
    }

    /** tl with stdout and stderr each to a file. */
    static Result piped(Path home, String... args) throws IOException, InterruptedException {
        return piped(home, List.of(), args);
    }

    /** tl in a JVM with {@code jvmOptions}, stdout and stderr each to a file. */
    static Result piped(Path home, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tl-out", ".txt");
        Path err = Files.createTempFile("tl-err", ".txt");
        List<String> command = command(home, args);
        command.addAll(1, jvmOptions);
        Process process = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new Result(await(process), Files.readString(out), Files.readString(err));
    }

    /** tl in a pseudo-terminal: what the terminal shows (stdout and stderr together) is {@code stdout}. */
    static Result inTerminal(Path home, String... args) throws IOException, InterruptedException {
        String line = command(home, args).stream().map(TlProcess::quote).collect(Collectors.joining(" "));
        Path screen = Files.createTempFile("tl-tty", ".txt");
        Process process = new ProcessBuilder("script", "-qec", line, "/dev/null")
                .redirectInput(new File("/dev/null")).redirectOutput(screen.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new Result(await(process), Files.readString(screen, StandardCharsets.UTF_8), "");
    }

    private static List<String> command(Path home, String... args) {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dtl.home=" + home, "-cp", classpath, TlCli.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static int await(Process process) throws InterruptedException {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("tl did not finish in 5 minutes");
        }
        return process.exitValue();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
