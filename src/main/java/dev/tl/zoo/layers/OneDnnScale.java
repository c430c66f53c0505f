package dev.tl.zoo.layers;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.Map;
import java.util.HashMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A matrix times a vector along its rows or columns, as one oneDNN binary primitive: ND4J's broadcast multiply
 * spends more on setting up each call than on multiplying the weights of a layer, and a folded step makes two such
 * calls per convolution. Returns false where it does not apply, and the caller computes with ND4J.
 */
final class OneDnnScale {

    private record Shape(long rows, long columns, boolean perRow) {
    }

    private record Plan(primitive multiply, memory.desc matrix, memory.desc vector) {
    }

    /** Per thread, as a primitive may not run on two threads at once (see {@link OneDnnConvolution}). */
    private static final ThreadLocal<Map<Shape, Plan>> PLANS = ThreadLocal.withInitial(HashMap::new);

    private OneDnnScale() {
    }

    /**
     * out = x · v, x and out read as [rows, columns] matrices, v with one value per row ({@code perRow}) or per
     * column; out may be x.
     */
    static boolean multiply(INDArray x, long rows, long columns, boolean perRow, INDArray vector, INDArray out) {
        if (OneDnn.get() == null || !OneDnn.dense(x, vector, out)) {
            return false;
        }
        Plan plan = PLANS.get().computeIfAbsent(new Shape(rows, columns, perRow), OneDnnScale::plan);
        OneDnn.get().execute(plan.multiply(), Map.of(DNNL_ARG_SRC_0, OneDnn.Argument.of(plan.matrix(), x),
                DNNL_ARG_SRC_1, OneDnn.Argument.of(plan.vector(), vector),
                DNNL_ARG_DST, OneDnn.Argument.of(plan.matrix(), out)));
        return true;
    }

    private static Plan plan(Shape shape) {
        memory.desc matrix = OneDnn.descriptor(memory.format_tag.ab, shape.rows(), shape.columns());
        memory.desc vector = shape.perRow() ? OneDnn.descriptor(memory.format_tag.ab, shape.rows(), 1)
                : OneDnn.descriptor(memory.format_tag.ab, 1, shape.columns());
        primitive multiply = new binary(new binary.primitive_desc(new binary.desc(algorithm.binary_mul, matrix,
                vector, matrix), OneDnn.get().cpu));
        return new Plan(multiply, matrix, vector);
    }
}
