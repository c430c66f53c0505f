package dev.tl.train.schedule;

/**
 * The one-cycle policy with PyTorch OneCycleLR's defaults, per mini-batch over the phase: the learning rate rises
 * from max/{@value #DIV_FACTOR} to the maximum (the phase's base rate) over the first {@value #PCT_START} of the
 * phase, then falls to max/({@value #DIV_FACTOR}·{@value #FINAL_DIV_FACTOR}), both along cosine curves. It warms up
 * by itself, so it takes no {@link Warmup}. Only the learning rate cycles (Adam's beta1 stays fixed).
 */
public record OneCycleSchedule() implements Schedule {

    public static final double PCT_START = 0.3;
    static final double DIV_FACTOR = 25;
    static final double FINAL_DIV_FACTOR = 1e4;

    @Override
    public String name() {
        return "onecycle";
    }

    @Override
    public LearningRateSchedule curve(int epochs, int iterationsPerEpoch, int warmupIterations) {
        int iterations = epochs * iterationsPerEpoch;
        double initial = 1 / DIV_FACTOR;
        double last = initial / FINAL_DIV_FACTOR;
        // PyTorch's step boundaries: the peak falls at step pct_start * total - 1, the end at total - 1.
        double peak = PCT_START * iterations - 1;
        double end = iterations - 1;
        return iteration -> iteration <= peak ? anneal(initial, 1.0, peak <= 0 ? 1.0 : iteration / peak)
                : anneal(1.0, last, (iteration - peak) / (end - peak));
    }

    /** Cosine interpolation from {@code from} (progress 0) to {@code to} (progress 1). */
    private static double anneal(double from, double to, double progress) {
        return to + (from - to) / 2 * (1 + Math.cos(Math.PI * Math.min(1.0, progress)));
    }
}
