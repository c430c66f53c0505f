package dev.tl.train;

/** Step decay (PyTorch's StepLR): the factor is {@code gamma^floor(epoch / stepSize)}, constant within an epoch. */
record StepSchedule(int iterationsPerEpoch, int stepSize, double gamma) implements LearningRateSchedule {

    @Override
    public double factor(int iteration) {
        int epoch = iteration / iterationsPerEpoch;
        return Math.pow(gamma, epoch / stepSize);
    }
}
