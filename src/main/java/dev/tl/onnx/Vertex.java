package dev.tl.onnx;

import dev.tl.TlException;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One DL4J vertex on its way into the ONNX graph.
 *
 * @param name          the vertex name (Keras' layer name), which its ONNX nodes and weights are named after
 * @param configuration the DL4J layer configuration, or the graph vertex configuration for parameter-free vertices
 * @param inputs        the ONNX tensors holding the vertex's inputs, in DL4J's order
 * @param params        DL4J's parameters by key ("W", "b", "gamma", ...)
 * @param inputType     the shape DL4J infers for the first input
 */
record Vertex(String name, Object configuration, List<String> inputs, Map<String, INDArray> params,
              InputType inputType) {

    String input() {
        return inputs.get(0);
    }

    INDArray param(String key) {
        INDArray value = params.get(key);
        if (value == null) {
            throw new IllegalStateException("layer " + name + " has no parameter " + key);
        }
        return value;
    }

    /** The ONNX tensor of a parameter, named after the vertex and the parameter's Keras name. */
    String weights(OnnxGraph graph, String key, String kerasName) {
        return graph.weights(name + "/" + kerasName, param(key));
    }

    /** Parameter vectors ([1, n] in DL4J) as ONNX's one-dimensional tensors. */
    String vector(OnnxGraph graph, String key, String kerasName) {
        return graph.weights(name + "/" + kerasName, param(key).reshape(-1));
    }

    /** Conv's and Gemm's inputs: the data, the kernel and the layer's bias if it has one. */
    List<String> inputKernelBias(OnnxGraph graph, String kernel) {
        return params.containsKey("b") ? List.of(input(), kernel, vector(graph, "b", "bias"))
                : List.of(input(), kernel);
    }

    InputType.InputTypeConvolutional featureMap() {
        if (inputType instanceof InputType.InputTypeConvolutional map) {
            return map;
        }
        throw new IllegalStateException("layer " + name + " expects a feature map, got " + inputType);
    }

    TlException unsupported(String what) {
        return unsupported(name, what);
    }

    static TlException unsupported(String vertexName, String what) {
        return new TlException("cannot export layer '" + vertexName + "' to ONNX: " + what);
    }
}
