package dev.tl.train;

import dev.tl.BuildInfo;
import dev.tl.NativeBuild;
import dev.tl.data.Augmenter;
import dev.tl.data.Batch;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
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
 * Augmentation, when on, changes the training images of both phases, never the validation images; the frozen
 * phase then runs the augmented images through the frozen base every epoch, or trains on the cached features of a
 * few augmented copies (see {@link TrainAugmentation}).
 */
public final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final ModelSpec spec;
    private final TrainOptions options;
    private final FeatureCache featureCache;
    private final TrainAugmentation augmentation;
    private final Augmenter augmenter;
    private final List<EpochRecord> history = new ArrayList<>();
    private final BestWeights best = new BestWeights();

    /** @param featureCache where the frozen phase keeps backbone features across runs; null to always compute */
    public Trainer(ModelSpec spec, TrainOptions options, FeatureCache featureCache) {
        this(spec, options, featureCache, TrainAugmentation.NONE);
    }

    /** @param augmentation random changes to the training images, drawn from streams seeded by the run's seed */
    public Trainer(ModelSpec spec, TrainOptions options, FeatureCache featureCache, TrainAugmentation augmentation) {
        this.spec = spec;
        this.options = options;
        this.featureCache = featureCache;
        this.augmentation = augmentation;
        this.augmenter = new Augmenter(augmentation.settings(), options.seed());
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
                trainHead(model, loader, train, validation, weightFiles);
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

    /** Validation always scores the head on the plain validation images' features, computed once. */
    private void trainHead(ComputationGraph model, BatchLoader loader, ImageSet train, ImageSet validation,
                           List<Optional<Path>> weightFiles) {
        long start = System.nanoTime();
        HeadEpoch trainEpoch = augmentation.frozenPhaseOnImages() ? headEpochsOnImages(model, loader, train)
                : headEpochsOnFeatures(model, train, validation.size(), weightFiles);
        Features valFeatures = validation.size() == 0 ? null
                : features(model, validation, weightFiles, ImageViews.PLAIN);
        double featureSeconds = seconds(start);
        log.info("features ready in {} s", String.format(Locale.ROOT, "%.1f", featureSeconds));

        // Built last: initialising a graph reseeds ND4J's random numbers, which dropout then draws from.
        ComputationGraph head = ModelGraphs.head(spec, new Adam(options.learningRate()), options.seed());
        Params.copyShared(model, head);
        for (int epoch = 1; epoch <= options.frozenEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            double loss = trainEpoch.train(head, epoch);
            Metrics.Score val = valFeatures == null ? null
                    : Metrics.score(head.output(false, valFeatures.matrix())[0], valFeatures.labels());
            // The one feature pass belongs to the first epoch's cost.
            double secs = seconds(epochStart) + (epoch == 1 ? featureSeconds : 0);
            finishEpoch("frozen", epoch, options.frozenEpochs(), loss, val, options.learningRate(), secs,
                    () -> Params.snapshot(head));
        }
        Params.copyShared(head, model);
        if (!best.isEmpty()) {
            Params.restore(best.params(), model);
        }
    }

    /** Trains the head (a graph of the head alone, or one holding its weights) for one epoch; returns the loss. */
    private interface HeadEpoch {
        double train(ComputationGraph head, int epoch);
    }

    /**
     * Frozen epochs on pooled features computed once: of the plain training images, or of K augmented copies of
     * them (copy k drawn as epoch k's augmentation), epoch e taking copy (e - 1) mod K.
     */
    private HeadEpoch headEpochsOnFeatures(ComputationGraph model, ImageSet train, int validationImages,
                                           List<Optional<Path>> weightFiles) {
        boolean augmented = augmentation.settings().isActive();
        int copies = augmented ? Math.min(augmentation.featureCacheCopies(), options.frozenEpochs()) : 1;
        if (augmented) {
            log.info("frozen phase: features of {} augmented copies of the {} training images (epoch e trains on "
                    + "copy (e - 1) mod {}) and of the {} validation images (not augmented), computed once",
                    copies, train.size(), augmentation.featureCacheCopies(), validationImages);
        } else {
            log.info("frozen phase: features of {} training and {} validation images, computed once",
                    train.size(), validationImages);
        }
        List<Features> trainFeatures = new ArrayList<>();
        for (int copy = 1; copy <= copies; copy++) {
            trainFeatures.add(features(model, train, weightFiles, trainingViews(copy)));
        }
        return (head, epoch) -> fitHead(head, trainFeatures.get((epoch - 1) % copies), epoch);
    }

    /**
     * Frozen epochs on augmented images: each runs them through the base, wholly frozen with BatchNorm in inference
     * mode, into the head; the head graph gets the trained weights after every epoch.
     */
    private HeadEpoch headEpochsOnImages(ComputationGraph model, BatchLoader loader, ImageSet train) {
        log.info("frozen phase: augmentation is on, so every epoch runs the augmented training images through the "
                + "frozen base into the head (cached features would miss the augmentation; --feature-cache-augment "
                + "K caches the features of K augmented copies instead)");
        ComputationGraph net = ModelGraphs.full(spec, FreezePlan.baseFrozen(spec), new Adam(options.learningRate()),
                options.seed());
        Params.copyAll(model, net);
        return (head, epoch) -> {
            double loss = fitOnImages(net, loader, train, epoch, trainingViews(epoch));
            Params.copyShared(net, head);
            return loss;
        };
    }

    /** One epoch of the head on feature rows in a seeded order; returns the mean training loss. */
    private double fitHead(ComputationGraph head, Features trainFeatures, int epoch) {
        List<Integer> order = shuffledIndices(trainFeatures.size(), epoch);
        double lossSum = 0;
        for (int from = 0; from < order.size(); from += options.batchSize()) {
            int[] rows = order.subList(from, Math.min(from + options.batchSize(), order.size()))
                    .stream().mapToInt(Integer::intValue).toArray();
            INDArray[] xy = trainFeatures.batch(rows, spec.numClasses());
            head.fit(new MultiDataSet(xy[0], xy[1]));
            lossSum += head.score() * rows.length;
        }
        return lossSum / order.size();
    }

    /** One epoch of {@code net} on the training images in a seeded order; returns the mean training loss. */
    private double fitOnImages(ComputationGraph net, BatchLoader loader, ImageSet train, int epoch,
                               ImageViews views) {
        List<LabeledImage> order = train.shuffled(options.seed() * 1_000_003L + epoch);
        double lossSum = 0;
        Iterator<Batch> batches = loader.batches(order, options.batchSize(), views);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            net.fit(new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()}));
            lossSum += net.score() * batch.size();
        }
        return lossSum / order.size();
    }

    /** The training images' views in the given epoch (counted across both phases): augmented or plain. */
    private ImageViews trainingViews(int epoch) {
        return augmentation.settings().isActive() ? augmenter.epoch(epoch) : ImageViews.PLAIN;
    }

    private void fineTune(ComputationGraph model, BatchLoader loader, ImageSet train, ImageSet validation) {
        FreezePlan plan = FreezePlan.fineTune(spec, options.unfreeze(), options.batchNormTrainable());
        ComputationGraph net = ModelGraphs.full(spec, plan, new Adam(options.finetuneLearningRate()),
                options.seed());
        Params.copyAll(model, net);
        log.info("fine-tune phase: unfreezing {} layers of the base, BatchNorm {}", options.unfreeze(),
                options.batchNormTrainable() ? "trainable" : "frozen (inference mode)");
        for (int epoch = 1; epoch <= options.finetuneEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            double loss = fitOnImages(net, loader, train, epoch, trainingViews(options.frozenEpochs() + epoch));
            Metrics.Score val = null;
            if (validation.size() > 0) {
                int[] labels = validation.images().stream().mapToInt(LabeledImage::label).toArray();
                val = Metrics.score(Inference.outputs(net, loader, validation.images(), options.batchSize()), labels);
            }
            finishEpoch("finetune", epoch, options.finetuneEpochs(), loss, val,
                    options.finetuneLearningRate(), seconds(epochStart), () -> Params.snapshot(net));
        }
        if (best.isEmpty()) {
            Params.copyAll(net, model);
        }
    }

    /** Pooled features of every base for {@code views} (from the cache where possible), concatenated in base order. */
    private Features features(ComputationGraph model, ImageSet images, List<Optional<Path>> weightFiles,
                             ImageViews views) {
        INDArray[] perBase = new INDArray[spec.bases().size()];
        for (int i = 0; i < perBase.length; i++) {
            int base = i;
            Supplier<INDArray> compute = () -> {
                ComputationGraph extractor = ModelGraphs.featureExtractor(spec, base, options.seed());
                Params.copyShared(model, extractor);
                try (BatchLoader loader = new BatchLoader(List.of(spec.bases().get(base).inputSpec()), 0)) {
                    return Inference.outputs(extractor, loader, images.images(), options.batchSize(), views);
                }
            };
            perBase[i] = featureCache == null ? compute.get()
                    : featureCache.features(new FeatureCache.Source(spec.bases().get(i).backboneName(),
                    spec.bases().get(i).inputSpec(), weightFiles.get(i), options.seed(), BuildInfo.version(),
                    views.key()),
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
