package dev.tl.zoo.layers;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A per-channel affine map z = s·x + t, optionally followed by ReLU, as one oneDNN binary primitive each way (the
 * shift, the ReLU and the backward pass's mask and scaling are post-ops of one pass over the tensor): a frozen
 * BatchNorm that no convolution computes, such as the one after each of DenseNet's concatenations, took libnd4j two
 * passes forward and three back (normalise again, mask, scale).
 *
 * <p>Forward: y = max(s·x + t, 0). Backward: dL/dx = s·dL/dy where s·x + t &gt; 0 (everywhere without ReLU), the
 * mask recomputed from the input in the same pass rather than kept. Applies to dense float arrays in the CPU's
 * memory; both return false otherwise (or where oneDNN cannot load), and the caller computes with ND4J.
 */
final class OneDnnChannelAffine {

    /** The input as [outer, channels, inner]: channels last (NHWC, or a matrix) makes inner 1. */
    private record Shape(long outer, long channels, long inner) {
        static Shape of(INDArray x, int channelAxis) {
            long outer = 1;
            long inner = 1;
            for (int axis = 0; axis < x.rank(); axis++) {
                if (axis < channelAxis) {
                    outer *= x.size(axis);
                } else if (axis > channelAxis) {
                    inner *= x.size(axis);
                }
            }
            return new Shape(outer, x.size(channelAxis), inner);
        }

        memory.desc data() {
            return inner == 1 ? OneDnn.descriptor(memory.format_tag.ab, outer, channels)
                    : OneDnn.descriptor(memory.format_tag.abc, outer, channels, inner);
        }

        memory.desc perChannel() {
            return inner == 1 ? OneDnn.descriptor(memory.format_tag.ab, 1, channels)
                    : OneDnn.descriptor(memory.format_tag.abc, 1, channels, 1);
        }

        memory.desc scalar() {
            return inner == 1 ? OneDnn.descriptor(memory.format_tag.ab, 1, 1)
                    : OneDnn.descriptor(memory.format_tag.abc, 1, 1, 1);
        }
    }

    private enum Pass { FORWARD, BACKWARD }

    private record Key(Shape shape, Pass pass, boolean relu) {
    }

    private record Plan(primitive primitive, memory.desc data, memory.desc perChannel, memory zero) {
    }

    /** Per thread, as a primitive may not run on two threads at once (see {@link OneDnnConvolution}). */
    private static final ThreadLocal<Map<Key, Plan>> PLANS = ThreadLocal.withInitial(HashMap::new);
    /** The 0 that the backward pass's mask compares with, for the lifetime of the process. */
    private static final FloatPointer ZERO = new FloatPointer(1).put(0f);

    private OneDnnChannelAffine() {
    }

    /** out = s·x + t per channel along {@code channelAxis}, then ReLU if {@code relu}. */
    static boolean forward(INDArray x, int channelAxis, INDArray scale, INDArray shift, boolean relu, INDArray out) {
        if (!applies(x, scale, shift, out)) {
            return false;
        }
        Plan plan = plan(new Key(Shape.of(x, channelAxis), Pass.FORWARD, relu));
        OneDnn.get().execute(plan.primitive(), Map.of(
                DNNL_ARG_SRC_0, OneDnn.Argument.of(plan.data(), x),
                DNNL_ARG_SRC_1, OneDnn.Argument.of(plan.perChannel(), scale),
                postOpInput(0), OneDnn.Argument.of(plan.perChannel(), shift),
                DNNL_ARG_DST, OneDnn.Argument.of(plan.data(), out)));
        return true;
    }

    /** gradient = dL/dx of {@link #forward} at {@code x}, given epsilon = dL/dy. */
    static boolean backward(INDArray x, INDArray epsilon, int channelAxis, INDArray scale, INDArray shift,
                            boolean relu, INDArray gradient) {
        if (!applies(x, scale, shift, epsilon, gradient)) {
            return false;
        }
        Plan plan = plan(new Key(Shape.of(x, channelAxis), Pass.BACKWARD, relu));
        if (!relu) {
            OneDnn.get().execute(plan.primitive(), Map.of(
                    DNNL_ARG_SRC_0, OneDnn.Argument.of(plan.data(), epsilon),
                    DNNL_ARG_SRC_1, OneDnn.Argument.of(plan.perChannel(), scale),
                    DNNL_ARG_DST, OneDnn.Argument.of(plan.data(), gradient)));
            return true;
        }
        OneDnn.get().execute(plan.primitive(), Map.of(
                DNNL_ARG_SRC_0, OneDnn.Argument.of(plan.data(), x),
                DNNL_ARG_SRC_1, OneDnn.Argument.of(plan.perChannel(), scale),
                postOpInput(0), OneDnn.Argument.of(plan.perChannel(), shift),
                postOpInput(1), OneDnn.Argument.of(plan.zero()),
                postOpInput(2), OneDnn.Argument.of(plan.data(), epsilon),
                postOpInput(3), OneDnn.Argument.of(plan.perChannel(), scale),
                DNNL_ARG_DST, OneDnn.Argument.of(plan.data(), gradient)));
        return true;
    }

    private static boolean applies(INDArray x, INDArray scale, INDArray shift, INDArray... data) {
        if (OneDnn.get() == null || !OneDnn.dense(x, scale, shift) || !OneDnn.dense(data)) {
            return false;
        }
        for (INDArray array : data) {
            if (array.length() != x.length()) {
                return false;
            }
        }
        return true;
    }

    private static Plan plan(Key key) {
        return PLANS.get().computeIfAbsent(key, OneDnnChannelAffine::create);
    }

    /**
     * Forward: x·s, then + t and ReLU as post-ops. Backward with ReLU: x·s, + t, (> 0) as 1 or 0, · dL/dy, · s:
     * the mask times the gradient is exact, so this rounds as scaling the masked gradient does. Without ReLU, only
     * dL/dy·s.
     */
    private static Plan create(Key key) {
        memory.desc data = key.shape().data();
        memory.desc perChannel = key.shape().perChannel();
        memory.desc scalar = key.shape().scalar();
        post_ops ops = new post_ops();
        if (key.pass() == Pass.FORWARD) {
            ops.append_binary(algorithm.binary_add, perChannel);
            if (key.relu()) {
                ops.append_eltwise(1f, algorithm.eltwise_relu, 0f, 0f);
            }
        } else if (key.relu()) {
            ops.append_binary(algorithm.binary_add, perChannel);
            ops.append_binary(algorithm.binary_gt, scalar);
            ops.append_binary(algorithm.binary_mul, data);
            ops.append_binary(algorithm.binary_mul, perChannel);
        }
        primitive_attr attributes = new primitive_attr();
        attributes.set_post_ops(ops);
        primitive primitive = new binary(new binary.primitive_desc(
                new binary.desc(algorithm.binary_mul, data, perChannel, data), attributes, OneDnn.get().cpu));
        return new Plan(primitive, data, perChannel, new memory(scalar, OneDnn.get().cpu, ZERO));
    }

    /** The argument key of the second input of post-op {@code index}. */
    private static int postOpInput(int index) {
        return DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (index + 1) | DNNL_ARG_SRC_1;
    }
}
