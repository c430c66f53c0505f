package dev.tl.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The learning rate through one phase: before every mini-batch the schedule's factor scales the rates the graph
 * was built with; each epoch reports the learning rate it started with (that of the head and the top block).
 */
final class PhaseLearningRate {

    private final LearningRateSchedule schedule;
    private final LearningRateScaler scaler;
    private final double baseRate;
    private int iteration;
    private double epochRate = Double.NaN;

    PhaseLearningRate(ComputationGraph graph, LearningRateSchedule schedule, double baseRate) {
        this.schedule = schedule;
        this.scaler = new LearningRateScaler(graph);
        this.baseRate = baseRate;
    }

    void beforeBatch() {
        double factor = schedule.factor(iteration++);
        if (Double.isNaN(epochRate)) {
            epochRate = baseRate * factor;
        }
        scaler.scale(factor);
    }

    /** Continues after this phase's {@code done} epochs, as if they had just run (a resumed run). */
    void skip(List<EpochRecord> done, int batchesPerEpoch) {
        iteration = done.size() * batchesPerEpoch;
        done.forEach(epoch -> schedule.epochEnded(epoch.valLoss() != null ? epoch.valLoss() : epoch.loss()));
    }

    /** Ends an epoch, letting the schedule see {@code monitoredLoss}; returns the rate the epoch started with. */
    double endEpoch(double monitoredLoss) {
        double rate = epochRate;
        epochRate = Double.NaN;
        schedule.epochEnded(monitoredLoss);
        return rate;
    }
}
