package dev.tl.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.CraftedFiles;
import dev.tl.TlException;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
}
