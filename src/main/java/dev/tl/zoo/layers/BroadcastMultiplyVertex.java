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
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Squeeze-and-excitation's {@code x * s} with x [N,H,W,C] (or [N,C,H,W]) and s [N,1,1,C] (or [N,C,1,1]). DL4J's
 * element-wise product would broadcast at run time, but only after materialising s at the size of x with libnd4j's
 * tile, forward and backward (~20% of an EfficientNet training step); here s is broadcast along the batch and
 * channel axes by one native broadcast operation, and its gradient is sum over H and W of (dL/dout * x).
 */
public class BroadcastMultiplyVertex extends ElementWiseVertex {

    public BroadcastMultiplyVertex() {
        super(Op.Product);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
        return vertexInputs[0];
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        return new Runtime(graph, name, idx, networkDatatype);
    }

    @Override
    public BroadcastMultiplyVertex clone() {
        return new BroadcastMultiplyVertex();
    }

    static final class Runtime extends org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex {
        Runtime(ComputationGraph graph, String name, int index, DataType dataType) {
            super(graph, name, index, Op.Product, dataType);
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            INDArray x = inputs[0];
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, x.shape(), 'c');
            return broadcastMultiply(x, inputs[1], out);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            INDArray x = inputs[0];
            INDArray scale = inputs[1];
            INDArray xGradient = broadcastMultiply(epsilon, scale,
                    workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c'));
            INDArray product = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, x.shape(), 'c');
            Nd4j.exec(new MulOp(epsilon, x, product));
            int axis = channelAxis(x, scale);
            int[] spatial = axis == 3 ? new int[] {1, 2} : new int[] {2, 3};
            INDArray scaleGradient;
            try (MemoryWorkspace borrowed = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATION_GRAD)) {
                scaleGradient = product.sum(true, spatial);
            }
            return new Pair<>(null, new INDArray[] {xGradient, scaleGradient});
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                               int minibatchSize) {
            return new Pair<>(null, currentMaskState);
        }

        private static INDArray broadcastMultiply(INDArray x, INDArray scale, INDArray out) {
            int axis = channelAxis(x, scale);
            INDArray perExampleAndChannel = scale.reshape('c', scale.size(0), scale.size(axis));
            Nd4j.getExecutioner().exec(new BroadcastMulOp(x, perExampleAndChannel, out, 0, axis));
            return out;
        }

        /** The axis where s has the channels: 3 for [N,1,1,C], 1 for [N,C,1,1]. */
        private static int channelAxis(INDArray x, INDArray scale) {
            return scale.size(1) == 1 && scale.size(3) == x.size(3) ? 3 : 1;
        }
    }
}
