package dev.tl.onnx;

import dev.tl.BuildInfo;
import dev.tl.data.InputSpec;
import java.util.List;
import java.util.OptionalInt;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * tl's graphs as ONNX: a trained classifier as {@code tl export} writes it ({@link #classifier}), and any graph, or
 * what some of its vertices need (the frozen bottom of a fine-tune graph), as an ONNX model for the onnxruntime
 * inference engine, with a dynamic batch and preprocessed NCHW inputs. Nothing is written to disk here.
 */
public final class OnnxConversion {

    private static final OnnxOptions OPTIONS = new OnnxOptions(OnnxOptions.DEFAULT_OPSET, OptionalInt.empty(), false);

    private OnnxConversion() {
    }

    /**
     * A classifier's graph: inputs as {@code options} say, with the DL4J input names, one output
     * {@value GraphConverter#OUTPUT} [N, classes].
     *
     * @param inputs what each network input expects, in the graph's input order
     */
    public static GraphProto classifier(ComputationGraph graph, List<InputSpec> inputs, int classes, String name,
                                        OnnxOptions options) {
        return GraphConverter.convert(graph, inputs, classes, name, options);
    }

    /** The graph's own outputs; feature maps among them leave in the inputs' layout, as DL4J gives them. */
    public static ModelProto of(ComputationGraph graph, List<InputSpec> inputs) {
        return of(graph, inputs, graph.getConfiguration().getNetworkOutputs(), inputs.get(0).layout());
    }

    /**
     * The outputs of the vertices {@code outputs}, in that order, each a graph output named {@link #outputName};
     * feature maps leave in {@code outputLayout}.
     */
    public static ModelProto of(ComputationGraph graph, List<InputSpec> inputs, List<String> outputs,
                                CNN2DFormat outputLayout) {
        return ModelProto.newBuilder()
                .setIrVersion(OPTIONS.irVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPTIONS.opset()))
                .setProducerName("tl")
                .setProducerVersion(BuildInfo.version().replaceFirst("^tl ", ""))
                .setGraph(GraphConverter.convertPart(graph, inputs, "tl inference", OPTIONS, outputs, outputLayout))
                .build();
    }

    /** The ONNX output holding vertex {@code vertex}'s output. */
    public static String outputName(String vertex) {
        return GraphConverter.outputName(vertex);
    }
}
