package dev.tl.train.schedule;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tl.TlException;

/**
 * The learning-rate schedule of a run, applied anew in each phase: a named {@link Schedule} and an optional linear
 * warmup over the first {@code warmupEpochs} epochs (fractions allowed) of each phase.
 *
 * @param schedule     recorded (in a checkpoint) with its class, which says which schedule its parameters are of
 * @param warmupEpochs null for none
 */
public record ScheduleSettings(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS) Schedule schedule, Double warmupEpochs) {

    public static final ScheduleSettings CONSTANT = new ScheduleSettings(new ConstantSchedule(), null);

    public ScheduleSettings {
        if (warmupEpochs != null && !(warmupEpochs > 0 && Double.isFinite(warmupEpochs))) {
            throw new IllegalArgumentException("warmup must be a positive number of epochs, or none");
        }
        if (warmupEpochs != null && schedule instanceof OneCycleSchedule) {
            throw new TlException("not with the " + schedule.name() + " schedule, which warms up by itself (over the "
                    + "first " + OneCycleSchedule.PCT_START + " of each phase)");
        }
    }

    /** A fresh curve for a phase of {@code epochs} epochs of {@code iterationsPerEpoch} mini-batches each. */
    public LearningRateSchedule forPhase(int epochs, int iterationsPerEpoch) {
        int warmup = warmupEpochs == null ? 0 : (int) Math.max(1, Math.round(warmupEpochs * iterationsPerEpoch));
        LearningRateSchedule curve = schedule.curve(epochs, iterationsPerEpoch, warmup);
        return warmup > 0 ? new Warmup(curve, warmup) : curve;
    }
}
