package dev.tl.engine;

import dev.tl.data.Batch;
import dev.tl.data.InputSpec;
import dev.tl.device.ComputeBackend;
import dev.tl.model.BatchNormFolding;
import dev.tl.model.Precision;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference on ND4J: the graph in the asked precision, as an inference-only copy with BatchNorm folded into the
 * convolutions before it ({@link BatchNormFolding}), run one DL4J operation at a time. Runs every graph tl builds.
 */
public final class Dl4jEngine implements InferenceEngine {

    public static final String ID = "dl4j";

    private final Precision precision;

    public Dl4jEngine(Precision precision) {
        this.precision = precision;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Session open(Network network) {
        if (!network.outputs().isEmpty()) {
            throw new EngineUnavailable("the dl4j engine computes a graph's own outputs, not " + network.outputs(),
                    null);
        }
        ComputeBackend.current(); // ND4J computes here: on the device asked for, or an error saying why not
        return new Dl4jSession(BatchNormFolding.fold(precision.apply(network.graph().get())), network.inputs());
    }

    private record Dl4jSession(ComputationGraph graph, List<InputSpec> inputs) implements Session {

        @Override
        public String engine() {
            return ID;
        }

        @Override
        public ComputeBackend.Kind device() {
            return ComputeBackend.current().kind();
        }

        @Override
        public List<Tensor> run(Batch batch) {
            // Results leave in single precision whatever the graph computes in (see Precision).
            INDArray[] outputs = graph.output(false, batch.inputs());
            return java.util.Arrays.stream(outputs)
                    .map(output -> Precision.checked(graph, output).castTo(DataType.FLOAT).dup('c'))
                    .map(output -> new Tensor(output.data().asFloat(), output.shape()))
                    .toList();
        }

        @Override
        public void close() {
        }
    }
}
