package dev.tl.engine;

import java.util.Map;
import java.util.Optional;

/**
 * Where a network's ONNX model is kept between runs, so that the onnxruntime engine need not build and convert the
 * DL4J graph: a bundle's {@code model.onnx}, or {@link OnnxModelCache} for a backbone's feature extractor.
 */
public interface OnnxStore {

    /** Nowhere: the graph is converted in memory each time. */
    OnnxStore NONE = new OnnxStore() {
        @Override
        public Optional<byte[]> load() {
            return Optional.empty();
        }

        @Override
        public void keep(byte[] model) {
        }
    };

    /** The kept model, if there is one. */
    Optional<byte[]> load();

    /** Whether a model is kept, without reading it. */
    default boolean holdsModel() {
        return load().isPresent();
    }

    /** Whether a kept model, by its metadata, is the graph's current one (not left from an earlier model). */
    default boolean current(Map<String, String> metadata) {
        return true;
    }

    /** Keeps a model just converted; where it cannot, the next run converts again. */
    void keep(byte[] model);
}
