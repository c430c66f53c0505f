package dev.tl.cli;

import dev.tl.engine.EngineChoice;
import dev.tl.engine.EngineRequest;
import dev.tl.model.Precision;
import picocli.CommandLine.Option;

/** {@code --engine}: what runs the command's inference passes. Training always runs on DL4J. */
final class EngineOption {

    static final String NAME = "--engine";

    @Option(names = NAME, defaultValue = "auto", paramLabel = "auto|onnxruntime|dl4j", converter = Converters.Engines.class,
            description = "What runs the network for inference: ONNX Runtime (tl's graph converted to ONNX), DL4J, or "
                    + "auto: ONNX Runtime where the graph converts and its runtime loads, else DL4J; the log says "
                    + "which and why. Training runs on DL4J. Default: ${DEFAULT-VALUE}.")
    EngineRequest engine;

    /**
     * The engine choice for passes in {@code precision}, its runtime already loading in the background; a
     * combination that cannot run is an error naming the flag.
     */
    EngineChoice choice(Precision precision) {
        return Flags.about(NAME, () -> new EngineChoice(engine, precision)).preloading();
    }
}
