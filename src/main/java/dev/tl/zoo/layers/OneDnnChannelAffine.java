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
 * mask recomputed from the input in the same pass rather than kept. {@link #scale} alone (t = 0, no ReLU) scales a
 * folded convolution's weights and their gradient. Applies to dense float arrays in the CPU's memory; each method
 * returns false otherwise (or where oneDNN cannot load), and the caller computes with ND4J.
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

    /** What one primitive computes, z = x·s + t standing for its first two steps. */
    private enum Kind {
        /** x·s. */
        SCALE,
        /** z. */
        AFFINE,
        /** max(z, 0). */
        AFFINE_RELU,
        /** dL/dy·s where z &gt; 0, else 0. */
        RELU_GRADIENT
    }

    private record Key(Shape shape, Kind kind) {
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
        Plan plan = plan(Shape.of(x, channelAxis), relu ? Kind.AFFINE_RELU : Kind.AFFINE);
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
        if (!relu) {
            return scale(epsilon, Shape.of(epsilon, channelAxis), scale, gradient);
        }
        if (!applies(x, scale, shift, epsilon, gradient)) {
            return false;
        }
        Plan plan = plan(Shape.of(x, channelAxis), Kind.RELU_GRADIENT);
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

    /**
     * out = s·x, {@code x} and {@code out} read as [outer, channels, inner] arrays and s one value per channel;
     * out may be x. ND4J's broadcast multiply spends more on setting up a call than on multiplying a layer's
     * weights, which a folded step scales twice per convolution.
     */
    static boolean scale(INDArray x, long outer, long channels, long inner, INDArray scale, INDArray out) {
        return scale(x, new Shape(outer, channels, inner), scale, out);
    }

    private static boolean scale(INDArray x, Shape shape, INDArray scale, INDArray out) {
        if (!applies(x, scale, null, out)) {
            return false;
        }
        Plan plan = plan(shape, Kind.SCALE);
        OneDnn.get().execute(plan.primitive(), Map.of(
                DNNL_ARG_SRC_0, OneDnn.Argument.of(plan.data(), x),
                DNNL_ARG_SRC_1, OneDnn.Argument.of(plan.perChannel(), scale),
                DNNL_ARG_DST, OneDnn.Argument.of(plan.data(), out)));
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

    private static Plan plan(Shape shape, Kind kind) {
        return PLANS.get().computeIfAbsent(new Key(shape, kind), OneDnnChannelAffine::create);
    }

    /**
     * x·s, then what the kind adds as post-ops: + t (and ReLU) forward; + t, (&gt; 0) as 1 or 0, · dL/dy, · s for
     * the ReLU's gradient, where the mask times the gradient is exact, so this rounds as scaling the masked gradient
     * does.
     */
    private static Plan create(Key key) {
        memory.desc data = key.shape().data();
        memory.desc perChannel = key.shape().perChannel();
        memory.desc scalar = key.shape().scalar();
        post_ops ops = new post_ops();
        if (key.kind() != Kind.SCALE) {
            ops.append_binary(algorithm.binary_add, perChannel);
        }
        if (key.kind() == Kind.AFFINE_RELU) {
            ops.append_eltwise(1f, algorithm.eltwise_relu, 0f, 0f);
        } else if (key.kind() == Kind.RELU_GRADIENT) {
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
