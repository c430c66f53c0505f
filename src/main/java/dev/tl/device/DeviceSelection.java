package dev.tl.device;

import dev.tl.TlException;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicReference;
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

    /** Where to compute, and why (for the log line and for errors). */
    public record Choice(ComputeBackend.Kind kind, String reason) {
    }

    /** What a request got: the running backend and why it was chosen. */
    public record Selected(DeviceRequest request, ComputeBackend backend, String reason) {
    }

    private static volatile Selected last;
    /** The request of the command running; ND4J starts for it when first needed if {@link #defer}red. */
    private static volatile DeviceRequest requested = DeviceRequest.AUTO;
    private static Choice deferred;
    private static TlException deferredProblem;

    private DeviceSelection() {
    }

    /** The last selection made in this process, if any. */
    public static Optional<Selected> last() {
        return Optional.ofNullable(last);
    }

    /**
     * Records {@code request} for ND4J to start on when something first needs it ({@link ComputeBackend#current()}),
     * and for ONNX Runtime: a command that may never need ND4J (an engine other than DL4J does its work) does not
     * pay for starting it. A GPU asked for that no part of tl can use fails here, before any work; one that only
     * ONNX Runtime can use fails when ND4J starts.
     */
    public static synchronized void defer(DeviceRequest request) {
        AtomicReference<Optional<NvidiaDriver>> probed = new AtomicReference<>();
        Supplier<Optional<NvidiaDriver>> driver = () -> probed.updateAndGet(known -> known != null ? known
                : NvidiaDriver.probe("nvidia-smi"));
        Choice choice;
        TlException problem = null;
        try {
            choice = choose(request, cudaBackendInstalled(), driver, DeviceSelection::cudaBackendProblem);
        } catch (TlException e) {
            if (!OnnxRuntimeCuda.installed() || OnnxRuntimeCuda.problem(true, driver.get()).isPresent()) {
                throw e;
            }
            choice = new Choice(ComputeBackend.Kind.CPU, e.getMessage());
            problem = new TlException("ND4J (training, and inference on the dl4j engine) cannot run on the GPU: "
                    + e.getMessage().replaceFirst("^no usable GPU: ", ""));
        }
        keepTo(choice);
        requested = request;
        deferred = choice;
        deferredProblem = problem;
    }

    /**
     * Starts ND4J for a {@link #defer}red request, if there is one, or fails with why ND4J cannot compute on the GPU
     * asked for; otherwise nothing.
     */
    static synchronized void startDeferred() {
        if (deferred == null) {
            return;
        }
        Choice choice = deferred;
        TlException problem = deferredProblem;
        deferred = null;
        deferredProblem = null;
        if (problem != null) {
            throw problem;
        }
        start(requested, choice, requested == DeviceRequest.AUTO);
    }

    /** What the command running asked for ({@code auto} when no command set it). */
    public static DeviceRequest request() {
        return requested;
    }

    /**
     * The kind of backend ND4J runs on, or will run on when a deferred request starts it: known without starting
     * ND4J, for what depends on it (the layout new models are built in). Starts ND4J when nothing chose it yet.
     */
    public static synchronized ComputeBackend.Kind nd4jKind() {
        if (deferred != null) {
            return deferred.kind();
        }
        return last != null ? last.backend().kind() : ComputeBackend.current().kind();
    }

    /**
     * Where ONNX Runtime computes for {@code request}: its CUDA provider on a usable GPU, else the CPU, and why. A
     * GPU asked for that it cannot use is a {@link TlException} with the reason. Asks the driver, not ONNX Runtime.
     */
    public static Choice onnxRuntime(DeviceRequest request) {
        if (request == DeviceRequest.CPU) {
            return new Choice(ComputeBackend.Kind.CPU, "asked for");
        }
        Optional<String> problem = OnnxRuntimeCuda.problem(OnnxRuntimeCuda.installed(),
                OnnxRuntimeCuda.installed() ? NvidiaDriver.probe("nvidia-smi") : Optional.empty());
        if (problem.isPresent() && request == DeviceRequest.GPU) {
            throw new TlException("no usable GPU for ONNX Runtime: " + problem.get());
        }
        return problem.map(reason -> new Choice(ComputeBackend.Kind.CPU, "no GPU: " + reason))
                .orElseGet(() -> new Choice(ComputeBackend.Kind.CUDA, request == DeviceRequest.GPU ? "asked for"
                        : "a usable GPU"));
    }

    /**
     * Starts ND4J on the backend {@code request} allows and returns it. If ND4J was started already (an earlier
     * command in the same JVM), it checks that the running backend satisfies the request.
     *
     * @param quiet whether the choice goes to the debug log only (the user asked for no particular device); it is
     *              logged anyway when it matters: a GPU computes, or a build with the CUDA backend finds none
     */
    public static Selected apply(DeviceRequest request, boolean quiet) {
        return start(request, choose(request, cudaBackendInstalled(), () -> NvidiaDriver.probe("nvidia-smi"),
                DeviceSelection::cudaBackendProblem), quiet);
    }

    private static Selected start(DeviceRequest request, Choice choice, boolean quiet) {
        keepTo(choice);
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
        requested = request;
        return last;
    }

    /**
     * Makes ND4J, whatever starts it (a graph built or a model file read), start on the backend chosen: a CPU
     * choice hides the CUDA backend from ND4J's service lookup.
     */
    private static void keepTo(Choice choice) {
        if (choice.kind() == ComputeBackend.Kind.CPU && cudaBackendInstalled()) {
            ClassLoader current = ND4JClassLoading.getNd4jClassloader();
            if (!(current instanceof BackendHidingClassLoader)) {
                ND4JClassLoading.setNd4jClassloader(new BackendHidingClassLoader(current, CudaSupport.BACKEND_CLASS));
            }
        }
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
