package dev.tl.zoo;

import dev.tl.zoo.weights.WeightFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * One pair per input size the weights were trained at; other sizes take {@code fallbackSize}'s pair, as Keras
     * does when asked for a size it has no weights for.
     */
    public static PretrainedWeights perSize(Map<Integer, Files> bySize, int fallbackSize) {
        Files fallback = bySize.get(fallbackSize);
        if (fallback == null) {
            throw new IllegalArgumentException("no weight files for the fallback size " + fallbackSize);
        }
        return new PretrainedWeights(bySize, fallback);
    }

    /** The files for {@code imageSize}: its own, or the fallback (see {@link #trainedAt}). */
    public Files forSize(int imageSize) {
        return bySize.getOrDefault(imageSize, fallback);
    }

    /** Whether the weights for {@code imageSize} were trained at that size (false: the fallback's are used). */
    public boolean trainedAt(int imageSize) {
        return bySize.isEmpty() || bySize.containsKey(imageSize);
    }

    /** The input sizes with files of their own, increasing; empty when one pair serves every size. */
    public List<Integer> trainedSizes() {
        return List.copyOf(new TreeMap<>(bySize).keySet());
    }

    /** The input size the fallback pair was trained at; empty when one pair serves every size. */
    public Optional<Integer> fallbackSize() {
        return bySize.entrySet().stream().filter(entry -> entry.getValue().equals(fallback))
                .map(Map.Entry::getKey).findFirst();
    }

    /** Every published pair, by increasing input size. */
    public List<Files> all() {
        if (bySize.isEmpty()) {
            return List.of(fallback);
        }
        return new ArrayList<>(new TreeMap<>(bySize).values());
    }
}
