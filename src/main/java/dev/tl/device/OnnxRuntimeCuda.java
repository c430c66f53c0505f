package dev.tl.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
    /** What the provider's library links besides the system's own (readelf -d), by the names the linker looks for. */
    static final List<String> LIBRARIES = List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12",
            "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9");

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

    /**
     * Why the provider could not start, in the user's terms: the libraries of {@link #LIBRARIES} the dynamic linker
     * finds neither in its cache nor on {@code LD_LIBRARY_PATH}, or else ONNX Runtime's own message.
     */
    public static String whyNot(String failure) {
        String cache = linkerCache();
        List<String> missing = cache.isEmpty() ? List.of()
                : missing(LIBRARIES, cache, System.getenv("LD_LIBRARY_PATH"));
        return missing.isEmpty() ? failure + " (it needs CUDA 12 and cuDNN 9)"
                : "CUDA 12 and cuDNN 9 are not installed: " + String.join(", ", missing) + " not found (install "
                + "them, or put their directory on LD_LIBRARY_PATH)";
    }

    static List<String> missing(List<String> libraries, String linkerCache, String libraryPath) {
        List<String> missing = new ArrayList<>();
        for (String library : libraries) {
            boolean onPath = libraryPath != null && java.util.Arrays.stream(libraryPath.split(":"))
                    .filter(dir -> !dir.isBlank()).anyMatch(dir -> Files.exists(Path.of(dir, library)));
            if (!onPath && !linkerCache.contains(library + " ")) {
                missing.add(library);
            }
        }
        return missing;
    }

    /** What {@code ldconfig -p} lists ("libcudart.so.12 (libc6,x86-64) => ..."), or nothing where it cannot run. */
    private static String linkerCache() {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            try {
                Process process = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                String listed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0) {
                    return listed;
                }
            } catch (IOException e) {
                // try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        }
        return "";
    }
}
