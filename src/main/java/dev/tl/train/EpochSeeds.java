package dev.tl.train;

/**
 * Every seed an epoch draws from, derived from the run's seed alone, so any epoch (of a resumed run too) repeats
 * exactly: the order its examples are shuffled in and the state of ND4J's generator (dropout, drop-connect) at
 * its start.
 */
public record EpochSeeds(long seed) {

    private static final long EPOCH_STRIDE = 1_000_003L;
    /** Keeps the fine-tune phase's generator seeds apart from the frozen phase's. */
    private static final int FINETUNE_OFFSET = 500_000;

    /** The shuffle of the examples in epoch {@code epoch} of a phase (1-based). */
    public long shuffle(int epoch) {
        return seed * EPOCH_STRIDE + epoch;
    }

    /** ND4J's random generator at the start of {@code epoch} of {@code phase}. */
    public long generator(Phase phase, int epoch) {
        return seed * EPOCH_STRIDE + (phase == Phase.FROZEN ? 0 : FINETUNE_OFFSET) + epoch;
    }
}
