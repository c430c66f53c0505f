package dev.tl.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.CraftedFiles;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.NoOp;

/** A bundle crafted to crash tl or flood its memory is refused, naming the file, before anything is allocated. */
class CraftedBundleTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet_0.25", 32)),
            new HeadSpec(0, 0), 2);
    private static ComputationGraph graph;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        graph = ModelGraphs.full(SPEC, FreezePlan.INFERENCE, new NoOp(), 1);
    }

    private Path bundle() {
        Path bundle = dir.resolve("model");
        ModelBundle.save(bundle, graph, new BundleMetadata(BundleMetadata.FORMAT_VERSION, "tl test", "now",
                ModelBundle.MODEL_FILE, BundleMetadata.inputsOf(SPEC), List.of("a", "b"), new BundleMetadata.Head(0, 0),
                null, List.of(), null), Map.of(), false);
        return bundle;
    }

    @Test
    void coefficientsDeclaringMoreValuesThanTheFileHoldsAreRefusedBeforeAllocating() throws Exception {
        // 4e12 floats crashed the JVM in libc, 4e8 (1.6 GB) took 1.76 GB of memory for a 115 KB file
        for (long declared : new long[] {4_000_000_000_000L, 400_000_000L}) {
            Path bundle = bundle();
            Path model = bundle.resolve(ModelBundle.MODEL_FILE);
            CraftedFiles.rewriteEntry(model, "coefficients.bin", bytes -> CraftedFiles.declareLength(bytes, 0, declared));
            long before = Pointer.physicalBytes();
            assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                    .hasMessageContaining(model.toString()).hasMessageContaining("coefficients.bin");
            assertThat(Pointer.physicalBytes() - before).as("memory taken").isLessThan(100L << 20);
        }
    }

    static Stream<Arguments> badFields() {
        return Stream.of(
                Arguments.of("inputs[0].preprocessing", (Consumer<ObjectNode>) m -> input(m).put("preprocessing", "bogus")),
                Arguments.of("inputs[0].layout", (Consumer<ObjectNode>) m -> input(m).put("layout",
                        input(m).get("layout").asText().equals("NHWC") ? "NCHW" : "NHWC")),
                Arguments.of("inputs[0].framing", (Consumer<ObjectNode>) m -> input(m).put("framing", "crop:-5")),
                Arguments.of("inputs[0].framing", (Consumer<ObjectNode>) m -> input(m).put("framing", "crop:NaN")),
                Arguments.of("inputs[0].image_size", (Consumer<ObjectNode>) m -> input(m).put("image_size", -32)),
                Arguments.of("classes[0]", (Consumer<ObjectNode>) m -> ((ArrayNode) m.get("classes")).set(0,
                        NullNode.getInstance())),
                Arguments.of("classes[1]", (Consumer<ObjectNode>) m -> ((ArrayNode) m.get("classes")).set(1, "a")),
                Arguments.of("head.dropout", (Consumer<ObjectNode>) m -> ((ObjectNode) m.get("head")).put("dropout",
                        Double.NaN)),
                Arguments.of("head", (Consumer<ObjectNode>) m -> m.remove("head")),
                Arguments.of("format_version", (Consumer<ObjectNode>) m -> m.put("format_version", "one")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFields")
    void everyFieldOfTheMetadataIsCheckedWhenRead(String field, Consumer<ObjectNode> change) throws Exception {
        Path bundle = bundle();
        Path file = bundle.resolve(ModelBundle.METADATA_FILE);
        ObjectNode metadata = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        change.accept(metadata);
        Files.writeString(file, Json.write(metadata));

        assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                .hasMessageContaining(file + ": " + field);
    }

    static Stream<Arguments> graphsThatCannotRun() {
        return Stream.of(
                Arguments.of("cycle", (Consumer<ObjectNode>) c -> ((ObjectNode) c.get("vertexInputs")).putArray("conv1")
                        .add("input").add("conv1_bn")),
                Arguments.of("takes 9 inputs where", (Consumer<ObjectNode>) c -> layer(c, "conv_pw_1").put("nin", 9)),
                Arguments.of("valid model graph", (Consumer<ObjectNode>) c -> layer(c, "conv1").remove("stride")),
                Arguments.of("no inputs", (Consumer<ObjectNode>) c -> c.putArray("networkInputs")),
                Arguments.of("does not run", (Consumer<ObjectNode>) c -> layer(c, "head/pool")
                        .putArray("poolingDimensions").add(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("graphsThatCannotRun")
    void aGraphThatCannotRunIsRefusedNamingTheConfiguration(String problem, Consumer<ObjectNode> change)
            throws Exception {
        Path bundle = bundle();
        Path model = bundle.resolve(ModelBundle.MODEL_FILE);
        CraftedFiles.rewriteEntry(model, "configuration.json", bytes -> {
            try {
                ObjectNode configuration = (ObjectNode) Json.MAPPER.readTree(bytes);
                change.accept(configuration);
                return Json.MAPPER.writeValueAsBytes(configuration);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                .hasMessageContaining(model + ": ").hasMessageContaining(problem);
    }

    private static ObjectNode layer(ObjectNode configuration, String vertex) {
        return (ObjectNode) configuration.get("vertices").get(vertex).get("layerConf").get("layer");
    }

    /** The graph check refuses no graph tl builds: bundles of the families with every kind of layer read back. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("everyKindOfLayer")
    void bundlesOfEveryKindOfLayerReadBack(String name, List<BaseSpec> bases, int dense) {
        ModelSpec spec = new ModelSpec(bases, new HeadSpec(dense, 0.2), 3);
        Path bundle = dir.resolve(name);
        ModelBundle.save(bundle, ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), 1), new BundleMetadata(
                BundleMetadata.FORMAT_VERSION, "tl test", "now", ModelBundle.MODEL_FILE, BundleMetadata.inputsOf(spec),
                List.of("a", "b", "c"), new BundleMetadata.Head(dense, 0.2), null, List.of(), null), Map.of(), false);
        assertThat(ModelBundle.load(bundle).graph().getNumInputArrays()).isEqualTo(bases.size());
    }

    static Stream<Arguments> everyKindOfLayer() {
        return Stream.of( // between them every kind of layer and vertex tl builds
                Arguments.of("densenet121", List.of(new BaseSpec("densenet121", 36)), 0),
                Arguments.of("efficientnetb0", List.of(new BaseSpec("efficientnetb0", 44)), 0),
                Arguments.of("fused", List.of(new BaseSpec("mobilenet_0.25", 32), new BaseSpec("mobilenetv2", 40)), 8));
    }

    private static ObjectNode input(ObjectNode metadata) {
        return (ObjectNode) metadata.get("inputs").get(0);
    }
}
