package dev.tl.zoo.layers;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.eltwise_backward;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An activation's forward or backward pass as one oneDNN eltwise primitive (JIT-compiled, vectorised, one pass over
 * the tensor). libnd4j has no such kernels: its swish and swish derivative call {@code expf} per element (35-48% of
 * an EfficientNet step), and ReLU6's backward takes four element-wise operations. ND4J's oneDNN is linked into its
 * own library without an API, so this uses oneDNN's Java bindings ({@code org.bytedeco:dnnl}).
 *
 * <p>Applies to float arrays in the CPU's memory, contiguous and starting at their buffer; {@link #forward} and
 * {@link #backward} return false otherwise (or where oneDNN cannot load), and the caller computes with ND4J.
 * Primitives are created once per function, direction and element count.
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

    private static final Logger log = LoggerFactory.getLogger(Eltwise.class);
    private static final Eltwise INSTANCE = load();

    private final engine cpu;
    private final ThreadLocal<stream> streams;
    private final Map<String, primitive> primitives = new ConcurrentHashMap<>();
    private final Map<Long, memory.desc> descriptors = new ConcurrentHashMap<>();

    private Eltwise(engine cpu) {
        this.cpu = cpu;
        this.streams = ThreadLocal.withInitial(() -> new stream(cpu));
    }

    private static Eltwise load() {
        try {
            if (!Nd4j.getEnvironment().isCPU()) {
                return null;
            }
            return new Eltwise(new engine(engine.kind.cpu, 0));
        } catch (LinkageError | RuntimeException e) {
            log.debug("oneDNN's eltwise kernels are not available ({}); activations use ND4J's operations", e.toString());
            return null;
        }
    }

    /** out = f(in); false where this cannot compute it. */
    static boolean forward(Function function, INDArray in, INDArray out) {
        if (!applies(in, out)) {
            return false;
        }
        primitive forward = INSTANCE.primitives.computeIfAbsent(function + "/forward/" + in.length(),
                key -> new eltwise_forward(INSTANCE.forwardDescriptor(function, in.length())));
        INSTANCE.execute(forward, Map.of(DNNL_ARG_SRC, in, DNNL_ARG_DST, out));
        return true;
    }

    /** gradient = f'(in) * epsilon; false where this cannot compute it. */
    static boolean backward(Function function, INDArray in, INDArray epsilon, INDArray gradient) {
        if (!applies(in, epsilon, gradient)) {
            return false;
        }
        long length = in.length();
        primitive backward = INSTANCE.primitives.computeIfAbsent(function + "/backward/" + length, key -> {
            memory.desc data = INSTANCE.descriptor(length);
            return new eltwise_backward(new eltwise_backward.primitive_desc(new eltwise_backward.desc(
                    function.kind, data, data, function.alpha, function.beta), INSTANCE.cpu,
                    INSTANCE.forwardDescriptor(function, length)));
        });
        INSTANCE.execute(backward, Map.of(DNNL_ARG_SRC, in, DNNL_ARG_DIFF_DST, epsilon, DNNL_ARG_DIFF_SRC, gradient));
        return true;
    }

    private static boolean applies(INDArray... arrays) {
        if (INSTANCE == null) {
            return false;
        }
        for (INDArray array : arrays) {
            if (array.dataType() != DataType.FLOAT || array.offset() != 0 || array.ordering() != 'c'
                    || array.elementWiseStride() != 1 || array.length() != arrays[0].length()) {
                return false;
            }
        }
        return true;
    }

    private eltwise_forward.primitive_desc forwardDescriptor(Function function, long length) {
        return new eltwise_forward.primitive_desc(new eltwise_forward.desc(prop_kind.forward_training,
                function.kind, descriptor(length), function.alpha, function.beta), cpu);
    }

    /** The arrays as one flat dimension: an element-wise function does not care about shape. */
    private memory.desc descriptor(long length) {
        return descriptors.computeIfAbsent(length, n -> new memory.desc(new LongPointer(new long[] {n}),
                memory.data_type.f32, memory.format_tag.a));
    }

    /** Runs {@code primitive} on the arrays' own memory (oneDNN memory objects that wrap it, freed after). */
    private void execute(primitive primitive, Map<Integer, INDArray> arrays) {
        List<memory> wrapped = new ArrayList<>();
        try (IntMemoryMap arguments = new IntMemoryMap()) {
            arrays.forEach((argument, array) -> {
                memory m = new memory(descriptor(array.length()), cpu, array.data().addressPointer());
                wrapped.add(m);
                arguments.put(argument, m);
            });
            stream stream = streams.get();
            primitive.execute(stream, arguments);
            stream._wait();
        } finally {
            wrapped.forEach(memory::close);
        }
    }
}
