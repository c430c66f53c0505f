package dev.tl.features;

import dev.tl.BuildInfo;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Inference;
import dev.tl.engine.Network;
import dev.tl.engine.OnnxModelCache;
import dev.tl.engine.OnnxStore;
import dev.tl.engine.Session;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.progress.Progress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The frozen bases' pooled features of image sets, from the feature cache where possible: what the head trains on
 * in the frozen phase and in the learning-rate range test. Each base runs as its own network on the inference
 * engine; its session stays open for later calls (frozen bases never change) until this is closed.
 */
public final class BaseFeatures implements AutoCloseable {

    private final ModelSpec spec;
    private final List<Optional<Path>> weightFiles;
    private final long seed;
    private final int batchSize;
    private final FeatureStore cache;
    private final EngineChoice engines;
    private final OnnxModelCache models;
    private final Map<Integer, Opened> sessions = new HashMap<>();
    private ComputationGraph source;

    /** A base's session, and a loader assembling batches for it. */
    private record Opened(Session session, BatchLoader loader) {
    }

    /**
     * @param weightFiles per base, the weight file it starts from (part of the cache keys), or empty; an empty list
     *                    when the features are not cached
     * @param seed        what randomly initialised bases start from (part of the cache keys)
     * @param cache       null to always compute
     * @param models      where the bases' ONNX models are kept; null to convert them in memory
     */
    public BaseFeatures(ModelSpec spec, List<Optional<Path>> weightFiles, long seed, int batchSize,
                        FeatureStore cache, EngineChoice engines, OnnxModelCache models) {
        this.spec = spec;
        this.weightFiles = weightFiles;
        this.seed = seed;
        this.batchSize = batchSize;
        this.cache = cache;
        this.engines = engines;
        this.models = models;
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
        if (model != source) {
            close();
            source = model;
        }
        INDArray[] perBase = new INDArray[spec.bases().size()];
        for (int i = 0; i < perBase.length; i++) {
            int base = i;
            Network network = network(model, base);
            AtomicReference<String> decided = new AtomicReference<>();
            Supplier<String> engine = () -> decided.updateAndGet(known -> known != null ? known
                    : engines.engineFor(network));
            try (Progress progress = Progress.start(task(base), images.size(), "img")) {
                FeatureStore.Computation compute = new PassOverChunks(progress, (from, chunk) -> {
                    Opened opened = sessions.computeIfAbsent(base, unused -> open(network));
                    return Nd4j.create(Inference.outputs(progress, opened.session(), opened.loader(), chunk,
                            batchSize, views.from(from)));
                });
                perBase[i] = cache == null ? compute.compute(0, images.images())
                        : cache.features(new FeatureStore.Source(spec.bases().get(i).backboneName(),
                        spec.bases().get(i).inputSpec(), weightFiles.get(i), seed, BuildInfo.version(), views.key(),
                        engine), images.images(), batchSize, compute);
            }
        }
        INDArray matrix = perBase.length == 1 ? perBase[0] : Nd4j.hstack(perBase);
        return new Features(matrix, images.images().stream().mapToInt(LabelledImage::label).toArray());
    }

    @Override
    public void close() {
        sessions.values().forEach(opened -> {
            opened.loader().close();
            opened.session().close();
        });
        sessions.clear();
    }

    private Opened open(Network network) {
        Session session = engines.open(network);
        return new Opened(session, Inference.loaderFor(session));
    }

    /** Base {@code base}'s extractor with {@code model}'s weights, built when an engine needs the graph. */
    private Network network(ComputationGraph model, int base) {
        Supplier<ComputationGraph> extractor = () -> {
            ComputationGraph graph = ModelGraphs.featureExtractor(spec, base, seed);
            Params.copyShared(model, graph);
            return graph;
        };
        if (models == null || weightFiles.isEmpty()) {
            return Network.built(spec.bases().get(base).backboneName() + " features",
                    List.of(spec.bases().get(base).inputSpec()), extractor, OnnxStore.NONE);
        }
        return models.featureExtractor(spec, base, weightFiles.get(base), seed, extractor);
    }

    /**
     * One progress report for a pass the cache computes in chunks: the images of the chunks it read instead, seen as
     * the gap before a computed chunk, leave the pass's total, so the count, rate and ETA are those of the images
     * computed.
     */
    private static final class PassOverChunks implements FeatureStore.Computation {
        private final Progress progress;
        private final FeatureStore.Computation computation;
        private int next;

        PassOverChunks(Progress progress, FeatureStore.Computation computation) {
            this.progress = progress;
            this.computation = computation;
        }

        @Override
        public INDArray compute(int from, List<LabelledImage> chunk) {
            progress.exclude(from - next);
            next = from + chunk.size();
            return computation.compute(from, chunk);
        }
    }

    /** How a base's feature pass shows in progress reports: a fused model names the backbone. */
    private String task(int base) {
        return spec.isFused() ? "features " + spec.bases().get(base).backboneName() : "features";
    }
}
