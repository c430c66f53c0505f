package dev.tl.train;

import dev.tl.eval.Metrics;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Remembers the weights of the epoch that scored best on validation, across both phases. */
final class BestWeights {

    private Metrics.Score score;
    private Map<String, INDArray> params;
    private EpochRecord epoch;

    /** Takes a snapshot (only) when {@code candidate} beats the best so far. */
    void offer(Metrics.Score candidate, EpochRecord record, Supplier<Map<String, INDArray>> snapshot) {
        if (candidate.betterThan(score)) {
            score = candidate;
            epoch = record;
            params = snapshot.get();
        }
    }

    boolean isEmpty() {
        return params == null;
    }

    Map<String, INDArray> params() {
        return params;
    }

    EpochRecord epoch() {
        return epoch;
    }
}
