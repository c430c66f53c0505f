package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.device.ComputeBackend;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Unfreeze;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * A batch computed as micro-batches makes the same step as the whole batch (BatchNorm frozen), on real images and a
 * real backbone: with plain SGD the step is the summed gradient itself, so the two agree to float rounding; with
 * Adam the step counter its bias correction reads advances once per batch, not per micro-batch.
 */
class MicroBatchingTest {

    private static final long SEED = 11;
    private static final double LR = 1e-3;
    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenetv2", 32)),
            new HeadSpec(0, 0), 2);

    private static ComputationGraph fineTuneGraph(IUpdater updater) {
        return ModelGraphs.full(SPEC, FreezePlan.fineTune(SPEC, Unfreeze.ALL, false), updater, SEED);
    }

    /** Two steps on the same batch of six real images; returns the graph after them. */
    private static ComputationGraph twoSteps(IUpdater updater, Integer microBatchSize) {
        ImageSet train = TestData.subset(TestData.TRAIN, 3);
        ComputationGraph graph = fineTuneGraph(updater);
        MicroBatching microBatching = MicroBatching.of(microBatchSize, graph, SPEC.inputSpecs(), train.size(), false);
        try (BatchLoader loader = new BatchLoader(SPEC.inputSpecs(), 2)) {
            Batch batch = loader.batches(train.images(), train.size(), ImageViews.PLAIN).next();
            MultiDataSet data = new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()});
            for (int step = 0; step < 2; step++) {
                microBatching.fit(graph, data);
            }
        }
        return graph;
    }

    /**
     * The training accuracy counts, from the step's own forward passes, the images the model classified right: with
     * no dropout and BatchNorm frozen, the ones the model's output before the step gets right, however the batch is
     * split.
     */
    @Test
    void aStepCountsTheImagesItsForwardPassClassifiedRight() {
        ImageSet train = TestData.subset(TestData.TRAIN, 4);
        try (BatchLoader loader = new BatchLoader(SPEC.inputSpecs(), 2)) {
            Batch batch = loader.batches(train.images(), train.size(), ImageViews.PLAIN).next();
            MultiDataSet data = new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()});
            for (Integer microBatchSize : new Integer[] {8, 3}) {
                ComputationGraph graph = fineTuneGraph(new Sgd(LR));
                INDArray before = graph.output(false, batch.inputs())[0].argMax(1);
                int right = before.eq(batch.labels().argMax(1)).castTo(DataType.INT).sumNumber().intValue();
                MicroBatching microBatching = MicroBatching.of(microBatchSize, graph, SPEC.inputSpecs(),
                        train.size(), false);

                StepResult step = microBatching.fit(graph, data);

                assertThat(step.correct()).as("micro-batches of %d", microBatchSize).isEqualTo(right);
            }
        }
    }

    @Test
    void microBatchesMakeTheSameStepAsTheWholeBatch() {
        INDArray initial = fineTuneGraph(new Sgd(LR)).params().dup();
        INDArray whole = twoSteps(new Sgd(LR), null).params();
        INDArray micro = twoSteps(new Sgd(LR), 2).params();

        double step = whole.sub(initial).amaxNumber().doubleValue();
        assertThat(step).as("the steps move the weights").isGreaterThan(1e-4);
        assertThat(whole.sub(micro).amaxNumber().doubleValue()).isLessThan(step * 1e-4);
    }

    @Test
    void adamCountsOneStepPerBatch() {
        ComputationGraph micro = twoSteps(new Adam(LR), 2);
        assertThat(micro.getIterationCount()).isEqualTo(twoSteps(new Adam(LR), null).getIterationCount())
                .isEqualTo(2);
    }

    @Test
    void autoKeepsOneMicroBatchsLayerOutputsUnderTheBudget() {
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("mobilenetv2", 224)), new HeadSpec(0, 0), 2);
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.fineTune(spec, Unfreeze.ALL, false),
                new Adam(LR), SEED);
        long perImage = MicroBatching.activationBytesPerImage(graph, MicroBatching.inputTypes(spec.inputSpecs()));
        MicroBatching auto = MicroBatching.of(null, graph, spec.inputSpecs(), 256, false);

        assertThat(auto.size() * perImage).isLessThanOrEqualTo(ComputeBackend.current().activationBudgetBytes());
        assertThat((auto.size() + 1) * perImage).isGreaterThan(ComputeBackend.current().activationBudgetBytes());
        assertThat(MicroBatching.of(null, graph, spec.inputSpecs(), 4, false).describe(4)).contains("one pass");
        assertThat(MicroBatching.of(2, graph, spec.inputSpecs(), 5, true).describe(5))
                .as("trainable BatchNorm needs whole batches").contains("one pass");
    }
}
