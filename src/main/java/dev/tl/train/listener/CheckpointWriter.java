package dev.tl.train.listener;

import dev.tl.train.Checkpoint;
import dev.tl.train.DataRecord;
import dev.tl.train.EpochRecord;
import dev.tl.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;

/**
 * Replaces the run's checkpoint after every epoch. Goes after the listeners that may stop a phase, so the
 * checkpoint knows whether the phase ended with this epoch.
 */
public final class CheckpointWriter implements TrainingListener {

    private final Path dir;
    private final List<String> args;
    private final DataRecord data;

    /**
     * @param args the run's effective {@code tl train} options, to resume it with the same settings
     * @param data the images of the run's split, which a resume must find unchanged (null: not recorded)
     */
    public CheckpointWriter(Path dir, List<String> args, DataRecord data) {
        this.dir = dir;
        this.args = List.copyOf(args);
        this.data = data;
    }

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        boolean phaseFinished = event.control().stopping() || record.epoch() == event.epochs();
        Checkpoint.of(args, data, record.phase(), record.epoch(), phaseFinished, event.graph(), event.state()).save(dir);
    }
}
