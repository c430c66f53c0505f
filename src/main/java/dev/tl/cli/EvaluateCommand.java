package dev.tl.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.Json;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.data.ImageViews;
import dev.tl.data.LabeledImage;
import dev.tl.eval.EvaluationReport;
import dev.tl.eval.Metrics;
import dev.tl.model.Inference;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tl evaluate}: loss, accuracy, per-class metrics and confusion matrix of a model on labelled images. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a trained model on labelled images (class folders, file names or a CSV). "
                + "Also writes the JSON report to evaluation.json in the model directory.")
final class EvaluateCommand implements Callable<Integer> {

    static final String REPORT_FILE = "evaluation.json";

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--model-dir", defaultValue = "tl-model", paramLabel = "DIR", description = "Model bundle. Default: ./${DEFAULT-VALUE}.")
    Path modelDir;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Labelled images of (some of) the model's classes: one sub-folder per class, or labelled by --labels-from-filename or --labels-csv.")
    Path data;

    @Mixin
    LabelOptions labels;

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--json", description = "Print one JSON document instead of a table.")
    boolean json;

    @Mixin
    TtaOption tta;

    @Override
    public Integer call() {
        LabelSource labelSource = labels.source();
        ImageViews views = tta.imageViews();
        ModelBundle.Loaded bundle = ModelBundle.load(modelDir);
        ImageSet images = labelSource.scanWithClasses(data, "--data", bundle.metadata().classes());
        EvaluationReport report;
        try (BatchLoader loader = new BatchLoader(bundle.metadata().inputSpecs(), images.classes().size())) {
            report = Metrics.report(Inference.outputs(bundle.graph(), loader, images.images(), Math.max(1, batchSize),
                            views),
                    images.images().stream().mapToInt(LabeledImage::label).toArray(), images.classes());
        }
        ObjectNode document = Json.MAPPER.valueToTree(report);
        document.put("model_dir", bundle.directory().toString());
        document.put("data", data.toAbsolutePath().normalize().toString());
        document.put("labels", labelSource.description());
        document.put("tta", views.perImage());
        String text = Json.write(document);
        ModelBundle.writeFileAtomically(bundle.directory().resolve(REPORT_FILE), text + "\n");

        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? text : report.toTable());
        out.flush();
        return 0;
    }
}
