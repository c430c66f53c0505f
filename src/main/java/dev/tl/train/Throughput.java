package dev.tl.train;

import dev.tl.data.Batch;
import dev.tl.data.InputSpec;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Network;
import dev.tl.engine.Session;
import dev.tl.model.BatchNormFolding;
import dev.tl.model.FreezePlan;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.NetworkCost;
import dev.tl.model.Unfreeze;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
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
     * Inference images per second on the engine {@code engines} chooses: what the frozen phase's feature pass,
     * evaluate, predict and embed run (on DL4J with BatchNorm folded as they fold it). {@code session} hears which.
     */
    public static Rate inference(ModelSpec spec, int batchSize, int warmup, int timed, EngineChoice engines,
                                 Consumer<Session> session) {
        ComputationGraph graph = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1);
        try (Session opened = engines.open(Network.of(spec.bases().get(0).backboneName(), graph,
                spec.inputSpecs()))) {
            session.accept(opened);
            Batch batch = syntheticBatch(opened.inputs(), batchSize);
            // Activation traffic is counted on the folded graph, the least any engine moves.
            return rate(BatchNormFolding.fold(graph), spec, batchSize, warmup, timed, () -> opened.run(batch));
        }
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

    /** Pixels uniform in [-1, 1), as preprocessed images roughly are, in the layout the session takes. */
    private static Batch syntheticBatch(List<InputSpec> inputs, int batchSize) {
        Random random = new Random(1);
        float[][] pixels = new float[inputs.size()][];
        long[][] shapes = new long[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            shapes[i] = inputs.get(i).batchShape(batchSize);
            pixels[i] = new float[batchSize * 3 * inputs.get(i).imageSize() * inputs.get(i).imageSize()];
            for (int j = 0; j < pixels[i].length; j++) {
                pixels[i][j] = random.nextFloat() * 2 - 1;
            }
        }
        return new Batch(pixels, shapes, new int[batchSize], 0, List.of());
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
