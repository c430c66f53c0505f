package dev.tl.cli;

/**
 * A command that starts ND4J only when something it runs needs it: on the onnxruntime engine with the model kept
 * as ONNX, it never does, which saves ND4J's start-up time and memory. {@link TlCli} defers its device choice.
 */
interface Nd4jOnDemand {
}
