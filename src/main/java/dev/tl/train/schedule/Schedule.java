package dev.tl.train.schedule;

/**
 * A learning-rate schedule as the user chooses it: a name and its parameters (the record's components), each
 * schedule in a file of its own with its parameter checks. It makes a fresh {@link LearningRateSchedule} for
 * every phase.
 */
public interface Schedule {

    /** What {@code --schedule} calls it and the bundle records. */
    String name();

    /**
     * The curve of one phase of {@code epochs} epochs of {@code iterationsPerEpoch} mini-batches, whose first
     * {@code warmupIterations} mini-batches a {@link Warmup} ramps up (a schedule may start after them).
     */
    LearningRateSchedule curve(int epochs, int iterationsPerEpoch, int warmupIterations);
}
