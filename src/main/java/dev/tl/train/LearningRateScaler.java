package dev.tl.train;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Scales, in place, the learning rates a graph's layers were built with. It changes the settings each of DL4J's
 * updater blocks reads at every step; DL4J's own {@code setLearningRate} instead rebuilds the whole updater, state
 * arrays included, on every call (too slow per mini-batch) and gives every layer the same rate.
 */
public final class LearningRateScaler {

    private final List<IUpdater> updaters = new ArrayList<>();
    private final List<Double> baseRates = new ArrayList<>();

    public LearningRateScaler(ComputationGraph graph) {
        for (UpdaterBlock block : OwnGradientUpdater.of(graph).getUpdaterBlocks()) {
            IUpdater updater = block.getGradientUpdater().getConfig();
            if (updater.hasLearningRate()) {
                updaters.add(updater);
                baseRates.add(updater.getLearningRate(0, 0));
            }
        }
    }

    /** Every layer now learns at {@code factor} times the rate it was built with. */
    public void scale(double factor) {
        for (int i = 0; i < updaters.size(); i++) {
            updaters.get(i).setLrAndSchedule(baseRates.get(i) * factor, null);
        }
    }
}
