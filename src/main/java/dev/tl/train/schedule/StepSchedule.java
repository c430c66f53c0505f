package dev.tl.train.schedule;

/**
 * Step decay (PyTorch's StepLR): the factor is {@code gamma^floor(epoch / stepSize)}, constant within an epoch.
 *
 * @param stepSize epochs between reductions, at least 1
 * @param gamma    the factor of each reduction, in (0, 1)
 */
public record StepSchedule(int stepSize, double gamma) implements Schedule {

    public static final int DEFAULT_STEP_SIZE = 2;
    public static final double DEFAULT_GAMMA = 0.5;

    public StepSchedule {
        if (stepSize < 1 || !(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("step schedule needs stepSize >= 1 and 0 < gamma < 1");
        }
    }

    @Override
    public String name() {
        return "step";
    }

    @Override
    public LearningRateSchedule curve(int epochs, int iterationsPerEpoch, int warmupIterations) {
        return iteration -> Math.pow(gamma, (iteration / iterationsPerEpoch) / stepSize);
    }
}
