package dev.tl.train.listener;

import dev.tl.train.EpochRecord;
import dev.tl.train.Monitor;
import dev.tl.train.TrainingListener;
import java.util.List;

/**
 * Stops a phase when the monitored validation metric has not improved for {@code patience} epochs of that phase.
 * Decided from the phase's history alone, so a resumed run stops exactly where an uninterrupted one would.
 */
public record EarlyStopping(Monitor monitor, int patience) implements TrainingListener {

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        if (record.epoch() < event.epochs() && shouldStop(event.state().history(record.phase()))) {
            event.control().stop(monitor.id() + " did not improve for " + patience + " epochs");
        }
    }

    /** Patience 0 never stops. */
    boolean shouldStop(List<EpochRecord> phaseHistory) {
        if (patience <= 0 || phaseHistory.isEmpty() || phaseHistory.get(0).valLoss() == null) {
            return false;
        }
        int bestIndex = 0;
        for (int i = 1; i < phaseHistory.size(); i++) {
            if (monitor.better(phaseHistory.get(i), phaseHistory.get(bestIndex))) {
                bestIndex = i;
            }
        }
        return phaseHistory.size() - 1 - bestIndex >= patience;
    }
}
