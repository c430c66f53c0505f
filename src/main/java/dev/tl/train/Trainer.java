package dev.tl.train;

import dev.tl.data.Augmenter;
import dev.tl.data.BatchLoader;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.device.ComputeBackend;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.OnnxModelCache;
import dev.tl.features.BaseFeatures;
import dev.tl.features.FeatureCache;
import dev.tl.features.FeatureStore;
import dev.tl.features.Features;
import dev.tl.model.BaseWeights;
import dev.tl.model.FreezePlan;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.model.Precision;
import dev.tl.train.listener.BestWeights;
import dev.tl.train.listener.EarlyStopping;
import dev.tl.train.listener.EpochLogger;
import dev.tl.train.listener.NonFiniteGuard;
import dev.tl.train.listener.ScheduleListener;
import dev.tl.train.schedule.PlateauSchedule;
import dev.tl.zoo.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
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
 * few augmented copies (see {@link TrainAugmentation}). Both phases run through the {@link EpochLoop}; what the
 * options ask for besides training — the schedule, keeping the best epoch's weights, early stopping — and the guard
 * against non-finite numbers are listeners the trainer adds before the caller's (logging, checkpoints, metrics
 * files). The fine-tune phase starts from the best frozen epoch's head, and the weights kept in the end are the best
 * epoch's over both phases; a phase that fails (non-finite loss or weights) ends the run.
 */
public final class Trainer {

    private static final Logger log = LoggerFactory.getLogger(Trainer.class);

    private final ModelSpec spec;
    private final TrainOptions options;
    /** The classes' loss multipliers in class order, in both phases; null for the plain loss. */
    private final double[] lossWeights;
    private final FeatureStore featureStore;
    private final TrainAugmentation augmentation;
    private final Augmenter augmenter;
    private final EpochSeeds seeds;
    private final EpochLoop loop;
    private final EngineChoice engines;
    private final OnnxModelCache models;

    /**
     * @param classWeights multipliers of each class's loss in both phases; null for the plain loss
     * @param featureStore where the frozen phase finds backbone features: the cache that keeps them across runs, or
     *                     features computed elsewhere; null to always compute
     * @param augmentation random changes to the training images, drawn from streams seeded by the run's seed
     * @param listeners    hear every event after the trainer's own listeners, in this order
     */
    public Trainer(ModelSpec spec, TrainOptions options, ClassWeights classWeights, FeatureStore featureStore,
                   TrainAugmentation augmentation, List<TrainingListener> listeners) {
        this.spec = spec;
        this.options = options;
        this.lossWeights = classWeights == null ? null : classWeights.vector();
        this.featureStore = featureStore;
        this.augmentation = augmentation;
        this.augmenter = new Augmenter(augmentation.settings(), options.seed());
        this.seeds = new EpochSeeds(options.seed());
        this.engines = new EngineChoice(options.engine(), Precision.FP32);
        this.models = featureStore instanceof FeatureCache cache ? cache.onnxModels() : null;
        List<TrainingListener> all = new ArrayList<>(List.of(new NonFiniteGuard(),
                new ScheduleListener(options.schedule()), new BestWeights(options.monitor()),
                new EarlyStopping(options.monitor(), options.patience())));
        all.addAll(listeners);
        this.loop = new EpochLoop(all, seeds);
    }

    /**
     * @param weightFiles per base, the Keras weight file to start from, or empty for random initialisation
     * @param validation  may be empty: then the last epoch's weights are kept
     * @param resume      the checkpoint of an interrupted run with these settings, or null to start afresh
     */
    public TrainedModel train(ImageSet train, ImageSet validation, List<Optional<Path>> weightFiles,
                              Checkpoint resume) {
        log.info("ND4J native build: {}", ComputeBackend.current().nativeBuild());
        // Checked before the frozen phase, so a bad --unfreeze-blocks costs no training time.
        FreezePlan fineTunePlan = options.finetuneEpochs() > 0
                ? FreezePlan.fineTune(spec, options.unfreeze(), options.batchNormTrainable()) : null;
        if (options.schedule().schedule() instanceof PlateauSchedule && validation.size() == 0) {
            log.warn("the plateau schedule watches the training loss (no validation data)");
        }
        Nd4j.getRandom().setSeed(options.seed());
        ComputationGraph model = ModelGraphs.initial(spec, options.seed(), options.baseSeed());
        BaseWeights.load(model, spec, weightFiles);
        RunState state = resume == null ? new RunState() : resume.state();
        if (resume != null) {
            resume.requireParametersOf(model);
            log.info("resuming after {} epoch {}{}", resume.phase(), resume.epoch(),
                    resume.phaseFinished() ? " (that phase was finished)" : "");
        }
        boolean inFrozenPhase = resume == null || resume.phase() == Phase.FROZEN;
        Outcome outcome = options.frozenEpochs() > 0 && inFrozenPhase
                ? trainHead(model, train, validation, weightFiles, resume, state) : Outcome.COMPLETED;
        if (options.finetuneEpochs() > 0) {
            outcome = outcome.then(() -> fineTune(model, fineTunePlan, train, validation,
                    inFrozenPhase ? null : resume, state));
        }
        EpochRecord kept = state.bestEpoch();
        if (kept != null) {
            Params.restore(state.bestParams(), model);
            log.info("kept the weights of {} epoch {} (val_accuracy {}, val_loss {})", kept.phase(), kept.epoch(),
                    EpochLogger.format(kept.valAccuracy()), EpochLogger.format(kept.valLoss()));
        }
        TrainedModel trained = new TrainedModel(model, state.history(), kept, outcome);
        EpochRecord unhelpful = trained.unhelpfulFineTune(options.monitor());
        if (unhelpful != null) {
            log.info("fine-tuning did not help; its best epoch: {} {} (val_accuracy {})", unhelpful.phase(),
                    unhelpful.epoch(), EpochLogger.format(unhelpful.valAccuracy()));
        }
        return trained;
    }

    /**
     * The head learns either on pooled features (of the plain images, or of K augmented copies) or, with
     * augmentation and no feature copies, on augmented images run through the wholly frozen base. Validation
     * always scores the head on the plain validation images' features, computed once.
     */
    private Outcome trainHead(ComputationGraph model, ImageSet train, ImageSet validation,
                           List<Optional<Path>> weightFiles, Checkpoint resume, RunState state) {
        long start = System.nanoTime();
        try (BaseFeatures cached = baseFeatures(weightFiles);
             BaseFeatures augmented = new BaseFeatures(spec, List.of(), options.seed(), options.batchSize(), null,
                     engines, null)) {
            IntFunction<Features> trainFeatures;
            if (augmentation.frozenPhaseOnImages()) {
                log.info("frozen phase: each epoch's augmented images go through the frozen base (inference only)");
                log.debug("cached features would miss the augmentation; the cached features of K augmented copies "
                        + "are the fast alternative");
                trainFeatures = epoch -> augmented.of(model, train, trainingViews(epoch));
            } else {
                List<Features> copies = trainingFeatureCopies(cached, model, train, validation.size());
                trainFeatures = epoch -> copies.get((epoch - 1) % copies.size());
            }
            Features valFeatures = validation.size() == 0 ? null : cached.of(model, validation, ImageViews.PLAIN);
            double featureSeconds = (System.nanoTime() - start) / 1e9;
            log.info("features ready in {} s", String.format(Locale.ROOT, "%.1f", featureSeconds));

            ComputationGraph head = ModelGraphs.head(spec, new Adam(options.learningRate()), options.seed(),
                    lossWeights);
            Params.copyShared(model, head);
            if (resume != null) {
                resume.restoreInto(head);
            }
            Outcome outcome = loop.run(new HeadOnFeatures(Phase.FROZEN, head, options.frozenEpochs(),
                            options.learningRate(), train.size(), trainFeatures, valFeatures, options.batchSize(),
                            spec.numClasses(), seeds), firstEpoch(resume, options.frozenEpochs()), state,
                    featureSeconds);
            Params.copyShared(head, model);
            if (state.bestParams() != null) {
                Params.restore(state.bestParams(), model);
            }
            return outcome;
        }
    }

    /** Pooled training features: of the plain images, or of K augmented copies (copy k drawn as epoch k's). */
    private List<Features> trainingFeatureCopies(BaseFeatures features, ComputationGraph model, ImageSet train,
                                                 int validationImages) {
        boolean augmented = augmentation.settings().isActive();
        int copies = augmented ? Math.min(augmentation.featureCacheCopies(), options.frozenEpochs()) : 1;
        if (augmented) {
            log.info("frozen phase: features of {} augmented copies of {} training and of {} validation images",
                    copies, train.size(), validationImages);
            log.debug("frozen epoch e trains on copy (e - 1) mod {}; validation images are not augmented",
                    augmentation.featureCacheCopies());
        } else {
            log.info("frozen phase: features of {} training and {} validation images, computed once",
                    train.size(), validationImages);
        }
        List<Features> result = new ArrayList<>();
        for (int copy = 1; copy <= copies; copy++) {
            result.add(features.of(model, train, trainingViews(copy)));
        }
        return result;
    }

    private BaseFeatures baseFeatures(List<Optional<Path>> weightFiles) {
        return new BaseFeatures(spec, weightFiles, options.baseSeed(), options.batchSize(), featureStore, engines,
                models);
    }

    /** The training images' views in the given epoch (counted across both phases): augmented or plain. */
    private ImageViews trainingViews(int epoch) {
        return augmentation.settings().isActive() ? augmenter.epoch(epoch) : ImageViews.PLAIN;
    }

    /**
     * Where the plan freezes a bottom part and inference runs on ONNX Runtime, that
     * part runs forward there and DL4J trains the rest ({@link FrozenBottom}); on one device only.
     */
    private Outcome fineTune(ComputationGraph model, FreezePlan plan, ImageSet train, ImageSet validation,
                            Checkpoint resume, RunState state) {
        log.info("fine-tune phase: {}, BatchNorm {}", unfreezing(),
                options.batchNormTrainable() ? "trainable" : "frozen (inference mode)");
        double lr = options.finetuneLearningRate();
        Map<String, Double> blockFactors = BlockLearningRates.factors(spec, plan, options.lrDecayPerBlock(), lr);
        ComputationGraph net = ModelGraphs.fineTuning(spec, plan,
                layer -> new Adam(lr * blockFactors.getOrDefault(layer, 1.0)), options.seed(), lossWeights);
        Params.copyAll(model, net);
        if (resume != null) {
            resume.restoreInto(net);
        }
        Optional<FrozenBottom> split = options.workers() == 1
                ? FrozenBottom.of(net, plan, spec.inputSpecs(), engines) : Optional.empty();
        ComputationGraph trains = split.map(FrozenBottom::top).orElse(net);
        MicroBatching microBatching = MicroBatching.of(options.microBatchSize(), trains,
                split.map(FrozenBottom::crossingTypes).orElse(MicroBatching.inputTypes(spec.inputSpecs())),
                (options.batchSize() + options.workers() - 1) / options.workers(), options.batchNormTrainable());
        Outcome outcome;
        try (FrozenBottom bottom = split.orElse(null);
             BatchLoader loader = bottom != null ? bottom.loader(spec.numClasses())
                     : new BatchLoader(spec.inputSpecs(), spec.numClasses());
             DataParallel devices = options.workers() > 1 ? new DataParallel(net, options.workers(), microBatching)
                     : null) {
            BatchStep step = devices != null ? devices : microBatching;
            log.info("fine-tune phase: {}", step.describe(options.batchSize()));
            outcome = loop.run(new ModelOnImages(trains, options.finetuneEpochs(), lr, train,
                            epoch -> trainingViews(options.frozenEpochs() + epoch), validation, loader,
                            options.batchSize(), step, seeds, engines, bottom),
                    firstEpoch(resume, options.finetuneEpochs()), state, 0);
            if (bottom != null) {
                bottom.copyInto(net);
            }
        }
        if (state.bestParams() == null) {
            Params.copyAll(net, model);
        }
        return outcome;
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
        return "the top " + options.unfreeze().top() + " blocks of the base train ("
                + FreezePlan.trainableBlocks(spec, 0, options.unfreeze()).stream().map(Block::name)
                        .collect(Collectors.joining(", ")) + ")";
    }
}
