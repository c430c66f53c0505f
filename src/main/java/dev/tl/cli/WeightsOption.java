package dev.tl.cli;

import dev.tl.zoo.weights.WeightsChoice;
import picocli.CommandLine.Option;

/** {@code --weights}: the weights a backbone starts from. */
final class WeightsOption {

    static final String NAME = "--weights";

    @Option(names = NAME, defaultValue = "imagenet", paramLabel = "imagenet|none|FILE", converter = Converters.Weights.class,
            description = "Keras' ImageNet weights (downloaded once, then cached in $TL_HOME), none (a fixed "
                    + "random initialisation, the same in every command and run), or a Keras .h5 file (predict --model: one with the classifier). "
                    + "Default: ${DEFAULT-VALUE}.")
    WeightsChoice weights;
}
