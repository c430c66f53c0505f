package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.LogCapture;
import dev.tl.SharedFiles;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.NetBuilder;
import dev.tl.zoo.PretrainedWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keras' real MobileNet v1 alpha 0.25 files and real MobileNetV2 values in Keras' layout (../shared/weights) load
 * into tl's graphs with every tensor placed and every parameter filled (the loader refuses a missing or unmatched
 * tensor), and hold exactly as many values as tl counts: the architecture is Keras' to the last channel.
 */
class RealWeightsTest {

    private static final Backbone MOBILENET_025 = Backbones.get("mobilenet_0.25");

    @Test
    void theNoTopFileFillsTheBaseExactly() {
        Path file = SharedFiles.require(SharedFiles.MOBILENET_025_NO_TOP);
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec(MOBILENET_025.name(), 224)), new HeadSpec(0, 0), 2);
        ComputationGraph base = ModelGraphs.featureExtractor(spec, 1);

        KerasWeightLoader.load(file, base, "", ModelGraphs.baseVertexNames(spec, 0), MOBILENET_025);

        assertThat(values(file)).isEqualTo(MOBILENET_025.baseParameterCount()).isEqualTo(base.numParams());
    }

    @Test
    void theWithTopFileFillsTheImageNetClassifierExactly() {
        Path file = SharedFiles.require(SharedFiles.MOBILENET_025_WITH_TOP);
        ModelGraphs.ImageNetGraph classifier = ModelGraphs.imagenetClassifier(MOBILENET_025, 224);

        KerasWeightLoader.load(file, classifier.graph(), "", classifier.vertexNames(), MOBILENET_025);

        assertThat(values(file)).isEqualTo(MOBILENET_025.parameterCountWithTop())
                .isEqualTo(classifier.graph().numParams());
    }

    /**
     * Real MobileNetV2 values in Keras' legacy layout under the names inside Keras' released files (mobl0_conv_0_...)
     * and under today's keras.applications names: both fill every parameter, and give the same network.
     */
    @ParameterizedTest
    @CsvSource({"mobilenetv2, 1.0", "mobilenetv2_0.35, 0.35"})
    void bothNamingsOfTheMobileNetV2FilesLoadCompletelyAndAgree(String name, String alpha) {
        Backbone backbone = Backbones.get(name);
        Path released = SharedFiles.require("weights/mobilenet_v2_" + alpha + "_224_no_top.rebuilt.file-names.h5");
        Path today = SharedFiles.require("weights/mobilenet_v2_" + alpha + "_224_no_top.rebuilt.keras-app-names.h5");
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec(name, 96)), new HeadSpec(0, 0), 2);
        ComputationGraph fromReleased = ModelGraphs.featureExtractor(spec, 1);
        ComputationGraph fromToday = ModelGraphs.featureExtractor(spec, 2);

        List<String> log = new ArrayList<>(LogCapture.infoLinesOf(KerasWeightLoader.class, () -> KerasWeightLoader
                .load(released, fromReleased, "", ModelGraphs.baseVertexNames(spec, 0), backbone)));
        log.addAll(LogCapture.infoLinesOf(KerasWeightLoader.class, () -> KerasWeightLoader
                .load(today, fromToday, "", ModelGraphs.baseVertexNames(spec, 0), backbone)));

        assertThat(log).containsExactly(
                "loaded 260 tensors into 104 layers from " + released
                        + " (Keras 2 layout; 4 by name, 100 by older name; 0 unmatched, 0 missing)",
                "loaded 260 tensors into 104 layers from " + today
                        + " (Keras 2 layout; 104 by name; 0 unmatched, 0 missing)");
        assertThat(values(released)).isEqualTo(values(today)).isEqualTo(backbone.baseParameterCount())
                .isEqualTo(fromReleased.numParams());
        assertThat(fromReleased.params()).isEqualTo(fromToday.params());
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 96, 96, 3).muli(2).subi(1);
        INDArray input = NetBuilder.layout() == CNN2DFormat.NHWC ? images : images.permute(0, 3, 1, 2).dup();
        assertThat(fromReleased.outputSingle(input)).isEqualTo(fromToday.outputSingle(input));
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
