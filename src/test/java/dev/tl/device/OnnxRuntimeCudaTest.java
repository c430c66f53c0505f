package dev.tl.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When ONNX Runtime's CUDA provider can run inference on a GPU, and how its absence is explained. */
class OnnxRuntimeCudaTest {

    @TempDir
    Path dir;

    private static Optional<NvidiaDriver> driver(String cuda, NvidiaDriver.Gpu... gpus) {
        return Optional.of(new NvidiaDriver("550.54.15", cuda, List.of(gpus)));
    }

    @Test
    void hopperRunsItWhereNd4jCannotAndEveryOtherReasonIsNamed() {
        NvidiaDriver.Gpu hopper = new NvidiaDriver.Gpu(0, "NVIDIA H100 80GB HBM3", "9.0", 80_000_000_000L);
        assertThat(OnnxRuntimeCuda.problem(true, driver("12.4", hopper))).isEmpty();
        assertThat(CudaSupport.problem(driver("12.4", hopper))).get().asString().contains("not Hopper");

        assertThat(OnnxRuntimeCuda.problem(false, driver("12.4", hopper))).get().asString()
                .contains("built without ONNX Runtime's CUDA provider");
        assertThat(OnnxRuntimeCuda.problem(true, Optional.empty())).get().asString().contains("no NVIDIA driver");
        assertThat(OnnxRuntimeCuda.problem(true, driver("11.8", hopper))).get().asString()
                .contains("supports CUDA up to 11.8").contains("needs CUDA 12");
        assertThat(OnnxRuntimeCuda.problem(true, driver("12.4"))).get().asString().contains("lists no GPU");
    }

    @Test
    void theLibrariesTheLinkerCannotFindAreNamed() throws Exception {
        String cache = "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12\n"
                + "\tlibcublas.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcublas.so.12\n";
        Files.createFile(dir.resolve("libcufft.so.11"));
        assertThat(OnnxRuntimeCuda.missing(OnnxRuntimeCuda.LIBRARIES, cache, "/nonexistent:" + dir))
                .containsExactly("libcublasLt.so.12", "libcurand.so.10", "libcudnn.so.9");
    }
}
