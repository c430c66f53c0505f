package dev.tl.cli;

import dev.tl.Json;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How a command prints its result: text for people, or one JSON document for programs. */
final class OutputOptions {

    static final String JSON = "--json";
    /** The options of this mixin: how a result prints, never what a command does. */
    static final List<String> NAMES = List.of(JSON);

    @Option(names = JSON, description = "Print one JSON document instead of text.")
    boolean json;

    /** Prints {@code result} to the command's standard output as {@code renderer} renders it. */
    <T> void print(CommandSpec command, T result, Renderer<T> renderer) {
        PrintWriter out = command.commandLine().getOut();
        out.println(json ? Json.write(renderer.json(result)) : renderer.text(result));
        out.flush();
    }
}
