package dev.tl.cli;

import picocli.CommandLine.Option;

/** {@code --micro-batch-size}: how training on images splits each batch. */
final class MicroBatchOption {

    static final String NAME = "--micro-batch-size";

    @Option(names = NAME, defaultValue = "auto", paramLabel = "N|auto", converter = Converters.PositiveOrAuto.class,
            description = "Fine-tuning: compute each batch as micro-batches of at most N images, summing their "
                    + "gradients into one step (the same step with BatchNorm frozen, with a fraction of the memory). "
                    + "auto: as large as keeps one micro-batch's layer outputs under 2 GB. Not with --bn-trainable, "
                    + "which always uses whole batches. Default: ${DEFAULT-VALUE}.")
    Integer size;
}
