package dev.tl.engine;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random values, of sizes that keep activations in range through deep networks, for the parameters a fresh graph
 * sets to constants: BatchNorm's gamma, beta, mean and variance, and every bias. Kernels keep their random
 * initialisation.
 */
final class RandomStatistics {

    private RandomStatistics() {
    }

    static void randomise(ComputationGraph graph, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (Layer layer : graph.getLayers()) {
            layer.paramTable().forEach((key, values) -> {
                switch (key) {
                    case "gamma" -> values.assign(uniform(values, 0.7, 1.3));
                    case "var" -> values.assign(uniform(values, 0.5, 2));
                    case "beta", "mean", "b" -> values.assign(uniform(values, -0.1, 0.1));
                    default -> {
                    }
                }
            });
        }
    }

    private static INDArray uniform(INDArray like, double from, double to) {
        return Nd4j.rand(like.dataType(), like.shape()).muli(to - from).addi(from);
    }
}
