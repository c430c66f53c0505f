package dev.tl.train;

/**
 * One epoch of the history: its phase, training loss and accuracy (over the epoch's steps, as they trained; null in
 * histories of an earlier tl), validation numbers (null without a validation set), the learning rate it started
 * with and how long it took.
 */
public record EpochRecord(Phase phase, int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy,
                          double learningRate, double seconds) {

    /** What a schedule reacting to the loss watches: the validation loss, else the training loss. */
    public double monitoredLoss() {
        return valLoss != null ? valLoss : loss;
    }
}
