package dev.tl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, mixed into the commands whose options a config file may set (see {@link ConfigFile}). */
final class ConfigOption {

    static final String NAME = "--config";

    @Option(names = NAME, paramLabel = "FILE",
            description = "YAML or JSON file of option values (keys: option names without --, e.g. frozen-epochs: 5); "
                    + "options given on the command line override it.")
    Path file;
}
