package dev.tl.train;

import dev.tl.eval.Metrics;
import java.util.Iterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.MultiDataSet;

/** One phase's work as the {@link EpochLoop} drives it: what trains, on which mini-batches, and how it is scored. */
interface PhaseRun {

    Phase phase();

    /** The graph that trains. */
    ComputationGraph graph();

    int epochs();

    /** The rate the graph's top layers were built with; an epoch reports it times the schedule's factor. */
    double baseLearningRate();

    int batchesPerEpoch();

    /** Training examples per epoch. */
    int images();

    /** The epoch's mini-batches in their seeded order; may first do the epoch's own work (a feature pass). */
    Iterator<MultiDataSet> batches(int epoch);

    /** One optimizer step: the mini-batch's mean loss, and how many of its examples it classified right. */
    StepResult fit(MultiDataSet batch);

    /** The validation loss and accuracy after an epoch; null without validation data. */
    Metrics.Score validate();
}
