package dev.tl.train;

import java.util.Map;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's updater, told when the gradient it is handed is the graph's own. DL4J 1.0.0-M2.1 decides that by object
 * identity, but hands it a freshly reshaped view of that array every step, so every step took its path for a gradient
 * computed in another network: a view of every parameter and of its gradient made anew, per variable (a tenth of a
 * MobileNet fine-tune step). The two paths do the same arithmetic on the same memory, so the step is unchanged.
 */
final class OwnGradientUpdater extends ComputationGraphUpdater {

    /** The gradient array this updater's blocks are views of. */
    private final INDArray ownGradient;

    private OwnGradientUpdater(ComputationGraph graph, INDArray state) {
        super(graph, state);
        ownGradient = getFlattenedGradientsView();
    }

    /**
     * {@code graph}'s updater, made of this class if it has none yet. tl's training code asks for the updater only
     * here, so a graph gets this class before its state is restored or its rates scaled; one that already has
     * DL4J's own keeps it (DL4J's slower path, the same step).
     */
    static ComputationGraphUpdater of(ComputationGraph graph) {
        ComputationGraphUpdater current = graph.getUpdater(false);
        if (current == null) {
            current = new OwnGradientUpdater(graph, null);
            graph.setUpdater(current);
        }
        return current;
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
                                    LayerWorkspaceMgr workspaceMgr) {
        INDArray flat = gradient.gradient();
        boolean own = getFlattenedGradientsView() == ownGradient && sameMemory(flat, ownGradient);
        super.update(own ? new Own(gradient.gradientForVariable(), ownGradient) : gradient, iteration, epoch,
                batchSize, workspaceMgr);
    }

    private static boolean sameMemory(INDArray a, INDArray b) {
        return a.length() == b.length() && a.dataType() == b.dataType()
                && a.data().addressPointer().address() == b.data().addressPointer().address();
    }

    /** The same per-variable gradients, with the graph's own array as the flattened one, as DL4J compares it. */
    private static final class Own extends DefaultGradient {
        private final INDArray flattened;

        Own(Map<String, INDArray> variables, INDArray flattened) {
            super(flattened);
            this.flattened = flattened;
            variables.forEach(this::setGradientFor);
        }

        @Override
        public INDArray gradient() {
            return flattened;
        }
    }
}
