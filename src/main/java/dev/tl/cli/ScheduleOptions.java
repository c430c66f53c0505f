package dev.tl.cli;

import dev.tl.train.schedule.ConstantSchedule;
import dev.tl.train.schedule.CosineSchedule;
import dev.tl.train.schedule.OneCycleSchedule;
import dev.tl.train.schedule.PlateauSchedule;
import dev.tl.train.schedule.Schedule;
import dev.tl.train.schedule.ScheduleSettings;
import dev.tl.train.schedule.StepSchedule;
import picocli.CommandLine.Option;

/** {@code --schedule} and the parameters of each schedule, which only that schedule takes. */
final class ScheduleOptions {

    /** The values {@code --schedule} takes. */
    enum Name { constant, step, cosine, onecycle, plateau }

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "NAME",
            description = "Learning-rate schedule in each phase, restarting from --lr / --finetune-lr: "
                    + "${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    Name name;

    @Option(names = "--warmup-epochs", paramLabel = "F", converter = Converters.NonNegativeNumber.class,
            description = "Linear warmup over the first F epochs of each phase (not with onecycle). Default: none.")
    Double warmupEpochs;

    @Option(names = "--step-size", paramLabel = "N", converter = Converters.Positive.class,
            description = "step: epochs between reductions. Default: " + StepSchedule.DEFAULT_STEP_SIZE + ".")
    Integer stepSize;

    @Option(names = "--step-gamma", paramLabel = "F", converter = Converters.Reduction.class,
            description = "step: factor of each reduction. Default: " + StepSchedule.DEFAULT_GAMMA + ".")
    Double stepGamma;

    @Option(names = "--plateau-patience", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "plateau: epochs without a lower validation loss (training loss without validation data) "
                    + "before a reduction. Default: " + PlateauSchedule.DEFAULT_PATIENCE + ".")
    Integer plateauPatience;

    @Option(names = "--plateau-factor", paramLabel = "F", converter = Converters.Reduction.class,
            description = "plateau: factor of each reduction. Default: " + PlateauSchedule.DEFAULT_FACTOR + ".")
    Double plateauFactor;

    ScheduleSettings settings() {
        onlyWith(Name.step, "--step-size", stepSize);
        onlyWith(Name.step, "--step-gamma", stepGamma);
        onlyWith(Name.plateau, "--plateau-patience", plateauPatience);
        onlyWith(Name.plateau, "--plateau-factor", plateauFactor);
        Schedule schedule = switch (name) {
            case constant -> new ConstantSchedule();
            case step -> new StepSchedule(stepSize != null ? stepSize : StepSchedule.DEFAULT_STEP_SIZE,
                    stepGamma != null ? stepGamma : StepSchedule.DEFAULT_GAMMA);
            case cosine -> new CosineSchedule();
            case onecycle -> new OneCycleSchedule();
            case plateau -> new PlateauSchedule(
                    plateauPatience != null ? plateauPatience : PlateauSchedule.DEFAULT_PATIENCE,
                    plateauFactor != null ? plateauFactor : PlateauSchedule.DEFAULT_FACTOR);
        };
        Double warmup = warmupEpochs == null || warmupEpochs == 0 ? null : warmupEpochs;
        return Flags.about("--warmup-epochs", () -> new ScheduleSettings(schedule, warmup));
    }

    private void onlyWith(Name owner, String flag, Object value) {
        Flags.require(value == null || name == owner, flag,
                "applies to --schedule " + owner + " only (the schedule is " + name + ")");
    }
}
