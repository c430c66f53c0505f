package dev.tl.train.listener;

import dev.tl.train.EpochRecord;
import dev.tl.train.TrainingListener;
import dev.tl.train.schedule.LearningRateSchedule;
import dev.tl.train.schedule.ScheduleSettings;

/**
 * Sets the learning rate before every mini-batch from the run's schedule, started anew in each phase, and shows
 * the schedule each epoch's monitored loss. A resumed phase replays the epochs already run into the new curve,
 * so a plateau schedule's reductions come out where they would have.
 */
public final class ScheduleListener implements TrainingListener {

    private final ScheduleSettings settings;
    private LearningRateSchedule curve;
    private int iteration;

    public ScheduleListener(ScheduleSettings settings) {
        this.settings = settings;
    }

    @Override
    public void phaseStarted(PhaseStart event) {
        curve = settings.forPhase(event.epochs(), event.batchesPerEpoch());
        iteration = 0;
        for (EpochRecord done : event.history()) {
            if (done.phase() == event.phase()) {
                curve.epochEnded(done.monitoredLoss());
                iteration += event.batchesPerEpoch();
            }
        }
    }

    @Override
    public void batchStarted(BatchStart event) {
        event.control().scaleLearningRate(curve.factor(iteration++));
    }

    @Override
    public void epochEnded(EpochEnd event) {
        curve.epochEnded(event.record().monitoredLoss());
    }
}
