package dev.tl.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.AtomicFiles;
import dev.tl.Json;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabeledImage;
import dev.tl.eval.EvaluationReport;
import dev.tl.eval.Metrics;
import dev.tl.model.Inference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tl evaluate}: loss, accuracy, per-class metrics and confusion matrix of a model on labelled images. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a trained model on labelled images (class folders, file names or a CSV). "
                + "Also writes the JSON report to evaluation.json in the model directory.")
final class EvaluateCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(EvaluateCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    BundleOption bundle;

    @Mixin
    LabelledImages images;

    @Mixin
    BatchSizeOption batch;

    @Mixin
    OutputOptions output;

    @Mixin
    TtaOption tta;

    @Override
    public Integer call() {
        ImageViews views = tta.imageViews();
        String labels = images.source().description();
        ModelBundle.Loaded loaded = Flags.about("--model-dir", () -> ModelBundle.load(bundle.dir()));
        ImageSet set = images.scanWithClasses(loaded.metadata().classes());
        EvaluationReport report;
        try (BatchLoader loader = new BatchLoader(loaded.metadata().inputSpecs(), set.classes().size())) {
            report = Metrics.report(Inference.outputs(loaded.graph(), loader, set.images(), batch.batchSize, views),
                    set.images().stream().mapToInt(LabeledImage::label).toArray(), set.classes());
        }
        ObjectNode document = Json.MAPPER.valueToTree(report);
        document.put("model_dir", loaded.directory().toString());
        document.put("data", images.data().toAbsolutePath().normalize().toString());
        document.put("labels", labels);
        document.put("tta", views.perImage());
        output.print(spec, new Evaluation(report, document), new EvaluationRenderer());
        Path file = loaded.directory().resolve(ModelBundle.EVALUATION_FILE);
        try {
            AtomicFiles.writeString(file, Json.write(document) + "\n");
        } catch (IOException e) {
            log.warn("the report is printed above but could not be written to {}: {}", file, e.getMessage());
        }
        return 0;
    }

    /** The report, and the JSON document that adds where it came from. */
    record Evaluation(EvaluationReport report, ObjectNode document) {
    }
}
