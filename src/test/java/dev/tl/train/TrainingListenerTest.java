package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the training loop tells its listeners, in what order, and what a listener can do to a run. */
class TrainingListenerTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0.2), 2);
    private static final TrainOptions OPTIONS = TrainOptions.builder().batchSize(4).frozenEpochs(2).finetuneEpochs(1)
            .learningRate(1e-2).finetuneLearningRate(1e-3).seed(5).build();

    private static ImageSet train;
    private static ImageSet validation;

    @BeforeAll
    static void images() {
        train = TestData.subset(TestData.TRAIN, 3);       // 6 images: mini-batches of 4 and 2
        validation = TestData.subset(TestData.VAL, 1);
    }

    /** Writes one line per event. */
    private static final class Recorder implements TrainingListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void phaseStarted(PhaseStart e) {
            events.add("start " + e.phase() + " epochs " + e.firstEpoch() + ".." + e.epochs() + " batches "
                    + e.batchesPerEpoch() + " images " + e.images() + " history " + e.history().size());
        }

        @Override
        public void batchStarted(BatchStart e) {
            events.add("  batch " + e.phase() + " " + e.epoch() + "." + e.batch() + "/" + e.batches());
        }

        @Override
        public void batchEnded(BatchEnd e) {
            events.add("  done " + e.phase() + " " + e.epoch() + "." + e.batch() + " images " + e.images()
                    + (Double.isFinite(e.loss()) ? " loss" : " no loss"));
        }

        @Override
        public void epochEnded(EpochEnd e) {
            events.add("epoch " + e.record().phase() + " " + e.record().epoch() + "/" + e.epochs() + " validated "
                    + (e.record().valLoss() != null) + " history " + e.state().history().size());
        }

        @Override
        public void phaseEnded(PhaseEnd e) {
            events.add("end " + e.phase() + (e.outcome() instanceof Outcome.StoppedEarly stopped
                    ? " stopped: " + stopped.reason() : ""));
        }
    }

    private static TrainedModel train(TrainOptions options, TrainingListener... listeners) {
        return new Trainer(SPEC, options, null, null, TrainAugmentation.NONE, List.of(listeners))
                .train(train, validation, List.of(Optional.<Path>empty()), null);
    }

    @Test
    void listenersHearEveryPhaseBatchAndEpochInOrder() {
        Recorder recorder = new Recorder();
        TrainedModel trained = train(OPTIONS, recorder);

        assertThat(recorder.events).containsExactly(
                "start frozen epochs 1..2 batches 2 images 6 history 0",
                "  batch frozen 1.0/2", "  done frozen 1.0 images 4 loss",
                "  batch frozen 1.1/2", "  done frozen 1.1 images 2 loss",
                "epoch frozen 1/2 validated true history 1",
                "  batch frozen 2.0/2", "  done frozen 2.0 images 4 loss",
                "  batch frozen 2.1/2", "  done frozen 2.1 images 2 loss",
                "epoch frozen 2/2 validated true history 2",
                "end frozen",
                "start finetune epochs 1..1 batches 2 images 6 history 2",
                "  batch finetune 1.0/2", "  done finetune 1.0 images 4 loss",
                "  batch finetune 1.1/2", "  done finetune 1.1 images 2 loss",
                "epoch finetune 1/1 validated true history 3",
                "end finetune");
        assertThat(trained.outcome()).isEqualTo(Outcome.COMPLETED);
    }

    /** A listener hook that does something to the run at one kind of event. */
    private record On(Consumer<TrainingListener.EpochEnd> epoch, Consumer<TrainingListener.BatchStart> batch)
            implements TrainingListener {
        @Override
        public void epochEnded(EpochEnd event) {
            epoch.accept(event);
        }

        @Override
        public void batchStarted(BatchStart event) {
            batch.accept(event);
        }
    }

    @Test
    void aListenerCanEndAPhaseAfterAnEpochOrWithinOne() {
        Recorder recorder = new Recorder();
        TrainedModel trained = train(OPTIONS.toBuilder().frozenEpochs(5).build(), new On(
                e -> {
                    if (e.record().phase() == Phase.FROZEN && e.record().epoch() == 2) {
                        e.control().stop("enough");
                    }
                },
                b -> {
                    if (b.phase() == Phase.FINETUNE && b.batch() == 1) {
                        b.control().stop("in the middle");
                    }
                }), recorder);

        assertThat(recorder.events).contains("end frozen stopped: enough", "end finetune stopped: in the middle");
        assertThat(recorder.events).doesNotContain("epoch frozen 3/5 validated true history 3");
        // the fine-tune epoch was cut short, so it is not in the history
        assertThat(trained.history()).extracting(EpochRecord::phase).containsExactly(Phase.FROZEN, Phase.FROZEN);
        assertThat(trained.outcome()).isEqualTo(new Outcome.StoppedEarly("in the middle"));
    }

    @Test
    void aFailedPhaseEndsTheRunWithItsReason() {
        Recorder recorder = new Recorder();
        TrainedModel trained = train(OPTIONS, new On(e -> e.control().fail("broken"), b -> { }), recorder);

        assertThat(trained.outcome()).isEqualTo(new Outcome.Failed("broken"));
        assertThat(recorder.events).contains("end frozen").doesNotContain("end finetune");
        assertThat(trained.history()).isEmpty();
    }

    @Test
    void aListenerSetsTheLearningRateTheEpochRecords() {
        TrainedModel trained = train(OPTIONS, new On(e -> { }, b -> b.control().scaleLearningRate(0.25)));

        assertThat(trained.history()).extracting(EpochRecord::learningRate).containsExactly(2.5e-3, 2.5e-3, 2.5e-4);
    }
}
