package dev.tl.train;

import dev.tl.eval.Metrics;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one loop every kind of training runs through: the head on cached or augmented features, the fine-tuned
 * model on images, and the learning-rate range test. Per epoch it reseeds ND4J's generator, trains the phase's
 * mini-batches at the learning rate the listeners set, validates and records the epoch; everything else
 * (logging, best weights, early stopping, schedules, checkpoints) is a {@link TrainingListener}.
 */
final class EpochLoop {

    private final List<TrainingListener> listeners;
    private final EpochSeeds seeds;

    EpochLoop(List<TrainingListener> listeners, EpochSeeds seeds) {
        this.listeners = List.copyOf(listeners);
        this.seeds = seeds;
    }

    /**
     * Runs {@code run}'s epochs from {@code firstEpoch}, adding each to {@code state}.
     *
     * @param preparationSeconds work done for the phase before its first epoch (a feature pass), counted in it
     * @return how the phase ended
     */
    Outcome run(PhaseRun run, int firstEpoch, RunState state, double preparationSeconds) {
        Phase phase = run.phase();
        ComputationGraph graph = run.graph();
        PhaseControl control = new PhaseControl();
        LearningRateScaler scaler = new LearningRateScaler(graph);
        notify(listener -> listener.phaseStarted(new TrainingListener.PhaseStart(phase, run.epochs(), firstEpoch,
                run.batchesPerEpoch(), run.images(), state.history(), control)));
        for (int epoch = firstEpoch; epoch <= run.epochs() && !control.stopping(); epoch++) {
            long start = System.nanoTime();
            Nd4j.getRandom().setSeed(seeds.generator(phase, epoch));
            double lossSum = 0;
            int examples = 0;
            int correct = 0;
            double startRate = Double.NaN;
            Iterator<MultiDataSet> batches = run.batches(epoch);
            for (int batch = 0; batches.hasNext() && !control.stopping(); batch++) {
                MultiDataSet data = batches.next();
                int number = batch;
                int current = epoch;
                notify(listener -> listener.batchStarted(new TrainingListener.BatchStart(phase, current, number,
                        run.batchesPerEpoch(), control)));
                scaler.scale(control.learningRateFactor());
                if (Double.isNaN(startRate)) {
                    startRate = run.baseLearningRate() * control.learningRateFactor();
                }
                int size = (int) data.getFeatures(0).size(0);
                StepResult step = run.fit(data);
                double loss = step.loss();
                lossSum += loss * size;
                correct += step.correct();
                examples += size;
                notify(control, listener -> listener.batchEnded(new TrainingListener.BatchEnd(phase, current,
                        number, run.batchesPerEpoch(), size, loss, control)));
            }
            if (control.failed()) {
                break;
            }
            if (control.stopping()) {
                break; // asked during a mini-batch: the epoch is not complete, so it is not recorded
            }
            Metrics.Score val = run.validate();
            double seconds = (System.nanoTime() - start) / 1e9 + (epoch == firstEpoch ? preparationSeconds : 0);
            EpochRecord record = new EpochRecord(phase, epoch, lossSum / examples, (double) correct / examples,
                    val == null ? null : val.loss(), val == null ? null : val.accuracy(), startRate, seconds);
            state.add(record);
            TrainingListener.EpochEnd ended = new TrainingListener.EpochEnd(record, run.epochs(), state, graph,
                    control);
            notify(control, listener -> listener.epochEnded(ended));
            if (control.failed()) {
                state.removeLast(); // a failed epoch is not part of the run
            }
        }
        Outcome outcome = control.outcome();
        notify(listener -> listener.phaseEnded(new TrainingListener.PhaseEnd(phase, state.history(), outcome)));
        return outcome;
    }

    private void notify(Consumer<TrainingListener> event) {
        listeners.forEach(event);
    }

    /** Tells the listeners in order; once one fails the phase, the rest are not told about what failed. */
    private void notify(PhaseControl control, Consumer<TrainingListener> event) {
        for (TrainingListener listener : listeners) {
            if (control.failed()) {
                return;
            }
            event.accept(listener);
        }
    }
}
