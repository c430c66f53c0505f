package dev.tl.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model-dir}: the model bundle a command reads. */
final class BundleOption {

    static final Path DEFAULT = Path.of("tl-model");

    @Option(names = "--model-dir", paramLabel = "DIR", description = "Model bundle. Default: ./tl-model.")
    Path dir;

    boolean given() {
        return dir != null;
    }

    Path dir() {
        return dir != null ? dir : DEFAULT;
    }
}
