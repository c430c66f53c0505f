package dev.tl.train;

import dev.tl.data.ImageSet;
import dev.tl.engine.EngineChoice;
import dev.tl.features.BaseFeatures;
import dev.tl.features.FeatureCache;
import dev.tl.features.Features;
import dev.tl.model.BaseWeights;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.train.listener.RangeTestListener;
import dev.tl.train.listener.StepProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learning-rate range test on the frozen phase's head: the bases' pooled features are computed once (or read
 * from the feature cache, as in training), then the head trains through the same epoch loop as in training, over
 * the shuffled features as often as the steps need, while a {@link RangeTestListener} raises the learning rate
 * every mini-batch and stops the loop.
 */
public final class LearningRateFinder {

    private static final Logger log = LoggerFactory.getLogger(LearningRateFinder.class);

    private LearningRateFinder() {
    }

    /** Runs {@code test} to its end, the features computed on {@code engines}; {@code cache} may be null. */
    public static RangeTest run(ModelSpec spec, ImageSet images, List<Optional<Path>> weightFiles, RangeTest test,
                                int batchSize, long seed, FeatureCache cache, EngineChoice engines) {
        Nd4j.getRandom().setSeed(seed);
        ComputationGraph model = ModelGraphs.initial(spec, seed, BaseWeights.RANDOM_INIT_SEED);
        BaseWeights.load(model, spec, weightFiles);
        log.info("features of {} images for the range test", images.size());
        Features features;
        try (BaseFeatures bases = new BaseFeatures(spec, weightFiles, BaseWeights.RANDOM_INIT_SEED, batchSize, cache,
                engines, cache == null ? null : cache.onnxModels())) {
            features = bases.of(model, images);
        }

        ComputationGraph head = ModelGraphs.head(spec, new Adam(test.startLr()), seed, null);
        Params.copyShared(model, head);
        EpochSeeds seeds = new EpochSeeds(seed);
        List<TrainingListener> listeners = List.of(new RangeTestListener(test),
                new StepProgress("lr-find", test.steps()));
        new EpochLoop(listeners, seeds).run(new HeadOnFeatures(Phase.FROZEN, head, Integer.MAX_VALUE,
                test.startLr(), features.size(), epoch -> features, null, batchSize, spec.numClasses(), seeds), 1,
                new RunState(), 0);
        if (test.diverged()) {
            log.info("stopped after {} of {} steps: the smoothed loss exceeded {} times its best",
                    test.points().size(), test.steps(), RangeTest.DIVERGENCE);
        }
        return test;
    }
}
