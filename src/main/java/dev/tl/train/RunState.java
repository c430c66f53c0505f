package dev.tl.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a run has done so far: its history across both phases and the best epoch with its weights (kept by
 * {@link BestWeights}). A checkpoint saves it; a resumed run starts from it.
 */
public final class RunState {

    private final List<EpochRecord> history = new ArrayList<>();
    private EpochRecord bestEpoch;
    private Map<String, INDArray> bestParams;

    /** The state a checkpoint saved; {@code bestEpoch} and {@code bestParams} may be null. */
    static RunState of(List<EpochRecord> history, EpochRecord bestEpoch, Map<String, INDArray> bestParams) {
        RunState state = new RunState();
        state.history.addAll(history);
        state.bestEpoch = bestEpoch;
        state.bestParams = bestParams;
        return state;
    }

    public List<EpochRecord> history() {
        return List.copyOf(history);
    }

    /** The epochs of {@code phase} run so far. */
    public List<EpochRecord> history(Phase phase) {
        return history.stream().filter(epoch -> epoch.phase() == phase).toList();
    }

    void add(EpochRecord record) {
        history.add(record);
    }

    void removeLast() {
        history.remove(history.size() - 1);
    }

    /** Null until an epoch with validation numbers has run. */
    public EpochRecord bestEpoch() {
        return bestEpoch;
    }

    /** The parameters of the graph trained in the best epoch's phase (the head alone in the frozen phase). */
    public Map<String, INDArray> bestParams() {
        return bestParams;
    }

    public void setBest(EpochRecord epoch, Map<String, INDArray> params) {
        bestEpoch = epoch;
        bestParams = params;
    }
}
