package dev.tl.engine;

/**
 * Something that runs tl's networks in inference mode: {@link Dl4jEngine} on ND4J, {@link OnnxRuntimeEngine} on
 * ONNX Runtime. A third engine implements this, and {@link EngineChoice} decides when it runs.
 */
public interface InferenceEngine {

    /** The name {@code --engine} takes. */
    String id();

    /**
     * Opens {@code network}; an {@link EngineUnavailable} says why this engine cannot run it (the caller may take
     * another engine).
     */
    Session open(Network network);

    /**
     * Makes ready what {@link #open} needs without opening a session (the runtime loaded, a conversion kept in the
     * network's store), so that whether this engine can run the network is known cheaply; an
     * {@link EngineUnavailable} says why not.
     */
    default void prepare(Network network) {
    }

    /**
     * Starts loading this engine's runtime in the background, so that it overlaps with what a command does before
     * its first session; {@link #open} waits for what is still loading and reports any failure.
     */
    default void preload() {
    }
}
