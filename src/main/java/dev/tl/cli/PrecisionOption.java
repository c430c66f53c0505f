package dev.tl.cli;

import dev.tl.model.Precision;
import picocli.CommandLine.Option;

/** {@code --precision}: the floating-point type inference runs in. */
final class PrecisionOption {

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|fp16", converter = Converters.Precisions.class,
            description = "Run the network in single or half precision. fp16 halves its memory and, on GPUs with "
                    + "half-precision units, much of its time, at about 3 significant digits; on the CPU it is "
                    + "emulated and slower. Default: ${DEFAULT-VALUE}.")
    Precision precision;
}
