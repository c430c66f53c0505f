package dev.tl.cli;

import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.ImageSet;
import dev.tl.train.EpochRecord;
import dev.tl.train.Phase;
import dev.tl.train.TrainedModel;
import dev.tl.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@code tl train} reports when it is done (its {@code --json} document; field names in docs/CLI.md): where
 * the bundle is, the epoch kept with its metrics, the fine-tune phase's best epoch where it did not beat the frozen
 * phase's (so a frozen epoch was kept), the last epoch, how long each phase took, the images used, and
 * for a held-out test set the command that evaluates on it (tl evaluate takes the bundle's test set by itself),
 * and the image files left out.
 */
record TrainSummary(String bundle, List<String> files, Epoch keptEpoch, Epoch unhelpfulFinetuneEpoch,
                    Epoch lastEpoch, Seconds seconds,
                    List<String> classes, int trainImages, int validationImages, int testImages, String testSet,
                    String evaluateCommand, List<BundleMetadata.Skipped> skippedFiles) {

    /** One epoch's numbers (validation ones null without validation data). */
    record Epoch(String phase, int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy,
                 double learningRate) {

        static Epoch of(EpochRecord record) {
            return record == null ? null : new Epoch(record.phase().id(), record.epoch(), record.loss(),
                    record.accuracy(), record.valLoss(), record.valAccuracy(), record.learningRate());
        }
    }

    /** Wall-clock time of the whole command, and the time of each phase's epochs. */
    record Seconds(double total, double frozen, double finetune) {
    }

    static TrainSummary of(TrainingRun run, TrainedModel trained, Path output, double seconds) {
        Path bundle = output.toAbsolutePath().normalize();
        List<EpochRecord> history = trained.history();
        ImageSet test = run.split().test();
        Path testSet = test.size() == 0 ? null : bundle.resolve(ModelBundle.TEST_SET_FILE);
        String evaluate = testSet == null ? null : "tl evaluate --model-dir " + Shell.quote(bundle);
        List<String> files;
        try (Stream<Path> listing = Files.list(bundle)) {
            files = listing.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            files = List.of(); // the bundle was just saved; a listing that fails leaves only this field empty
        }
        return new TrainSummary(bundle.toString(), files, Epoch.of(trained.kept()),
                Epoch.of(trained.unhelpfulFineTune(run.options().monitor())),
                history.isEmpty() ? null : Epoch.of(history.get(history.size() - 1)),
                new Seconds(round(seconds), round(phaseSeconds(history, Phase.FROZEN)),
                        round(phaseSeconds(history, Phase.FINETUNE))), run.split().train().classes(),
                run.split().train().size(), run.split().validation().size(), test.size(),
                testSet == null ? null : testSet.toString(), evaluate, BundleMetadata.Skipped.of(run.skipped()));
    }

    private static double phaseSeconds(List<EpochRecord> history, Phase phase) {
        return history.stream().filter(epoch -> epoch.phase() == phase).mapToDouble(EpochRecord::seconds).sum();
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }

    /** The lines {@code tl train} prints for people. */
    static final class TextRenderer implements Renderer<TrainSummary> {

        private static final int SKIPPED_SHOWN = 5;

        @Override
        public String text(TrainSummary summary) {
            Epoch kept = summary.keptEpoch();
            String keptText = kept == null ? "last epoch (no validation data)"
                    : String.format(Locale.ROOT, "%s epoch %d, val_accuracy %.4f", kept.phase(), kept.epoch(),
                    kept.valAccuracy());
            String text = "saved model to " + summary.bundle() + " (kept: " + keptText + ")";
            Epoch unhelpful = summary.unhelpfulFinetuneEpoch();
            if (unhelpful != null) {
                text += String.format(Locale.ROOT, "%nfine-tuning did not improve on it (its best: %s epoch %d,"
                        + " val_accuracy %.4f)", unhelpful.phase(), unhelpful.epoch(), unhelpful.valAccuracy());
            }
            List<BundleMetadata.Skipped> skipped = summary.skippedFiles();
            if (!skipped.isEmpty()) {
                text += String.format("%nskipped %d image %s that cannot be used (all listed in %s as "
                                + "skipped_files):%n%s", skipped.size(), skipped.size() == 1 ? "file" : "files",
                        Path.of(summary.bundle()).resolve(ModelBundle.METADATA_FILE),
                        skipped.stream().limit(SKIPPED_SHOWN).map(file -> "  " + file.path() + ": " + file.reason())
                                .collect(Collectors.joining("\n"))
                                + (skipped.size() > SKIPPED_SHOWN ? "\n  ..." : ""));
            }
            if (summary.testSet() != null) {
                text += String.format("%nheld-out test set: %d images, listed in %s; evaluate on it with:%n  %s",
                        summary.testImages(), summary.testSet(), summary.evaluateCommand());
            }
            return text;
        }
    }
}
