package dev.tl.bundle;

import dev.tl.BuildInfo;
import dev.tl.data.CsvLabels;
import dev.tl.data.DataSplit;
import dev.tl.model.HeadSpec;
import dev.tl.plot.TrainingPlot;
import dev.tl.train.RunSettings;
import dev.tl.train.TrainedModel;
import dev.tl.train.TrainingRun;
import dev.tl.train.listener.HistoryCsv;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves what a {@code tl train} run made: the model, its metadata, its history (as CSV and as {@code training.png}),
 * and the lists of its validation and held-out test images, which {@code tl evaluate} uses when given no data.
 */
public final class TrainedBundle {

    private TrainedBundle() {
    }

    /**
     * Saves the bundle to the run's output, replacing an earlier bundle there.
     *
     * @param onnx the model's ONNX form, saved with it
     */
    public static void save(TrainingRun run, TrainedModel trained, ModelBundle.OnnxForm onnx) {
        RunSettings settings = run.settings();
        DataSplit split = run.split();
        Map<String, String> files = new LinkedHashMap<>();
        files.put(HistoryCsv.FILE, HistoryCsv.render(trained.history()));
        Path data = settings.training().dir().toAbsolutePath().normalize();
        Path valData = settings.validation() == null ? null
                : settings.validation().dir().toAbsolutePath().normalize();
        String testSet = split.test().size() == 0 ? null : ModelBundle.TEST_SET_FILE;
        if (testSet != null) {
            files.put(testSet, CsvLabels.toCsv(split.test(), data));
        }
        if (split.validation().size() > 0) {
            files.put(BundleImages.VALIDATION_SET_FILE, CsvLabels.toCsv(split.validation(),
                    valData != null ? valData : data));
        }
        HeadSpec head = settings.head();
        BundleMetadata.Training.Builder training = BundleMetadata.Training.builder()
                .data(data.toString(), settings.training().labels().description())
                .weights(settings.weights().toString())
                .split(split, testSet)
                .testSplit(settings.testSplit() > 0 ? settings.testSplit() : null)
                .options(BundleMetadata.Options.of(run.options(), run.classWeights()))
                .augmentation(BundleMetadata.Augmentations.of(settings.augmentation()))
                .skippedFiles(BundleMetadata.Skipped.of(run.skipped()));
        if (settings.validation() == null) {
            training.valSplit(settings.valSplit());
        } else {
            training.valData(valData.toString(), settings.validation().labels().description());
        }
        BundleMetadata metadata = new BundleMetadata(BundleMetadata.FORMAT_VERSION, BuildInfo.version(),
                Instant.now().toString(), ModelBundle.MODEL_FILE, BundleMetadata.inputsOf(run.modelSpec()),
                split.train().classes(), new BundleMetadata.Head(head.denseUnits(), head.dropout()), training.build(),
                BundleMetadata.historyOf(trained.history()), BundleMetadata.Epoch.of(trained.kept()));
        ModelBundle.save(settings.output(), trained.graph(), metadata, files, settings.overwrite(), onnx);
        TrainingPlot.write(trained.history(), trained.kept(), settings.output().resolve(TrainingPlot.FILE));
    }
}
