package dev.tl.cli;

import dev.tl.model.HeadSpec;
import picocli.CommandLine.Option;

/** {@code --dense} and {@code --dropout}: the classifier head on the pooled features. */
final class HeadOptions {

    @Option(names = "--dense", defaultValue = "0", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Units of a Dense(ReLU) layer before the classifier; 0 = none. Default: ${DEFAULT-VALUE}.")
    int dense;

    @Option(names = "--dropout", defaultValue = "0.2", paramLabel = "F", converter = Converters.Fraction.class,
            description = "Dropout rate before the classifier (0 <= F < 1). Default: ${DEFAULT-VALUE}.")
    double dropout;

    HeadSpec head() {
        return new HeadSpec(dense, dropout);
    }
}
