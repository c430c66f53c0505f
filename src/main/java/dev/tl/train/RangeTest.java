package dev.tl.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The bookkeeping of Leslie Smith's learning-rate range test, as fastai does it: the learning rate grows
 * exponentially from {@code startLr} to {@code endLr} over {@code steps} mini-batches; the loss is smoothed with an
 * exponential moving average (beta {@value #SMOOTHING}, bias-corrected); the test stops once the smoothed loss
 * exceeds {@value #DIVERGENCE} times its best. The suggestion is where the steepest persistent fall of the smoothed
 * loss begins: the learning rate at the start of the window of a tenth of the steps over which the smoothed loss
 * falls furthest (its slope against log(lr)), looked for between the first tenth of the steps and the lowest
 * smoothed loss after it. The first tenth is left out because its average rests on a few losses, and a window is
 * needed because a fall over one or two mini-batches is noise: either made the suggestion a noise dip at rates far
 * too low to train. The start of the fall rather than its middle, because the moving average lags the losses it
 * smooths: the raw loss fell at lower rates already, and the middle is near the rates where training gets unstable.
 */
public final class RangeTest {

    static final double SMOOTHING = 0.98;
    static final double DIVERGENCE = 4;

    /** One mini-batch: its learning rate, its loss and the smoothed loss so far. */
    public record Point(double learningRate, double loss, double smoothedLoss) {
    }

    private final double startLr;
    private final double endLr;
    private final int steps;
    private final List<Point> points = new ArrayList<>();
    private double average;
    private double best = Double.POSITIVE_INFINITY;
    private boolean diverged;

    public RangeTest(double startLr, double endLr, int steps) {
        if (!(startLr > 0 && endLr > startLr && Double.isFinite(endLr)) || steps < 2) {
            throw new IllegalArgumentException("a range test rises from a positive rate to a higher one in at least "
                    + "2 steps");
        }
        this.startLr = startLr;
        this.endLr = endLr;
        this.steps = steps;
    }

    public int steps() {
        return steps;
    }

    public double startLr() {
        return startLr;
    }

    /** The learning rate of step {@code step} (0 = startLr, steps - 1 = endLr). */
    public double learningRate(int step) {
        return startLr * Math.pow(endLr / startLr, (double) step / (steps - 1));
    }

    /** Records the loss of the next step; returns false once the test should stop (diverged, or all steps done). */
    public boolean record(double loss) {
        int step = points.size();
        average = SMOOTHING * average + (1 - SMOOTHING) * loss;
        double smoothed = average / (1 - Math.pow(SMOOTHING, step + 1));
        points.add(new Point(learningRate(step), loss, smoothed));
        if (!Double.isFinite(smoothed) || smoothed > DIVERGENCE * best) {
            diverged = true;
            return false;
        }
        best = Math.min(best, smoothed);
        return points.size() < steps;
    }

    public List<Point> points() {
        return List.copyOf(points);
    }

    /** Whether the test stopped early because the loss exploded. */
    public boolean diverged() {
        return diverged;
    }

    /** The learning rate where the steepest persistent fall of the smoothed loss begins (see the class comment). */
    public double suggestion() {
        int from = settled();
        int lowest = lowest();
        int window = Math.min(Math.max(2, steps / 10), lowest - from);
        if (window == 0) {
            return points.get(lowest).learningRate();
        }
        // The rates grow by the same factor every step, so the fall over a window measures its slope.
        int steepest = from;
        for (int i = from + 1; i + window <= lowest; i++) {
            if (fall(i, window) > fall(steepest, window)) {
                steepest = i;
            }
        }
        return points.get(steepest).learningRate();
    }

    /** The first step after the first tenth, whose smoothed loss averages enough losses to compare. */
    private int settled() {
        return Math.min(steps / 10, Math.max(0, points.size() - 2));
    }

    /** The step of the lowest smoothed loss after the first tenth. */
    public int lowest() {
        int lowest = settled();
        for (int i = lowest + 1; i < points.size(); i++) {
            if (points.get(i).smoothedLoss() < points.get(lowest).smoothedLoss()) {
                lowest = i;
            }
        }
        return lowest;
    }

    private double fall(int step, int window) {
        return points.get(step).smoothedLoss() - points.get(step + window).smoothedLoss();
    }
}
