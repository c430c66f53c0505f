package dev.tl.train.listener;

import dev.tl.train.RangeTest;
import dev.tl.train.TrainingListener;

/**
 * The learning-rate range test as a listener: before every mini-batch it sets the test's next learning rate, after
 * it records the loss, and it stops the run when the test has its steps or the loss diverged.
 */
public final class RangeTestListener implements TrainingListener {

    private final RangeTest test;

    /** The head must be built with the test's start rate: the rates set are factors of it. */
    public RangeTestListener(RangeTest test) {
        this.test = test;
    }

    @Override
    public void batchStarted(BatchStart event) {
        event.control().scaleLearningRate(test.learningRate(test.points().size()) / test.startLr());
    }

    @Override
    public void batchEnded(BatchEnd event) {
        if (!test.record(event.loss())) {
            event.control().stop(test.diverged() ? "the loss diverged" : "all steps done");
        }
    }
}
