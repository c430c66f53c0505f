package dev.tl.cli;

import dev.tl.Json;
import dev.tl.NativeBuild;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.train.Throughput;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.io.PrintWriter;
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

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "Backbone (see `tl models`).")
    String model;

    @Option(names = "--image-size", paramLabel = "N", description = "Default: the backbone's own.")
    Integer imageSize;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "N", description = "Untimed batches first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--batches", defaultValue = "7", paramLabel = "N", description = "Timed batches (the median counts). Default: ${DEFAULT-VALUE}.")
    int batches;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Backbone backbone = Backbones.get(model);
        int size = imageSize != null ? imageSize : backbone.defaultImageSize();
        ModelSpec modelSpec = new ModelSpec(java.util.List.of(new BaseSpec(backbone.name(), size)),
                new HeadSpec(0, 0.2), 2);
        Throughput.Result result = Throughput.measure(modelSpec, Math.max(1, batchSize), Math.max(0, warmup),
                Math.max(1, batches));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(Map.of("model", backbone.name(), "image_size", size, "batch_size", batchSize,
                    "native_build", NativeBuild.name(), "inference_images_per_second", result.inference(),
                    "training_images_per_second", result.training())));
        } else {
            out.printf(Locale.ROOT, "%s at %d px, batch %d (%s): inference %.2f img/s, training %.2f img/s%n",
                    backbone.name(), size, batchSize, NativeBuild.name(), result.inference(), result.training());
        }
        out.flush();
        return 0;
    }
}
