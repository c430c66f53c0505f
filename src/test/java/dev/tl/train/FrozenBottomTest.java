package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.LogCapture;
import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.engine.EngineRequest;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.model.Unfreeze;
import dev.tl.train.listener.CheckpointWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fine-tuning the top blocks with the frozen bottom on ONNX Runtime trains as the whole DL4J graph does: the bottom
 * untouched, the top's steps those of DL4J's to float rounding, and bit-identical from run to run.
 */
class FrozenBottomTest {

    private static final long SEED = 3;
    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0.2), 2);

    private static ImageSet train;
    private static ImageSet validation;
    private static Map<String, INDArray> initial;

    @BeforeAll
    static void setUp() {
        train = TestData.subset(TestData.TRAIN, 4);
        validation = TestData.subset(TestData.VAL, 2);
        initial = Params.snapshot(ModelGraphs.initial(SPEC, SEED, BaseWeights.RANDOM_INIT_SEED));
    }

    private static TrainedModel fineTune(EngineRequest engine) {
        return fineTune(engine, null);
    }

    private static TrainedModel fineTune(EngineRequest engine, Checkpoint resume, TrainingListener... listeners) {
        TrainOptions options = TrainOptions.builder().batchSize(4).finetuneEpochs(2).unfreeze(Unfreeze.blocks(2))
                .learningRate(1e-2).finetuneLearningRate(1e-3).seed(SEED).engine(engine).build();
        return new Trainer(SPEC, options, null, null, TrainAugmentation.NONE, List.of(listeners))
                .train(train, validation, List.of(Optional.<Path>empty()), resume);
    }

    /** Dies once the checkpoint of the first fine-tune epoch is written. */
    private static final TrainingListener KILLED_AFTER_EPOCH_1 = new TrainingListener() {
        @Override
        public void epochEnded(EpochEnd event) {
            if (event.record().epoch() == 1) {
                throw new IllegalStateException("killed");
            }
        }
    };

    /** Where both runs are within float rounding of each other: each step differs by under 1e-3 of its size. */
    private static void assertSameSteps(Map<String, INDArray> actual, Map<String, INDArray> expected) {
        for (Map.Entry<String, INDArray> start : initial.entrySet()) {
            double step = expected.get(start.getKey()).sub(start.getValue()).amaxNumber().doubleValue();
            double difference = actual.get(start.getKey()).sub(expected.get(start.getKey())).amaxNumber()
                    .doubleValue();
            assertThat(difference).as(start.getKey()).isLessThanOrEqualTo(1e-3 * step);
        }
    }

    @Test
    void theBottomRunsOnOnnxRuntimeAndTheTopTrainsAsInTheWholeGraph() {
        TrainedModel[] split = new TrainedModel[1];
        List<String> lines = LogCapture.infoLinesOf(FrozenBottom.class, () -> split[0] = fineTune(EngineRequest.AUTO));
        assertThat(lines).singleElement().asString().matches("fine-tune phase: the \\d+ frozen layers run forward "
                + "on onnxruntime, DL4J trains the \\d+ above them");
        TrainedModel whole = fineTune(EngineRequest.DL4J);
        Map<String, INDArray> splitParams = Params.snapshot(split[0].graph());
        Map<String, INDArray> wholeParams = Params.snapshot(whole.graph());

        assertSameSteps(splitParams, wholeParams); // frozen ones: exactly unchanged
        long moved = initial.keySet().stream().filter(key -> !wholeParams.get(key).equals(initial.get(key))).count();
        assertThat(moved).as("trained parameter arrays").isPositive().isLessThan(initial.size() / 2);
        for (int i = 0; i < whole.history().size(); i++) {
            assertThat(split[0].history().get(i).valLoss())
                    .isCloseTo(whole.history().get(i).valLoss(), org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(Params.snapshot(fineTune(EngineRequest.AUTO).graph())).as("the same run again")
                .isEqualTo(splitParams);
    }

    @Test
    void aKilledRunResumesBitIdenticallyAndItsCheckpointMovesBetweenEngines(@TempDir Path dir) {
        TrainedModel whole = fineTune(EngineRequest.AUTO, null,
                new CheckpointWriter(dir.resolve("whole"), null, List.of(), null));
        Path killed = dir.resolve("killed");
        assertThatThrownBy(() -> fineTune(EngineRequest.AUTO, null, new CheckpointWriter(killed, null, List.of(), null),
                KILLED_AFTER_EPOCH_1)).hasMessage("killed");
        Checkpoint checkpoint = Checkpoint.load(killed);

        assertThat(fineTune(EngineRequest.AUTO, checkpoint).graph().params()).isEqualTo(whole.graph().params());
        // The split's optimizer state is laid out as the whole graph's: DL4J alone resumes it too.
        assertSameSteps(Params.snapshot(fineTune(EngineRequest.DL4J, checkpoint).graph()),
                Params.snapshot(whole.graph()));
    }
}
