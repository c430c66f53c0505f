package dev.tl.train;

import dev.tl.model.BatchNormFolding;
import dev.tl.model.FreezePlan;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.NetworkCost;
import dev.tl.model.Unfreeze;
import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a model's speed on synthetic batches. Each figure is the median over timed batches after warm-up batches
 * (workspaces size themselves first).
 */
public final class Throughput {

    /**
     * A pass's median images per second, what its first batch took (the warm-up: JIT, workspace sizing, oneDNN
     * primitives) and the graph's cost per image, to relate the rate to the machine's limits.
     */
    public record Rate(double imagesPerSecond, double firstBatchSeconds, NetworkCost cost) {
    }

    private static final Logger log = LoggerFactory.getLogger(Throughput.class);

    private Throughput() {
    }

    /**
     * Inference images per second (what the frozen phase's feature pass, evaluate and predict do, with BatchNorm
     * folded as they fold it).
     */
    public static Rate inference(ModelSpec spec, int batchSize, int warmup, int timed) {
        INDArray[] inputs = syntheticInputs(spec, batchSize);
        ComputationGraph graph = BatchNormFolding.fold(ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1));
        return rate(graph, spec, batchSize, warmup, timed, () -> graph.output(false, inputs));
    }

    /**
     * Fine-tune training images per second: forward, backward and Adam update, whole base unfrozen, BN frozen,
     * each batch computed as the fine-tune phase does (see {@link MicroBatching}).
     *
     * @param microBatchSize null for automatic sizing
     */
    public static Rate training(ModelSpec spec, int batchSize, Integer microBatchSize, int warmup, int timed) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batchSize, spec.numClasses());
        for (int i = 0; i < batchSize; i++) {
            labels.putScalar(i, i % spec.numClasses(), 1f);
        }
        ComputationGraph graph = ModelGraphs.fineTuning(spec, FreezePlan.fineTune(spec, Unfreeze.ALL, false),
                layer -> new Adam(1e-4), 1, null);
        MultiDataSet batch = new MultiDataSet(syntheticInputs(spec, batchSize), new INDArray[] {labels});
        MicroBatching microBatching = MicroBatching.of(microBatchSize, graph, spec.inputSpecs(), batchSize, false);
        log.info("training step: {}", microBatching.describe(batchSize));
        return rate(graph, spec, batchSize, warmup, timed, () -> microBatching.fit(graph, batch));
    }

    private static INDArray[] syntheticInputs(ModelSpec spec, int batchSize) {
        return spec.inputSpecs().stream()
                .map(input -> Nd4j.rand(DataType.FLOAT, input.batchShape(batchSize)).muli(2).subi(1))
                .toArray(INDArray[]::new);
    }

    private static Rate rate(ComputationGraph graph, ModelSpec spec, int batchSize, int warmup, int timed,
                             Runnable step) {
        double first = 0;
        double[] rates = new double[timed];
        for (int i = 0; i < warmup + timed; i++) {
            long start = System.nanoTime();
            step.run();
            double seconds = (System.nanoTime() - start) / 1e9;
            first = i == 0 ? seconds : first;
            if (i >= warmup) {
                rates[i - warmup] = batchSize / seconds;
            }
        }
        Arrays.sort(rates);
        double median = timed % 2 == 1 ? rates[timed / 2] : (rates[timed / 2 - 1] + rates[timed / 2]) / 2;
        return new Rate(median, first, NetworkCost.of(graph, spec.inputSpecs()));
    }
}
