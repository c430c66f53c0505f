package dev.tl.train;

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
import dev.tl.zoo.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
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
 * In each phase the learning rate follows the run's schedule from that phase's base rate, set per mini-batch.
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
        // Checked before the frozen phase, so a bad --unfreeze-blocks costs no training time.
        FreezePlan fineTunePlan = options.finetuneEpochs() > 0
                ? FreezePlan.fineTune(spec, options.unfreeze(), options.batchNormTrainable()) : null;
        if (options.schedule().kind() == ScheduleSettings.Kind.plateau && validation.size() == 0) {
            log.warn("--schedule plateau: no validation data, so it monitors the training loss");
        }
        Nd4j.getRandom().setSeed(options.seed());
        ComputationGraph model = ModelGraphs.full(spec, FreezePlan.INFERENCE, new NoOp(), options.seed());
        BaseWeights.load(model, spec, weightFiles);
        try (BatchLoader loader = new BatchLoader(spec.inputSpecs(), spec.numClasses())) {
            if (options.frozenEpochs() > 0) {
                trainHead(model, train, validation, weightFiles);
            }
            if (options.finetuneEpochs() > 0) {
                fineTune(model, fineTunePlan, loader, train, validation);
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
        BaseFeatures features = new BaseFeatures(spec, weightFiles, options.seed(), options.batchSize(),
                featureCache);
        Features trainFeatures = features.of(model, train);
        Features valFeatures = validation.size() == 0 ? null : features.of(model, validation);
        double featureSeconds = seconds(start);
        log.info("features ready in {} s", String.format(Locale.ROOT, "%.1f", featureSeconds));

        ComputationGraph head = ModelGraphs.head(spec, new Adam(options.learningRate()), options.seed());
        Params.copyShared(model, head);
        PhaseLearningRate rate = new PhaseLearningRate(head, options.schedule().forPhase(options.frozenEpochs(),
                FeatureBatches.count(trainFeatures.size(), options.batchSize())), options.learningRate());
        for (int epoch = 1; epoch <= options.frozenEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            double lossSum = 0;
            for (int[] rows : FeatureBatches.shuffled(trainFeatures.size(), options.batchSize(),
                    options.seed() * 1_000_003L + epoch)) {
                INDArray[] xy = trainFeatures.batch(rows, spec.numClasses());
                rate.beforeBatch();
                head.fit(new MultiDataSet(xy[0], xy[1]));
                lossSum += head.score() * rows.length;
            }
            Metrics.Score val = valFeatures == null ? null
                    : Metrics.score(head.output(false, valFeatures.matrix())[0], valFeatures.labels());
            // The one feature pass belongs to the first epoch's cost.
            double secs = seconds(epochStart) + (epoch == 1 ? featureSeconds : 0);
            finishEpoch("frozen", epoch, options.frozenEpochs(), lossSum / trainFeatures.size(), val, rate, secs,
                    () -> Params.snapshot(head));
        }
        Params.copyShared(head, model);
        if (!best.isEmpty()) {
            Params.restore(best.params(), model);
        }
    }

    private void fineTune(ComputationGraph model, FreezePlan plan, BatchLoader loader, ImageSet train,
                          ImageSet validation) {
        log.info("fine-tune phase: {}, BatchNorm {}", unfreezing(),
                options.batchNormTrainable() ? "trainable" : "frozen (inference mode)");
        double lr = options.finetuneLearningRate();
        Map<String, Double> blockFactors = BlockLearningRates.factors(spec, plan, options.lrDecayPerBlock(), lr);
        ComputationGraph net = ModelGraphs.full(spec, plan,
                layer -> new Adam(lr * blockFactors.getOrDefault(layer, 1.0)), options.seed());
        Params.copyAll(model, net);
        PhaseLearningRate rate = new PhaseLearningRate(net, options.schedule().forPhase(options.finetuneEpochs(),
                FeatureBatches.count(train.size(), options.batchSize())), lr);
        for (int epoch = 1; epoch <= options.finetuneEpochs(); epoch++) {
            long epochStart = System.nanoTime();
            List<LabeledImage> order = train.shuffled(options.seed() * 1_000_003L + epoch);
            double lossSum = 0;
            Iterator<Batch> batches = loader.batches(order, options.batchSize());
            while (batches.hasNext()) {
                Batch batch = batches.next();
                rate.beforeBatch();
                net.fit(new MultiDataSet(batch.inputs(), new INDArray[] {batch.labels()}));
                lossSum += net.score() * batch.size();
            }
            Metrics.Score val = null;
            if (validation.size() > 0) {
                int[] labels = validation.images().stream().mapToInt(LabeledImage::label).toArray();
                val = Metrics.score(Inference.outputs(net, loader, validation.images(), options.batchSize()), labels);
            }
            finishEpoch("finetune", epoch, options.finetuneEpochs(), lossSum / order.size(), val, rate,
                    seconds(epochStart), () -> Params.snapshot(net));
        }
        if (best.isEmpty()) {
            Params.copyAll(net, model);
        }
    }

    private String unfreezing() {
        if (!options.unfreeze().byBlocks()) {
            return "unfreezing " + options.unfreeze() + " layers of the base";
        }
        return "training the top " + options.unfreeze().top() + " blocks of the base "
                + FreezePlan.trainableBlocks(spec, 0, options.unfreeze()).stream().map(Block::name).toList();
    }

    /** Records an epoch; the schedule then sees the validation loss, or without validation data the training loss. */
    private void finishEpoch(String phase, int epoch, int epochs, double loss, Metrics.Score val,
                             PhaseLearningRate rate, double seconds, Supplier<Map<String, INDArray>> snapshot) {
        double lr = rate.endEpoch(val == null ? loss : val.loss());
        EpochRecord record = new EpochRecord(phase, epoch, loss, val == null ? null : val.loss(),
                val == null ? null : val.accuracy(), lr, seconds);
        history.add(record);
        log.info("{} epoch {}/{}: loss {}, val_loss {}, val_accuracy {}, lr {} ({} s)", phase, epoch, epochs,
                format(loss), format(record.valLoss()), format(record.valAccuracy()),
                String.format(Locale.ROOT, "%.2e", lr), String.format(Locale.ROOT, "%.1f", seconds));
        if (val != null) {
            best.offer(val, record, snapshot);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String format(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
    }
}
