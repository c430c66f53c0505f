package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.CraftedFiles;
import dev.tl.TlException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** A checkpoint whose arrays declare more values than the file holds is refused before anything is allocated. */
class CraftedCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void arraysDeclaringMoreThanTheFileHoldsAreRefusedNamingIt() throws Exception {
        // 4e12 floats crashed the JVM in libc; 4e8 would take 1.6 GB; 300 is a few bytes beyond the file's end
        for (long declared : new long[] {4_000_000_000_000L, 400_000_000L, 300}) {
            checkpoint(Map.of("w", Nd4j.linspace(1, 256, 256))).save(dir);
            Path file = dir.resolve(Checkpoint.FILE);
            int array = 4 + 2 + "w".length(); // after the count and the name
            CraftedFiles.rewriteEntry(file, "params.bin", bytes -> CraftedFiles.declareLength(bytes, array, declared));
            long before = Pointer.physicalBytes();
            assertThatThrownBy(() -> Checkpoint.load(dir)).isInstanceOf(TlException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("params.bin");
            assertThat(Pointer.physicalBytes() - before).as("memory taken").isLessThan(100L << 20);
        }
    }

    @Test
    void aCheckpointReadsBackAsItWasSaved() {
        checkpoint(Map.of("w", Nd4j.linspace(1, 256, 256).reshape(16, 16), "b", Nd4j.linspace(-3, 3, 7).castTo(
                        org.nd4j.linalg.api.buffer.DataType.DOUBLE))).save(dir);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = Checkpoint.load(dir).params();
        assertThat(params.get("w")).isEqualTo(Nd4j.linspace(1, 256, 256).reshape(16, 16));
        assertThat(params.get("b")).isEqualTo(Nd4j.linspace(-3, 3, 7).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
    }

    /** A checkpoint after one frozen epoch holding {@code params}. */
    private static Checkpoint checkpoint(Map<String, org.nd4j.linalg.api.ndarray.INDArray> params) {
        return new Checkpoint(null, List.of("train"), Phase.FROZEN, 1, false,
                List.of(new EpochRecord(Phase.FROZEN, 1, 0.5, null, null, null, 1e-3, 1)), null, 1, 1, params, null, null,
                null, null);
    }
}
