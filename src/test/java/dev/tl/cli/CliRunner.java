package dev.tl.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs tl commands in-process and captures what they print (the Spark job's tests use it too). */
public final class CliRunner {

    public record Result(int exitCode, String out, String err) {
    }

    static {
        // Keep downloads and cached features of the tests out of the user's ~/.tl.
        try {
            System.setProperty("tl.home", java.nio.file.Files.createTempDirectory("tl-home").toString());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private CliRunner() {
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TlCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
