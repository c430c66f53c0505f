package dev.tl.onnx;

import static dev.tl.onnx.OnnxGraph.attribute;

import dev.tl.data.InputSpec;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.GraphProto;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Turns a trained DL4J classifier into an ONNX graph, vertex by vertex in DL4J's topological order: NCHW float
 * inputs [N, 3, size, size] with the DL4J input names (or, with the preprocessing in the graph, decoded images
 * [N, 3, H, W] framed and preprocessed by the graph's first operations), one output {@value #OUTPUT} [N, classes]. {@link #convertPart} converts what some vertices of any of tl's graphs need, for the
 * onnxruntime inference engine.
 */
final class GraphConverter {

    static final String OUTPUT = "probabilities";

    private GraphConverter() {
    }

    /** @param inputs what each network input expects, in the graph's input order */
    static GraphProto convert(ComputationGraph network, List<InputSpec> inputs, int classes, String name,
                              OnnxOptions options) {
        List<String> outputs = network.getConfiguration().getNetworkOutputs();
        if (outputs.size() != 1) {
            throw new IllegalArgumentException("a classifier has one output, this graph has " + outputs);
        }
        OnnxGraph graph = new OnnxGraph(name, options.opset());
        Map<String, String> tensorOf = emit(network, inputs, options, outputs, graph);
        graph.output(tensorOf.get(outputs.get(0)), OUTPUT, options.batchSize(), classes);
        return graph.build();
    }

    /**
     * The vertices {@code outputs} depend on, and nothing else: the graph's inputs they need (NCHW) and one output
     * per vertex, {@code <vertex>/output}, a feature map in {@code outputLayout} (DL4J's layout, for a DL4J graph
     * that continues from it) or a vector. Frozen wrappers are converted as the layers they wrap.
     */
    static GraphProto convertPart(ComputationGraph network, List<InputSpec> inputs, String name, OnnxOptions options,
                                  List<String> outputs, CNN2DFormat outputLayout) {
        OnnxGraph graph = new OnnxGraph(name, options.opset());
        Map<String, String> tensorOf = emit(network, inputs, options, outputs, graph);
        Map<String, InputType> shapes = shapes(network.getConfiguration(), inputs);
        for (String output : outputs) {
            String tensor = tensorOf.get(output);
            String outputName = outputName(output);
            if (shapes.get(output) instanceof InputType.InputTypeConvolutional map
                    && outputLayout == CNN2DFormat.NHWC) {
                graph.node("Transpose", outputName, List.of(tensor), attribute("perm", new long[] {0, 2, 3, 1}));
                graph.output(outputName, outputName, options.batchSize(), map.getHeight(), map.getWidth(),
                        map.getChannels());
            } else if (shapes.get(output) instanceof InputType.InputTypeConvolutional map) {
                graph.node("Identity", outputName, List.of(tensor));
                graph.output(outputName, outputName, options.batchSize(), map.getChannels(), map.getHeight(),
                        map.getWidth());
            } else {
                graph.node("Identity", outputName, List.of(tensor));
                graph.output(outputName, outputName, options.batchSize(), shapes.get(output).arrayElementsPerExample());
            }
        }
        return graph.build();
    }

    /** The ONNX output {@link #convertPart} gives a vertex's output. */
    static String outputName(String vertex) {
        return vertex + "/output";
    }

    /** Adds the inputs and the vertices {@code outputs} need; returns the tensor holding each vertex's output. */
    private static Map<String, String> emit(ComputationGraph network, List<InputSpec> inputs, OnnxOptions options,
                                            List<String> outputs, OnnxGraph graph) {
        ComputationGraphConfiguration conf = network.getConfiguration();
        List<String> inputNames = conf.getNetworkInputs();
        Map<String, InputType> shapes = shapes(conf, inputs);
        Set<String> needed = ancestors(conf, outputs);
        Map<String, String> tensorOf = new HashMap<>();
        for (int i = 0; i < inputNames.size(); i++) {
            String input = inputNames.get(i);
            if (!needed.contains(input)) {
                continue;
            }
            InputSpec spec = inputs.get(i);
            if (options.withPreprocessing()) {
                graph.imageInput(input, options.batchSize());
                String framed = FramingNodes.add(graph, input, spec.framing(), spec.imageSize());
                tensorOf.put(input, PreprocessingNodes.add(graph, framed, input, spec.preprocessing()));
            } else {
                graph.input(input, options.batchSize(), 3, spec.imageSize(), spec.imageSize());
                tensorOf.put(input, input);
            }
        }
        for (String vertexName : conf.getTopologicalOrderStr()) {
            if (inputNames.contains(vertexName) || !needed.contains(vertexName)) {
                continue;
            }
            List<String> vertexInputs = conf.getVertexInputs().get(vertexName);
            Vertex vertex = new Vertex(vertexName, configuration(conf.getVertices().get(vertexName), vertexName),
                    vertexInputs.stream().map(tensorOf::get).toList(),
                    network.getVertex(vertexName).paramTable(false), shapes.get(vertexInputs.get(0)));
            tensorOf.put(vertexName, VertexMappings.of(vertex).emit(vertex, graph));
        }
        return tensorOf;
    }

    private static Map<String, InputType> shapes(ComputationGraphConfiguration conf, List<InputSpec> inputs) {
        return conf.getLayerActivationTypes(inputs.stream()
                .map(input -> InputType.convolutional(input.imageSize(), input.imageSize(), 3, input.layout()))
                .toArray(InputType[]::new));
    }

    /** {@code outputs} and every vertex they read from, directly or not. */
    private static Set<String> ancestors(ComputationGraphConfiguration conf, List<String> outputs) {
        Set<String> needed = new HashSet<>(outputs);
        Deque<String> open = new ArrayDeque<>(outputs);
        while (!open.isEmpty()) {
            for (String input : conf.getVertexInputs().getOrDefault(open.pop(), List.of())) {
                if (needed.add(input)) {
                    open.push(input);
                }
            }
        }
        return needed;
    }

    /**
     * A layer's own configuration (inside a frozen wrapper: freezing means nothing at inference); DL4J input
     * preprocessors (reshapes between layer kinds) are not mapped.
     */
    private static Object configuration(GraphVertex vertex, String name) {
        if (vertex instanceof FrozenVertex frozen) {
            return frozen.getUnderlying();
        }
        if (!(vertex instanceof LayerVertex layer)) {
            return vertex;
        }
        if (layer.getPreProcessor() != null) {
            throw Vertex.unsupported(name, "its input preprocessor "
                    + layer.getPreProcessor().getClass().getSimpleName() + " has no ONNX mapping");
        }
        org.deeplearning4j.nn.conf.layers.Layer conf = layer.getLayerConf().getLayer();
        if (conf instanceof FrozenLayer frozen) {
            return frozen.getLayer();
        }
        return conf instanceof FrozenLayerWithBackprop frozen ? frozen.getUnderlying() : conf;
    }
}
