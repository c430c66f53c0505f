package dev.tl.bundle;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model file's graph checked before it runs, since DL4J trusts its configuration: every input a vertex names
 * exists and no path leads in a cycle (DL4J trusts the vertex order the file records, which is dropped and worked out
 * again), and at the model's input sizes every vertex computes an output of a shape the next one takes (a layer whose
 * input size disagrees with what reaches it, or whose kernel or stride is missing, would fail inside a native
 * operation in the middle of a pass). What types cannot tell (a pooling layer told to keep a dimension) a run on one
 * small blank image does.
 */
final class GraphCheck {

    private GraphCheck() {
    }

    /**
     * Fails with what is wrong (an {@link IllegalStateException} or {@link IllegalArgumentException}, as DL4J's own
     * checks do); {@code inputs} are the types of the network's inputs, or empty where the file does not say.
     */
    static void check(ComputationGraphConfiguration configuration, List<InputType> inputs) {
        configuration.validate(false, false);
        configuration.setTopologicalOrder(null);
        configuration.setTopologicalOrderStr(null);
        new ComputationGraph(configuration).topologicalSortOrder();
        if (inputs.isEmpty()) {
            return;
        }
        // on a copy: DL4J sets each layer's input size to what reaches it as it works the types out
        Map<String, InputType> outputs = configuration.clone().getLayerActivationTypes(false,
                inputs.toArray(InputType[]::new));
        for (Map.Entry<String, GraphVertex> vertex : configuration.getVertices().entrySet()) {
            // a layer's input size matters where its parameters are shaped by it (a dropout layer leaves it unset)
            if (vertex.getValue() instanceof LayerVertex layer && layer.numParams(false) > 0
                    && layer.getLayerConf().getLayer() instanceof FeedForwardLayer feedForward) {
                InputType in = outputs.get(configuration.getVertexInputs().get(vertex.getKey()).get(0));
                if (layer.getPreProcessor() != null) {
                    in = layer.getPreProcessor().getOutputType(in);
                }
                long size = in instanceof InputType.InputTypeConvolutional image ? image.getChannels()
                        : in instanceof InputType.InputTypeFeedForward vector ? vector.getSize() : -1;
                if (size >= 0 && feedForward.getNIn() != size) {
                    throw new IllegalStateException("layer " + vertex.getKey() + " takes " + feedForward.getNIn()
                            + " inputs where " + size + " reach it");
                }
            }
        }
    }

    /**
     * Runs {@code graph} on one blank image of each of {@code inputShapes}; fails unless it gives one probability
     * per class. The shapes are small (a backbone's smallest input), so that this costs little whatever the model.
     */
    static void run(ComputationGraph graph, List<long[]> inputShapes, int classes) {
        INDArray[] inputs = inputShapes.stream().map(shape -> Nd4j.zeros(shape)).toArray(INDArray[]::new);
        long[] output = graph.output(false, inputs)[0].shape();
        if (output.length != 2 || output[0] != 1 || output[1] != classes) {
            throw new IllegalStateException("it gives an output of shape " + java.util.Arrays.toString(output)
                    + " for one image, not " + classes + " class probabilities");
        }
    }
}
