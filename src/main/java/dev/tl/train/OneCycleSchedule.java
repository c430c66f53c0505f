package dev.tl.train;

/**
 * The one-cycle policy with PyTorch OneCycleLR's defaults, per mini-batch over the phase's {@code iterations}: the
 * learning rate rises from max/{@value #DIV_FACTOR} to the maximum (the phase's base rate) over the first
 * {@value #PCT_START} of the phase, then falls to max/({@value #DIV_FACTOR}·{@value #FINAL_DIV_FACTOR}), both along
 * cosine curves. Only the learning rate cycles (Adam's beta1 stays fixed).
 */
record OneCycleSchedule(int iterations) implements LearningRateSchedule {

    static final double PCT_START = 0.3;
    static final double DIV_FACTOR = 25;
    static final double FINAL_DIV_FACTOR = 1e4;

    @Override
    public double factor(int iteration) {
        double initial = 1 / DIV_FACTOR;
        double last = initial / FINAL_DIV_FACTOR;
        // PyTorch's step boundaries: the peak falls at step pct_start * total - 1, the end at total - 1.
        double peak = PCT_START * iterations - 1;
        double end = iterations - 1;
        if (iteration <= peak) {
            return anneal(initial, 1.0, peak <= 0 ? 1.0 : iteration / peak);
        }
        return anneal(1.0, last, (iteration - peak) / (end - peak));
    }

    /** Cosine interpolation from {@code from} (progress 0) to {@code to} (progress 1). */
    private static double anneal(double from, double to, double progress) {
        return to + (from - to) / 2 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
    }
}
