package dev.tl.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** How the fine-tune phase computes one optimizer step on a batch: in micro-batches, on one device or several. */
interface BatchStep {

    /** One optimizer step of {@code net} on {@code batch}: the batch's mean loss, and the examples it got right. */
    StepResult fit(ComputationGraph net, MultiDataSet batch);

    /** What a log line says about how batches of {@code batchSize} are computed. */
    String describe(int batchSize);
}
