package dev.tl.device;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What ND4J 1.0.0-M2.1's CUDA build runs on. Its libnd4jcuda holds kernels for compute capability 3.7 to 8.6 and no
 * PTX, so GPUs of capability 3.7 to 8.9 run it (a cubin runs on later minor versions of its major) and Hopper (9.0)
 * and newer do not; it is built against CUDA 11.6, which the driver must support. There is no CUDA 12 build.
 */
final class CudaSupport {

    static final String BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    private static final double LOWEST_CAPABILITY = 3.7;
    private static final double FIRST_UNSUPPORTED_CAPABILITY = 9.0;
    private static final double LOWEST_CUDA = 11.6;

    private CudaSupport() {
    }

    /** Why the GPUs the driver reports cannot run ND4J's CUDA build; empty if nothing speaks against them. */
    static Optional<String> problem(Optional<NvidiaDriver> probed) {
        if (probed.isEmpty()) {
            return Optional.of("no NVIDIA driver found (no nvidia-smi, no /proc/driver/nvidia)");
        }
        NvidiaDriver driver = probed.get();
        if (driver.cudaVersion() != null && Double.parseDouble(driver.cudaVersion()) < LOWEST_CUDA) {
            return Optional.of("the NVIDIA driver " + driver.driverVersion() + " supports CUDA up to "
                    + driver.cudaVersion() + "; ND4J 1.0.0-M2.1 is built for CUDA 11.6 (driver R510 or newer)");
        }
        if (driver.gpus().isEmpty()) {
            // nvidia-smi may not be installed beside the driver; ND4J's own check then decides.
            return driver.driverVersion().startsWith("unknown") ? Optional.empty()
                    : Optional.of("the NVIDIA driver " + driver.driverVersion() + " lists no GPU");
        }
        List<NvidiaDriver.Gpu> unsupported = driver.gpus().stream().filter(gpu -> !supported(gpu)).toList();
        if (unsupported.isEmpty()) {
            return Optional.empty();
        }
        String which = unsupported.stream().map(gpu -> "GPU " + gpu.index() + " (" + gpu.name()
                + ", compute capability " + gpu.computeCapability() + ")").collect(Collectors.joining(", "));
        String reason = which + ": ND4J 1.0.0-M2.1's CUDA kernels are built for compute capability 3.7 to 8.9 only "
                + "(Kepler K80 to Ada; not Hopper or newer)";
        if (unsupported.size() < driver.gpus().size()) {
            String others = driver.gpus().stream().filter(CudaSupport::supported)
                    .map(gpu -> Integer.toString(gpu.index())).collect(Collectors.joining(","));
            reason += "; hide it from CUDA with CUDA_VISIBLE_DEVICES=" + others;
        }
        return Optional.of(reason);
    }

    /** Unknown capabilities (old drivers) are left to ND4J. */
    private static boolean supported(NvidiaDriver.Gpu gpu) {
        if (gpu.computeCapability() == null) {
            return true;
        }
        double capability = Double.parseDouble(gpu.computeCapability());
        return capability >= LOWEST_CAPABILITY && capability < FIRST_UNSUPPORTED_CAPABILITY;
    }
}
