package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.SharedFiles;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.PretrainedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

/**
 * Keras' real MobileNet v1 alpha 0.25 files (../shared/weights) load into tl's mobilenet_0.25 graphs with every
 * tensor placed and every parameter filled (the loader refuses a missing or unmatched tensor), and hold exactly as
 * many values as tl counts: the architecture is Keras' to the last channel.
 */
class RealWeightsTest {

    private static final Backbone MOBILENET_025 = Backbones.get("mobilenet_0.25");

    @Test
    void theNoTopFileFillsTheBaseExactly() {
        Path file = SharedFiles.require(SharedFiles.MOBILENET_025_NO_TOP);
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec(MOBILENET_025.name(), 224)), new HeadSpec(0, 0), 2);
        ComputationGraph base = ModelGraphs.featureExtractor(spec, 1);

        KerasWeightLoader.load(file, base, "", ModelGraphs.baseVertexNames(spec, 0), MOBILENET_025.preprocessing());

        assertThat(values(file)).isEqualTo(MOBILENET_025.baseParameterCount()).isEqualTo(base.numParams());
    }

    @Test
    void theWithTopFileFillsTheImageNetClassifierExactly() {
        Path file = SharedFiles.require(SharedFiles.MOBILENET_025_WITH_TOP);
        ModelGraphs.ImageNetGraph classifier = ModelGraphs.imagenetClassifier(MOBILENET_025, 224);

        KerasWeightLoader.load(file, classifier.graph(), "", classifier.vertexNames(), MOBILENET_025.preprocessing());

        assertThat(values(file)).isEqualTo(MOBILENET_025.parameterCountWithTop())
                .isEqualTo(classifier.graph().numParams());
    }

    /** The SHA-256 table is declared per file: the no-top and with-top hashes are the real files', not swapped. */
    @Test
    void theDeclaredHashesAreThoseOfKerasFiles() {
        PretrainedWeights.Files declared = MOBILENET_025.weights().forSize(224);

        assertThat(declared.noTop().fileName()).isEqualTo(SharedFiles.MOBILENET_025_NO_TOP.getFileName().toString());
        assertThat(declared.withTop().fileName()).isEqualTo(SharedFiles.MOBILENET_025_WITH_TOP.getFileName().toString());
        assertThat(sha256(SharedFiles.require(SharedFiles.MOBILENET_025_NO_TOP))).isEqualTo(declared.noTop().hash());
        assertThat(sha256(SharedFiles.require(SharedFiles.MOBILENET_025_WITH_TOP))).isEqualTo(declared.withTop().hash());
    }

    private static long values(Path file) {
        return KerasWeightsFile.read(file).layers().values().stream().flatMap(layer -> layer.values().stream())
                .mapToLong(tensor -> tensor.values().length).sum();
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
