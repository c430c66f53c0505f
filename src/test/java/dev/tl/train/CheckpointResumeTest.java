package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.train.listener.CheckpointWriter;
import dev.tl.train.schedule.PlateauSchedule;
import dev.tl.train.schedule.ScheduleSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that dies after a checkpointed epoch and is resumed from the checkpoint ends bit-identical to one that never
 * stopped, with a plateau schedule whose reductions must carry over the interruption.
 */
class CheckpointResumeTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(8, 0.3), 2);
    private static final TrainOptions OPTIONS = TrainOptions.builder().batchSize(3).frozenEpochs(6)
            .learningRate(2.0).finetuneLearningRate(1e-3).seed(7)
            .schedule(new ScheduleSettings(new PlateauSchedule(0, 0.5), null)).build();

    @TempDir
    Path dir;

    /** Dies once the checkpoint of the given epoch is written (it comes after the CheckpointWriter). */
    private record Crash(Phase phase, int epoch) implements TrainingListener {
        @Override
        public void epochEnded(EpochEnd event) {
            if (event.record().phase() == phase && event.record().epoch() == epoch) {
                throw new IllegalStateException("killed");
            }
        }
    }

    private static TrainedModel train(Path checkpoints, Checkpoint resume, TrainingListener... more) {
        ImageSet train = TestData.subset(TestData.TRAIN, 4);
        ImageSet validation = TestData.subset(TestData.VAL, 2);
        List<TrainingListener> listeners = new java.util.ArrayList<>(List.of(new CheckpointWriter(checkpoints,
                null, List.of(), null)));
        listeners.addAll(List.of(more));
        return new Trainer(SPEC, OPTIONS, null, null, TrainAugmentation.NONE, listeners)
                .train(train, validation, List.of(Optional.<Path>empty()), resume);
    }

    @Test
    void aResumedPlateauScheduledRunEndsWithTheSameWeights() {
        TrainedModel whole = train(dir.resolve("whole"), null);
        Path checkpoints = dir.resolve("killed");
        assertThatThrownBy(() -> train(checkpoints, null, new Crash(Phase.FROZEN, 5))).hasMessage("killed");

        Checkpoint checkpoint = Checkpoint.load(checkpoints);
        assertThat(checkpoint.phase()).isEqualTo(Phase.FROZEN);
        assertThat(checkpoint.epoch()).isEqualTo(5);
        TrainedModel resumed = train(checkpoints, checkpoint);

        assertThat(resumed.graph().params()).isEqualTo(whole.graph().params());
        assertThat(resumed.history()).extracting(EpochRecord::learningRate)
                .containsExactlyElementsOf(whole.history().stream().map(EpochRecord::learningRate).toList());
        // The schedule had reduced the rate before the interruption, so resuming had to restore that.
        assertThat(whole.history().get(5).learningRate()).isLessThan(OPTIONS.learningRate());
    }
}
