package dev.tl.export;

import dev.tl.data.InputSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.GraphProto;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Turns a trained DL4J classifier into an ONNX graph, vertex by vertex in DL4J's topological order: NCHW float
 * inputs [N, 3, size, size] with the DL4J input names (optionally followed by the preprocessing), one output
 * {@value #OUTPUT} [N, classes].
 */
final class GraphConverter {

    static final String OUTPUT = "probabilities";

    private GraphConverter() {
    }

    /** @param inputs what each network input expects, in the graph's input order */
    static GraphProto convert(ComputationGraph network, List<InputSpec> inputs, int classes, String name,
                              OnnxOptions options) {
        ComputationGraphConfiguration conf = network.getConfiguration();
        List<String> inputNames = conf.getNetworkInputs();
        Map<String, InputType> shapes = conf.getLayerActivationTypes(inputs.stream()
                .map(input -> InputType.convolutional(input.imageSize(), input.imageSize(), 3, input.layout()))
                .toArray(InputType[]::new));
        OnnxGraph graph = new OnnxGraph(name, options.opset());
        Map<String, String> tensorOf = new HashMap<>();
        for (int i = 0; i < inputNames.size(); i++) {
            String input = inputNames.get(i);
            int size = inputs.get(i).imageSize();
            graph.input(input, options.batchSize(), 3, size, size);
            tensorOf.put(input, options.withPreprocessing()
                    ? PreprocessingNodes.add(graph, input, inputs.get(i).preprocessing()) : input);
        }
        for (String vertexName : conf.getTopologicalOrderStr()) {
            if (inputNames.contains(vertexName)) {
                continue;
            }
            List<String> vertexInputs = conf.getVertexInputs().get(vertexName);
            Vertex vertex = new Vertex(vertexName, configuration(conf.getVertices().get(vertexName), vertexName),
                    vertexInputs.stream().map(tensorOf::get).toList(),
                    network.getVertex(vertexName).paramTable(false), shapes.get(vertexInputs.get(0)));
            tensorOf.put(vertexName, VertexMappings.of(vertex).emit(vertex, graph));
        }
        List<String> outputs = conf.getNetworkOutputs();
        if (outputs.size() != 1) {
            throw new IllegalArgumentException("a classifier has one output, this graph has " + outputs);
        }
        graph.output(tensorOf.get(outputs.get(0)), OUTPUT, options.batchSize(), classes);
        return graph.build();
    }

    /** A layer's own configuration; DL4J input preprocessors (reshapes between layer kinds) are not mapped. */
    private static Object configuration(GraphVertex vertex, String name) {
        if (!(vertex instanceof LayerVertex layer)) {
            return vertex;
        }
        if (layer.getPreProcessor() != null) {
            throw Vertex.unsupported(name, "its input preprocessor "
                    + layer.getPreProcessor().getClass().getSimpleName() + " has no ONNX mapping");
        }
        return layer.getLayerConf().getLayer();
    }
}
