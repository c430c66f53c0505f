package dev.tl.zoo.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * InceptionResNetV2's scaled residual (Keras' CustomScaleLayer, a Lambda in older Keras): {@code x + scale * r}
 * for the block input x and its residual branch r, as one vertex. The gradient is dL/dout for x and scale *
 * dL/dout for r.
 */
public class ScaledSumVertex extends ElementWiseVertex {

    private final double scale;

    @JsonCreator
    public ScaledSumVertex(@JsonProperty("scale") double scale) {
        super(Op.Add);
        this.scale = scale;
    }

    public double getScale() {
        return scale;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        return new Runtime(graph, name, idx, scale, networkDatatype);
    }

    @Override
    public ScaledSumVertex clone() {
        return new ScaledSumVertex(scale);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledSumVertex other && other.scale == scale;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(scale);
    }

    static final class Runtime extends org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex {
        private final double scale;

        Runtime(ComputationGraph graph, String name, int index, double scale, DataType dataType) {
            super(graph, name, index, Op.Add, dataType);
            this.scale = scale;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, inputs[0].shape(), 'c');
            return out.assign(inputs[1]).muli(scale).addi(inputs[0]);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            INDArray shortcut = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon);
            INDArray residual = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType,
                    epsilon.shape(), 'c').assign(epsilon).muli(scale);
            return new Pair<>(null, new INDArray[] {shortcut, residual});
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                               int minibatchSize) {
            return new Pair<>(null, currentMaskState);
        }
    }
}
