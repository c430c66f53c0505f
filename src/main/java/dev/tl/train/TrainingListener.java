package dev.tl.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What the epoch loop tells about a run as it goes, and the only thing it calls: logging, keeping the best
 * weights, early stopping, learning-rate schedules, checkpoints, metrics files, the learning-rate finder and
 * progress displays are all listeners. Listeners hear each event in the order they were given; one that needs to
 * know whether another stopped the phase goes after it. A listener whose state matters after a resume derives it
 * from the history it is shown at the start of each phase, or has it saved in the checkpoint.
 */
public interface TrainingListener {

    /** A phase begins; {@code history} holds every epoch already run, in earlier phases or before a resume. */
    record PhaseStart(Phase phase, int epochs, int firstEpoch, int batchesPerEpoch, int images,
                      List<EpochRecord> history, PhaseControl control) {
    }

    /** Mini-batch {@code batch} (0-based) of {@code batches} is about to train. */
    record BatchStart(Phase phase, int epoch, int batch, int batches, PhaseControl control) {
    }

    /** A mini-batch of {@code images} images trained with mean loss {@code loss}. */
    record BatchEnd(Phase phase, int epoch, int batch, int batches, int images, double loss,
                    PhaseControl control) {
    }

    /**
     * An epoch ended: {@code record} is already the last entry of {@code state}'s history, {@code graph} holds its
     * weights.
     */
    record EpochEnd(EpochRecord record, int epochs, RunState state, ComputationGraph graph, PhaseControl control) {
    }

    /** A phase ended: after all its epochs, stopped early or failed. */
    record PhaseEnd(Phase phase, List<EpochRecord> history, Outcome outcome) {
    }

    default void phaseStarted(PhaseStart event) {
    }

    default void batchStarted(BatchStart event) {
    }

    default void batchEnded(BatchEnd event) {
    }

    default void epochEnded(EpochEnd event) {
    }

    default void phaseEnded(PhaseEnd event) {
    }
}
