package dev.tl.cli;

import dev.tl.device.ComputeBackend;
import dev.tl.device.PeakMemory;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.model.NetworkCost;
import dev.tl.model.Precision;
import dev.tl.train.Throughput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tl bench}: how fast a backbone runs on this machine, on synthetic data. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure inference and fine-tune training throughput of a backbone on synthetic batches.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl bench --model densenet201 --batch-size 16 --phase both"})
final class BenchCommand implements Callable<Integer> {

    /** Which passes to measure. */
    enum Passes { inference, training, both }

    @Spec
    CommandSpec spec;

    @Mixin
    DeviceOption device;

    @Mixin
    EngineOption engine;

    @Mixin
    ModelOptions model;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(16);

    @Mixin
    MicroBatchOption microBatch;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", converter = Converters.NonNegative.class,
            description = "Untimed batches first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--batches", defaultValue = "7", paramLabel = "N", converter = Converters.Positive.class,
            description = "Timed batches (the median counts). Default: ${DEFAULT-VALUE}.")
    int batches;

    @Option(names = "--phase", defaultValue = "both", paramLabel = "PHASE",
            description = "${COMPLETION-CANDIDATES}. One phase alone makes the peak memory that phase's. "
                    + "Default: ${DEFAULT-VALUE}.")
    Passes passes;

    @Option(names = "--profile",
            description = "Also log ND4J's per-operation time profile of the measured batches (slows them down).")
    boolean profile;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        BaseSpec base = model.single();
        ModelSpec modelSpec = new ModelSpec(List.of(base), new HeadSpec(0, 0.2), 2);
        if (profile) {
            Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", base.backboneName());
        result.put("image_size", base.imageSize());
        result.put("batch_size", batch.batchSize);
        result.put("native_build", ComputeBackend.current().nativeBuild());
        if (passes != Passes.training) {
            put(result, "inference", Throughput.inference(modelSpec, batch.batchSize, warmup, batches,
                    engine.choice(Precision.FP32), session -> result.put("inference_engine", session.engine())), 1);
        }
        if (passes != Passes.inference) {
            put(result, "training", Throughput.training(modelSpec, batch.batchSize, microBatch.size, warmup, batches),
                    NetworkCost.TRAINING_PASSES);
        }
        if (profile) {
            OpProfiler.getInstance().printOutDashboard();
        }
        PeakMemory.residentBytes().ifPresent(bytes -> result.put("peak_rss_bytes", bytes));
        output.print(spec, result, new BenchRenderer());
        return 0;
    }

    /**
     * A pass's rate, its first batch, and what the rate means in arithmetic (GFLOP/s of the convolutions' and dense
     * layers' multiply-adds) and in memory traffic (each vertex reading its inputs and writing its output once).
     */
    private static void put(Map<String, Object> result, String pass, Throughput.Rate rate, int passes) {
        result.put("multiply_adds_per_image", rate.cost().multiplyAdds());
        result.put("depthwise_multiply_adds_per_image", rate.cost().depthwiseMultiplyAdds());
        result.put(pass + "_images_per_second", rate.imagesPerSecond());
        result.put(pass + "_first_batch_seconds", rate.firstBatchSeconds());
        result.put(pass + "_gflops", rate.cost().gflops(rate.imagesPerSecond(), passes));
        result.put(pass + "_activation_bytes_per_image", rate.cost().activationBytes());
        result.put(pass + "_activation_gbs", rate.cost().gigabytesPerSecond(rate.imagesPerSecond()) * passes);
    }

    /** One line: the backbone, its speeds and the peak memory. */
    private static final class BenchRenderer implements Renderer<Map<String, Object>> {
        @Override
        public String text(Map<String, Object> result) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s at %s px, batch %s (%s):",
                    result.get("model"), result.get("image_size"), result.get("batch_size"),
                    result.get("native_build")));
            for (String pass : List.of("inference", "training")) {
                if (result.get(pass + "_images_per_second") instanceof Double rate) {
                    line.append(String.format(Locale.ROOT, " %s%s %.2f img/s (%.1f GFLOP/s, first batch %.2f s)",
                            pass, result.containsKey(pass + "_engine") ? " on " + result.get(pass + "_engine") : "",
                            rate, (Double) result.get(pass + "_gflops"),
                            (Double) result.get(pass + "_first_batch_seconds")));
                }
            }
            if (result.get("peak_rss_bytes") instanceof Long bytes) {
                line.append(String.format(Locale.ROOT, ", peak RSS %.2f GB", bytes / 1e9));
            }
            return line.toString();
        }
    }
}
