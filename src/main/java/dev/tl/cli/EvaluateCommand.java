package dev.tl.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.AtomicFiles;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.bundle.BundleImages;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.BatchLoader;
import dev.tl.data.DecoderPreload;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelSource;
import dev.tl.data.LabelledImage;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Inference;
import dev.tl.engine.Session;
import dev.tl.eval.EvaluationReport;
import dev.tl.eval.Metrics;
import dev.tl.eval.Mistake;
import dev.tl.plot.EvaluationFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tl evaluate}: loss, accuracy, per-class metrics and confusion matrix of a model on labelled images. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a trained model on labelled images (class folders, file names or a CSV), by default "
                + "on the bundle's held-out test set or else its validation set. Writes evaluation.json, "
                + "confusion.png, errors.png and errors.csv into the model directory.",
        footerHeading = "%nExamples:%n",
        footer = {"  tl evaluate --model-dir my-model                # its test or validation set",
                "  tl evaluate --model-dir my-model --data photos/test --json",
                "  tl evaluate --model-dir my-model --data photos/test --tta 4"})
final class EvaluateCommand implements Callable<Integer>, Nd4jOnDemand {

    private static final Logger log = LoggerFactory.getLogger(EvaluateCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Mixin
    DeviceOption device;

    @Mixin
    EngineOption engine;

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

    @Mixin
    PrecisionOption precision;

    /**
     * The images evaluated, where they are and how they were labelled; {@code name} says which set they are
     * ({@code data}: given with --data, or the bundle's {@code test} or {@code validation} set), and
     * {@code choseKeptEpoch} whether they chose the epoch whose weights were kept, which makes the numbers
     * optimistic.
     */
    record Evaluated(ImageSet set, Path data, String labels, String name, boolean choseKeptEpoch) {
    }

    @Override
    public Integer call() {
        DecoderPreload.start();
        ImageViews views = tta.imageViews();
        LabelSource given = images.sourceOr(null);
        EngineChoice engines = engine.choice(precision.precision);
        ModelBundle.Opened loaded = bundle.opened();
        Evaluated on = images(loaded, given);
        ImageSet set = on.set();
        float[][] probabilities;
        try (Session session = engines.open(BundleNetwork.of(loaded));
             BatchLoader loader = Inference.loaderFor(session)) {
            probabilities = Inference.outputs("evaluate", session, loader, set.images(), batch.batchSize, views);
        }
        EvaluationReport report = Metrics.report(probabilities,
                set.images().stream().mapToInt(LabelledImage::label).toArray(), set.classes());
        List<Mistake> mistakes = Mistake.of(probabilities, set.images(), set.classes());
        ObjectNode document = Json.MAPPER.valueToTree(report);
        document.put("model_dir", loaded.directory().toString());
        document.put("data", on.data().toAbsolutePath().normalize().toString());
        document.put("labels", on.labels());
        document.put("set", on.name());
        document.put("chose_kept_epoch", on.choseKeptEpoch());
        document.put("tta", views.perImage());
        document.put("precision", precision.precision.id());
        document.put("misclassified", mistakes.size());
        output.print(spec, new Evaluation(report, document, on), new EvaluationRenderer());
        String notWritten = ModelBundle.whileHeld(loaded, () -> {
            Path file = loaded.directory().resolve(ModelBundle.EVALUATION_FILE);
            try {
                AtomicFiles.writeString(file, Json.write(document) + "\n");
            } catch (IOException e) {
                log.warn("the report is printed above but could not be written to {}: {}", file, e.getMessage());
            }
            EvaluationFiles.write(loaded.directory(), report, mistakes);
        });
        if (notWritten != null) {
            log.warn("the report is printed above, but not written into the bundle: {}", notWritten);
        }
        return 0;
    }

    /**
     * {@code --data} labelled as the options say or, without a label option, as the model's training data was;
     * without {@code --data}, the images the bundle lists. Either way only the images that can be used, as training
     * and prediction check them ({@code --max-pixels}, {@code --strict}).
     */
    private Evaluated images(ModelBundle.Opened loaded, LabelSource given) {
        List<String> classes = loaded.metadata().classes();
        if (images.given()) {
            LabelSource source = given != null ? given : BundleImages.labelling(loaded.metadata(),
                    LabelledImages.FILENAME + " (the model's)");
            return new Evaluated(usable(source.scanWithClasses(images.data(), LabelledImages.DATA, classes),
                    images.data()), images.data(), source.description(), "data", false);
        }
        Flags.require(given == null, LabelledImages.DATA, "required with a label option");
        BundleImages.Listed listed = Flags.about(LabelledImages.DATA,
                () -> BundleImages.heldOut(loaded, LabelledImages.DATA));
        log.info("evaluating on the model's {}: {} images listed in {}", listed.name(), listed.images().size(),
                listed.file());
        return new Evaluated(usable(listed.images(), listed.file()), listed.file(), "csv:" + listed.file(),
                listed.choseKeptEpoch() ? "validation" : "test", listed.choseKeptEpoch());
    }

    private ImageSet usable(ImageSet set, Path from) {
        ImageSet usable = images.check().check(set).usable();
        if (usable.images().isEmpty()) {
            throw new TlException("none of the " + set.images().size() + " images of " + from + " can be used");
        }
        return usable;
    }

    /** The report, the JSON document that adds where it came from, and the images it is about. */
    record Evaluation(EvaluationReport report, ObjectNode document, Evaluated on) {
    }
}
