package dev.tl.zoo.layers;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.LongPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN's CPU engine through its Java bindings ({@code org.bytedeco:dnnl}), for the kernels tl runs on ND4J's
 * arrays itself: ND4J links its own oneDNN without an API, and drives it in ways that cost more than the kernels
 * (see {@link OneDnnConvolution}, {@link Eltwise}). One engine per process, one stream per thread; a primitive runs
 * on the arrays' own memory.
 */
final class OneDnn {

    private static final Logger log = LoggerFactory.getLogger(OneDnn.class);
    private static final OneDnn INSTANCE = load();

    final engine cpu;
    private final ThreadLocal<stream> streams;
    private final ThreadLocal<Map<primitive, Binding>> bindings = ThreadLocal.withInitial(IdentityHashMap::new);

    private OneDnn(engine cpu) {
        this.cpu = cpu;
        this.streams = ThreadLocal.withInitial(() -> new stream(cpu));
    }

    private static OneDnn load() {
        try {
            if (!Nd4j.getEnvironment().isCPU()) {
                return null;
            }
            return new OneDnn(new engine(engine.kind.cpu, 0));
        } catch (LinkageError | RuntimeException e) {
            log.debug("oneDNN cannot be loaded ({}); tl's oneDNN kernels give way to ND4J's operations", e.toString());
            return null;
        }
    }

    /** The engine, or null where oneDNN cannot load (or ND4J computes on a GPU). */
    static OneDnn get() {
        return INSTANCE;
    }

    /**
     * Float arrays in the CPU's memory, laid out densely in row-major order (views of a larger buffer included;
     * the stride of an axis of size 1 is never used, and ND4J does not always give it the row-major value).
     */
    static boolean dense(INDArray... arrays) {
        for (INDArray array : arrays) {
            if (array != null && (array.dataType() != DataType.FLOAT || !rowMajor(array.shape(), array.stride()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean rowMajor(long[] shape, long[] strides) {
        long expected = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            if (shape[axis] != 1 && strides[axis] != expected) {
                return false;
            }
            expected *= shape[axis];
        }
        return true;
    }

    static memory.desc descriptor(memory.format_tag layout, long... dims) {
        return new memory.desc(new LongPointer(dims), memory.data_type.f32, layout);
    }

    static memory.desc descriptor(long[] dims, long[] strides) {
        return new memory.desc(new LongPointer(dims), memory.data_type.f32, new LongPointer(strides), false);
    }

    /**
     * Runs {@code primitive} with each argument an array (read or written in place, through a oneDNN memory object
     * described by the paired descriptor) or a oneDNN memory of tl's own. A thread keeps, per primitive, the argument
     * map and the memory objects that wrap arrays, and points them at each call's arrays: creating them per call
     * cost more than some of the kernels (JavaCPP checks the process's memory on every native allocation).
     */
    void execute(primitive primitive, Map<Integer, Argument> arguments) {
        Binding binding = bindings.get().computeIfAbsent(primitive, p -> new Binding());
        arguments.forEach((key, argument) -> {
            if (argument.memory != null) {
                binding.arguments.put(key, argument.memory);
            } else {
                memory wrapper = binding.wrappers.get(key);
                if (wrapper == null) {
                    wrapper = new memory(argument.descriptor, cpu, argument.array.data().addressPointer());
                    binding.wrappers.put(key, wrapper);
                    binding.arguments.put(key, wrapper);
                } else {
                    // A view's buffer starts at the view's first element, so this is the array's own memory.
                    wrapper.set_data_handle(argument.array.data().addressPointer());
                }
            }
        });
        stream stream = streams.get();
        primitive.execute(stream, binding.arguments);
        stream._wait();
    }

    /** One thread's arguments of one primitive: always the same keys, each with the same descriptor. */
    private static final class Binding {
        final IntMemoryMap arguments = new IntMemoryMap();
        final Map<Integer, memory> wrappers = new HashMap<>();
    }

    /** A primitive's argument: an ND4J array with its descriptor, or a oneDNN memory. */
    record Argument(memory.desc descriptor, INDArray array, memory memory) {
        static Argument of(memory.desc descriptor, INDArray array) {
            return new Argument(descriptor, array, null);
        }

        static Argument of(memory memory) {
            return new Argument(null, null, memory);
        }
    }
}
