package dev.tl.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: everything random in a run follows from it. */
final class SeedOption {

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seeds the data splits, the head's initialisation, shuffling, dropout and augmentation "
                    + "(--weights none bases start from a fixed initialisation whatever the seed): the same seed, data "
                    + "and machine give the same weights. Default: ${DEFAULT-VALUE}.")
    long seed;
}
