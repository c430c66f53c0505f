package dev.tl.train.schedule;

/** Linear warmup: over the first {@code iterations} mini-batches the factor rises by equal steps to the schedule's. */
record Warmup(LearningRateSchedule schedule, int iterations) implements LearningRateSchedule {

    @Override
    public double factor(int iteration) {
        // (i + 1) / W: the first mini-batch already learns, the W-th runs at the full rate.
        return schedule.factor(iteration) * Math.min(1.0, (iteration + 1.0) / iterations);
    }

    @Override
    public void epochEnded(double monitoredLoss) {
        schedule.epochEnded(monitoredLoss);
    }
}
