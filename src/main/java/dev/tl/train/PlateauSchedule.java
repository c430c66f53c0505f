package dev.tl.train;

/**
 * Reduce-on-plateau (PyTorch's ReduceLROnPlateau in 'min' mode with a relative threshold of 1e-4): when the
 * monitored loss has not improved for more than {@code patience} epochs, the factor is multiplied by
 * {@code reduction}. Its whole state is one small record, so a run can be checkpointed and resumed.
 */
public final class PlateauSchedule implements LearningRateSchedule {

    /** An improvement must beat the best loss by this fraction of it. */
    private static final double THRESHOLD = 1e-4;

    /**
     * @param factor    the current factor of the base learning rate
     * @param bestLoss  the lowest monitored loss so far; null before the first epoch
     * @param badEpochs epochs since the last improvement (or reduction)
     */
    public record State(double factor, Double bestLoss, int badEpochs) {
        public static final State INITIAL = new State(1.0, null, 0);
    }

    private final int patience;
    private final double reduction;
    private State state;

    public PlateauSchedule(int patience, double reduction, State state) {
        this.patience = patience;
        this.reduction = reduction;
        this.state = state;
    }

    public State state() {
        return state;
    }

    @Override
    public double factor(int iteration) {
        return state.factor();
    }

    @Override
    public void epochEnded(double monitoredLoss) {
        if (state.bestLoss() == null || monitoredLoss < state.bestLoss() * (1 - THRESHOLD)) {
            state = new State(state.factor(), monitoredLoss, 0);
        } else if (state.badEpochs() + 1 > patience) {
            state = new State(state.factor() * reduction, state.bestLoss(), 0);
        } else {
            state = new State(state.factor(), state.bestLoss(), state.badEpochs() + 1);
        }
    }
}
