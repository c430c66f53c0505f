package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which epoch the summary reports as fine-tuning that did not help. */
class TrainedModelTest {

    private static EpochRecord epoch(Phase phase, int epoch, double valLoss, double valAccuracy) {
        return new EpochRecord(phase, epoch, 0.01, null, valLoss, valAccuracy, 1e-3, 1);
    }

    private static final List<EpochRecord> HISTORY = List.of(epoch(Phase.FROZEN, 1, 0.30, 0.90),
            epoch(Phase.FROZEN, 2, 0.11, 0.97), epoch(Phase.FINETUNE, 1, 0.12, 0.95),
            epoch(Phase.FINETUNE, 2, 0.16, 0.94));

    @Test
    void aFineTunePhaseBehindTheKeptFrozenEpochIsNamedByItsBestEpoch() {
        TrainedModel trained = new TrainedModel(null, HISTORY, HISTORY.get(1), Outcome.COMPLETED);

        assertThat(trained.unhelpfulFineTune(Monitor.VAL_ACCURACY)).isEqualTo(HISTORY.get(2));
        assertThat(trained.unhelpfulFineTune(Monitor.VAL_LOSS)).isEqualTo(HISTORY.get(2));
    }

    @Test
    void aFineTunePhaseThatWasKeptOrNeverRanIsNotReported() {
        assertThat(new TrainedModel(null, HISTORY, HISTORY.get(2), Outcome.COMPLETED).unhelpfulFineTune(Monitor.VAL_ACCURACY))
                .isNull();
        assertThat(new TrainedModel(null, HISTORY.subList(0, 2), HISTORY.get(1), Outcome.COMPLETED)
                .unhelpfulFineTune(Monitor.VAL_ACCURACY)).isNull();
        assertThat(new TrainedModel(null, HISTORY, null, Outcome.COMPLETED).unhelpfulFineTune(Monitor.VAL_ACCURACY)).isNull();
    }
}
