package dev.tl.train;

import dev.tl.BuildInfo;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabeledImage;
import dev.tl.model.BatchNormFolding;
import dev.tl.model.Features;
import dev.tl.model.Inference;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.progress.Progress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The frozen bases' pooled features of image sets, from the feature cache where possible: what the head trains on
 * in the frozen phase and in the learning-rate range test.
 */
public final class BaseFeatures {

    private final ModelSpec spec;
    private final List<Optional<Path>> weightFiles;
    private final long seed;
    private final int batchSize;
    private final FeatureStore cache;
    /**
     * Per base, the extractor built from {@code source}'s weights with BatchNorm folded (see {@link BatchNormFolding}),
     * reused by later calls (frozen bases never change).
     */
    private final Map<Integer, ComputationGraph> extractors = new HashMap<>();
    private ComputationGraph source;

    /**
     * @param weightFiles per base, the weight file it starts from (part of the cache key), or empty
     * @param cache       null to always compute
     */
    public BaseFeatures(ModelSpec spec, List<Optional<Path>> weightFiles, long seed, int batchSize,
                        FeatureStore cache) {
        this.spec = spec;
        this.weightFiles = weightFiles;
        this.seed = seed;
        this.batchSize = batchSize;
        this.cache = cache;
    }

    /** Pooled features of the plain images. */
    public Features of(ComputationGraph model, ImageSet images) {
        return of(model, images, ImageViews.PLAIN);
    }

    /**
     * Pooled features of every base, concatenated in base order.
     *
     * @param model a graph of the model whose bases hold their starting weights
     * @param views which views of each image (plain, or one augmented view); part of the cache key
     */
    public Features of(ComputationGraph model, ImageSet images, ImageViews views) {
        INDArray[] perBase = new INDArray[spec.bases().size()];
        for (int i = 0; i < perBase.length; i++) {
            int base = i;
            try (BatchLoader loader = new BatchLoader(List.of(spec.bases().get(base).inputSpec()), 0);
                 Progress progress = Progress.start(task(base), images.size(), "img")) {
                FeatureCache.Computation compute = new PassOverChunks(progress, (from, chunk) ->
                        Inference.outputs(progress, extractor(model, base), loader, chunk, batchSize,
                                views.from(from)));
                perBase[i] = cache == null ? compute.compute(0, images.images())
                        : cache.features(new FeatureCache.Source(spec.bases().get(i).backboneName(),
                        spec.bases().get(i).inputSpec(), weightFiles.get(i), seed, BuildInfo.version(), views.key()),
                        images.images(), batchSize, compute);
            }
        }
        INDArray matrix = perBase.length == 1 ? perBase[0] : Nd4j.hstack(perBase);
        return new Features(matrix, images.images().stream().mapToInt(LabeledImage::label).toArray());
    }

    /**
     * One progress report for a pass the cache computes in chunks: the images of the chunks it read instead, seen as
     * the gap before a computed chunk, leave the pass's total, so the count, rate and ETA are those of the images
     * computed.
     */
    private static final class PassOverChunks implements FeatureCache.Computation {
        private final Progress progress;
        private final FeatureCache.Computation computation;
        private int next;

        PassOverChunks(Progress progress, FeatureCache.Computation computation) {
            this.progress = progress;
            this.computation = computation;
        }

        @Override
        public INDArray compute(int from, List<LabeledImage> chunk) {
            progress.exclude(from - next);
            next = from + chunk.size();
            return computation.compute(from, chunk);
        }
    }

    /** How a base's feature pass shows in progress reports: a fused model names the backbone. */
    private String task(int base) {
        return spec.isFused() ? "features " + spec.bases().get(base).backboneName() : "features";
    }

    private ComputationGraph extractor(ComputationGraph model, int base) {
        if (model != source) {
            extractors.clear();
            source = model;
        }
        return extractors.computeIfAbsent(base, i -> {
            ComputationGraph extractor = ModelGraphs.featureExtractor(spec, i, seed);
            Params.copyShared(model, extractor);
            return BatchNormFolding.fold(extractor);
        });
    }
}
