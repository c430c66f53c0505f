package dev.tl.train;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line per epoch, and why a phase stopped early. */
public final class EpochLogger implements TrainingListener {

    private static final Logger log = LoggerFactory.getLogger(EpochLogger.class);

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        log.info("{} epoch {}/{}: loss {}, accuracy {}, val_loss {}, val_accuracy {}, lr {} ({} s)",
                record.phase(), record.epoch(), event.epochs(), format(record.loss()), format(record.accuracy()),
                format(record.valLoss()),
                format(record.valAccuracy()), String.format(Locale.ROOT, "%.2e", record.learningRate()),
                String.format(Locale.ROOT, "%.1f", record.seconds()));
    }

    @Override
    public void phaseEnded(PhaseEnd event) {
        if (event.failed()) {
            log.warn("{} phase failed: {}", event.phase(), event.stopReason());
        } else if (event.stopReason() != null) {
            log.info("{} phase stopped early: {}", event.phase(), event.stopReason());
        }
    }

    static String format(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
