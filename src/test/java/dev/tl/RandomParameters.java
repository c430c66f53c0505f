package dev.tl;

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
 * mean 0, variance 1, LayerNormalization's gamma and beta, a layer scale's 1e-6), so that an export which drops or misplaces any of them changes the output. The values must
 * also matter next to the activations, or the comparison proves little: the graph is run vertex by vertex on real
 * images, each BatchNorm gets (perturbed) statistics of the input it actually receives, each bias a size relative to
 * its layer's output, and the classifier logits of unit spread, so the softmax does not saturate. That holds
 * whatever the preprocessing's scale (caffe's inputs reach ±150). Kernels keep their random initialisation.
 */
public final class RandomParameters {

    private static final double RELATIVE_SIZE = 0.1;

    private RandomParameters() {
    }

    public static void randomise(ComputationGraph graph, INDArray[] inputs, long seed) {
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
            } else if (params.containsKey("gamma")) {
                affineFor(params);
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
     * Statistics of the input it actually receives, as a trained network's are, but over all its channels: the
     * input's mean and mean channel variance, each channel's perturbed (mean by a tenth of the standard deviation,
     * variance by a random factor); gamma (if any) and beta random. Statistics per channel of a few images are not a data
     * set's: they whiten away the differences between these images. Subtracting each channel's mean of two images
     * leaves only their difference (all there is in a 1x1 feature map), in rounding error of the values' own size;
     * through EfficientNetV2-M's 57 blocks that made the features of two fp32 computations of the same graph (DL4J
     * with and without BatchNorm folded) differ by 0.6% of their largest value.
     */
    private static void batchNormFor(Map<String, INDArray> params, INDArray input) {
        INDArray mean = params.get("mean");
        double level = input.meanNumber().doubleValue();
        double variance = input.var(false, 0, 1, 2).meanNumber().doubleValue() + 1e-3;
        mean.assign(random(mean).muli(RELATIVE_SIZE * Math.sqrt(variance)).addi(level));
        params.get("var").assign(Nd4j.rand(mean.dataType(), mean.shape()).addi(0.5).muli(variance));
        if (params.containsKey("gamma")) { // Keras' BatchNormalization(scale=False) has none
            params.get("gamma").assign(Nd4j.rand(mean.dataType(), mean.shape()).addi(0.5));
        }
        params.get("beta").assign(random(mean).muli(RELATIVE_SIZE));
    }

    /** A LayerNormalization's gamma and beta, a layer scale's gamma: around one and zero, like BatchNorm's. */
    private static void affineFor(Map<String, INDArray> params) {
        INDArray gamma = params.get("gamma");
        gamma.assign(Nd4j.rand(gamma.dataType(), gamma.shape()).addi(0.5));
        if (params.containsKey("beta")) {
            params.get("beta").assign(random(params.get("beta")).muli(RELATIVE_SIZE));
        }
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
