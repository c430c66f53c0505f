package dev.tl.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * An ONNX graph being assembled from ONNX's generated protobuf classes. Nodes must be added in topological order.
 * Every node has one output, a tensor with the node's own name, so each tensor says which operation made it.
 */
final class OnnxGraph {

    /** The symbolic batch dimension of inputs and outputs when the batch size is left dynamic. */
    static final String BATCH_DIMENSION = "N";
    /** The symbolic height and width of an input that takes images of any size. */
    static final String HEIGHT = "H";
    static final String WIDTH = "W";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> tensors = new HashSet<>();
    private final int opset;

    /** @param opset the operator set the graph is written for, which decides the operations it may use */
    OnnxGraph(String name, int opset) {
        graph.setName(name);
        this.opset = opset;
    }

    int opset() {
        return opset;
    }

    /** Adds a node reading {@code inputs}; returns its output tensor. */
    String node(String opType, String name, List<String> inputs, AttributeProto... attributes) {
        claim(name);
        graph.addNode(NodeProto.newBuilder()
                .setOpType(opType)
                .setName(name)
                .addAllInput(inputs)
                .addOutput(name)
                .addAllAttribute(List.of(attributes)));
        return name;
    }

    /** A float32 weight tensor with the shape and values of {@code values}. */
    String weights(String name, INDArray values) {
        return floats(name, values.shape(), values.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    /** A float32 tensor; values in row-major order. */
    String floats(String name, long[] shape, float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return initializer(name, shape, TensorProto.DataType.FLOAT, ByteString.copyFrom(bytes));
    }

    /** A one-dimensional int64 tensor (pads, shapes, indices). */
    String int64s(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return initializer(name, new long[] {values.length}, TensorProto.DataType.INT64, ByteString.copyFrom(bytes));
    }

    /** A float32 scalar that many nodes may share (e.g. ReLU6's bounds): added on first use. */
    String sharedScalar(String name, float value) {
        return tensors.contains(name) ? name : floats(name, new long[0], value);
    }

    /** A float32 graph input [batch, dims...]. */
    void input(String name, OptionalInt batchSize, long... dims) {
        claim(name);
        graph.addInput(valueInfo(name, batchSize, dims));
    }

    /** A float32 graph input [batch, 3, H, W] of images of any size. */
    void imageInput(String name, OptionalInt batchSize) {
        claim(name);
        ValueInfoProto.Builder input = valueInfo(name, batchSize, 3).toBuilder();
        TensorShapeProto.Builder shape = input.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(HEIGHT));
        shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(WIDTH));
        graph.addInput(input);
    }

    /** Declares {@code tensor} a float32 graph output [batch, dims...] called {@code name}. */
    void output(String tensor, String name, OptionalInt batchSize, long... dims) {
        if (!tensor.equals(name)) {
            rename(tensor, name);
        }
        graph.addOutput(valueInfo(name, batchSize, dims));
    }

    GraphProto build() {
        return graph.build();
    }

    /** A graph output is a tensor that only its producer refers to, so renaming it touches that node alone. */
    private void rename(String tensor, String name) {
        claim(name);
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            if (node.getOutput(0).equals(tensor)) {
                node.setOutput(0, name);
                return;
            }
        }
        throw new IllegalStateException("no node outputs " + tensor);
    }

    private String initializer(String name, long[] shape, TensorProto.DataType type, ByteString data) {
        claim(name);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(data);
        for (long dim : shape) {
            tensor.addDims(dim);
        }
        graph.addInitializer(tensor);
        return name;
    }

    private void claim(String name) {
        if (!tensors.add(name)) {
            throw new IllegalStateException("ONNX tensor name used twice: " + name);
        }
    }

    private static ValueInfoProto valueInfo(String name, OptionalInt batchSize, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        TensorShapeProto.Dimension.Builder batch = TensorShapeProto.Dimension.newBuilder();
        if (batchSize.isPresent()) {
            batch.setDimValue(batchSize.getAsInt());
        } else {
            batch.setDimParam(BATCH_DIMENSION);
        }
        shape.addDim(batch);
        for (long dim : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dim));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
                .build();
    }

    static AttributeProto attribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    static AttributeProto attribute(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto attribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value)
                .build();
    }

    static AttributeProto attribute(String name, long[] values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }
}
