package dev.tl.cli;

import dev.tl.BuildInfo;
import dev.tl.TlException;
import dev.tl.TlHome;
import dev.tl.device.ComputeBackend;
import dev.tl.device.DeviceSelection;
import dev.tl.device.NvidiaDriver;
import dev.tl.engine.Dl4jEngine;
import dev.tl.engine.OnnxModelCache;
import dev.tl.engine.OnnxRuntimeEngine;
import dev.tl.features.FeatureCache;
import dev.tl.zoo.weights.WeightCache;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tl info}: what tl runs on here: version, ND4J backend and build, devices, the inference and training engines
 * and their devices, threads, memory, caches.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show tl's version, the ND4J backend and devices it computes on, which engine runs inference "
                + "and which trains on which device, threads, memory limits and where it keeps files.",
        footerHeading = "%nExamples:%n", footer = {"  tl info", "  tl info --device gpu --json"})
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Mixin
    OutputOptions output;

    /**
     * @param buildProfiles the Maven profiles tl was built with (cpu, cuda, cuda-redist)
     * @param choice        why {@code backend} was chosen for the {@code --device} asked for
     * @param nvidiaDriver  what nvidia-smi reports, whether or not tl uses a GPU; null without a driver
     */
    record Report(String tlVersion, List<String> buildProfiles, String device, String backend, String choice,
                  String nativeBuild, String blas, String layout, List<ComputeBackend.Device> devices,
                  Threads threads, Memory memory, Caches caches, NvidiaDriver nvidiaDriver, Engines engines) {
    }

    /** What runs inference (with --engine auto) and what trains, on which device, and why. */
    record Engines(Engine inference, Engine training) {
    }

    /**
     * @param runtime the engine's runtime and where it computes, e.g. "ONNX Runtime 1.24.2 on CPU (2 threads)"
     * @param reason  why it runs there
     */
    record Engine(String engine, String device, String runtime, String reason) {
    }

    /** ND4J's compute threads, image decoding threads, and the cores the JVM sees. */
    record Threads(int nd4j, int decode, int cores) {
    }

    /**
     * @param javaHeapMaxBytes         the JVM heap limit (-Xmx)
     * @param offHeapMaxBytes          JavaCPP's limit on ND4J's off-heap memory (maxbytes)
     * @param activationBudgetBytes    one micro-batch's layer outputs when tl sizes micro-batches itself
     */
    record Memory(long javaHeapMaxBytes, long offHeapMaxBytes, long activationBudgetBytes) {
    }

    record Caches(String tlHome, String weights, String features, String onnx, String javacpp) {
    }

    @Override
    public Integer call() {
        DeviceSelection.Selected selected = DeviceSelection.last().orElseThrow();
        ComputeBackend backend = selected.backend();
        Path home = TlHome.directory();
        Report report = new Report(BuildInfo.version(), BuildInfo.profiles(), selected.request().id(),
                backend.kind().id(), selected.reason(), backend.nativeBuild(), backend.blas(),
                backend.layout().name(), backend.devices(),
                new Threads(backend.threads(), backend.decodeThreads(), Runtime.getRuntime().availableProcessors()),
                new Memory(Runtime.getRuntime().maxMemory(), Pointer.maxBytes(), backend.activationBudgetBytes()),
                new Caches(home.toString(), WeightCache.standard().directory().toString(),
                        FeatureCache.standard().directory().toString(),
                        OnnxModelCache.standard().directory().toString(), javacppCache()),
                NvidiaDriver.probe("nvidia-smi").orElse(null),
                new Engines(inference(), new Engine(Dl4jEngine.ID, backend.kind().id(), "dl4j on "
                        + backend.describe(), selected.reason())));
        output.print(spec, report, new ReportRenderer());
        return 0;
    }

    /**
     * Where --engine auto runs inference here: ONNX Runtime where it loads (every graph tl builds converts), else
     * DL4J. Training always runs on DL4J.
     */
    private static Engine inference() {
        try {
            DeviceSelection.Choice device = OnnxRuntimeEngine.device();
            return new Engine(OnnxRuntimeEngine.ID, device.kind().id(), OnnxRuntimeEngine.describe(),
                    device.reason());
        } catch (TlException e) {
            ComputeBackend backend = ComputeBackend.current();
            return new Engine(Dl4jEngine.ID, backend.kind().id(), "dl4j on " + backend.describe(), e.getMessage());
        }
    }

    private static String javacppCache() {
        try {
            return Loader.getCacheDir().toString();
        } catch (IOException e) {
            return "unavailable: " + e.getMessage();
        }
    }

    /** Aligned "key: value" lines. */
    private static final class ReportRenderer implements Renderer<Report> {
        @Override
        public String text(Report r) {
            StringBuilder out = new StringBuilder();
            line(out, "tl", r.tlVersion() + " (built with Maven profiles " + String.join(",", r.buildProfiles()) + ")");
            line(out, "backend", r.backend() + " (--device " + r.device() + "; " + r.choice() + ")");
            line(out, "native build", r.nativeBuild());
            line(out, "BLAS", r.blas());
            line(out, "layout", r.layout() + " (new models)");
            for (ComputeBackend.Device d : r.devices()) {
                line(out, "device " + d.index(), d.name() + (d.computeCapability() == null ? ""
                        : ", compute capability " + d.computeCapability())
                        + String.format(Locale.ROOT, ", %.1f GB (%.1f GB free)", d.memoryBytes() / 1e9,
                        d.freeBytes() / 1e9));
            }
            if (r.nvidiaDriver() != null) {
                NvidiaDriver driver = r.nvidiaDriver();
                line(out, "NVIDIA driver", driver.driverVersion() + (driver.cudaVersion() == null ? ""
                        : " (CUDA " + driver.cudaVersion() + ")") + ", " + driver.gpus().size() + " GPU(s)");
                for (NvidiaDriver.Gpu gpu : driver.gpus()) {
                    line(out, "  GPU " + gpu.index(), gpu.name() + ", compute capability "
                            + gpu.computeCapability() + String.format(Locale.ROOT, ", %.1f GB", gpu.memoryBytes() / 1e9));
                }
            } else {
                line(out, "NVIDIA driver", "none");
            }
            line(out, "inference", r.engines().inference().runtime() + "; " + r.engines().inference().reason());
            line(out, "training", r.engines().training().runtime());
            line(out, "threads", r.threads().nd4j() + " ND4J, " + r.threads().decode() + " image decoding, "
                    + r.threads().cores() + " cores");
            line(out, "memory", String.format(Locale.ROOT, "Java heap %.1f GB, off-heap limit %.1f GB, "
                    + "micro-batch activations %.1f GB", r.memory().javaHeapMaxBytes() / 1e9,
                    r.memory().offHeapMaxBytes() / 1e9, r.memory().activationBudgetBytes() / 1e9));
            line(out, "tl home", r.caches().tlHome());
            line(out, "weights cache", r.caches().weights());
            line(out, "feature cache", r.caches().features());
            line(out, "ONNX cache", r.caches().onnx());
            line(out, "native cache", r.caches().javacpp());
            return out.toString().stripTrailing();
        }

        private static void line(StringBuilder out, String key, String value) {
            out.append(String.format(Locale.ROOT, "%-15s %s%n", key + ":", value));
        }
    }
}
