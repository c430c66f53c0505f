package dev.tl.cli;

import picocli.CommandLine.Option;

/** {@code --batch-size}; a command with another default initialises its mixin with it. */
final class BatchSizeOption {

    @Option(names = "--batch-size", paramLabel = "N", converter = Converters.Positive.class,
            description = "Images per mini-batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    BatchSizeOption() {
        this(32);
    }

    BatchSizeOption(int defaultSize) {
        batchSize = defaultSize;
    }
}
