package dev.tl.train;

/**
 * What listeners may change in a running phase: stop it (after the current mini-batch when asked during one, else
 * after the current epoch), fail it (at once: the current epoch is neither recorded nor shown to later listeners),
 * and scale the learning rates the graph was built with, from the next mini-batch on.
 */
public final class PhaseControl {

    private String stopReason;
    private boolean failed;
    private double learningRateFactor = 1.0;

    /** Ends the phase; the first reason given is the one reported. */
    public void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
    }

    /** Ends the phase and the run as failed: what this epoch did is not to be kept. */
    public void fail(String reason) {
        stop(reason);
        failed = true;
    }

    public boolean failed() {
        return failed;
    }

    public boolean stopping() {
        return stopReason != null;
    }

    /** Null while the phase is not stopping. */
    public String stopReason() {
        return stopReason;
    }

    /** Every layer learns at {@code factor} times the rate it was built with. */
    public void scaleLearningRate(double factor) {
        learningRateFactor = factor;
    }

    public double learningRateFactor() {
        return learningRateFactor;
    }

    /** How the phase ended, once the loop is done with it. */
    Outcome outcome() {
        if (failed) {
            return new Outcome.Failed(stopReason);
        }
        return stopReason == null ? Outcome.COMPLETED : new Outcome.StoppedEarly(stopReason);
    }
}
