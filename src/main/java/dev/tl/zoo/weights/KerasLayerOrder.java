package dev.tl.zoo.weights;

import dev.tl.zoo.layers.FrozenBatchNormalization;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * Layers in the order Keras lists a Functional model's layers ({@code model.layers}, the order its weight files are
 * written and its legacy {@code load_weights} pairs them in): by depth from the output, deepest first, ties in the
 * order a depth-first search from the output meets them (Keras 2's {@code _map_graph_network}, Keras 3's
 * {@code map_graph}). So a ResNet block's shortcut convolution comes after its main branch's second convolution.
 *
 * <p>Depths are Keras': where tl fuses a BatchNorm and the activation after it into one vertex, that vertex stands
 * for two Keras layers.
 *
 * @param layers the layers asked for, in Keras' order
 * @param depth  every vertex's depth, in Keras layers from the output
 */
record KerasLayerOrder(List<String> layers, Map<String, Integer> depth) {

    static KerasLayerOrder of(ComputationGraph graph, List<String> layers) {
        Map<String, List<String>> inputs = graph.getConfiguration().getVertexInputs();
        Map<String, Integer> discovered = new HashMap<>();
        List<String> finished = new ArrayList<>(); // every vertex after the vertices it reads
        for (String output : graph.getConfiguration().getNetworkOutputs()) {
            depthFirst(output, inputs, discovered, finished);
        }
        Map<String, Integer> deepestConsumer = new HashMap<>();
        Map<String, Integer> depth = new HashMap<>();
        for (int i = finished.size() - 1; i >= 0; i--) { // consumers first: a vertex's depth is final when reached
            String vertex = finished.get(i);
            int own = deepestConsumer.getOrDefault(vertex, -1) + kerasLayers(graph, vertex);
            depth.put(vertex, own);
            for (String input : inputs.getOrDefault(vertex, List.of())) {
                deepestConsumer.merge(input, own, Math::max);
            }
        }
        List<String> ordered = layers.stream()
                .sorted(Comparator.comparing((String layer) -> -depth.getOrDefault(layer, 0))
                        .thenComparing(discovered::get))
                .toList();
        return new KerasLayerOrder(ordered, depth);
    }

    private static void depthFirst(String vertex, Map<String, List<String>> inputs, Map<String, Integer> discovered,
                                   List<String> finished) {
        if (discovered.putIfAbsent(vertex, discovered.size()) != null) {
            return;
        }
        for (String input : inputs.getOrDefault(vertex, List.of())) {
            depthFirst(input, inputs, discovered, finished);
        }
        finished.add(vertex);
    }

    /** How many Keras layers a vertex stands for: two for a BatchNorm that applies the activation after it. */
    private static int kerasLayers(ComputationGraph graph, String vertex) {
        GraphVertex conf = graph.getConfiguration().getVertices().get(vertex);
        if (conf instanceof LayerVertex layerVertex) {
            Layer layer = layerVertex.getLayerConf().getLayer();
            if (layer instanceof FrozenLayer frozen) {
                layer = frozen.getLayer();
            }
            if (layer instanceof FrozenBatchNormalization bn && !(bn.getActivationFn() instanceof ActivationIdentity)) {
                return 2;
            }
        }
        return 1;
    }
}
