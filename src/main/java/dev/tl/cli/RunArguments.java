package dev.tl.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * A run's options as arguments that recreate it, which its checkpoint keeps to say how to start it anew (checkpoints
 * of earlier versions resume with them): every option given on the command line or set by a config file (defaults
 * come back by themselves), as the user wrote it, with paths made absolute so they work from any directory.
 */
final class RunArguments {

    private RunArguments() {
    }

    /** The effective arguments of the parsed command {@code spec}, leaving out {@code skipped} options. */
    static List<String> of(CommandSpec spec, String... skipped) {
        return collect(spec, true, skipped);
    }

    /**
     * The same, with values exactly as written, paths too: for the same command in another process started in
     * this directory, whose paths may be URIs of other file systems (hdfs://...).
     */
    static List<String> asWritten(CommandSpec spec, String... skipped) {
        return collect(spec, false, skipped);
    }

    /** What the user wrote for the option called {@code name}, on the command line or in a config file; or null. */
    static String written(CommandSpec spec, String name) {
        OptionSpec option = spec.findOption(name);
        return given(spec, option) ? text(spec, option) : null;
    }

    private static List<String> collect(CommandSpec spec, boolean absolutePaths, String... skipped) {
        List<String> args = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            String name = option.longestName();
            if (option.usageHelp() || option.versionHelp() || option.inherited() || name.equals(ConfigOption.NAME)
                    || List.of(skipped).contains(name) || !given(spec, option)) {
                continue;
            }
            if (option.getValue() instanceof Boolean flag) {
                if (flag) {
                    args.add(name);
                } else if (option.negatable()) {
                    args.add("--no-" + name.substring(2));
                }
                continue;
            }
            String value = text(spec, option);
            args.add(name);
            args.add(absolutePaths && option.type() == Path.class
                    ? Path.of(value).toAbsolutePath().normalize().toString() : value);
        }
        return args;
    }

    /** Whether an option was set on the command line or by a config file, rather than left at its default. */
    static boolean given(CommandSpec spec, OptionSpec option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option) || fromConfig(spec, option) != null;
    }

    /** Whether the option called {@code name} was given (see {@link #given(CommandSpec, OptionSpec)}). */
    static boolean given(CommandSpec spec, String name) {
        return given(spec, spec.findOption(name));
    }

    /** What the user wrote: the command-line value, else the config file's; a bare optional value's fallback. */
    private static String text(CommandSpec spec, OptionSpec option) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption(option)) {
            List<String> typed = option.stringValues();
            return typed.isEmpty() || typed.get(typed.size() - 1).isEmpty() ? option.fallbackValue()
                    : typed.get(typed.size() - 1);
        }
        return fromConfig(spec, option);
    }

    private static String fromConfig(CommandSpec spec, OptionSpec option) {
        try {
            return spec.defaultValueProvider() == null ? null : spec.defaultValueProvider().defaultValue(option);
        } catch (Exception e) {
            throw new IllegalStateException("config file read twice, differently", e);
        }
    }
}
