package dev.tl.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tl.TlException;

/**
 * The learning-rate schedule of a run ({@code --schedule} and its parameters), applied anew in each phase. Settings
 * that do not belong to the chosen schedule are null.
 *
 * @param warmupEpochs    linear warmup length in epochs (fractions allowed); null for none
 * @param stepSize        step: epochs between reductions
 * @param stepGamma       step: factor of each reduction
 * @param plateauPatience plateau: epochs without improvement tolerated before a reduction
 * @param plateauFactor   plateau: factor of each reduction
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScheduleSettings(Kind kind, Double warmupEpochs, Integer stepSize, Double stepGamma,
                               Integer plateauPatience, Double plateauFactor) {

    /** Lower case: these are the values {@code --schedule} takes. */
    public enum Kind { constant, step, cosine, onecycle, plateau }

    public static final int DEFAULT_STEP_SIZE = 2;
    public static final double DEFAULT_STEP_GAMMA = 0.5;
    public static final int DEFAULT_PLATEAU_PATIENCE = 2;
    public static final double DEFAULT_PLATEAU_FACTOR = 0.1;

    /** A fixed learning rate per phase. */
    public static final ScheduleSettings CONSTANT = new ScheduleSettings(Kind.constant, null, null, null, null, null);

    /** Checks the command-line values (null = not given) and fills in the chosen schedule's defaults. */
    public static ScheduleSettings of(Kind kind, Double warmupEpochs, Integer stepSize, Double stepGamma,
                                      Integer plateauPatience, Double plateauFactor) {
        requireOnlyWith(Kind.step, kind, "--step-size", stepSize);
        requireOnlyWith(Kind.step, kind, "--step-gamma", stepGamma);
        requireOnlyWith(Kind.plateau, kind, "--plateau-patience", plateauPatience);
        requireOnlyWith(Kind.plateau, kind, "--plateau-factor", plateauFactor);
        if (warmupEpochs != null) {
            if (kind == Kind.onecycle) {
                throw new TlException("--warmup-epochs: --schedule onecycle warms up by itself (over the first "
                        + OneCycleSchedule.PCT_START + " of each phase)");
            }
            if (!(warmupEpochs >= 0) || warmupEpochs.isInfinite()) {
                throw new TlException("--warmup-epochs must be at least 0, got " + warmupEpochs);
            }
        }
        Double warmup = warmupEpochs == null || warmupEpochs == 0 ? null : warmupEpochs;
        return switch (kind) {
            case step -> new ScheduleSettings(kind, warmup,
                    atLeastOne("--step-size", stepSize == null ? DEFAULT_STEP_SIZE : stepSize),
                    factor("--step-gamma", stepGamma == null ? DEFAULT_STEP_GAMMA : stepGamma), null, null);
            case plateau -> new ScheduleSettings(kind, warmup, null, null,
                    atLeastZero("--plateau-patience", plateauPatience == null ? DEFAULT_PLATEAU_PATIENCE
                            : plateauPatience),
                    factor("--plateau-factor", plateauFactor == null ? DEFAULT_PLATEAU_FACTOR : plateauFactor));
            default -> new ScheduleSettings(kind, warmup, null, null, null, null);
        };
    }

    /** A fresh schedule for a phase of {@code epochs} epochs of {@code iterationsPerEpoch} mini-batches each. */
    public LearningRateSchedule forPhase(int epochs, int iterationsPerEpoch) {
        int total = epochs * iterationsPerEpoch;
        int warmup = warmupEpochs == null ? 0 : (int) Math.max(1, Math.round(warmupEpochs * iterationsPerEpoch));
        LearningRateSchedule schedule = switch (kind) {
            case constant -> iteration -> 1.0;
            case step -> new StepSchedule(iterationsPerEpoch, stepSize, stepGamma);
            case cosine -> new CosineSchedule(warmup, total);
            case onecycle -> new OneCycleSchedule(total);
            case plateau -> new PlateauSchedule(plateauPatience, plateauFactor, PlateauSchedule.State.INITIAL);
        };
        return warmup > 0 ? new Warmup(schedule, warmup) : schedule;
    }

    private static void requireOnlyWith(Kind owner, Kind chosen, String flag, Object value) {
        if (value != null && chosen != owner) {
            throw new TlException(flag + " applies to --schedule " + owner + " only (the schedule is " + chosen + ")");
        }
    }

    private static int atLeastOne(String flag, int value) {
        if (value < 1) {
            throw new TlException(flag + " must be at least 1, got " + value);
        }
        return value;
    }

    private static int atLeastZero(String flag, int value) {
        if (value < 0) {
            throw new TlException(flag + " must be at least 0, got " + value);
        }
        return value;
    }

    /** A reduction factor: greater than 0, below 1. */
    private static double factor(String flag, double value) {
        if (!(value > 0 && value < 1)) {
            throw new TlException(flag + " must be greater than 0 and below 1, got " + value);
        }
        return value;
    }
}
