package dev.tl.model;

import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageViews;
import dev.tl.data.LabeledImage;
import dev.tl.progress.Progress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a graph in inference mode over images streamed from disk, showing the pass's progress as {@code task}. A whole
 * pass runs the graph with its BatchNorm folded into the convolutions ({@link BatchNormFolding}); a part of a pass
 * takes the graph as the caller folded it.
 */
public final class Inference {

    private Inference() {
    }

    /**
     * Calls {@code onOutput} with every batch and the graph's (first) output for it, in order. With several views
     * of each image (test-time augmentation) an image's output is the mean of its views' outputs, i.e. averaged class probabilities for a softmax classifier. A batch holds
     * {@code batchSize / views} images, so the network still sees about {@code batchSize} rows at a time.
     */
    public static void run(String task, ComputationGraph graph, BatchLoader loader, List<LabeledImage> images,
                           int batchSize, ImageViews views, BiConsumer<Batch, INDArray> onOutput) {
        try (Progress progress = Progress.start(task, images.size(), "img")) {
            run(progress, BatchNormFolding.fold(graph), loader, images, batchSize, views, onOutput);
        }
    }

    /** As {@link #run(String, ComputationGraph, BatchLoader, List, int, ImageViews, BiConsumer)}, on a part of a
     * pass whose progress the caller shows. */
    public static void run(Progress progress, ComputationGraph graph, BatchLoader loader, List<LabeledImage> images,
                           int batchSize, ImageViews views, BiConsumer<Batch, INDArray> onOutput) {
        int perImage = views.perImage();
        Iterator<Batch> batches = loader.batches(images, Math.max(1, batchSize / perImage), views);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            // Results leave in single precision whatever the graph computes in (see Precision).
            INDArray output = Precision.checked(graph, graph.output(false, batch.inputs())[0]).castTo(DataType.FLOAT);
            onOutput.accept(batch, perImage == 1 ? output
                    : output.reshape('c', batch.size(), perImage, output.size(1)).mean(1));
            progress.advance(batch.size());
        }
    }

    /** The graph's output for every image, one row each, in order. */
    public static INDArray outputs(String task, ComputationGraph graph, BatchLoader loader,
                                   List<LabeledImage> images, int batchSize) {
        return outputs(task, graph, loader, images, batchSize, ImageViews.PLAIN);
    }

    /** The graph's output for every image, averaged over its views, one row each, in order. */
    public static INDArray outputs(String task, ComputationGraph graph, BatchLoader loader,
                                   List<LabeledImage> images, int batchSize, ImageViews views) {
        try (Progress progress = Progress.start(task, images.size(), "img")) {
            return outputs(progress, BatchNormFolding.fold(graph), loader, images, batchSize, views);
        }
    }

    /** The graph's output for every image of a part of a pass whose progress the caller shows. */
    public static INDArray outputs(Progress progress, ComputationGraph graph, BatchLoader loader,
                                   List<LabeledImage> images, int batchSize, ImageViews views) {
        List<INDArray> parts = new ArrayList<>();
        run(progress, graph, loader, images, batchSize, views, (batch, output) -> parts.add(output.dup()));
        return parts.size() == 1 ? parts.get(0) : Nd4j.vstack(parts.toArray(INDArray[]::new));
    }

    /** Pooled features of {@code images} from a feature-extractor graph. */
    public static Features features(String task, ComputationGraph extractor, BatchLoader loader,
                                    List<LabeledImage> images, int batchSize) {
        int[] labels = images.stream().mapToInt(LabeledImage::label).toArray();
        return new Features(outputs(task, extractor, loader, images, batchSize), labels);
    }
}
