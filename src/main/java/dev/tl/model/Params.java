package dev.tl.model;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Moves parameters between graphs by name ({@code <vertex>_<param>}): the full model, its training variants,
 * the feature extractor and the head all name the same parameter the same way.
 */
public final class Params {

    private Params() {
    }

    /** Copies every parameter of {@code from} that {@code to} also has; returns how many were copied. */
    public static int copyShared(ComputationGraph from, ComputationGraph to) {
        Map<String, INDArray> target = to.paramTable();
        int copied = 0;
        for (Map.Entry<String, INDArray> entry : from.paramTable().entrySet()) {
            INDArray destination = target.get(entry.getKey());
            if (destination != null) {
                assign(entry.getKey(), destination, entry.getValue());
                copied++;
            }
        }
        return copied;
    }

    /** Copies all parameters between two graphs of the same model; any mismatch in names is a bug. */
    public static void copyAll(ComputationGraph from, ComputationGraph to) {
        if (!from.paramTable().keySet().equals(to.paramTable().keySet())) {
            throw new IllegalStateException("graphs differ in parameters: " + from.paramTable().keySet() + " vs "
                    + to.paramTable().keySet());
        }
        copyShared(from, to);
    }

    /** A detached copy of the parameters, to restore later (e.g. the best epoch's weights). */
    public static Map<String, INDArray> snapshot(ComputationGraph graph) {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        graph.paramTable().forEach((key, value) -> copy.put(key, value.dup()));
        return copy;
    }

    public static void restore(Map<String, INDArray> snapshot, ComputationGraph graph) {
        Map<String, INDArray> target = graph.paramTable();
        snapshot.forEach((key, value) -> {
            INDArray destination = target.get(key);
            if (destination == null) {
                throw new IllegalStateException("graph has no parameter " + key);
            }
            assign(key, destination, value);
        });
    }

    private static void assign(String key, INDArray destination, INDArray source) {
        if (!Arrays.equals(destination.shape(), source.shape())) {
            throw new IllegalStateException("parameter " + key + " has shape " + Arrays.toString(source.shape())
                    + " in one graph and " + Arrays.toString(destination.shape()) + " in the other");
        }
        destination.assign(source);
    }
}
