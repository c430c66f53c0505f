package dev.tl.spark;

import dev.tl.data.Framing;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Precision;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What an executor builds the feature extractor from, as the job ships it: the bases with the names of their weight
 * files (added to the job; none: tl's fixed random initialisation) and the precision. Each executor JVM builds it once and
 * shares it between its tasks; a graph is not safe to run from several threads, so tasks take turns at it and
 * decode their images meanwhile.
 */
record Extractor(List<Base> bases, Precision precision) implements Serializable {

    private static final Map<Extractor, ComputationGraph> BUILT = new ConcurrentHashMap<>();

    /**
     * @param framing    how images are framed before resizing, as {@link Framing#id()} names it
     * @param weightFile the file's name among the job's files, or null for a random initialisation
     */
    record Base(String backbone, int imageSize, String framing, String weightFile) implements Serializable {
    }

    ModelSpec spec() {
        return new ModelSpec(bases.stream().map(base -> new BaseSpec(base.backbone(), base.imageSize(),
                        Framing.of(base.framing()))).toList(),
                new HeadSpec(0, 0), 1);
    }

    /** This executor's graph, built on first use. */
    ComputationGraph graph() {
        return BUILT.computeIfAbsent(this, key -> {
            ComputationGraph graph = ModelGraphs.featureExtractor(spec(), BaseWeights.RANDOM_INIT_SEED);
            BaseWeights.load(graph, spec(), bases.stream()
                    .map(base -> Optional.ofNullable(base.weightFile()).map(file -> Path.of(SparkFiles.get(file))))
                    .toList());
            return precision.apply(graph);
        });
    }
}
