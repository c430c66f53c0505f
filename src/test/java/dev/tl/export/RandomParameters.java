package dev.tl.export;

import dev.tl.model.ModelGraphs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random values for the parameters a fresh graph initialises to constants (biases 0, BatchNorm gamma 1, beta 0,
 * mean 0, variance 1), so that an export which drops or misplaces any of them changes the output. The values must
 * also matter next to the activations, or the comparison proves little: the graph is run vertex by vertex on real
 * images, each BatchNorm gets (perturbed) statistics of the input it actually receives, each bias a size relative to
 * its layer's output, and the classifier logits of unit spread, so the softmax does not saturate. That holds
 * whatever the preprocessing's scale (caffe's inputs reach ±150). Kernels keep their random initialisation.
 */
final class RandomParameters {

    private static final double RELATIVE_SIZE = 0.1;

    private RandomParameters() {
    }

    static void randomise(ComputationGraph graph, INDArray[] inputs, long seed) {
        Nd4j.getRandom().setSeed(seed);
        ComputationGraphConfiguration conf = graph.getConfiguration();
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
        Map<String, INDArray> outputs = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            outputs.put(conf.getNetworkInputs().get(i), inputs[i]);
        }
        for (String name : conf.getTopologicalOrderStr()) {
            if (outputs.containsKey(name)) {
                continue;
            }
            GraphVertex vertex = graph.getVertex(name);
            List<String> vertexInputs = conf.getVertexInputs().get(name);
            for (int i = 0; i < vertexInputs.size(); i++) {
                vertex.setInput(i, outputs.get(vertexInputs.get(i)), workspaces);
            }
            Map<String, INDArray> params = vertex.paramTable(false);
            if (params.containsKey("mean")) {
                batchNormFor(params, outputs.get(vertexInputs.get(0)));
            }
            if (name.equals(ModelGraphs.OUTPUT)) {
                classifierFor(params, outputs.get(vertexInputs.get(0)));
            }
            INDArray output = vertex.doForward(false, workspaces).dup();
            // Sized on the output without it; the layers above are calibrated without it too, which is close enough.
            if (params.containsKey("b") && !name.equals(ModelGraphs.OUTPUT)) {
                params.get("b").assign(random(params.get("b")).muli(RELATIVE_SIZE * output.stdNumber().doubleValue()));
            }
            outputs.put(name, output);
        }
    }

    /**
     * The input's channel means, perturbed, and its mean channel variance times a random factor per channel; gamma
     * (if any) and beta random. Per-channel variances of a few images would whiten away the differences between
     * them, and make the output hundreds of times more sensitive to rounding than a trained network's.
     */
    private static void batchNormFor(Map<String, INDArray> params, INDArray input) {
        INDArray mean = input.mean(0, 1, 2).reshape(params.get("mean").shape());
        double variance = input.var(false, 0, 1, 2).meanNumber().doubleValue() + 1e-3;
        params.get("mean").assign(mean.add(random(mean).muli(RELATIVE_SIZE * Math.sqrt(variance))));
        params.get("var").assign(Nd4j.rand(mean.dataType(), mean.shape()).addi(0.5).muli(variance));
        if (params.containsKey("gamma")) { // Keras' BatchNormalization(scale=False) has none
            params.get("gamma").assign(Nd4j.rand(mean.dataType(), mean.shape()).addi(0.5));
        }
        params.get("beta").assign(random(mean).muli(RELATIVE_SIZE));
    }

    /** A random bias, then weights and bias scaled so the logits on these images spread by one. */
    private static void classifierFor(Map<String, INDArray> params, INDArray features) {
        INDArray weights = params.get("W");
        INDArray bias = params.get("b");
        bias.assign(random(bias).muli(features.mmul(weights).stdNumber().doubleValue()));
        double spread = features.mmul(weights).addRowVector(bias).stdNumber().doubleValue();
        weights.divi(spread);
        bias.divi(spread);
    }

    private static INDArray random(INDArray like) {
        return Nd4j.randn(like.dataType(), like.shape());
    }
}
