package dev.tl.train;

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
import dev.tl.zoo.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * Augmentation, when on, changes the training images of both phases, never the validation images; the frozen
 * phase then runs the augmented images through the frozen base every epoch, or trains on the cached features of a
 * few augmented copies (see {@link TrainAugmentation}). In each phase the learning rate follows the run's schedule
 * from that phase's base rate, set per mini-batch. With validation data the weights of the best epoch (by the
 * monitored metric) over both phases are kept, and a phase may stop early. Every epoch reseeds the random generator
 * from (seed, phase, epoch) and, with checkpointing, ends with a checkpoint, so a run resumed from any epoch ends
 * with the same weights as one that never stopped.
 */
public final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private static final String FROZEN = "frozen";
    private static final String FINETUNE = "finetune";

    private final ModelSpec spec;
    private final TrainOptions options;
    private final FeatureCache featureCache;
    private final TrainAugmentation augmentation;
    private final Augmenter augmenter;
    private final Checkpointing checkpointing;
    private final List<EpochRecord> history = new ArrayList<>();
    private final BestWeights best;
    private final EarlyStopping stopping;

    /** Where a run saves its checkpoint after every epoch, and the options that resume it. */
    public record Checkpointing(Path dir, List<String> args) {
    }

    public Trainer(ModelSpec spec, TrainOptions options, FeatureCache featureCache) {
        this(spec, options, featureCache, TrainAugmentation.NONE, null);
    }

    public Trainer(ModelSpec spec, TrainOptions options, FeatureCache featureCache, TrainAugmentation augmentation) {
        this(spec, options, featureCache, augmentation, null);
    }

    /**
     * @param featureCache  where the frozen phase keeps backbone features across runs; null to always compute
     * @param augmentation  random changes to the training images, drawn from streams seeded by the run's seed
     * @param checkpointing null for no checkpoints
     */
    public Trainer(ModelSpec spec, TrainOptions options, FeatureCache featureCache, TrainAugmentation augmentation,
                   Checkpointing checkpointing) {
        this.spec = spec;
        this.options = options;
        this.featureCache = featureCache;
        this.augmentation = augmentation;
        this.augmenter = new Augmenter(augmentation.settings(), options.seed());
        this.checkpointing = checkpointing;
        this.best = new BestWeights(options.monitor());
        this.stopping = new EarlyStopping(options.monitor(), options.patience());
    }

    /**
     * @param weightFiles per base, the Keras weight file to start from, or empty for random initialisation
     * @param validation  may be empty: then the last epoch's weights are kept
     */
    public TrainedModel train(ImageSet train, ImageSet validation, List<Optional<Path>> weightFiles) {
        return train(train, validation, weightFiles, null);
    }

    /** @param resume the checkpoint of an interrupted run with these settings, or null to start afresh */
    public TrainedModel train(ImageSet train, ImageSet validation, List<Optional<Path>> weightFiles,
                              Checkpoint resume) {
        log.info("ND4J native build: {}", NativeBuild.name());
        // Checked before the frozen phase, so a bad --unfreeze-blocks costs no training time.
        FreezePlan fineTunePlan = options.finetuneEpochs() > 0
                ? FreezePlan.fineTune(spec, options.unfreeze(), options.batchNormTrainable()) : null;
        if (options.schedule().kind() == ScheduleSettings.Kind.plateau && validation.size() == 0) {
            log.warn("--schedule plateau: no validation data, so it monitors the training loss");
        }
        Nd4j.getRandom().setSeed(options.seed());
        ComputationGraph model = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), options.seed());
        BaseWeights.load(model, spec, weightFiles);
        if (resume != null) {
            history.addAll(resume.history());
            if (resume.bestParams() != null) {
                best.set(resume.best(), resume.bestParams());
            }
            log.info("resuming after {} epoch {}{}", resume.phase(), resume.epoch(),
                    resume.phaseFinished() ? " (that phase was finished)" : "");
        }
        boolean inFrozenPhase = resume == null || resume.phase().equals(FROZEN);
        try (BatchLoader loader = new BatchLoader(spec.inputSpecs(), spec.numClasses())) {
            if (options.frozenEpochs() > 0 && inFrozenPhase) {
                trainHead(model, train, validation, weightFiles, resume);
            }
            if (options.finetuneEpochs() > 0) {
                fineTune(model, fineTunePlan, loader, train, validation, inFrozenPhase ? null : resume);
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

    /**
     * The head learns either on pooled features (of the plain images, or of K augmented copies) or, with
     * augmentation and no feature copies, on augmented images run through the wholly frozen base. Validation
     * always scores the head on the plain validation images' features, computed once.
     */
    private void trainHead(ComputationGraph model, ImageSet train, ImageSet validation,
                           List<Optional<Path>> weightFiles, Checkpoint resume) {
        long start = System.nanoTime();
        boolean onImages = augmentation.frozenPhaseOnImages();
        List<Features> featureCopies = onImages ? null : trainingFeatureCopies(model, train, validation.size(),
                weightFiles);
        if (onImages) {
            log.info("frozen phase: augmentation is on, so every epoch runs that epoch's augmented training images "
                    + "through the frozen base (inference only) and trains the head on their features (cached "
                    + "features would miss the augmentation; --feature-cache-augment K caches K augmented copies)");
        }
        Features valFeatures = validation.size() == 0 ? null
                : baseFeatures(weightFiles).of(model, validation, ImageViews.PLAIN);
        double featureSeconds = seconds(start);
        log.info("features ready in {} s", String.format(Locale.ROOT, "%.1f", featureSeconds));

        ComputationGraph head = ModelGraphs.head(spec, new Adam(options.learningRate()), options.seed(),
                options.lossWeights());
        Params.copyShared(model, head);
        if (resume != null) {
            resume.restoreInto(head);
        }
        int batchesPerEpoch = FeatureBatches.count(train.size(), options.batchSize());
        PhaseLearningRate rate = new PhaseLearningRate(head, options.schedule().forPhase(options.frozenEpochs(),
                batchesPerEpoch), options.learningRate());
        rate.skip(phaseHistory(FROZEN), batchesPerEpoch);
        BaseFeatures augmentedFeatures = onImages ? uncachedBaseFeatures() : null;
        int firstEpoch = firstEpoch(resume, options.frozenEpochs());
        for (int epoch = firstEpoch; epoch <= options.frozenEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            Nd4j.getRandom().setSeed(epochSeed(FROZEN, epoch));
            Features trainFeatures = onImages
                    ? augmentedFeatures.of(model, train, trainingViews(epoch))
                    : featureCopies.get((epoch - 1) % featureCopies.size());
            double loss = fitHead(head, trainFeatures, epoch, rate);
            Metrics.Score val = valFeatures == null ? null
                    : Metrics.score(head.output(false, valFeatures.matrix())[0], valFeatures.labels());
            // The one feature pass belongs to the first epoch's cost.
            double secs = seconds(epochStart) + (epoch == firstEpoch ? featureSeconds : 0);
            if (finishEpoch(FROZEN, epoch, options.frozenEpochs(), loss, val, rate, secs, head)) {
                break;
            }
        }
        Params.copyShared(head, model);
        if (!best.isEmpty()) {
            Params.restore(best.params(), model);
        }
    }

    /** Pooled training features: of the plain images, or of K augmented copies (copy k drawn as epoch k's). */
    private List<Features> trainingFeatureCopies(ComputationGraph model, ImageSet train, int validationImages,
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
        BaseFeatures features = baseFeatures(weightFiles);
        List<Features> result = new ArrayList<>();
        for (int copy = 1; copy <= copies; copy++) {
            result.add(features.of(model, train, trainingViews(copy)));
        }
        return result;
    }

    private BaseFeatures baseFeatures(List<Optional<Path>> weightFiles) {
        return new BaseFeatures(spec, weightFiles, options.seed(), options.batchSize(), featureCache);
    }

    /** For features used once: one epoch's augmented images. */
    private BaseFeatures uncachedBaseFeatures() {
        return new BaseFeatures(spec, List.of(), options.seed(), options.batchSize(), null);
    }

    /** One epoch of the head on feature rows in a seeded order; returns the mean training loss. */
    private double fitHead(ComputationGraph head, Features trainFeatures, int epoch, PhaseLearningRate rate) {
        double lossSum = 0;
        for (int[] rows : FeatureBatches.shuffled(trainFeatures.size(), options.batchSize(),
                options.seed() * 1_000_003L + epoch)) {
            INDArray[] xy = trainFeatures.batch(rows, spec.numClasses());
            rate.beforeBatch();
            head.fit(new MultiDataSet(xy[0], xy[1]));
            lossSum += head.score() * rows.length;
        }
        return lossSum / trainFeatures.size();
    }

    /** One epoch of {@code net} on the training images in a seeded order; returns the mean training loss. */
    private double fitOnImages(ComputationGraph net, MicroBatching microBatching, BatchLoader loader, ImageSet train,
                               int epoch, ImageViews views, PhaseLearningRate rate) {
        List<LabeledImage> order = train.shuffled(options.seed() * 1_000_003L + epoch);
        double lossSum = 0;
        Iterator<Batch> batches = loader.batches(order, options.batchSize(), views);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            rate.beforeBatch();
            lossSum += microBatching.fit(net, new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()}))
                    * batch.size();
        }
        return lossSum / order.size();
    }

    /** The training images' views in the given epoch (counted across both phases): augmented or plain. */
    private ImageViews trainingViews(int epoch) {
        return augmentation.settings().isActive() ? augmenter.epoch(epoch) : ImageViews.PLAIN;
    }

    private void fineTune(ComputationGraph model, FreezePlan plan, BatchLoader loader, ImageSet train,
                          ImageSet validation, Checkpoint resume) {
        log.info("fine-tune phase: {}, BatchNorm {}", unfreezing(),
                options.batchNormTrainable() ? "trainable" : "frozen (inference mode)");
        double lr = options.finetuneLearningRate();
        Map<String, Double> blockFactors = BlockLearningRates.factors(spec, plan, options.lrDecayPerBlock(), lr);
        ComputationGraph net = ModelGraphs.full(spec, plan,
                layer -> new Adam(lr * blockFactors.getOrDefault(layer, 1.0)), options.seed(), options.lossWeights());
        Params.copyAll(model, net);
        if (resume != null) {
            resume.restoreInto(net);
        }
        MicroBatching microBatching = MicroBatching.of(options.microBatchSize(), net, spec.inputSpecs(),
                options.batchSize(), options.batchNormTrainable());
        log.info("fine-tune phase: {}", microBatching.describe(options.batchSize()));
        int batchesPerEpoch = FeatureBatches.count(train.size(), options.batchSize());
        PhaseLearningRate rate = new PhaseLearningRate(net, options.schedule().forPhase(options.finetuneEpochs(),
                batchesPerEpoch), lr);
        rate.skip(phaseHistory(FINETUNE), batchesPerEpoch);
        for (int epoch = firstEpoch(resume, options.finetuneEpochs()); epoch <= options.finetuneEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            Nd4j.getRandom().setSeed(epochSeed(FINETUNE, epoch));
            double loss = fitOnImages(net, microBatching, loader, train, epoch,
                    trainingViews(options.frozenEpochs() + epoch), rate);
            Metrics.Score val = null;
            if (validation.size() > 0) {
                int[] labels = validation.images().stream().mapToInt(LabeledImage::label).toArray();
                val = Metrics.score(Inference.outputs(net, loader, validation.images(), options.batchSize()), labels);
            }
            if (finishEpoch(FINETUNE, epoch, options.finetuneEpochs(), loss, val, rate, seconds(epochStart), net)) {
                break;
            }
        }
        if (best.isEmpty()) {
            Params.copyAll(net, model);
        }
    }

    /** The first epoch still to run in a phase: 1, or after the checkpointed one (none if that phase finished). */
    private static int firstEpoch(Checkpoint resume, int epochs) {
        if (resume == null) {
            return 1;
        }
        return resume.phaseFinished() ? epochs + 1 : resume.epoch() + 1;
    }

    private String unfreezing() {
        if (!options.unfreeze().byBlocks()) {
            return "unfreezing " + options.unfreeze() + " layers of the base";
        }
        return "training the top " + options.unfreeze().top() + " blocks of the base "
                + FreezePlan.trainableBlocks(spec, 0, options.unfreeze()).stream().map(Block::name).toList();
    }

    /**
     * Records the epoch (the schedule then sees the validation loss, or without validation data the training loss),
     * keeps its weights if best, saves a checkpoint; true when the phase stops early.
     */
    private boolean finishEpoch(String phase, int epoch, int epochs, double loss, Metrics.Score val,
                                PhaseLearningRate rate, double seconds, ComputationGraph graph) {
        double lr = rate.endEpoch(val == null ? loss : val.loss());
        EpochRecord record = new EpochRecord(phase, epoch, loss, val == null ? null : val.loss(),
                val == null ? null : val.accuracy(), lr, seconds);
        history.add(record);
        log.info("{} epoch {}/{}: loss {}, val_loss {}, val_accuracy {}, lr {} ({} s)", phase, epoch, epochs,
                format(loss), format(record.valLoss()), format(record.valAccuracy()),
                String.format(Locale.ROOT, "%.2e", lr), String.format(Locale.ROOT, "%.1f", seconds));
        if (val != null) {
            best.offer(record, () -> Params.snapshot(graph));
        }
        boolean stop = epoch < epochs && stopping.shouldStop(phaseHistory(phase));
        if (stop) {
            log.info("{} phase stopped early: {} did not improve for {} epochs", phase, options.monitor().id(),
                    options.patience());
        }
        if (checkpointing != null) {
            Checkpoint.of(checkpointing.args(), phase, epoch, stop || epoch == epochs, graph, history, best)
                    .save(checkpointing.dir());
        }
        return stop;
    }

    private List<EpochRecord> phaseHistory(String phase) {
        return history.stream().filter(r -> r.phase().equals(phase)).toList();
    }

    /** Dropout and drop-connect draw from a generator reseeded per epoch, so a resumed epoch repeats exactly. */
    private long epochSeed(String phase, int epoch) {
        return options.seed() * 1_000_003L + (phase.equals(FROZEN) ? 0 : 500_000) + epoch;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String format(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
