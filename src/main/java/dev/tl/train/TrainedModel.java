package dev.tl.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The result of training: the model (inference graph, holding the best epoch's weights when there was validation
 * data, else the last epoch's), the full history, which epoch was kept (null without validation data), and how
 * training ended.
 */
public record TrainedModel(ComputationGraph graph, List<EpochRecord> history, EpochRecord kept, Outcome outcome) {

    /** The best epoch of {@code phase} by {@code monitor}; null when the phase ran no epoch with validation. */
    public EpochRecord bestOf(Phase phase, Monitor monitor) {
        EpochRecord best = null;
        for (EpochRecord epoch : history) {
            if (epoch.phase() == phase && epoch.valLoss() != null && monitor.better(epoch, best)) {
                best = epoch;
            }
        }
        return best;
    }

    /**
     * The fine-tune phase's best epoch where it did not beat the frozen phase, so the model kept is the frozen
     * phase's; else null.
     */
    public EpochRecord unhelpfulFineTune(Monitor monitor) {
        return kept != null && kept.phase() == Phase.FROZEN ? bestOf(Phase.FINETUNE, monitor) : null;
    }
}
