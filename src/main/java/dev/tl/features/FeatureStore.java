package dev.tl.features;

import dev.tl.data.InputSpec;
import dev.tl.data.LabelledImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where the frozen phase's base features come from when they need not be computed here: the on-disk
 * cache ({@code FeatureCache}), or features from a file ({@code PrecomputedFeatures}: tl embed , on one machine or on
 * Spark). Each names what it needs through {@link Source}.
 */
public interface FeatureStore {

    /**
     * What the features of one backbone depend on besides the images; {@code views} is an {@code ImageViews} key,
     * {@code engine} names the inference engine that computes them (engines agree to about 1e-6, not to the bit),
     * asked only when a key is made.
     */
    record Source(String backbone, InputSpec input, Optional<Path> weights, long seed, String tlVersion,
                         String views, Supplier<String> engine) {
    }

    /** Computes the features of a chunk of images: those from position {@code from} of the whole list on. */
    @FunctionalInterface
    interface Computation {
        INDArray compute(int from, List<LabelledImage> chunk);
    }

    /**
     * One base's features of {@code images} (a row each, in order), or those {@code compute} gives for chunks of them
     * in whole batches of {@code batchSize}.
     */
    INDArray features(Source source, List<LabelledImage> images, int batchSize, Computation compute);
}
