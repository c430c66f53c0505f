package dev.tl.train.listener;

import dev.tl.model.Params;
import dev.tl.train.EpochRecord;
import dev.tl.train.Monitor;
import dev.tl.train.TrainingListener;

/**
 * Keeps the weights of the epoch that scores best on validation by the run's {@link Monitor}, across both phases;
 * they live in the {@link RunState}, so checkpoints save them. Epochs without finite validation numbers never
 * count.
 */
public final class BestWeights implements TrainingListener {

    private final Monitor monitor;

    public BestWeights(Monitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        boolean finite = record.valLoss() != null && Double.isFinite(record.valLoss())
                && Double.isFinite(record.valAccuracy());
        if (finite && monitor.better(record, event.state().bestEpoch())) {
            event.state().setBest(record, Params.snapshot(event.graph()));
        }
    }
}
