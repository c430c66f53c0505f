package dev.tl.train.schedule;

/**
 * Cosine annealing to zero, per mini-batch: 1 until the warmup ends, then {@code (1 + cos(pi * t / T)) / 2} with
 * t counted from there and T the phase's remaining mini-batches.
 */
public record CosineSchedule() implements Schedule {

    @Override
    public String name() {
        return "cosine";
    }

    @Override
    public LearningRateSchedule curve(int epochs, int iterationsPerEpoch, int warmupIterations) {
        int start = warmupIterations;
        int end = epochs * iterationsPerEpoch;
        return iteration -> {
            if (iteration < start || end <= start) {
                return 1.0;
            }
            double progress = Math.min(1.0, (double) (iteration - start) / (end - start));
            return 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }
}
