package dev.tl.device;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.environment.Nd4jEnvironment;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J backend this process runs on, and what tl does differently on it: the activation layout new models are
 * built in, how much memory one micro-batch's layer outputs may take, how many threads decode images. Built once,
 * when first asked (which starts ND4J).
 *
 * @param nativeBuild the native library variant, e.g. linux-x86_64-onednn-avx512 or linux-x86_64-cudnn
 * @param threads     ND4J's compute threads on the CPU (OpenMP); on CUDA the host threads around the GPU
 */
public record ComputeBackend(Kind kind, String nativeBuild, String blas, int threads, List<Device> devices) {

    /** The CPU backend's budget: measured peak resident memory is 2.5-4x one micro-batch's layer outputs. */
    static final long CPU_ACTIVATION_BYTES = 2L << 30;
    /** The same ratio applied to the free memory of the smallest GPU. */
    static final int GPU_MEMORY_PER_ACTIVATION_BYTE = 4;

    /** Where tl computes: ND4J's backends, and the devices ONNX Runtime runs on (its CPU and CUDA providers). */
    public enum Kind {
        CPU, CUDA;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The layout new models are built in. oneDNN runs channels-last (NHWC) without reordering to its blocked
         * layouts, which measured 1.5-1.7x faster than NCHW on the CPU (docs/BENCHMARKS.md); cuDNN's
         * single-precision kernels are NCHW-native (NVIDIA's performance guide; channels-last pays off with tensor
         * cores in FP16). A saved model keeps the layout it was built in, on any backend.
         */
        public CNN2DFormat layout() {
            return this == CPU ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        }

        /**
         * Image decoding threads. On the CPU one per core is plenty: the network's compute is the critical path
         * and decoding runs in its shadow (docs/BENCHMARKS.md). On a GPU decoding is what the GPU waits for and the
         * cores have nothing else to do, so two per core also cover the time spent reading files.
         */
        public int decodeThreads() {
            int cores = Runtime.getRuntime().availableProcessors();
            return this == CPU ? cores : 2 * cores;
        }

        /**
         * How ONNX Runtime runs here. On the CPU: one intra-op thread per core and no inter-op parallelism (tl's
         * graphs are chains), threads that sleep instead of spinning between operations (as OMP_WAIT_POLICY=passive
         * for ND4J: a spinning thread burns the core that image decoding or another process needs), the CPU
         * memory arena (activations reused across batches), full graph optimisation (BatchNorm folded into
         * convolutions, activations fused, NCHWc layouts). On CUDA: the CUDA provider on GPU 0 does the work and
         * one host thread drives it.
         */
        public OnnxRuntimeOptions onnxRuntime() {
            return this == CPU
                    ? new OnnxRuntimeOptions(cpuThreads(), 1, false, true, OnnxRuntimeOptions.FULL_OPTIMISATION, -1)
                    : new OnnxRuntimeOptions(1, 1, false, true, OnnxRuntimeOptions.FULL_OPTIMISATION, 0);
        }

        /** The compute threads on the CPU: OMP_NUM_THREADS where set (as for ND4J), else one per core. */
        private static int cpuThreads() {
            String omp = System.getenv("OMP_NUM_THREADS");
            if (omp != null && omp.strip().matches("[1-9][0-9]*")) {
                return Integer.parseInt(omp.strip());
            }
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /**
     * ONNX Runtime's session options, as plain values (this package does not load ONNX Runtime).
     *
     * @param intraOpThreads threads inside one operation
     * @param interOpThreads threads running independent operations side by side
     * @param spinning       whether idle threads spin ({@code session.intra_op.allow_spinning})
     * @param cpuArena       whether host memory comes from ONNX Runtime's arena
     * @param optimisation   the graph optimisation level, by ONNX Runtime's name
     * @param cudaDevice     the GPU the CUDA provider runs on, or -1 for the CPU provider
     */
    public record OnnxRuntimeOptions(int intraOpThreads, int interOpThreads, boolean spinning, boolean cpuArena,
                                     String optimisation, int cudaDevice) {
        public static final String FULL_OPTIMISATION = "ALL_OPT";
    }

    /**
     * One device ND4J computes on: the CPU, or one GPU.
     *
     * @param computeCapability "8.6" for a GPU, null for the CPU
     * @param memoryBytes       a GPU's memory, the machine's for the CPU
     * @param freeBytes         what is free of it now
     */
    public record Device(int index, String name, String computeCapability, long memoryBytes, long freeBytes) {
    }

    public ComputeBackend {
        devices = List.copyOf(devices);
    }

    private static final class Holder {
        static final ComputeBackend CURRENT = read();
    }

    /**
     * The backend ND4J runs on, starting ND4J if it has not started yet (on the backend a deferred
     * {@link DeviceSelection} asked for).
     */
    public static ComputeBackend current() {
        DeviceSelection.startDeferred();
        return Holder.CURRENT;
    }

    /** The layout new models are built in (see {@link Kind#layout()}). */
    public CNN2DFormat layout() {
        return kind.layout();
    }

    /**
     * How many bytes one micro-batch's layer outputs may take when tl sizes micro-batches itself: a fixed 2 GB of
     * resident memory on the CPU, a quarter of the smallest GPU's free memory on CUDA.
     */
    public long activationBudgetBytes() {
        if (kind == Kind.CPU) {
            return CPU_ACTIVATION_BYTES;
        }
        long free = devices.stream().mapToLong(Device::freeBytes).min().orElse(CPU_ACTIVATION_BYTES);
        return Math.max(1, free / GPU_MEMORY_PER_ACTIVATION_BYTE);
    }

    /** Image decoding threads (see {@link Kind#decodeThreads()}). */
    public int decodeThreads() {
        return kind.decodeThreads();
    }

    /** One line: "CPU (8 threads, linux-x86_64-onednn-avx512)" or "CUDA on GPU 0 NVIDIA A100 (8.0, 40.0 GB)". */
    public String describe() {
        if (kind == Kind.CPU) {
            return "CPU (" + threads + " threads, " + nativeBuild + ")";
        }
        StringBuilder line = new StringBuilder("CUDA on");
        for (Device device : devices) {
            line.append(String.format(Locale.ROOT, " GPU %d %s (compute capability %s, %.1f GB)", device.index(),
                    device.name(), device.computeCapability(), device.memoryBytes() / 1e9));
        }
        return line.append(", ").append(nativeBuild).toString();
    }

    private static ComputeBackend read() {
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        Environment environment = Nd4j.getEnvironment();
        boolean cpu = environment.isCPU();
        String blas = info.getProperty(Nd4jEnvironment.BLAS_VENDOR_KEY, "unknown")
                + (environment.blasMajorVersion() == 0 ? "" : " " + environment.blasMajorVersion() + "."
                + environment.blasMinorVersion() + "." + environment.blasPatchVersion());
        return new ComputeBackend(cpu ? Kind.CPU : Kind.CUDA, nativeBuild(cpu ? "jnind4jcpu" : "jnind4jcuda"), blas,
                environment.maxThreads(), cpu ? List.of(cpuDevice()) : gpuDevices(info));
    }

    private static String nativeBuild(String library) {
        String path = Loader.getLoadedLibraries().get(library);
        return path == null ? "unknown" : Path.of(path).getParent().getFileName().toString();
    }

    @SuppressWarnings("unchecked")
    private static List<Device> gpuDevices(Properties info) {
        List<Device> devices = new ArrayList<>();
        Object listed = info.get(Nd4jEnvironment.CUDA_DEVICE_INFORMATION_KEY);
        if (listed instanceof List<?> all) {
            for (Object entry : all) {
                Map<String, Object> device = (Map<String, Object>) entry;
                devices.add(new Device(devices.size(), String.valueOf(device.get(Nd4jEnvironment.CUDA_DEVICE_NAME_KEY)),
                        device.get(Nd4jEnvironment.CUDA_DEVICE_MAJOR_VERSION_KEY) + "."
                                + device.get(Nd4jEnvironment.CUDA_DEVICE_MINOR_VERSION_KEY),
                        ((Number) device.get(Nd4jEnvironment.CUDA_TOTAL_MEMORY_KEY)).longValue(),
                        ((Number) device.get(Nd4jEnvironment.CUDA_FREE_MEMORY_KEY)).longValue()));
            }
        }
        return devices;
    }

    private static Device cpuDevice() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return new Device(0, cpuModel(), null, os.getTotalMemorySize(), os.getFreeMemorySize());
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip()).findFirst()
                    .orElse(System.getProperty("os.arch"));
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
    }
}
