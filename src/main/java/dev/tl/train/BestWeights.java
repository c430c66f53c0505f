package dev.tl.train;

import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Remembers the weights of the epoch that scored best on validation, across both phases. */
final class BestWeights {

    private final Monitor monitor;
    private Map<String, INDArray> params;
    private EpochRecord epoch;

    BestWeights(Monitor monitor) {
        this.monitor = monitor;
    }

    /** Takes a snapshot (only) when {@code record}, an epoch with validation numbers, beats the best so far. */
    void offer(EpochRecord record, Supplier<Map<String, INDArray>> snapshot) {
        if (monitor.better(record, epoch)) {
            epoch = record;
            params = snapshot.get();
        }
    }

    /** Restores what a checkpoint saved. */
    void set(EpochRecord record, Map<String, INDArray> snapshot) {
        epoch = record;
        params = snapshot;
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
