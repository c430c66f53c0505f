package dev.tl.engine;

import dev.tl.data.InputSpec;
import dev.tl.onnx.OnnxConversion;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import onnx.Onnx.ModelProto;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A network for an engine to run: its DL4J graph (built or loaded only when an engine needs it), how that converts
 * to ONNX and where the converted model is kept, and what the graph's inputs expect.
 *
 * @param description what it is, for log lines ("mobilenetv2 features")
 * @param inputs      what each graph input expects, in DL4J's layout
 * @param outputs     the vertices to compute, or empty for the graph's own outputs (the DL4J engine computes only
 *                    those)
 */
public record Network(String description, List<InputSpec> inputs, Supplier<ComputationGraph> graph,
                      List<String> outputs, Function<ComputationGraph, ModelProto> conversion, OnnxStore store) {

    public Network {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        graph = memoised(graph);
    }

    /** A graph in memory, converted in memory. */
    public static Network of(String description, ComputationGraph graph, List<InputSpec> inputs) {
        return built(description, inputs, () -> graph, OnnxStore.NONE);
    }

    /** A graph built (or loaded) by {@code graph} when an engine needs it, its conversion kept in {@code store}. */
    public static Network built(String description, List<InputSpec> inputs, Supplier<ComputationGraph> graph,
                                OnnxStore store) {
        return new Network(description, inputs, graph, List.of(), built -> OnnxConversion.of(built, inputs), store);
    }

    /** The same graph converted by {@code conversion} (e.g. with the metadata a bundle's model file carries). */
    public Network convertedBy(Function<ComputationGraph, ModelProto> conversion) {
        return new Network(description, inputs, graph, outputs, conversion, store);
    }

    /**
     * What the graph computes up to {@code vertices} (the frozen bottom of a fine-tune graph), their outputs leaving
     * in {@code layout}; converted in memory.
     */
    public Network upTo(String what, List<String> vertices, CNN2DFormat layout) {
        return new Network(what, inputs, graph, vertices,
                built -> OnnxConversion.of(built, inputs, vertices, layout), OnnxStore.NONE);
    }

    private static <T> Supplier<T> memoised(Supplier<T> supplier) {
        if (supplier instanceof Memo<T>) {
            return supplier;
        }
        return new Memo<>(supplier);
    }

    /** Computes once, on first use. */
    private static final class Memo<T> implements Supplier<T> {
        private final Supplier<T> supplier;
        private T value;

        Memo(Supplier<T> supplier) {
            this.supplier = supplier;
        }

        @Override
        public synchronized T get() {
            if (value == null) {
                value = supplier.get();
            }
            return value;
        }
    }
}
