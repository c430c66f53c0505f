package dev.tl.train;

/**
 * Cosine annealing to zero, per mini-batch: 1 until {@code start} (the end of a warmup), then
 * {@code (1 + cos(pi * t / T)) / 2} with t counted from {@code start} and T = {@code end - start}.
 */
record CosineSchedule(int start, int end) implements LearningRateSchedule {

    @Override
    public double factor(int iteration) {
        if (iteration < start || end <= start) {
            return 1.0;
        }
        double progress = Math.min(1.0, (double) (iteration - start) / (end - start));
        return 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
