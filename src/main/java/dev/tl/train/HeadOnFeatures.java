package dev.tl.train;

import dev.tl.eval.Metrics;
import dev.tl.features.Features;
import java.util.Iterator;
import java.util.function.IntFunction;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * The head training on pooled base features (the frozen phase, and the range test): each epoch's features (the
 * same cached ones, one of K augmented copies, or freshly computed augmented ones) in a seeded order.
 */
record HeadOnFeatures(Phase phase, ComputationGraph graph, int epochs, double baseLearningRate, int images,
                      IntFunction<Features> featuresOfEpoch, Features validation, int batchSize, int numClasses,
                      EpochSeeds seeds) implements PhaseRun {

    @Override
    public int batchesPerEpoch() {
        return ShuffledBatches.count(images, batchSize);
    }

    @Override
    public Iterator<MultiDataSet> batches(int epoch) {
        Features features = featuresOfEpoch.apply(epoch);
        return ShuffledBatches.shuffled(features.size(), batchSize, seeds.shuffle(epoch)).stream().map(rows -> {
            INDArray[] xy = features.batch(rows, numClasses);
            return new MultiDataSet(xy[0], xy[1]);
        }).iterator();
    }

    @Override
    public StepResult fit(MultiDataSet batch) {
        OwnGradientUpdater.of(graph);
        int correct = TrainingHits.during(graph, batch.getLabels(0), () -> graph.fit(batch));
        return new StepResult(graph.score(), correct);
    }

    @Override
    public Metrics.Score validate() {
        return validation == null ? null
                : Metrics.score(graph.output(false, validation.matrix())[0], validation.labels());
    }
}
