package dev.tl.engine;

import dev.tl.data.BatchLoader;
import dev.tl.data.ImageViews;
import dev.tl.data.InputSpec;
import dev.tl.data.LabelledImage;
import dev.tl.model.Precision;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A graph's outputs for images, as an inference pass on the DL4J engine computes them (in the graph's precision). */
public final class Dl4jOutputs {

    private Dl4jOutputs() {
    }

    public static INDArray of(ComputationGraph graph, List<InputSpec> inputs, List<LabelledImage> images,
                              int batchSize) {
        return of(graph, inputs, images, batchSize, ImageViews.PLAIN);
    }

    public static INDArray of(ComputationGraph graph, List<InputSpec> inputs, List<LabelledImage> images,
                              int batchSize, ImageViews views) {
        Precision precision = graph.params().dataType() == DataType.HALF ? Precision.FP16 : Precision.FP32;
        try (Session session = new EngineChoice(EngineRequest.DL4J, precision).open(Network.of("test", graph, inputs));
             BatchLoader loader = Inference.loaderFor(session)) {
            return Nd4j.create(Inference.outputs("test", session, loader, images, batchSize, views));
        }
    }
}
