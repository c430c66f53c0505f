package dev.tl.model;

import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.LabeledImage;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a graph in inference mode over images streamed from disk. */
public final class Inference {

    private Inference() {
    }

    /** Calls {@code onOutput} with every batch and the graph's (first) output for it, in order. */
    public static void run(ComputationGraph graph, BatchLoader loader, List<LabeledImage> images, int batchSize,
                           BiConsumer<Batch, INDArray> onOutput) {
        Iterator<Batch> batches = loader.batches(images, batchSize);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            onOutput.accept(batch, graph.output(false, batch.inputs())[0]);
        }
    }

    /** The graph's output for every image, one row each, in order. */
    public static INDArray outputs(ComputationGraph graph, BatchLoader loader, List<LabeledImage> images,
                                   int batchSize) {
        INDArray[] parts = new INDArray[(images.size() + batchSize - 1) / batchSize];
        int[] next = {0};
        run(graph, loader, images, batchSize, (batch, output) -> parts[next[0]++] = output.dup());
        return parts.length == 1 ? parts[0] : Nd4j.vstack(parts);
    }

    /** Pooled features of {@code images} from a feature-extractor graph. */
    public static Features features(ComputationGraph extractor, BatchLoader loader, List<LabeledImage> images,
                                    int batchSize) {
        int[] labels = images.stream().mapToInt(LabeledImage::label).toArray();
        return new Features(outputs(extractor, loader, images, batchSize), labels);
    }
}
