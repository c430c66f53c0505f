package dev.tl.train;

import java.util.ArrayList;
import java.util.List;

/**
 * The bookkeeping of Leslie Smith's learning-rate range test, as fastai does it: the learning rate grows
 * exponentially from {@code startLr} to {@code endLr} over {@code steps} mini-batches; the loss is smoothed with an
 * exponential moving average (beta {@value #SMOOTHING}, bias-corrected); the test stops once the smoothed loss
 * exceeds {@value #DIVERGENCE} times its best. The suggestion is the learning rate where the smoothed loss falls
 * fastest against log(lr), looked for between the first tenth of the steps and the lowest smoothed loss.
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

    /** The learning rate of steepest descent of the smoothed loss (see the class comment). */
    public double suggestion() {
        int lowest = 0;
        for (int i = 1; i < points.size(); i++) {
            if (points.get(i).smoothedLoss() < points.get(lowest).smoothedLoss()) {
                lowest = i;
            }
        }
        int steepest = lowest;
        double steepestSlope = 0;
        for (int i = Math.max(1, steps / 10); i <= Math.min(lowest, points.size() - 2); i++) {
            Point before = points.get(i - 1);
            Point after = points.get(i + 1);
            double slope = (after.smoothedLoss() - before.smoothedLoss())
                    / Math.log(after.learningRate() / before.learningRate());
            if (slope < steepestSlope) {
                steepestSlope = slope;
                steepest = i;
            }
        }
        return points.get(steepest).learningRate();
    }
}
