package dev.tl.train;

import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.Inference;
import dev.tl.engine.Network;
import dev.tl.engine.Session;
import dev.tl.eval.Metrics;
import java.util.Iterator;
import java.util.Spliterators;
import java.util.function.IntFunction;
import java.util.stream.StreamSupport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * The whole model training on images streamed from disk (the fine-tune phase): each epoch's images in a seeded
 * order, as that epoch's views (augmented or plain), each mini-batch computed as its {@link BatchStep} says (in
 * micro-batches, on one device or several). With a {@link FrozenBottom} the graph that trains is the part above
 * it, fed the bottom's outputs.
 *
 * @param bottom the frozen bottom running on the inference engine, or null
 */
record ModelOnImages(ComputationGraph graph, int epochs, double baseLearningRate, ImageSet train,
                     IntFunction<ImageViews> viewsOfEpoch, ImageSet validation, BatchLoader loader, int batchSize,
                     BatchStep step, EpochSeeds seeds, EngineChoice engines, FrozenBottom bottom) implements PhaseRun {

    @Override
    public Phase phase() {
        return Phase.FINETUNE;
    }

    @Override
    public int batchesPerEpoch() {
        return ShuffledBatches.count(train.size(), batchSize);
    }

    @Override
    public int images() {
        return train.size();
    }

    @Override
    public Iterator<MultiDataSet> batches(int epoch) {
        var images = loader.batches(train.shuffled(seeds.shuffle(epoch)), batchSize, viewsOfEpoch.apply(epoch));
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(images, 0), false)
                .map(batch -> bottom != null ? bottom.dataSet(batch)
                        : new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()})).iterator();
    }

    @Override
    public StepResult fit(MultiDataSet batch) {
        return step.fit(graph, batch);
    }

    @Override
    public Metrics.Score validate() {
        if (validation.size() == 0) {
            return null;
        }
        int[] labels = validation.images().stream().mapToInt(LabelledImage::label).toArray();
        // The weights change every epoch: the engine gets the current ones (see docs/BENCHMARKS.md for what the
        // conversion costs against the pass), or only the top does where the bottom is frozen.
        try (Session session = bottom != null ? bottom.inference()
                : engines.open(Network.of("the model", graph, loader.inputs()));
             BatchLoader images = Inference.loaderFor(session)) {
            return Metrics.score(Inference.outputs("validation", session, images, validation.images(), batchSize,
                    ImageViews.PLAIN), labels);
        }
    }
}
