package dev.tl.zoo.layers;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A concatenation along the last axis (channels last, or features), as DL4J's {@link MergeVertex} computes it, with
 * each input's part copied by a oneDNN reorder, at the speed of a memory copy: DL4J copies each input into the
 * output with a small copy per pixel, and each part of the gradient back out element by element (TransformAny on a
 * strided view; with DenseNet's concatenation after every layer, a twelfth of a fine-tune step). Other axes, types
 * and layouts compute as DL4J does.
 */
public class ChannelConcat extends MergeVertex {

    /** The same vertex as {@code conf}, computed by this class. */
    public static ChannelConcat of(MergeVertex conf) {
        ChannelConcat concat = new ChannelConcat();
        concat.setMergeAxis(conf.getMergeAxis());
        return concat;
    }

    /** Keeps the merge axis (DL4J's clone of a MergeVertex drops it). */
    @Override
    public ChannelConcat clone() {
        return of(this);
    }

    @Override
    public GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                   boolean initializeParams, DataType networkDatatype) {
        return new Runtime(graph, name, idx, networkDatatype, mergeAxis);
    }

    /** Runtime side: the copies as reorders between the dense parts and their strided places in the whole. */
    public static class Runtime extends org.deeplearning4j.nn.graph.vertex.impl.MergeVertex {

        private record Shape(long rows, long columns, long wholeColumns) {
        }

        /** A reorder between a dense [rows, columns] matrix and its place in a whole with more columns. */
        private record Copy(primitive reorder, memory.desc dense, memory.desc part) {
            static Copy of(Shape shape, boolean intoWhole) {
                memory.desc dense = OneDnn.descriptor(memory.format_tag.ab, shape.rows(), shape.columns());
                memory.desc part = OneDnn.descriptor(new long[] {shape.rows(), shape.columns()},
                        new long[] {shape.wholeColumns(), 1});
                memory.desc from = intoWhole ? dense : part;
                memory.desc to = intoWhole ? part : dense;
                return new Copy(new reorder(new reorder.primitive_desc(OneDnn.get().cpu, from, OneDnn.get().cpu, to)),
                        dense, part);
            }
        }

        /** Per thread, as a primitive may not run on two threads at once (see {@link OneDnnConvolution}). */
        private static final ThreadLocal<Map<Pair<Shape, Boolean>, Copy>> COPIES =
                ThreadLocal.withInitial(HashMap::new);

        private final int mergeAxis;
        /** The shapes of the inputs of the latest forward pass, when this class computed it; else null. */
        private long[][] reordered;

        Runtime(ComputationGraph graph, String name, int vertexIndex, DataType dataType, int mergeAxis) {
            super(graph, name, vertexIndex, dataType, mergeAxis);
            this.mergeAxis = mergeAxis;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            reordered = null;
            if (!applies()) {
                return super.doForward(training, workspaceMgr);
            }
            long[] shape = inputs[0].shape().clone();
            int last = shape.length - 1;
            long[][] shapes = new long[inputs.length][];
            shape[last] = 0;
            for (int i = 0; i < inputs.length; i++) {
                shapes[i] = inputs[i].shape();
                shape[last] += shapes[i][last];
            }
            INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, shape, 'c');
            long from = 0;
            for (INDArray input : inputs) {
                long to = from + input.size(last);
                copy(input, part(out, from, to), true);
                from = to;
            }
            reordered = shapes;
            return out;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (reordered == null) {
                return super.doBackward(tbptt, workspaceMgr);
            }
            INDArray whole = OneDnn.dense(epsilon) ? epsilon : epsilon.dup('c');
            int last = whole.rank() - 1;
            INDArray[] gradients = new INDArray[reordered.length];
            long from = 0;
            for (int i = 0; i < reordered.length; i++) {
                long to = from + reordered[i][last];
                gradients[i] = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, reordered[i], 'c');
                copy(gradients[i], part(whole, from, to), false);
                from = to;
            }
            return new Pair<>(null, gradients);
        }

        /**
         * Several inputs of this vertex's type, dense in row-major order, merged along their last axis (DL4J merges
         * matrices along their columns whatever the axis), with oneDNN loaded.
         */
        private boolean applies() {
            if (OneDnn.get() == null || inputs == null || inputs.length < 2 || dataType != DataType.FLOAT) {
                return false;
            }
            int rank = inputs[0].rank();
            if (rank != 2 && mergeAxis != rank - 1) {
                return false;
            }
            for (INDArray input : inputs) {
                if (input.rank() != rank || input.dataType() != dataType || !OneDnn.dense(input)) {
                    return false;
                }
                for (int axis = 0; axis < rank - 1; axis++) {
                    if (input.size(axis) != inputs[0].size(axis)) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** Columns [from, to) of {@code whole} read as a [rows, columns] matrix: a strided view. */
        private static INDArray part(INDArray whole, long from, long to) {
            long columns = whole.size(whole.rank() - 1);
            return whole.reshape('c', whole.length() / columns, columns)
                    .get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
        }

        /** Copies the dense array {@code dense} into {@code part} (of the whole), or {@code part} into it. */
        private static void copy(INDArray dense, INDArray part, boolean intoWhole) {
            Shape shape = new Shape(part.size(0), part.size(1), part.stride(0));
            Copy copy = COPIES.get().computeIfAbsent(new Pair<>(shape, intoWhole), key -> Copy.of(shape, intoWhole));
            OneDnn.Argument denseArgument = OneDnn.Argument.of(copy.dense(), dense);
            OneDnn.Argument partArgument = OneDnn.Argument.of(copy.part(), part);
            OneDnn.get().execute(copy.reorder(), Map.of(DNNL_ARG_FROM, intoWhole ? denseArgument : partArgument,
                    DNNL_ARG_TO, intoWhole ? partArgument : denseArgument));
        }
    }
}
