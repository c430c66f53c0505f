package dev.tl.zoo.layers;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An activation's forward or backward pass as one oneDNN eltwise primitive (JIT-compiled, vectorised, one pass over
 * the tensor). libnd4j has no such kernels: its swish and swish derivative call {@code expf} per element (35-48% of
 * an EfficientNet step), and ReLU6's backward takes four element-wise operations.
 *
 * <p>Applies to float arrays in the CPU's memory, laid out densely; {@link #forward} and
 * {@link #backward} return false otherwise (or where oneDNN cannot load), and the caller computes with ND4J.
 * Primitives are created once per function, direction, element count and thread.
 */
final class Eltwise {

    /** An activation oneDNN computes, with its parameters; its derivative is taken at the forward pass's input. */
    enum Function {
        RELU(algorithm.eltwise_relu, 0, 0),
        /** ReLU6 as clip(x, 0, 6), whose derivative is 1 exactly where 0 &lt; x &lt; 6 (clip_v2's convention). */
        RELU6(algorithm.eltwise_clip_v2, 0, 6),
        SWISH(algorithm.eltwise_swish, 1, 0);

        private final algorithm kind;
        private final float alpha;
        private final float beta;

        Function(algorithm kind, float alpha, float beta) {
            this.kind = kind;
            this.alpha = alpha;
            this.beta = beta;
        }
    }

    /** Per thread, as a primitive may not run on two threads at once (see {@link OneDnnConvolution}). */
    private static final ThreadLocal<Map<String, primitive>> PRIMITIVES = ThreadLocal.withInitial(HashMap::new);
    private static final Map<Long, memory.desc> DESCRIPTORS = new ConcurrentHashMap<>();

    private Eltwise() {
    }

    /** out = f(in); false where this cannot compute it. */
    static boolean forward(Function function, INDArray in, INDArray out) {
        if (!applies(in, out)) {
            return false;
        }
        primitive forward = PRIMITIVES.get().computeIfAbsent(function + "/forward/" + in.length(),
                key -> new eltwise_forward(forwardDescriptor(function, in.length())));
        execute(forward, Map.of(DNNL_ARG_SRC, in, DNNL_ARG_DST, out));
        return true;
    }

    /** gradient = f'(in) * epsilon; false where this cannot compute it. */
    static boolean backward(Function function, INDArray in, INDArray epsilon, INDArray gradient) {
        if (!applies(in, epsilon, gradient)) {
            return false;
        }
        long length = in.length();
        primitive backward = PRIMITIVES.get().computeIfAbsent(function + "/backward/" + length, key -> {
            memory.desc data = descriptor(length);
            return new eltwise_backward(new eltwise_backward.primitive_desc(new eltwise_backward.desc(
                    function.kind, data, data, function.alpha, function.beta), OneDnn.get().cpu,
                    forwardDescriptor(function, length)));
        });
        execute(backward, Map.of(DNNL_ARG_SRC, in, DNNL_ARG_DIFF_DST, epsilon, DNNL_ARG_DIFF_SRC, gradient));
        return true;
    }

    private static boolean applies(INDArray... arrays) {
        if (OneDnn.get() == null || !OneDnn.dense(arrays)) {
            return false;
        }
        for (INDArray array : arrays) {
            if (array.length() != arrays[0].length()) {
                return false;
            }
        }
        return true;
    }

    private static eltwise_forward.primitive_desc forwardDescriptor(Function function, long length) {
        return new eltwise_forward.primitive_desc(new eltwise_forward.desc(prop_kind.forward_training,
                function.kind, descriptor(length), function.alpha, function.beta), OneDnn.get().cpu);
    }

    /** The arrays as one flat dimension: an element-wise function does not care about shape. */
    private static memory.desc descriptor(long length) {
        return DESCRIPTORS.computeIfAbsent(length, n -> OneDnn.descriptor(memory.format_tag.a, n));
    }

    private static void execute(primitive primitive, Map<Integer, INDArray> arrays) {
        Map<Integer, OneDnn.Argument> arguments = new HashMap<>();
        arrays.forEach((key, array) -> arguments.put(key, OneDnn.Argument.of(descriptor(array.length()), array)));
        OneDnn.get().execute(primitive, arguments);
    }
}
