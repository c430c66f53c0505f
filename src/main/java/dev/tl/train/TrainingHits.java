package dev.tl.train;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Counts the examples a training step classifies right, for the training accuracy Keras users read first: from
 * the step's own forward pass, as Keras does, so it costs one small product and no second pass. DL4J hands a
 * graph's listeners the activations of every training forward pass but the output layer's, which the loss computes
 * later; the output layer's scores are its input times its weights plus its bias, and their largest is the
 * softmax's largest. (Dropout inside the output layer is not applied to them; the weights are the step's before.)
 */
final class TrainingHits extends BaseTrainingListener {

    private final String outputInput;
    private final INDArray labels;
    private long offset;
    private int hits;

    private TrainingHits(ComputationGraph net, INDArray labels) {
        String output = net.getConfiguration().getNetworkOutputs().get(0);
        this.outputInput = net.getConfiguration().getVertexInputs().get(output).get(0);
        this.labels = labels;
    }

    /**
     * Runs {@code step}, which trains {@code net} on examples whose one-hot labels are {@code labels} (in one
     * forward pass, or in several over consecutive rows), and returns how many of them it classified right.
     */
    static int during(ComputationGraph net, INDArray labels, Runnable step) {
        TrainingHits counter = new TrainingHits(net, labels);
        List<TrainingListener> listeners = net.getListeners() == null ? List.of() : List.copyOf(net.getListeners());
        net.addListeners(counter);
        try {
            step.run();
        } finally {
            net.setListeners(listeners);
        }
        return counter.hits;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
        Layer output = ((ComputationGraph) model).getOutputLayer(0);
        INDArray input = activations.get(outputInput);
        long rows = input.size(0);
        INDArray predicted = input.mmul(output.getParam("W")).addiRowVector(output.getParam("b")).argMax(1);
        INDArray truth = labels.get(NDArrayIndex.interval(offset, offset + rows), NDArrayIndex.all()).argMax(1);
        hits += predicted.eq(truth).castTo(DataType.INT).sumNumber().intValue();
        offset += rows;
    }
}
