package dev.tl.cli;

import dev.tl.Json;
import dev.tl.NativeBuild;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.train.MicroBatching;
import dev.tl.train.PeakMemory;
import dev.tl.train.Throughput;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.io.PrintWriter;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl bench}: how fast a backbone runs on this machine, on synthetic data. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure inference and fine-tune training throughput of a backbone on synthetic batches.")
final class BenchCommand implements Callable<Integer> {

    enum Phase { inference, training, both }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Backbone (see `tl models`).")
    String model;

    @Option(names = "--image-size", paramLabel = "N", description = "Default: the backbone's own.")
    Integer imageSize;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--micro-batch-size", defaultValue = "auto", paramLabel = "N|auto",
            description = "Training: micro-batches as `tl train` computes them (see its help). Default: ${DEFAULT-VALUE}.")
    String microBatchSize;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "Untimed batches first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--batches", defaultValue = "7", paramLabel = "N", description = "Timed batches (the median counts). Default: ${DEFAULT-VALUE}.")
    int batches;

    @Option(names = "--phase", defaultValue = "both", paramLabel = "PHASE",
            description = "inference, training or both. One phase alone makes the peak memory that phase's. "
                    + "Default: ${DEFAULT-VALUE}.")
    Phase phase;

    @Option(names = "--profile",
            description = "Also log ND4J's per-operation time profile of the measured batches (slows them down).")
    boolean profile;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Backbone backbone = Backbones.get(model);
        int size = imageSize != null ? imageSize : backbone.defaultImageSize();
        ModelSpec modelSpec = new ModelSpec(java.util.List.of(new BaseSpec(backbone.name(), size)),
                new HeadSpec(0, 0.2), 2);
        int batch = Math.max(1, batchSize);
        Integer microBatch = MicroBatching.parse(microBatchSize);
        if (profile) {
            Nd4j.getExecutioner().setProfilingMode(OpExecutioner.ProfilingMode.OPERATIONS);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("model", backbone.name());
        result.put("image_size", size);
        result.put("batch_size", batch);
        result.put("native_build", NativeBuild.name());
        if (phase != Phase.training) {
            result.put("inference_images_per_second",
                    Throughput.inference(modelSpec, batch, Math.max(0, warmup), Math.max(1, batches)));
        }
        if (phase != Phase.inference) {
            result.put("training_images_per_second",
                    Throughput.training(modelSpec, batch, microBatch, Math.max(0, warmup),
                            Math.max(1, batches)));
        }
        if (profile) {
            OpProfiler.getInstance().printOutDashboard();
        }
        PeakMemory.residentBytes().ifPresent(bytes -> result.put("peak_rss_bytes", bytes));

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(result));
        } else {
            out.printf(Locale.ROOT, "%s at %d px, batch %d (%s):", backbone.name(), size, batch, NativeBuild.name());
            if (result.get("inference_images_per_second") instanceof Double rate) {
                out.printf(Locale.ROOT, " inference %.2f img/s", rate);
            }
            if (result.get("training_images_per_second") instanceof Double rate) {
                out.printf(Locale.ROOT, " training %.2f img/s", rate);
            }
            if (result.get("peak_rss_bytes") instanceof Long bytes) {
                out.printf(Locale.ROOT, ", peak RSS %.2f GB", bytes / 1e9);
            }
            out.println();
        }
        out.flush();
        return 0;
    }
}
