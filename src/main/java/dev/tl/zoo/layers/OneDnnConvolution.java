package dev.tl.zoo.layers;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2D convolution (dense or depthwise) as oneDNN primitives that read and write tl's channels-last activations
 * where they are. libnd4j's convolution operations let oneDNN pick a blocked layout for every tensor, then copy
 * each input, output and gradient into and out of it on every call, allocating the copies afresh: in a MobileNet
 * fine-tune step those copies took 2.4 times as long as the convolutions themselves (oneDNN's verbose log). oneDNN
 * has JIT kernels for channels-last data, so here only the weights, a few hundred kilobytes, are reordered.
 *
 * <p>Primitives are created once per {@link Shape} and thread. {@link #forward} and {@link #backward}
 * return false where they do not apply (no oneDNN, not float, not laid out densely), and the caller computes
 * with ND4J.
 */
final class OneDnnConvolution {

    /** How a layer's weight array is laid out. */
    enum Weights {
        /** DL4J's convolution weights, [out, in, kernel height, kernel width]. */
        DENSE,
        /** DL4J's depthwise weights, [kernel height, kernel width, in, multiplier]; output channel in·multiplier + m. */
        DEPTHWISE
    }

    /**
     * A convolution of channels-last [batch, height, width, channels] input: padding is the top and left one
     * (bottom and right follow from the output size), dilation 1 for none.
     */
    record Shape(Weights weights, int batch, int inChannels, int outChannels, int inHeight, int inWidth,
                 int outHeight, int outWidth, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
                 int padTop, int padLeft, int dilationHeight, int dilationWidth, boolean bias) {

        private int groups() {
            return weights == Weights.DEPTHWISE ? inChannels : 1;
        }

        private long[] weightDims() {
            return weights == Weights.DEPTHWISE
                    ? new long[] {inChannels, outChannels / inChannels, 1, kernelHeight, kernelWidth}
                    : new long[] {outChannels, inChannels, kernelHeight, kernelWidth};
        }

        /** DL4J's weight array as oneDNN's [groups, out, in, kh, kw] (or [out, in, kh, kw]) through its strides. */
        private memory.desc weightArray() {
            if (weights == Weights.DENSE) {
                return OneDnn.descriptor(memory.format_tag.oihw, weightDims());
            }
            long multiplier = outChannels / inChannels;
            return OneDnn.descriptor(weightDims(), new long[] {multiplier, 1, 1,
                    (long) kernelWidth * inChannels * multiplier, (long) inChannels * multiplier});
        }

        private long[] strides() {
            return new long[] {strideHeight, strideWidth};
        }

        /** oneDNN counts dilation from 0. */
        private long[] dilation() {
            return new long[] {dilationHeight - 1, dilationWidth - 1};
        }

        private long[] paddingTopLeft() {
            return new long[] {padTop, padLeft};
        }

        private long[] paddingBottomRight() {
            return new long[] {
                    (long) (outHeight - 1) * strideHeight + (long) (kernelHeight - 1) * dilationHeight + 1 - inHeight - padTop,
                    (long) (outWidth - 1) * strideWidth + (long) (kernelWidth - 1) * dilationWidth + 1 - inWidth - padLeft};
        }
    }

    /**
     * Per thread: a primitive may not run on two threads at once (oneDNN shares its scratch memory between
     * executions unless built otherwise), as data-parallel replicas would run it.
     */
    private static final ThreadLocal<Map<Shape, Plan>> PLANS = ThreadLocal.withInitial(HashMap::new);

    private OneDnnConvolution() {
    }

    /** out = x ∗ w (+ bias); out is [batch, outHeight, outWidth, outChannels]. */
    static boolean forward(Shape shape, INDArray x, INDArray weights, INDArray bias, INDArray out) {
        if (!applies(shape, x, weights, bias, out)) {
            return false;
        }
        Plan plan = PLANS.get().computeIfAbsent(shape, Plan::new);
        memory blockedWeights = plan.forwardWeights.copy(weights);
        Map<Integer, OneDnn.Argument> arguments = new HashMap<>();
        arguments.put(DNNL_ARG_SRC, OneDnn.Argument.of(plan.input, x));
        arguments.put(DNNL_ARG_WEIGHTS, plan.forwardWeights.argument(blockedWeights, weights));
        if (shape.bias()) {
            arguments.put(DNNL_ARG_BIAS, OneDnn.Argument.of(plan.bias, bias));
        }
        arguments.put(DNNL_ARG_DST, OneDnn.Argument.of(plan.output, out));
        OneDnn.get().execute(plan.forward, arguments);
        return true;
    }

    /**
     * The gradients of a convolution whose output gradient is {@code outGradient}: of its input into
     * {@code inGradient}, and of its weights and bias into theirs (overwritten, each in its own array's layout).
     */
    static boolean backward(Shape shape, INDArray x, INDArray weights, INDArray outGradient, INDArray inGradient,
                            INDArray weightGradient, INDArray biasGradient) {
        if (!applies(shape, x, weights, biasGradient, outGradient, inGradient, weightGradient)) {
            return false;
        }
        Plan plan = PLANS.get().computeIfAbsent(shape, Plan::new);
        Backward backward = plan.backward();
        memory blockedWeights = backward.dataWeights.copy(weights);
        OneDnn.get().execute(backward.data, Map.of(
                DNNL_ARG_DIFF_DST, OneDnn.Argument.of(plan.output, outGradient),
                DNNL_ARG_WEIGHTS, backward.dataWeights.argument(blockedWeights, weights),
                DNNL_ARG_DIFF_SRC, OneDnn.Argument.of(plan.input, inGradient)));
        memory blockedGradient = backward.weightGradient.buffer();
        Map<Integer, OneDnn.Argument> arguments = new HashMap<>();
        arguments.put(DNNL_ARG_SRC, OneDnn.Argument.of(plan.input, x));
        arguments.put(DNNL_ARG_DIFF_DST, OneDnn.Argument.of(plan.output, outGradient));
        arguments.put(DNNL_ARG_DIFF_WEIGHTS, backward.weightGradient.argument(blockedGradient, weightGradient));
        if (shape.bias()) {
            arguments.put(DNNL_ARG_DIFF_BIAS, OneDnn.Argument.of(plan.bias, biasGradient));
        }
        OneDnn.get().execute(backward.weights, arguments);
        backward.weightGradient.copyBack(blockedGradient, weightGradient);
        return true;
    }

    private static boolean applies(Shape shape, INDArray... arrays) {
        return OneDnn.get() != null && OneDnn.dense(arrays) && (!shape.bias() || arrays[2] != null);
    }

    /**
     * The layout a primitive wants its weights (or weight gradient) in, and the reorder between it and DL4J's
     * array, or none where the two are the same.
     */
    private static final class WeightLayout {
        private final memory.desc array;
        private final memory.desc wanted;
        private final primitive toWanted;
        private final primitive toArray;
        /** The wanted layout's buffer (a few hundred kilobytes at most). */
        private final memory buffer;

        WeightLayout(memory.desc array, memory.desc wanted) {
            this.array = array;
            this.wanted = wanted;
            boolean same = wanted.equals(array);
            toWanted = same ? null : new reorder(new reorder.primitive_desc(OneDnn.get().cpu, array,
                    OneDnn.get().cpu, wanted));
            toArray = same ? null : new reorder(new reorder.primitive_desc(OneDnn.get().cpu, wanted,
                    OneDnn.get().cpu, array));
            buffer = same ? null : new memory(wanted, OneDnn.get().cpu);
        }

        /** Memory in the wanted layout, or null where the array itself serves. */
        memory buffer() {
            return buffer;
        }

        /** {@code weights} in the wanted layout, or null where the array itself serves. */
        memory copy(INDArray weights) {
            memory copy = buffer();
            if (copy != null) {
                OneDnn.get().execute(toWanted, Map.of(DNNL_ARG_FROM, OneDnn.Argument.of(array, weights),
                        DNNL_ARG_TO, OneDnn.Argument.of(copy)));
            }
            return copy;
        }

        /** The memory {@link #copy} or {@link #buffer} gave, reordered into {@code target}. */
        void copyBack(memory copy, INDArray target) {
            if (copy != null) {
                OneDnn.get().execute(toArray, Map.of(DNNL_ARG_FROM, OneDnn.Argument.of(copy),
                        DNNL_ARG_TO, OneDnn.Argument.of(array, target)));
            }
        }

        OneDnn.Argument argument(memory copy, INDArray array) {
            return copy != null ? OneDnn.Argument.of(copy) : OneDnn.Argument.of(this.array, array);
        }
    }

    /** The primitives of one shape; the backward ones are made on the first backward pass. */
    private static final class Plan {
        final Shape shape;
        final memory.desc input;
        final memory.desc output;
        final memory.desc bias;
        final memory.desc weightArray;
        final convolution_forward.primitive_desc forwardDescriptor;
        final primitive forward;
        final WeightLayout forwardWeights;
        private Backward backward;

        Plan(Shape shape) {
            this.shape = shape;
            input = OneDnn.descriptor(memory.format_tag.nhwc, shape.batch(), shape.inChannels(), shape.inHeight(),
                    shape.inWidth());
            output = OneDnn.descriptor(memory.format_tag.nhwc, shape.batch(), shape.outChannels(), shape.outHeight(),
                    shape.outWidth());
            bias = shape.bias() ? OneDnn.descriptor(memory.format_tag.x, shape.outChannels()) : new memory.desc();
            weightArray = shape.weightArray();
            forwardDescriptor = new convolution_forward.primitive_desc(new convolution_forward.desc(
                    prop_kind.forward_training, algorithm.convolution_direct, input, anyWeights(), bias, output,
                    shape.strides(), shape.dilation(), shape.paddingTopLeft(), shape.paddingBottomRight()),
                    OneDnn.get().cpu);
            forward = new convolution_forward(forwardDescriptor);
            forwardWeights = new WeightLayout(weightArray, forwardDescriptor.weights_desc());
        }

        memory.desc anyWeights() {
            return OneDnn.descriptor(memory.format_tag.any, shape.weightDims());
        }

        Backward backward() {
            if (backward == null) {
                backward = new Backward(this);
            }
            return backward;
        }
    }

    private static final class Backward {
        final primitive data;
        final WeightLayout dataWeights;
        final primitive weights;
        final WeightLayout weightGradient;

        Backward(Plan plan) {
            Shape shape = plan.shape;
            convolution_backward_data.primitive_desc dataDescriptor = new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(algorithm.convolution_direct, plan.input, plan.anyWeights(),
                            plan.output, shape.strides(), shape.dilation(), shape.paddingTopLeft(),
                            shape.paddingBottomRight()), OneDnn.get().cpu, plan.forwardDescriptor);
            data = new convolution_backward_data(dataDescriptor);
            dataWeights = new WeightLayout(plan.weightArray, dataDescriptor.weights_desc());
            convolution_backward_weights.primitive_desc weightsDescriptor =
                    new convolution_backward_weights.primitive_desc(new convolution_backward_weights.desc(
                            algorithm.convolution_direct, plan.input, plan.anyWeights(), plan.bias, plan.output,
                            shape.strides(), shape.dilation(), shape.paddingTopLeft(), shape.paddingBottomRight()),
                            OneDnn.get().cpu, plan.forwardDescriptor);
            weights = new convolution_backward_weights(weightsDescriptor);
            weightGradient = new WeightLayout(plan.weightArray, weightsDescriptor.diff_weights_desc());
        }
    }
}
