package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model-dir}: the model bundle a command reads. */
final class BundleOption {

    static final String NAME = "--model-dir";
    static final Path DEFAULT = Path.of("tl-model");

    @Option(names = NAME, paramLabel = "DIR", description = "Model bundle. Default: ./tl-model.")
    Path dir;

    boolean given() {
        return dir != null;
    }

    Path dir() {
        return dir != null ? dir : DEFAULT;
    }

    /** The bundle's metadata, read and checked; its model is read when an engine needs it. */
    ModelBundle.Opened opened() {
        return Flags.about(NAME, () -> ModelBundle.open(dir()));
    }
}
