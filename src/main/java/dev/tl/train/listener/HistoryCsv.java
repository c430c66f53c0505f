package dev.tl.train.listener;

import dev.tl.AtomicFiles;
import dev.tl.Csv;
import dev.tl.train.EpochRecord;
import dev.tl.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code history.csv}: one row per epoch of both phases (epoch, phase, loss, accuracy, val_loss, val_accuracy, lr,
 * seconds),
 * rewritten whole as each epoch ends, so it can be watched during a run and always matches the history.
 */
public final class HistoryCsv implements TrainingListener {

    public static final String FILE = "history.csv";
    private static final List<String> COLUMNS = List.of("epoch", "phase", "loss", "accuracy", "val_loss", "val_accuracy",
            "lr", "seconds");
    private static final Logger log = LoggerFactory.getLogger(HistoryCsv.class);

    private final Path file;

    public HistoryCsv(Path file) {
        this.file = file;
    }

    @Override
    public void phaseStarted(PhaseStart event) {
        if (event.firstEpoch() == 1 && event.history().isEmpty()) {
            log.info("metrics per epoch: {}", file);
        }
    }

    @Override
    public void epochEnded(EpochEnd event) {
        try {
            AtomicFiles.writeString(file, render(event.state().history()));
        } catch (IOException e) {
            log.warn("could not write {}: {}", file, e.getMessage());
        }
    }

    /** The CSV text of {@code history}. */
    public static String render(List<EpochRecord> history) {
        return Csv.write(COLUMNS, history.stream().map(HistoryCsv::row).toList());
    }

    private static List<String> row(EpochRecord epoch) {
        return List.of(Integer.toString(epoch.epoch()), epoch.phase().id(), number(epoch.loss()),
                number(epoch.accuracy()), number(epoch.valLoss()), number(epoch.valAccuracy()), number(epoch.learningRate()),
                String.format(Locale.ROOT, "%.3f", epoch.seconds()));
    }

    private static String number(Double value) {
        return value == null ? "" : Double.toString(value);
    }
}
