package dev.tl.train.listener;

import dev.tl.progress.Progress;
import dev.tl.train.TrainingListener;
import java.util.Locale;

/**
 * Each epoch's training pass as a progress report (a bar in a terminal, periodic lines in a log), with the running
 * mean loss; validation reports as its own pass.
 */
public final class ProgressListener implements TrainingListener {

    private int epochs;
    private int images;
    private Progress epoch;
    private double lossSum;
    private long seen;

    @Override
    public void phaseStarted(PhaseStart event) {
        epochs = event.epochs();
        images = event.images();
    }

    @Override
    public void batchStarted(BatchStart event) {
        if (event.batch() == 0) {
            close();
            epoch = Progress.start(event.phase() + " epoch " + event.epoch() + "/" + epochs, images, "img");
            lossSum = 0;
            seen = 0;
        }
    }

    @Override
    public void batchEnded(BatchEnd event) {
        lossSum += event.loss() * event.images();
        seen += event.images();
        epoch.status(String.format(Locale.ROOT, "loss %.4f", lossSum / seen));
        epoch.advance(event.images());
        if (event.batch() == event.batches() - 1) {
            close();
        }
    }

    @Override
    public void epochEnded(EpochEnd event) {
        close();
    }

    @Override
    public void phaseEnded(PhaseEnd event) {
        close();
    }

    private void close() {
        if (epoch != null) {
            epoch.close();
            epoch = null;
        }
    }
}
