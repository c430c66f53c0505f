package dev.tl.model;

import dev.tl.zoo.Backbone;
import dev.tl.zoo.weights.KerasWeightLoader;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Puts each base's starting weights (pretrained, a file, or left random) into any graph of a model. */
public final class BaseWeights {

    /**
     * What bases without weights ({@code --weights none}) are initialised from, in every command and run: a fixed
     * random initialisation, like a weight file, so that {@code tl embed}'s features and the bases {@code tl train}
     * starts from agree whatever the run's own seed.
     */
    public static final long RANDOM_INIT_SEED = 42;

    private static final Logger log = LoggerFactory.getLogger(BaseWeights.class);

    private BaseWeights() {
    }

    /** The file per base that {@code choice} means, downloading ImageNet weights that are not cached yet. */
    public static List<Optional<Path>> resolve(ModelSpec spec, WeightsChoice choice, WeightCache cache) {
        return spec.bases().stream().map(base -> choice.resolve(base.backbone(), base.imageSize(), cache)).toList();
    }

    /** Loads the files into the bases of {@code graph} (the full model or its feature extractor). */
    public static void load(ComputationGraph graph, ModelSpec spec, List<Optional<Path>> files) {
        for (int i = 0; i < spec.bases().size(); i++) {
            load(graph, spec, i, files.get(i));
        }
    }

    /** Loads {@code file}, if any, into base {@code base} of {@code graph} (which may hold that base alone). */
    public static void load(ComputationGraph graph, ModelSpec spec, int base, Optional<Path> file) {
        Backbone backbone = spec.bases().get(base).backbone();
        if (file.isPresent()) {
            log.info("loading {} weights from {}", backbone.name(), file.get());
            KerasWeightLoader.load(file.get(), graph, spec.prefix(base), ModelGraphs.baseVertexNames(spec, base),
                    backbone);
        }
    }

    /** Base {@code base}'s feature extractor with its weights: {@code file}'s, or tl's fixed random initialisation. */
    public static ComputationGraph extractor(ModelSpec spec, int base, Optional<Path> file) {
        ComputationGraph graph = ModelGraphs.featureExtractor(spec, base, RANDOM_INIT_SEED);
        load(graph, spec, base, file);
        return graph;
    }
}
