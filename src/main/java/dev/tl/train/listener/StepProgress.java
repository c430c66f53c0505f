package dev.tl.train.listener;

import dev.tl.progress.Progress;
import dev.tl.train.TrainingListener;

/** A loop of a known number of mini-batches, whatever its epochs (the range test), as one progress report. */
public final class StepProgress implements TrainingListener {

    private final Progress progress;

    public StepProgress(String task, int steps) {
        this.progress = Progress.start(task, steps, "steps");
    }

    @Override
    public void batchEnded(BatchEnd event) {
        progress.advance(1);
    }

    @Override
    public void phaseEnded(PhaseEnd event) {
        progress.close();
    }
}
