package dev.tl.device;

import java.util.Optional;

/**
 * What ONNX Runtime's CUDA execution provider needs, asked without loading ONNX Runtime: its build (the
 * {@code onnxruntime_gpu} artifact of the cuda Maven profile, CUDA 12 and cuDNN 9) and a driver that lists a GPU and
 * supports CUDA 12. Unlike ND4J's CUDA build it has no upper limit on the compute capability (Hopper and Blackwell
 * run it); whether CUDA's and cuDNN's libraries load is found out when the provider is added to a session.
 */
public final class OnnxRuntimeCuda {

    /** The provider's library inside the onnxruntime_gpu jar. */
    static final String PROVIDER_LIBRARY = "ai/onnxruntime/native/linux-x64/libonnxruntime_providers_cuda.so";
    private static final double LOWEST_CUDA = 12.0;

    private OnnxRuntimeCuda() {
    }

    /** Whether this build carries ONNX Runtime's CUDA provider. */
    public static boolean installed() {
        return OnnxRuntimeCuda.class.getClassLoader().getResource(PROVIDER_LIBRARY) != null;
    }

    /** Why ONNX Runtime cannot compute on a GPU here; empty if nothing speaks against it. */
    static Optional<String> problem(boolean installed, Optional<NvidiaDriver> probed) {
        if (!installed) {
            return Optional.of("built without ONNX Runtime's CUDA provider (TL_PROFILES=cpu,cuda adds it)");
        }
        if (probed.isEmpty()) {
            return Optional.of("no NVIDIA driver found (no nvidia-smi, no /proc/driver/nvidia)");
        }
        NvidiaDriver driver = probed.get();
        if (driver.cudaVersion() != null && Double.parseDouble(driver.cudaVersion()) < LOWEST_CUDA) {
            return Optional.of("the NVIDIA driver " + driver.driverVersion() + " supports CUDA up to "
                    + driver.cudaVersion() + "; ONNX Runtime's CUDA provider needs CUDA 12 (driver R525 or newer)");
        }
        if (driver.gpus().isEmpty() && !driver.driverVersion().startsWith("unknown")) {
            return Optional.of("the NVIDIA driver " + driver.driverVersion() + " lists no GPU");
        }
        return Optional.empty();
    }
}
