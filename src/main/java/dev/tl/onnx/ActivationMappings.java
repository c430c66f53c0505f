package dev.tl.onnx;

import static dev.tl.onnx.OnnxGraph.attribute;

import dev.tl.zoo.layers.GeluActivation;
import dev.tl.zoo.layers.HardSigmoidActivation;
import dev.tl.zoo.layers.HardSwishActivation;
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

    /** GELU is an ONNX operation from opset 20, HardSwish from 14; before, they are written out. */
    private static final int GELU_OPSET = 20;
    private static final int HARD_SWISH_OPSET = 14;

    private static final Map<Class<? extends IActivation>, Mapping> TABLE = Map.of(
            ActivationIdentity.class, (activation, input, layer, graph) -> input,
            ReLUActivation.class, ActivationMappings::relu,
            SwishActivation.class, ActivationMappings::swish,
            GeluActivation.class, ActivationMappings::gelu,
            HardSwishActivation.class, ActivationMappings::hardSwish,
            HardSigmoidActivation.class, (activation, input, layer, graph) -> hardSigmoid(input, layer, graph),
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

    /** The exact GELU, x * (1 + erf(x / sqrt(2))) / 2: Gelu with approximate="none", or Erf and arithmetic. */
    private static String gelu(IActivation activation, String input, String layer, OnnxGraph graph) {
        if (graph.opset() >= GELU_OPSET) {
            return graph.node("Gelu", layer + "/gelu", List.of(input), attribute("approximate", "none"));
        }
        String scaled = graph.node("Mul", layer + "/gelu_scale", List.of(input,
                graph.sharedScalar("gelu/inv_sqrt2", (float) (1 / Math.sqrt(2)))));
        String erf = graph.node("Erf", layer + "/gelu_erf", List.of(scaled));
        String cdf = graph.node("Add", layer + "/gelu_add", List.of(erf, graph.sharedScalar("gelu/one", 1f)));
        String product = graph.node("Mul", layer + "/gelu_mul", List.of(input, cdf));
        return graph.node("Mul", layer + "/gelu", List.of(product, graph.sharedScalar("gelu/half", 0.5f)));
    }

    /** x * ReLU6(x + 3) / 6: HardSwish, or x times the hard sigmoid before opset 14. */
    private static String hardSwish(IActivation activation, String input, String layer, OnnxGraph graph) {
        if (graph.opset() >= HARD_SWISH_OPSET) {
            return graph.node("HardSwish", layer + "/hard_swish", List.of(input));
        }
        return graph.node("Mul", layer + "/hard_swish", List.of(input, hardSigmoid(input, layer, graph)));
    }

    /** ReLU6(x + 3) / 6 is HardSigmoid with alpha 1/6 and beta 1/2 (ONNX's defaults are 0.2 and 0.5). */
    private static String hardSigmoid(String input, String layer, OnnxGraph graph) {
        return graph.node("HardSigmoid", layer + "/hard_sigmoid", List.of(input),
                attribute("alpha", 1f / 6), attribute("beta", 0.5f));
    }
}
