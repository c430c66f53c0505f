package dev.tl.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.tl.TlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How tl picks a backend without a GPU to try it on: from what the driver would report, through a stand-in
 * nvidia-smi, and what ND4J's CUDA backend would say.
 */
class DeviceSelectionTest {

    private static final Optional<String> BACKEND_STARTS = Optional.empty();

    @TempDir
    Path dir;

    @Test
    void autoTakesAUsableGpuAndGpuInsistsOnIt() {
        Optional<NvidiaDriver> ampere = driver("12.2", gpu(0, "NVIDIA A100-SXM4-40GB", "8.0"));
        assertThat(choose(DeviceRequest.AUTO, true, ampere, BACKEND_STARTS).kind())
                .isEqualTo(ComputeBackend.Kind.CUDA);
        assertThat(choose(DeviceRequest.GPU, true, ampere, BACKEND_STARTS).kind())
                .isEqualTo(ComputeBackend.Kind.CUDA);
    }

    @Test
    void aGpuThatCannotBeUsedIsAnErrorForGpuAndTheCpuWithTheReasonForAuto() {
        Optional<NvidiaDriver> hopper = driver("12.4", gpu(0, "NVIDIA H100 80GB HBM3", "9.0"));
        assertThatThrownBy(() -> choose(DeviceRequest.GPU, true, hopper, BACKEND_STARTS))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("GPU 0 (NVIDIA H100 80GB HBM3, compute capability 9.0)")
                .hasMessageContaining("3.7 to 8.9");
        DeviceSelection.Choice auto = choose(DeviceRequest.AUTO, true, hopper, BACKEND_STARTS);
        assertThat(auto.kind()).isEqualTo(ComputeBackend.Kind.CPU);
        assertThat(auto.reason()).contains("compute capability 9.0");
    }

    @Test
    void everyReasonIsNamed() {
        assertThat(gpuProblem(false, driver("12.2", gpu(0, "NVIDIA A100", "8.0")), BACKEND_STARTS))
                .contains("built without the CUDA backend");
        assertThat(gpuProblem(true, Optional.empty(), BACKEND_STARTS)).contains("no NVIDIA driver");
        assertThat(gpuProblem(true, driver("12.2"), BACKEND_STARTS)).contains("lists no GPU");
        assertThat(gpuProblem(true, driver("11.4", gpu(0, "Tesla T4", "7.5")), BACKEND_STARTS))
                .contains("supports CUDA up to 11.4").contains("CUDA 11.6");
        assertThat(gpuProblem(true, driver("12.2", gpu(0, "Tesla K40m", "3.5")), BACKEND_STARTS))
                .contains("compute capability 3.5");
        assertThat(gpuProblem(true, driver("12.2", gpu(0, "NVIDIA L4", "8.9")), Optional.of("no cudart")))
                .isEqualTo("no usable GPU: no cudart");
    }

    @Test
    void theCudaBackendsFailureNamesTheMissingLibrary() {
        assertThat(DeviceSelection.whyNot("libjnicudart.so: libcuda.so.1: cannot open shared object file"))
                .startsWith("the NVIDIA driver's library libcuda.so.1 cannot be loaded");
        assertThat(DeviceSelection.whyNot("no jnicudart in java.library.path: libcudart.so.11.0"))
                .startsWith("the CUDA 11.6 libraries are not installed").contains("cuda-redist");
        assertThat(DeviceSelection.whyNot("No CUDA devices were found in system"))
                .isEqualTo("ND4J's CUDA backend cannot start: No CUDA devices were found in system");
    }

    @Test
    void aMixOfGpusNamesTheOnesToKeep() {
        assertThat(gpuProblem(true, driver("12.4", gpu(0, "NVIDIA H100", "9.0"), gpu(1, "NVIDIA A100", "8.0")),
                BACKEND_STARTS)).contains("CUDA_VISIBLE_DEVICES=1");
    }

    @Test
    void theCpuNeedsNoProbing() {
        AtomicBoolean probed = new AtomicBoolean();
        DeviceSelection.Choice cpu = DeviceSelection.choose(DeviceRequest.CPU, true, () -> {
            probed.set(true);
            return Optional.empty();
        }, () -> BACKEND_STARTS);
        assertThat(cpu.kind()).isEqualTo(ComputeBackend.Kind.CPU);
        assertThat(probed).isFalse();
    }

    @Test
    void readsWhatNvidiaSmiPrints() throws IOException {
        Path smi = fakeNvidiaSmi("""
                case "$1" in
                  --query-gpu=*compute_cap) echo "0, NVIDIA GeForce RTX 4090, 24564, 550.54.14, 8.9"
                                            echo "1, NVIDIA H100 PCIe, 81559, 550.54.14, 9.0" ;;
                  *) echo "| NVIDIA-SMI 550.54.14    Driver Version: 550.54.14    CUDA Version: 12.4 |" ;;
                esac
                """);
        NvidiaDriver driver = NvidiaDriver.probe(smi.toString()).orElseThrow();
        assertThat(driver.driverVersion()).isEqualTo("550.54.14");
        assertThat(driver.cudaVersion()).isEqualTo("12.4");
        assertThat(driver.gpus()).containsExactly(
                new NvidiaDriver.Gpu(0, "NVIDIA GeForce RTX 4090", "8.9", 24564L << 20),
                new NvidiaDriver.Gpu(1, "NVIDIA H100 PCIe", "9.0", 81559L << 20));
    }

    @Test
    void anOldDriverWithoutComputeCapabilitiesIsAskedAgain() throws IOException {
        Path smi = fakeNvidiaSmi("""
                case "$1" in
                  --query-gpu=*compute_cap) echo 'Field "compute_cap" is not a valid field to query.'; exit 2 ;;
                  --query-gpu=*) echo "0, Tesla K80, 11441, 470.82.01" ;;
                  *) echo "CUDA Version: 11.4" ;;
                esac
                """);
        NvidiaDriver driver = NvidiaDriver.probe(smi.toString()).orElseThrow();
        assertThat(driver.gpus()).containsExactly(new NvidiaDriver.Gpu(0, "Tesla K80", null, 11441L << 20));
        assertThat(gpuProblem(true, Optional.of(driver), BACKEND_STARTS)).contains("supports CUDA up to 11.4");
    }

    @Test
    void noNvidiaSmiIsNoDriver() {
        assumeFalse(Files.exists(Path.of("/proc/driver/nvidia/version")), "this machine has an NVIDIA driver");
        assertThat(NvidiaDriver.probe(dir.resolve("no-such-nvidia-smi").toString())).isEmpty();
    }

    private static DeviceSelection.Choice choose(DeviceRequest request, boolean cudaInstalled,
                                                 Optional<NvidiaDriver> driver, Optional<String> backendProblem) {
        return DeviceSelection.choose(request, cudaInstalled, () -> driver, () -> backendProblem);
    }

    private static String gpuProblem(boolean cudaInstalled, Optional<NvidiaDriver> driver,
                                     Optional<String> backendProblem) {
        try {
            choose(DeviceRequest.GPU, cudaInstalled, driver, backendProblem);
        } catch (TlException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected the GPU to be refused");
    }

    private static Optional<NvidiaDriver> driver(String cuda, NvidiaDriver.Gpu... gpus) {
        return Optional.of(new NvidiaDriver("550.54.14", cuda, List.of(gpus)));
    }

    private static NvidiaDriver.Gpu gpu(int index, String name, String capability) {
        return new NvidiaDriver.Gpu(index, name, capability, 16L << 30);
    }

    private Path fakeNvidiaSmi(String body) throws IOException {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
