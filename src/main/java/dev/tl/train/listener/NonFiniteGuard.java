package dev.tl.train.listener;

import dev.tl.train.EpochRecord;
import dev.tl.train.TrainingListener;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a phase as soon as the loss or the weights stop being finite numbers (a learning rate too high), so no
 * such epoch is recorded, kept or checkpointed; it goes first, before anything that would. Warns once per phase
 * when an epoch's loss climbs to {@value #DIVERGENCE} times the phase's lowest, as the range test calls divergence.
 */
public final class NonFiniteGuard implements TrainingListener {

    private static final Logger log = LoggerFactory.getLogger(NonFiniteGuard.class);
    static final double DIVERGENCE = 4;

    private double lowestLoss;
    private boolean warned;

    @Override
    public void phaseStarted(PhaseStart event) {
        lowestLoss = event.history().stream().filter(epoch -> epoch.phase() == event.phase())
                .mapToDouble(EpochRecord::loss).min().orElse(Double.POSITIVE_INFINITY);
        warned = false;
    }

    @Override
    public void batchEnded(BatchEnd event) {
        if (!Double.isFinite(event.loss())) {
            event.control().fail(String.format(Locale.ROOT, "the loss became %s in %s epoch %d, mini-batch %d of %d",
                    event.loss(), event.phase(), event.epoch(), event.batch() + 1, event.batches()));
        }
    }

    @Override
    public void epochEnded(EpochEnd event) {
        EpochRecord record = event.record();
        String where = record.phase() + " epoch " + record.epoch();
        if (!finite(record.valLoss()) || !finite(record.valAccuracy())) {
            event.control().fail("the validation loss became " + record.valLoss() + " in " + where);
        } else if (!Double.isFinite(event.graph().params().sumNumber().doubleValue())) {
            event.control().fail("the weights stopped being finite numbers in " + where);
        } else if (record.loss() > DIVERGENCE * lowestLoss && !warned) {
            warned = true;
            log.warn("{}: loss {} is over {} times the lowest ({}); try a lower rate", where,
                    EpochLogger.format(record.loss()), (int) DIVERGENCE, EpochLogger.format(lowestLoss));
        }
        lowestLoss = Math.min(lowestLoss, record.loss());
    }

    private static boolean finite(Double value) {
        return value == null || Double.isFinite(value);
    }
}
