package dev.tl.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The result of training: the model (inference graph, holding the best epoch's weights when there was validation
 * data, else the last epoch's), the full history, which epoch was kept (null without validation data), and why
 * training failed ({@code failure}, null when it did not: the loss or weights stopped being finite).
 */
public record TrainedModel(ComputationGraph graph, List<EpochRecord> history, EpochRecord kept, String failure) {
}
