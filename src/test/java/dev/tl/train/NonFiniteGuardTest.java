package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.LogCapture;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.train.listener.NonFiniteGuard;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

/** Non-finite numbers fail a phase; a loss climbing far above the phase's best is warned about once. */
class NonFiniteGuardTest {

    private static final ComputationGraph HEAD = ModelGraphs.head(
            new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0), 2), new Adam(1e-3), 1, null);

    private static PhaseControl epoch(NonFiniteGuard guard, RunState state, int epoch, double loss, Double valLoss) {
        PhaseControl control = new PhaseControl();
        EpochRecord record = new EpochRecord(Phase.FROZEN, epoch, loss, 0.5, valLoss, valLoss == null ? null : 0.5, 1e-3, 1);
        state.add(record);
        guard.epochEnded(new TrainingListener.EpochEnd(record, 10, state, HEAD, control));
        return control;
    }

    @Test
    void aNonFiniteLossOrValidationLossFailsThePhase() {
        NonFiniteGuard guard = new NonFiniteGuard();
        RunState state = new RunState();
        guard.phaseStarted(new TrainingListener.PhaseStart(Phase.FROZEN, 10, 1, 2, 8, List.of(), new PhaseControl()));
        PhaseControl batch = new PhaseControl();
        guard.batchEnded(new TrainingListener.BatchEnd(Phase.FROZEN, 1, 1, 2, 4, Double.NaN, batch));
        assertThat(batch.failed()).isTrue();
        assertThat(batch.stopReason()).contains("NaN").contains("frozen epoch 1, mini-batch 2 of 2");

        assertThat(epoch(guard, state, 1, 0.7, Double.POSITIVE_INFINITY).failed()).isTrue();
        assertThat(epoch(guard, state, 2, 0.7, 0.6).failed()).isFalse();
    }

    @Test
    void aDivergingLossIsWarnedAboutOncePerPhase() {
        NonFiniteGuard guard = new NonFiniteGuard();
        RunState state = new RunState();
        guard.phaseStarted(new TrainingListener.PhaseStart(Phase.FROZEN, 10, 1, 2, 8, List.of(), new PhaseControl()));
        List<String> warnings = LogCapture.infoLinesOf(NonFiniteGuard.class, () -> {
            epoch(guard, state, 1, 0.5, 0.5);
            epoch(guard, state, 2, 1.9, 0.5);
            epoch(guard, state, 3, 2.5, 0.5);
            epoch(guard, state, 4, 9.0, 0.5);
        });
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).startsWith("frozen epoch 3: loss 2.5000 is over 4 times the lowest");
    }
}
