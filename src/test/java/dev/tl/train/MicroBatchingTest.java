package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.device.ComputeBackend;
import dev.tl.model.BaseSpec;
import dev.tl.model.BatchNormFolding;
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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * A batch computed as micro-batches makes the same step as the whole batch (BatchNorm frozen), on real images and a
 * real backbone as the fine-tune phase trains it (frozen BatchNorm folded into the convolutions): with plain SGD the
 * step is the summed gradient itself, so the two agree to rounding; with Adam the step counter its bias correction
 * reads advances once per batch, not per micro-batch.
 */
class MicroBatchingTest {

    private static final long SEED = 11;
    private static final double LR = 1e-3;
    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenetv2", 32)),
            new HeadSpec(0, 0), 2);

    /** The graph as the fine-tune phase trains it (frozen BatchNorm folded into the convolutions). */
    private static ComputationGraph fineTuneGraph(IUpdater updater) {
        return ModelGraphs.fineTuning(SPEC, FreezePlan.fineTune(SPEC, Unfreeze.ALL, false), layer -> updater, SEED,
                null);
    }

    /** {@code graph} converted to double, folding BatchNorm as it did (the conversion is a copy). */
    private static ComputationGraph inDouble(ComputationGraph graph) {
        return BatchNormFolding.link(graph.convertDataType(DataType.DOUBLE));
    }

    /** Two steps on the same batch of six real images; returns the graph after them. */
    private static ComputationGraph twoSteps(IUpdater updater, Integer microBatchSize) {
        return twoSteps(fineTuneGraph(updater), microBatchSize);
    }

    private static ComputationGraph twoSteps(ComputationGraph graph, Integer microBatchSize) {
        ImageSet train = TestData.subset(TestData.TRAIN, 3);
        MicroBatching microBatching = MicroBatching.of(microBatchSize, graph, SPEC.inputSpecs(), train.size(), false);
        try (BatchLoader loader = new BatchLoader(SPEC.inputSpecs(), 2)) {
            MultiDataSet data = grainy(loader.batches(train.images(), train.size(), ImageViews.PLAIN).next());
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

    /**
     * The batch with a little seeded noise. The sample images are flat stripes, so whole regions of a layer's input
     * hold one value, and where that value sits on a kink of ReLU6 any change in float rounding (another micro-batch
     * size, BatchNorm folded into the convolution) flips the derivative of the whole region at once (4% of a step
     * measured); photos have no such regions.
     */
    static MultiDataSet grainy(Batch batch) {
        Nd4j.getRandom().setSeed(7);
        INDArray[] inputs = batch.inputs().clone();
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = inputs[i].add(Nd4j.rand(inputs[i].dataType(), inputs[i].shape()).muli(0.02));
        }
        return new MultiDataSet(inputs, new INDArray[] {batch.labels()});
    }

    /** In double, for the reason {@link #foldedBatchNormTakesTheUnfoldedSteps} gives: micro-batches round otherwise. */
    @Test
    void microBatchesMakeTheSameStepAsTheWholeBatch() {
        INDArray initial = fineTuneGraph(new Sgd(LR)).params().castTo(DataType.DOUBLE);
        INDArray whole = twoSteps(inDouble(fineTuneGraph(new Sgd(LR))), null).params();
        INDArray micro = twoSteps(inDouble(fineTuneGraph(new Sgd(LR))), 2).params();

        double step = whole.sub(initial).amaxNumber().doubleValue();
        assertThat(step).as("the steps move the weights").isGreaterThan(1e-4);
        assertThat(whole.sub(micro).amaxNumber().doubleValue()).isLessThan(step * 1e-4);
    }

    /**
     * Frozen BatchNorm folded into the convolutions takes the unfolded graph's steps: MobileNetV2's ReLU6 after folded
     * 1x1 and depthwise convolutions, and its linear bottlenecks (a folded BatchNorm with no activation) before the
     * residual additions. In double: folding changes the order of float operations, and in float a pre-activation
     * that cancels to within rounding of ReLU6's kink (one in 13,824 at block 12, measured) flips its derivative,
     * which moves a step by up to 10% on these few images.
     */
    @Test
    void foldedBatchNormTakesTheUnfoldedSteps() {
        FreezePlan plan = FreezePlan.fineTune(SPEC, Unfreeze.ALL, false);
        ComputationGraph unfolded = ModelGraphs.full(SPEC, plan, new Sgd(LR), SEED)
                .convertDataType(DataType.DOUBLE);
        ComputationGraph folded = inDouble(fineTuneGraph(new Sgd(LR)));
        folded.setParams(unfolded.params());
        INDArray initial = unfolded.params().dup();

        INDArray unfoldedSteps = twoSteps(unfolded, null).params();
        INDArray foldedSteps = twoSteps(folded, null).params();
        double step = unfoldedSteps.sub(initial).amaxNumber().doubleValue();
        assertThat(step).as("the steps move the weights").isGreaterThan(1e-4);
        assertThat(foldedSteps.sub(unfoldedSteps).amaxNumber().doubleValue()).isLessThan(step * 1e-6);
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
