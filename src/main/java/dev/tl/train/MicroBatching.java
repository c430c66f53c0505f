package dev.tl.train;

import dev.tl.data.InputSpec;
import dev.tl.device.ComputeBackend;
import java.util.List;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Computes a training batch as micro-batches whose gradients are summed before the one optimizer step, so only one
 * micro-batch's activations are held at a time. DL4J sums per-example gradients and its updater divides by the batch
 * size, so the step equals that of the whole batch as long as nothing depends on the batch as a whole: true with
 * BatchNorm frozen, not with trainable BatchNorm (batch statistics), which therefore always trains on whole batches.
 */
public final class MicroBatching implements BatchStep {

    private final int size;
    private INDArray gradientSum;

    private MicroBatching(int size) {
        this.size = size;
    }

    /**
     * @param requested the largest micro-batch, or null to size it automatically from the graph's layer outputs;
     *                  ignored with trainable BatchNorm (see {@link TrainOptions})
     */
    public static MicroBatching of(Integer requested, ComputationGraph net, List<InputSpec> inputs, int batchSize,
                                   boolean batchNormTrainable) {
        return of(requested, net, inputTypes(inputs), batchSize, batchNormTrainable);
    }

    /** As {@link #of(Integer, ComputationGraph, List, int, boolean)}, for a graph whose inputs are {@code inputs}. */
    static MicroBatching of(Integer requested, ComputationGraph net, InputType[] inputs, int batchSize,
                            boolean batchNormTrainable) {
        if (batchNormTrainable) {
            return new MicroBatching(batchSize);
        }
        if (requested != null) {
            return new MicroBatching(Math.max(1, Math.min(requested, batchSize)));
        }
        // The backend's budget for one micro-batch's layer outputs: on the CPU 2 GB, so DenseNet201 at 224 px gets at
        // most 9 images and a batch of 32 runs as 4 micro-batches of 8 in about 6 GB.
        long perImage = activationBytesPerImage(net, inputs);
        long budget = ComputeBackend.current().activationBudgetBytes();
        return new MicroBatching((int) Math.max(1, Math.min(batchSize, budget / perImage)));
    }

    /** The shapes of images as {@code inputs} take them. */
    static InputType[] inputTypes(List<InputSpec> inputs) {
        return inputs.stream()
                .map(input -> InputType.convolutional(input.imageSize(), input.imageSize(), 3, input.layout()))
                .toArray(InputType[]::new);
    }

    /** Bytes of all layer outputs of one image, from the shapes DL4J infers for the graph's inputs. */
    static long activationBytesPerImage(ComputationGraph net, InputType[] inputs) {
        long elements = net.getConfiguration().getLayerActivationTypes(inputs).values().stream()
                .mapToLong(InputType::arrayElementsPerExample).sum();
        return elements * net.params().dataType().width();
    }

    /** The largest micro-batch; a batch of n is computed as ceil(n / size) micro-batches of near-equal size. */
    public int size() {
        return size;
    }

    /** What a log line says about how batches of {@code batchSize} are computed. */
    @Override
    public String describe(int batchSize) {
        int parts = parts(batchSize);
        if (parts == 1) {
            return "batches of " + batchSize + " in one pass";
        }
        return "batches of " + batchSize + " as " + parts + " micro-batches of up to " + ceilDiv(batchSize, parts)
                + " (gradients summed, one step per batch)";
    }

    @Override
    public StepResult fit(ComputationGraph net, MultiDataSet batch) {
        int n = (int) batch.getFeatures(0).size(0);
        if (parts(n) == 1) {
            OwnGradientUpdater.of(net);
            int correct = TrainingHits.during(net, batch.getLabels(0), () -> net.fit(batch));
            return new StepResult(net.score(), correct);
        }
        Gradients summed = gradients(net, batch);
        step(net, summed.sum(), n);
        return new StepResult(summed.loss() / n, summed.correct());
    }

    /**
     * A gradient summed over examples, their summed loss, and how many of them the forward passes got right.
     *
     * @param sum this micro-batching's buffer: valid until its next {@link #gradients} call
     */
    record Gradients(INDArray sum, double loss, int correct) {
    }

    /** The gradient of {@code net} over {@code batch}, summed micro-batch by micro-batch; {@code net} is unchanged. */
    Gradients gradients(ComputationGraph net, MultiDataSet batch) {
        int n = (int) batch.getFeatures(0).size(0);
        int parts = parts(n);
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        INDArray gradients = net.getGradientsViewArray();
        double lossSum = 0;
        int correct = 0;
        for (int part = 0; part < parts; part++) {
            long from = (long) n * part / parts;
            long to = (long) n * (part + 1) / parts;
            INDArray[] labels = rows(batch.getLabels(), from, to);
            net.setInputs(rows(batch.getFeatures(), from, to));
            net.setLabels(labels);
            correct += TrainingHits.during(net, labels[0], net::computeGradientAndScore);
            lossSum += net.score() * (to - from);
            if (part == 0) {
                ensureSum(gradients).assign(gradients);
            } else {
                gradientSum.addi(gradients);
            }
            net.clearLayersStates();
        }
        return new Gradients(gradientSum, lossSum, correct);
    }

    /** The optimizer step of {@code net} for {@code sum}, the gradient summed over a batch of {@code n} examples. */
    static void step(ComputationGraph net, INDArray sum, int n) {
        if (net.getGradientsViewArray() == null) {
            net.initGradientsView();
        }
        INDArray gradients = net.getGradientsViewArray();
        gradients.assign(sum);
        // What DL4J's own step does after computing the gradient: the updater (dividing by the whole batch size)
        // turns the gradient into the update in place, which is subtracted from the parameters.
        Gradient gradient = net.gradient() != null ? net.gradient() : viewsOf(net);
        OwnGradientUpdater.of(net).update(gradient, BaseOptimizer.getIterationCount(net),
                BaseOptimizer.getEpochCount(net), n, LayerWorkspaceMgr.noWorkspaces());
        net.params().subi(gradients.reshape(net.params().shape()));
        BaseOptimizer.incrementIterationCount(net, 1);
    }

    /**
     * The gradient of every parameter as a view of the graph's gradient array, named as DL4J's backprop names them
     * (vertex_param): what the updater reads, for a graph whose gradient was computed elsewhere (on replicas).
     */
    private static Gradient viewsOf(ComputationGraph net) {
        Gradient gradient = new DefaultGradient(net.getGradientsViewArray());
        for (Layer layer : net.getLayers()) {
            INDArray view = layer.getGradientsViewArray();
            if (view != null && view.length() > 0) {
                layer.conf().getLayer().initializer().getGradientsFromFlattened(layer.conf(), view).forEach(
                        (param, values) -> gradient.setGradientFor(layer.conf().getLayer().getLayerName() + "_"
                                + param, values));
            }
        }
        return gradient;
    }

    /** Another micro-batching of the same size, with a buffer of its own (for another replica of the model). */
    MicroBatching copy() {
        return new MicroBatching(size);
    }

    private int parts(int n) {
        return ceilDiv(n, size);
    }

    private INDArray ensureSum(INDArray like) {
        if (gradientSum == null || gradientSum.length() != like.length()) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                gradientSum = like.ulike();
            }
        }
        return gradientSum;
    }

    /** Rows from (inclusive) to (exclusive) of every array, as views. */
    static INDArray[] rows(INDArray[] arrays, long from, long to) {
        INDArray[] result = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            INDArrayIndex[] index = new INDArrayIndex[arrays[i].rank()];
            index[0] = NDArrayIndex.interval(from, to);
            for (int d = 1; d < index.length; d++) {
                index[d] = NDArrayIndex.all();
            }
            result[i] = arrays[i].get(index);
        }
        return result;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
