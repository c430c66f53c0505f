package dev.tl.train.listener;

import dev.tl.train.Checkpoint;
import dev.tl.train.DataRecord;
import dev.tl.train.EpochRecord;
import dev.tl.train.RunRecord;
import dev.tl.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;

/**
 * Replaces the run's checkpoint after every epoch. Goes after the listeners that may stop a phase, so the
 * checkpoint knows whether the phase ended with this epoch.
 */
public final class CheckpointWriter implements TrainingListener {

    private final Path dir;
    private final RunRecord run;
    private final List<String> args;
    private final DataRecord data;

    /**
     * @param run  the run's settings, which a resume continues with (null: not recorded)
     * @param args the run's effective {@code tl train} options, which start it anew
     * @param data the images of the run's split, which a resume must find unchanged (null: not recorded)
     */
    public CheckpointWriter(Path dir, RunRecord run, List<String> args, DataRecord data) {
        this.dir = dir;
        this.run = run;
        this.args = List.copyOf(args);
        this.data = data;
    }

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        boolean phaseFinished = event.control().stopping() || record.epoch() == event.epochs();
        Checkpoint.of(run, args, data, record.phase(), record.epoch(), phaseFinished, event.graph(), event.state()).save(dir);
    }
}
