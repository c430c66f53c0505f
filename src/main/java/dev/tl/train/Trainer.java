package dev.tl.train;

import dev.tl.BuildInfo;
import dev.tl.NativeBuild;
import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.LabeledImage;
import dev.tl.eval.Metrics;
import dev.tl.model.BaseWeights;
import dev.tl.model.Features;
import dev.tl.model.FreezePlan;
import dev.tl.model.Inference;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-phase transfer learning.
 * <ol>
 *   <li>Frozen phase: the base runs once, in inference mode, over the training and validation images; the head
 *       then trains on those pooled features. Nothing in the base (weights or BatchNorm statistics) can change,
 *       and epochs after the feature pass cost next to nothing.</li>
 *   <li>Fine-tune phase: the top layers of the base (or all) train together with the head on images, at a lower
 *       learning rate. BatchNorm stays in inference mode unless {@code batchNormTrainable}.</li>
 * </ol>
 * With validation data the weights of the best epoch (by accuracy, then loss) over both phases are kept.
 */
public final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final ModelSpec spec;
    private final TrainOptions options;
    private final FeatureCache featureCache;
    private final List<EpochRecord> history = new ArrayList<>();
    private final BestWeights best = new BestWeights();

    /** @param featureCache where the frozen phase keeps backbone features across runs; null to always compute */
    public Trainer(ModelSpec spec, TrainOptions options, FeatureCache featureCache) {
        this.spec = spec;
        this.options = options;
        this.featureCache = featureCache;
    }

    /**
     * @param weightFiles per base, the Keras weight file to start from, or empty for random initialisation
     * @param validation  may be empty: then the last epoch's weights are kept
     */
    public TrainedModel train(ImageSet train, ImageSet validation, List<Optional<Path>> weightFiles) {
        log.info("ND4J native build: {}", NativeBuild.name());
        Nd4j.getRandom().setSeed(options.seed());
        ComputationGraph model = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), options.seed());
        BaseWeights.load(model, spec, weightFiles);
        try (BatchLoader loader = new BatchLoader(spec.inputSpecs(), spec.numClasses())) {
            if (options.frozenEpochs() > 0) {
                trainHead(model, train, validation, weightFiles);
            }
            if (options.finetuneEpochs() > 0) {
                fineTune(model, loader, train, validation);
            }
        }
        if (!best.isEmpty()) {
            Params.restore(best.params(), model);
            EpochRecord kept = best.epoch();
            log.info("kept the weights of {} epoch {} (val_accuracy {}, val_loss {})", kept.phase(), kept.epoch(),
                    format(kept.valAccuracy()), format(kept.valLoss()));
        }
        return new TrainedModel(model, List.copyOf(history), best.epoch());
    }

    private void trainHead(ComputationGraph model, ImageSet train, ImageSet validation,
                           List<Optional<Path>> weightFiles) {
        long start = System.nanoTime();
        log.info("frozen phase: features of {} training and {} validation images, computed once", train.size(),
                validation.size());
        Features trainFeatures = features(model, train, weightFiles);
        Features valFeatures = validation.size() == 0 ? null : features(model, validation, weightFiles);
        double featureSeconds = seconds(start);
        log.info("features ready in {} s", String.format(Locale.ROOT, "%.1f", featureSeconds));

        ComputationGraph head = ModelGraphs.head(spec, new Adam(options.learningRate()), options.seed(),
                options.lossWeights());
        Params.copyShared(model, head);
        for (int epoch = 1; epoch <= options.frozenEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            List<Integer> order = shuffledIndices(trainFeatures.size(), epoch);
            double lossSum = 0;
            for (int from = 0; from < order.size(); from += options.batchSize()) {
                int[] rows = order.subList(from, Math.min(from + options.batchSize(), order.size()))
                        .stream().mapToInt(Integer::intValue).toArray();
                INDArray[] xy = trainFeatures.batch(rows, spec.numClasses());
                head.fit(new MultiDataSet(xy[0], xy[1]));
                lossSum += head.score() * rows.length;
            }
            Metrics.Score val = valFeatures == null ? null
                    : Metrics.score(head.output(false, valFeatures.matrix())[0], valFeatures.labels());
            // The one feature pass belongs to the first epoch's cost.
            double secs = seconds(epochStart) + (epoch == 1 ? featureSeconds : 0);
            finishEpoch("frozen", epoch, options.frozenEpochs(), lossSum / order.size(), val,
                    options.learningRate(), secs, () -> Params.snapshot(head));
        }
        Params.copyShared(head, model);
        if (!best.isEmpty()) {
            Params.restore(best.params(), model);
        }
    }

    private void fineTune(ComputationGraph model, BatchLoader loader, ImageSet train, ImageSet validation) {
        FreezePlan plan = FreezePlan.fineTune(spec, options.unfreeze(), options.batchNormTrainable());
        ComputationGraph net = ModelGraphs.full(spec, plan, new Adam(options.finetuneLearningRate()),
                options.seed(), options.lossWeights());
        Params.copyAll(model, net);
        log.info("fine-tune phase: unfreezing {} layers of the base, BatchNorm {}", options.unfreeze(),
                options.batchNormTrainable() ? "trainable" : "frozen (inference mode)");
        for (int epoch = 1; epoch <= options.finetuneEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            List<LabeledImage> order = train.shuffled(options.seed() * 1_000_003L + epoch);
            double lossSum = 0;
            Iterator<Batch> batches = loader.batches(order, options.batchSize());
            while (batches.hasNext()) {
                Batch batch = batches.next();
                net.fit(new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()}));
                lossSum += net.score() * batch.size();
            }
            Metrics.Score val = null;
            if (validation.size() > 0) {
                int[] labels = validation.images().stream().mapToInt(LabeledImage::label).toArray();
                val = Metrics.score(Inference.outputs(net, loader, validation.images(), options.batchSize()), labels);
            }
            finishEpoch("finetune", epoch, options.finetuneEpochs(), lossSum / order.size(), val,
                    options.finetuneLearningRate(), seconds(epochStart), () -> Params.snapshot(net));
        }
        if (best.isEmpty()) {
            Params.copyAll(net, model);
        }
    }

    /** Pooled features of every base (from the cache where possible), concatenated in base order. */
    private Features features(ComputationGraph model, ImageSet images, List<Optional<Path>> weightFiles) {
        INDArray[] perBase = new INDArray[spec.bases().size()];
        for (int i = 0; i < perBase.length; i++) {
            int base = i;
            Supplier<INDArray> compute = () -> {
                ComputationGraph extractor = ModelGraphs.featureExtractor(spec, base, options.seed());
                Params.copyShared(model, extractor);
                try (BatchLoader loader = new BatchLoader(List.of(spec.bases().get(base).inputSpec()), 0)) {
                    return Inference.outputs(extractor, loader, images.images(), options.batchSize());
                }
            };
            perBase[i] = featureCache == null ? compute.get()
                    : featureCache.features(new FeatureCache.Source(spec.bases().get(i).backboneName(),
                    spec.bases().get(i).inputSpec(), weightFiles.get(i), options.seed(), BuildInfo.version()),
                    images.images(), compute);
        }
        INDArray matrix = perBase.length == 1 ? perBase[0] : Nd4j.hstack(perBase);
        return new Features(matrix, images.images().stream().mapToInt(LabeledImage::label).toArray());
    }

    private void finishEpoch(String phase, int epoch, int epochs, double loss, Metrics.Score val, double lr,
                             double seconds, Supplier<Map<String, INDArray>> snapshot) {
        EpochRecord record = new EpochRecord(phase, epoch, loss, val == null ? null : val.loss(),
                val == null ? null : val.accuracy(), lr, seconds);
        history.add(record);
        log.info("{} epoch {}/{}: loss {}, val_loss {}, val_accuracy {} ({} s)", phase, epoch, epochs,
                format(loss), format(record.valLoss()), format(record.valAccuracy()),
                String.format(Locale.ROOT, "%.1f", seconds));
        if (val != null) {
            best.offer(val, record, snapshot);
        }
    }

    private List<Integer> shuffledIndices(int n, int epoch) {
        List<Integer> order = new ArrayList<>(IntStream.range(0, n).boxed().toList());
        Collections.shuffle(order, new Random(options.seed() * 1_000_003L + epoch));
        return order;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String format(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
