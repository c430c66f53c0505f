package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Unfreeze;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * {@code --workers}: a batch split over several replicas (here all on the CPU, the one device this machine has;
 * on a GPU machine each on its own device) makes the step of the whole batch on one device, micro-batches included.
 * With plain SGD the step is the summed gradient itself, so the weights agree to float rounding; Adam's steps divide
 * by the gradient's own magnitude, which turns rounding in near-zero gradients into visible differences (and those
 * into different gradients at the next step), so there the moments of one step are compared (they are linear and
 * quadratic in the gradient), and the step count: one per batch, not per shard or micro-batch.
 */
class DataParallelTest {

    private static final double LR = 1e-3;
    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenetv2", 32)),
            new HeadSpec(0, 0), 2);

    /** As the fine-tune phase trains it: its replicas must fold BatchNorm as the model does. */
    private static ComputationGraph fineTuneGraph(IUpdater updater) {
        return ModelGraphs.fineTuning(SPEC, FreezePlan.fineTune(SPEC, Unfreeze.ALL, false), layer -> updater, 11,
                null);
    }

    /** Steps on the same batch of seven real images. */
    private static ComputationGraph steps(int count, IUpdater updater, int workers, Integer microBatchSize) {
        ImageSet train = TestData.subset(TestData.TRAIN, 4);
        ComputationGraph graph = fineTuneGraph(updater);
        MicroBatching microBatching = MicroBatching.of(microBatchSize, graph, SPEC.inputSpecs(), 7, false);
        try (BatchLoader loader = new BatchLoader(SPEC.inputSpecs(), 2);
             DataParallel devices = workers > 1 ? new DataParallel(graph, workers, microBatching) : null) {
            MultiDataSet data = MicroBatchingTest.grainy(loader.batches(train.images().subList(0, 7), 7,
                    ImageViews.PLAIN).next());
            BatchStep step = devices != null ? devices : microBatching;
            for (int i = 0; i < count; i++) {
                step.fit(graph, data);
            }
        }
        return graph;
    }

    @Test
    void shardsOnSeveralReplicasMakeTheWholeBatchsStep() {
        INDArray initial = fineTuneGraph(new Sgd(LR)).params().dup();
        INDArray one = steps(3, new Sgd(LR), 1, null).params();
        INDArray three = steps(3, new Sgd(LR), 3, 2).params(); // shards of 2, 2, 3; the last as micro-batches

        double moved = one.sub(initial).amaxNumber().doubleValue();
        assertThat(moved).as("the steps move the weights").isGreaterThan(1e-4);
        assertThat(three.sub(one).amaxNumber().doubleValue()).isLessThan(moved * 1e-4);
    }

    @Test
    void adamSeesTheWholeBatchsGradientOncePerBatch() {
        ComputationGraph one = steps(1, new Adam(LR), 1, null);
        ComputationGraph two = steps(1, new Adam(LR), 2, 2);
        assertThat(two.getIterationCount()).isEqualTo(one.getIterationCount()).isEqualTo(1);
        INDArray moments = one.getUpdater().getStateViewArray();
        assertThat(two.getUpdater().getStateViewArray().sub(moments).amaxNumber().doubleValue())
                .isLessThan(moments.amaxNumber().doubleValue() * 1e-4);
    }
}
