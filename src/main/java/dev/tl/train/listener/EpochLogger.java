package dev.tl.train.listener;

import dev.tl.train.EpochRecord;
import dev.tl.train.Outcome;
import dev.tl.train.TrainingListener;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per epoch with Keras' metric names, and why a phase stopped early. The learning rate and the
 * seconds of each epoch are left to history.csv and training.png, so that the line fits in 100 columns.
 */
public final class EpochLogger implements TrainingListener {

    private static final Logger log = LoggerFactory.getLogger(EpochLogger.class);

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        log.info("{} epoch {}/{}: loss {}, accuracy {}{}", record.phase(), record.epoch(), event.epochs(),
                format(record.loss()), format(record.accuracy()), record.valLoss() == null ? ""
                        : ", val_loss " + format(record.valLoss()) + ", val_accuracy " + format(record.valAccuracy()));
    }

    @Override
    public void phaseEnded(PhaseEnd event) {
        if (event.outcome() instanceof Outcome.Failed failed) {
            log.warn("{} phase failed: {}", event.phase(), failed.reason());
        } else if (event.outcome() instanceof Outcome.StoppedEarly stopped) {
            log.info("{} phase stopped early: {}", event.phase(), stopped.reason());
        }
    }

    public static String format(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
