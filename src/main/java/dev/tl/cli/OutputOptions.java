package dev.tl.cli;

import dev.tl.Json;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * How a command prints its result: text for people, one JSON document for programs, or CSV for a spreadsheet
 * where the command's result is a table ({@link CsvOutput}). {@code --json} is short for
 * {@code --output-format json}.
 */
final class OutputOptions {

    static final String JSON = "--json";
    static final String FORMAT = "--output-format";
    /** The options of this mixin: how a result prints, never what a command does. */
    static final List<String> NAMES = List.of(JSON, FORMAT);

    /** The values of {@code --output-format} as users write them (picocli matches them in any case). */
    enum Format { text, json, csv }

    /** Marks a command whose results print as CSV too. */
    interface CsvOutput {
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private Format format = Format.text;

    @Option(names = JSON, description = "Print one JSON document instead of text.")
    void json(boolean on) {
        if (on) {
            format = Format.json;
        }
    }

    @Option(names = FORMAT, paramLabel = "text|json|csv", description = "How results print: text (default), json, "
            + "or csv (predict).")
    void format(Format chosen) {
        if (chosen == Format.csv && !(command.userObject() instanceof CsvOutput)) {
            throw new CommandLine.ParameterException(command.commandLine(), FORMAT + " csv: tl " + command.name()
                    + " prints text or json");
        }
        format = chosen;
    }

    /** Prints {@code result} to the command's standard output as {@code renderer} renders it. */
    <T> void print(CommandSpec spec, T result, Renderer<T> renderer) {
        PrintWriter out = spec.commandLine().getOut();
        String text = switch (format) {
            case text -> renderer.text(result);
            case json -> Json.write(renderer.json(result));
            case csv -> renderer.csv(result).orElseThrow(() -> new IllegalStateException(
                    spec.name() + " is marked CsvOutput but its renderer writes no CSV"));
        };
        out.println(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
        out.flush();
    }
}
