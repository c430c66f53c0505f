package dev.tl.train;

import dev.tl.data.ImageSet;
import dev.tl.model.BaseWeights;
import dev.tl.model.Features;
import dev.tl.model.FreezePlan;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learning-rate range test on the frozen phase's head: the bases' pooled features are computed once (or read
 * from the feature cache, as in training), then the head trains one mini-batch per step under a rising learning
 * rate, passing over the shuffled features as often as the steps need.
 */
public final class LearningRateFinder {

    private static final Logger log = LoggerFactory.getLogger(LearningRateFinder.class);

    private LearningRateFinder() {
    }

    /** Runs {@code test} to its end; {@code cache} may be null. */
    public static RangeTest run(ModelSpec spec, ImageSet images, List<Optional<Path>> weightFiles, RangeTest test,
                                int batchSize, long seed, FeatureCache cache) {
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph model = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), seed);
        BaseWeights.load(model, spec, weightFiles);
        log.info("features of {} images for the range test", images.size());
        Features features = new BaseFeatures(spec, weightFiles, seed, batchSize, cache).of(model, images);

        ComputationGraph head = ModelGraphs.head(spec, new Adam(test.startLr()), seed, null);
        Params.copyShared(model, head);
        LearningRateScaler scaler = new LearningRateScaler(head);
        Iterator<int[]> batches = Collections.emptyIterator();
        int pass = 0;
        boolean going = true;
        for (int step = 0; going; step++) {
            if (!batches.hasNext()) {
                batches = FeatureBatches.shuffled(features.size(), batchSize, seed * 1_000_003L + ++pass).iterator();
            }
            INDArray[] xy = features.batch(batches.next(), spec.numClasses());
            scaler.scale(test.learningRate(step) / test.startLr());
            head.fit(new MultiDataSet(xy[0], xy[1]));
            going = test.record(head.score());
        }
        if (test.diverged()) {
            log.info("stopped after {} of {} steps: the smoothed loss exceeded {} times its best",
                    test.points().size(), test.steps(), RangeTest.DIVERGENCE);
        }
        return test;
    }
}
