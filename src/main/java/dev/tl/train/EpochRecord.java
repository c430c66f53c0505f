package dev.tl.train;

/** One epoch of the history: phase ("frozen" or "finetune"), training loss, validation numbers (null without a validation set). */
public record EpochRecord(String phase, int epoch, double loss, Double valLoss, Double valAccuracy,
                          double learningRate, double seconds) {
}
