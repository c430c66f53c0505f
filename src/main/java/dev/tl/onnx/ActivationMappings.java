package dev.tl.onnx;

import dev.tl.zoo.layers.ReLUActivation;
import dev.tl.zoo.layers.SwishActivation;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * The activations tl's layers apply, as ONNX operations. Looked up by exact class: a subclass may compute something
 * else. Nodes are named after their layer and the function, e.g. {@code conv1_bn/relu6}.
 */
final class ActivationMappings {

    private interface Mapping {
        String apply(IActivation activation, String input, String layer, OnnxGraph graph);
    }

    private static final Map<Class<? extends IActivation>, Mapping> TABLE = Map.of(
            ActivationIdentity.class, (activation, input, layer, graph) -> input,
            ReLUActivation.class, ActivationMappings::relu,
            SwishActivation.class, ActivationMappings::swish,
            ActivationSigmoid.class, (activation, input, layer, graph) ->
                    graph.node("Sigmoid", layer + "/sigmoid", List.of(input)),
            // tl's classifiers end in a softmax over [N, classes]
            ActivationSoftmax.class, (activation, input, layer, graph) ->
                    graph.node("Softmax", layer + "/softmax", List.of(input), OnnxGraph.attribute("axis", 1L)));

    private ActivationMappings() {
    }

    /** Applies {@code activation} of {@code vertex} to {@code input}; returns the activated tensor. */
    static String apply(IActivation activation, String input, Vertex vertex, OnnxGraph graph) {
        Mapping mapping = TABLE.get(activation.getClass());
        if (mapping == null) {
            throw vertex.unsupported("activation " + activation + " has no ONNX mapping");
        }
        return mapping.apply(activation, input, vertex.name(), graph);
    }

    /** ReLU, or ReLU6 as Clip(0, 6) (the bounds are inputs from opset 11 on). */
    private static String relu(IActivation activation, String input, String layer, OnnxGraph graph) {
        Double max = ((ReLUActivation) activation).getMax();
        if (max == null) {
            return graph.node("Relu", layer + "/relu", List.of(input));
        }
        String name = "relu" + max.intValue();
        return graph.node("Clip", layer + "/" + name, List.of(input, graph.sharedScalar(name + "/min", 0f),
                graph.sharedScalar(name + "/max", max.floatValue())));
    }

    /** x * sigmoid(x). */
    private static String swish(IActivation activation, String input, String layer, OnnxGraph graph) {
        String sigmoid = graph.node("Sigmoid", layer + "/swish_sigmoid", List.of(input));
        return graph.node("Mul", layer + "/swish", List.of(input, sigmoid));
    }
}
