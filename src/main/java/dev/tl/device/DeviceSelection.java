package dev.tl.device;

import dev.tl.TlException;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.factory.Nd4jBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses ND4J's backend for a {@link DeviceRequest} before ND4J starts, then starts it. A GPU asked for that cannot
 * be used is an error saying why, never a silent CPU run; {@code auto} takes a usable GPU, else the CPU, and says so.
 * ND4J itself would try a CUDA backend first and fall back after printing its failure, or run kernels a GPU cannot
 * execute; the checks here keep it from trying where it cannot work.
 */
public final class DeviceSelection {

    private static final Logger log = LoggerFactory.getLogger(DeviceSelection.class);

    /** The backend to start, and why (for the log line and for errors). */
    record Choice(ComputeBackend.Kind kind, String reason) {
    }

    /** What a request got: the running backend and why it was chosen. */
    public record Selected(DeviceRequest request, ComputeBackend backend, String reason) {
    }

    private static volatile Selected last;

    private DeviceSelection() {
    }

    /** The last selection made in this process, if any. */
    public static Optional<Selected> last() {
        return Optional.ofNullable(last);
    }

    /**
     * Starts ND4J on the backend {@code request} allows and returns it. If ND4J was started already (an earlier
     * command in the same JVM), it checks that the running backend satisfies the request.
     *
     * @param quiet whether the choice goes to the debug log only (the user asked for no particular device); it is
     *              logged anyway when it matters: a GPU computes, or a build with the CUDA backend finds none
     */
    public static Selected apply(DeviceRequest request, boolean quiet) {
        Choice choice = choose(request, cudaBackendInstalled(), () -> NvidiaDriver.probe("nvidia-smi"),
                DeviceSelection::cudaBackendProblem);
        if (choice.kind() == ComputeBackend.Kind.CPU && cudaBackendInstalled()) {
            ClassLoader current = ND4JClassLoading.getNd4jClassloader();
            if (!(current instanceof BackendHidingClassLoader)) {
                ND4JClassLoading.setNd4jClassloader(new BackendHidingClassLoader(current, CudaSupport.BACKEND_CLASS));
            }
        }
        ComputeBackend running = ComputeBackend.current();
        if (running.kind() != choice.kind()) {
            throw new TlException("ND4J was already started on " + running.kind().id() + " in this process, so it "
                    + "cannot run on " + choice.kind().id() + " (" + choice.reason() + ")");
        }
        String line = "device " + request.id() + ": " + running.describe() + "; " + choice.reason();
        if (quiet && running.kind() == ComputeBackend.Kind.CPU && !cudaBackendInstalled()) {
            log.debug(line);
        } else {
            log.info(line);
        }
        last = new Selected(request, running, choice.reason());
        return last;
    }

    /**
     * The backend for {@code request}; a GPU request that cannot be met is a {@link TlException} with the reason.
     * The suppliers are asked only as far as needed: the driver when a CUDA backend is installed, the backend's
     * own start-up check (which loads the CUDA libraries) only when the driver's GPUs can run it.
     */
    static Choice choose(DeviceRequest request, boolean cudaInstalled, Supplier<Optional<NvidiaDriver>> driver,
                         Supplier<Optional<String>> backendProblem) {
        if (request == DeviceRequest.CPU) {
            return new Choice(ComputeBackend.Kind.CPU, "asked for");
        }
        Optional<String> problem = cudaInstalled ? CudaSupport.problem(driver.get())
                : Optional.of("this tl was built without the CUDA backend (TL_PROFILES=cpu,cuda adds it)");
        if (problem.isEmpty()) {
            problem = backendProblem.get();
        }
        if (problem.isPresent()) {
            if (request == DeviceRequest.GPU) {
                throw new TlException("no usable GPU: " + problem.get());
            }
            return new Choice(ComputeBackend.Kind.CPU, "no GPU: " + problem.get());
        }
        return new Choice(ComputeBackend.Kind.CUDA, request == DeviceRequest.GPU ? "asked for" : "a usable GPU");
    }

    static boolean cudaBackendInstalled() {
        return ND4JClassLoading.classPresentOnClasspath(CudaSupport.BACKEND_CLASS);
    }

    /**
     * Runs the CUDA backend's own start-up check (device count, cuBLAS) the way ND4J would, without its stack
     * trace on failure; the root cause says what is missing.
     */
    private static Optional<String> cudaBackendProblem() {
        for (Nd4jBackend backend : ServiceLoader.load(Nd4jBackend.class, ND4JClassLoading.getNd4jClassloader())) {
            if (!backend.getClass().getName().equals(CudaSupport.BACKEND_CLASS)) {
                continue;
            }
            try {
                backend.canRun();
                return Optional.empty();
            } catch (Throwable e) { // UnsatisfiedLinkError when the CUDA libraries are missing
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                return Optional.of(whyNot(String.valueOf(root.getMessage())));
            }
        }
        return Optional.of("ND4J's CUDA backend is not on the classpath");
    }

    /** The CUDA backend's failure in the user's terms: which library is missing and where it comes from. */
    static String whyNot(String failure) {
        if (failure.contains("libcuda.so")) {
            return "the NVIDIA driver's library libcuda.so.1 cannot be loaded (" + failure + ")";
        }
        if (failure.contains("cudart") || failure.contains("cublas") || failure.contains("cusolver")
                || failure.contains("cudnn")) {
            return "the CUDA 11.6 libraries are not installed (" + failure + "); bundle them with the Maven "
                    + "profile cuda-redist, or install CUDA 11.6 and cuDNN 8";
        }
        return "ND4J's CUDA backend cannot start: " + failure;
    }
}
