package dev.tl.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The result of training: the model (inference graph, holding the best epoch's weights when there was validation
 * data, else the last epoch's), the full history, and which epoch was kept (null without validation data).
 */
public record TrainedModel(ComputationGraph graph, List<EpochRecord> history, EpochRecord kept) {
}
