package dev.tl.zoo;

import dev.tl.zoo.weights.WeightFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where Keras publishes a backbone's ImageNet weights: the file without the classifier (what the base loads) and
 * the one with it (the stock ImageNet classifier). Most backbones have one pair for every input size; some
 * (MobileNets) have one pair per input size they were trained at, and other sizes take a fallback pair, as Keras
 * does.
 *
 * @param bySize   the pairs published per input size; empty when one pair serves every size
 * @param fallback the pair for sizes without their own
 */
public record PretrainedWeights(Map<Integer, Files> bySize, Files fallback) {

    public static final String KERAS_APPLICATIONS = "https://storage.googleapis.com/tensorflow/keras-applications/";

    /** The two files published for one input size. */
    public record Files(WeightFile noTop, WeightFile withTop) {
    }

    public PretrainedWeights {
        bySize = Map.copyOf(new TreeMap<>(bySize));
    }

    /** One pair of files for every input size. */
    public static PretrainedWeights anySize(WeightFile noTop, WeightFile withTop) {
        return new PretrainedWeights(Map.of(), new Files(noTop, withTop));
    }

    /** The files for {@code imageSize}: its own, or the fallback (see {@link #trainedAt}). */
    public Files forSize(int imageSize) {
        return bySize.getOrDefault(imageSize, fallback);
    }

    /** Whether the weights for {@code imageSize} were trained at that size (false: the fallback's are used). */
    public boolean trainedAt(int imageSize) {
        return bySize.isEmpty() || bySize.containsKey(imageSize);
    }

    /** Every published pair, by increasing input size. */
    public List<Files> all() {
        if (bySize.isEmpty()) {
            return List.of(fallback);
        }
        return new ArrayList<>(new TreeMap<>(bySize).values());
    }
}
