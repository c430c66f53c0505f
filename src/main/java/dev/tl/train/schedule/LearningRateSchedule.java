package dev.tl.train.schedule;

/**
 * How the learning rate moves within one training phase, as a factor of the phase's base learning rate; with
 * per-block learning rates the factor scales every layer's rate. Each phase starts a new curve (see
 * {@link Schedule#curve}).
 */
public interface LearningRateSchedule {

    /** The factor at mini-batch {@code iteration}, counted from 0 within the phase. */
    double factor(int iteration);

    /** Called after every epoch with the loss the schedule may react to (validation loss, else training loss). */
    default void epochEnded(double monitoredLoss) {
    }
}
