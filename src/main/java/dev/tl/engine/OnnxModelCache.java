package dev.tl.engine;

import dev.tl.AtomicFiles;
import dev.tl.BuildInfo;
import dev.tl.Digests;
import dev.tl.TlHome;
import dev.tl.model.BaseSpec;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backbones' feature extractors converted to ONNX, kept in {@code $TL_HOME/onnx} so that a pass on ONNX Runtime
 * (tl embed, the frozen phase's feature pass) need not build and convert the DL4J graph. Keyed as the feature cache
 * is, on what the graph depends on: backbone, image size, the weights' checksum (or the seed of tl's fixed random
 * initialisation) and tl's version; preprocessing, framing and layout happen outside the model. Files are written
 * aside and renamed into place; one that ONNX Runtime rejects is converted and written again.
 */
public final class OnnxModelCache {

    private static final Logger log = LoggerFactory.getLogger(OnnxModelCache.class);

    /** A model is named by its key's SHA-256. */
    private static final String MODEL = "[0-9a-f]{64}\\.onnx";

    private final Path directory;

    public OnnxModelCache(Path directory) {
        this.directory = directory;
    }

    /** {@code $TL_HOME/onnx}. */
    public static OnnxModelCache standard() {
        return new OnnxModelCache(TlHome.directory().resolve("onnx"));
    }

    public Path directory() {
        return directory;
    }

    /** The models tl converted and killed writers' temporary files (anything else there is not the cache's). */
    public List<Path> ownFiles() throws IOException {
        return AtomicFiles.filesNamed(directory, MODEL);
    }

    /**
     * The pooled-feature extractor of base {@code base} of {@code spec} with {@code weights} (or the random
     * initialisation from {@code seed}), built by {@code graph} when an engine needs it and kept here as ONNX.
     */
    public Network featureExtractor(ModelSpec spec, int base, Optional<Path> weights, long seed,
                                    Supplier<ComputationGraph> graph) {
        BaseSpec baseSpec = spec.bases().get(base);
        return Network.built(baseSpec.backboneName() + " features", List.of(baseSpec.inputSpec()), graph,
                store(baseSpec, weights, seed));
    }

    /** Where the extractor of {@code base} with {@code weights} (or the random initialisation from {@code seed}) is kept. */
    public OnnxStore store(BaseSpec base, Optional<Path> weights, long seed) {
        return new Entry(base, weights, seed);
    }

    private final class Entry implements OnnxStore {
        private final BaseSpec base;
        private final Optional<Path> weights;
        private final long seed;
        private Path file;

        Entry(BaseSpec base, Optional<Path> weights, long seed) {
            this.base = base;
            this.weights = weights;
            this.seed = seed;
        }

        /** The key needs the weights' checksum: computed once, when first asked. */
        private Path file() {
            if (file == null) {
                file = directory.resolve(Digests.sha256(List.of("tl-onnx-v1", BuildInfo.version(), base.backboneName(),
                        Integer.toString(base.imageSize()),
                        weights.map(WeightCache::md5).orElse("random-init:" + seed))) + ".onnx");
            }
            return file;
        }

        @Override
        public boolean holdsModel() {
            return Files.isRegularFile(file());
        }

        @Override
        public Optional<byte[]> load() {
            if (!Files.isRegularFile(file())) {
                return Optional.empty();
            }
            try {
                return Optional.of(Files.readAllBytes(file()));
            } catch (IOException e) {
                log.debug("cannot read {}: {}", file(), e.getMessage());
                return Optional.empty();
            }
        }

        @Override
        public void keep(byte[] model) {
            try {
                Files.createDirectories(directory);
                AtomicFiles.write(file(), out -> out.write(model));
                log.debug("kept the ONNX model of {} at {} px in {}", base.backboneName(), base.imageSize(), file());
            } catch (IOException e) {
                log.warn("could not keep the ONNX model of {} in {} ({}); it will be converted again next time",
                        base.backboneName(), directory, e.getMessage());
            }
        }
    }
}
