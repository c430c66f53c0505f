package dev.tl.train.schedule;

/**
 * Reduce-on-plateau (PyTorch's ReduceLROnPlateau in 'min' mode with a relative threshold of 1e-4): when the
 * monitored loss has not improved for more than {@code patience} epochs, the factor is multiplied by
 * {@code factor}. A curve's state follows from the losses it was shown, so a resumed run rebuilds it by showing
 * the new curve the losses of the epochs already run.
 *
 * @param patience epochs without improvement tolerated before a reduction, at least 0
 * @param factor   the factor of each reduction, in (0, 1)
 */
public record PlateauSchedule(int patience, double factor) implements Schedule {

    public static final int DEFAULT_PATIENCE = 2;
    public static final double DEFAULT_FACTOR = 0.1;

    /** An improvement must beat the best loss by this fraction of it. */
    private static final double THRESHOLD = 1e-4;

    public PlateauSchedule {
        if (patience < 0 || !(factor > 0 && factor < 1)) {
            throw new IllegalArgumentException("plateau schedule needs patience >= 0 and 0 < factor < 1");
        }
    }

    @Override
    public String name() {
        return "plateau";
    }

    @Override
    public LearningRateSchedule curve(int epochs, int iterationsPerEpoch, int warmupIterations) {
        return new LearningRateSchedule() {
            private double current = 1.0;
            private Double bestLoss; // none before the first epoch
            private int badEpochs;

            @Override
            public double factor(int iteration) {
                return current;
            }

            @Override
            public void epochEnded(double monitoredLoss) {
                if (bestLoss == null || monitoredLoss < bestLoss * (1 - THRESHOLD)) {
                    bestLoss = monitoredLoss;
                    badEpochs = 0;
                } else if (badEpochs + 1 > patience) {
                    current *= factor;
                    badEpochs = 0;
                } else {
                    badEpochs++;
                }
            }
        };
    }
}
