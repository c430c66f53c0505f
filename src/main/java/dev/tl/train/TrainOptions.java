package dev.tl.train;

import dev.tl.TlException;
import dev.tl.model.Unfreeze;

/**
 * The optimisation settings of a run (what to build is a {@link dev.tl.model.ModelSpec}).
 *
 * @param schedule        how the learning rate moves within each phase
 * @param lrDecayPerBlock fine-tune phase: each block below the top learns at this factor of the block above it
 * @param monitor         the validation metric that picks the epoch kept and drives early stopping
 * @param patience        epochs without improvement of {@code monitor} after which a phase stops; 0 = never
 * @param classWeights    multipliers of each class's loss in both phases; null for the plain loss
 * @param microBatchSize  training on images: the largest micro-batch a batch is computed in (see
 *                        {@link MicroBatching}); null to size it from the model's memory needs
 */
public record TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                           boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                           ScheduleSettings schedule, double lrDecayPerBlock, Monitor monitor, int patience,
                           ClassWeights classWeights, Integer microBatchSize) {

    public TrainOptions {
        if (batchNormTrainable && microBatchSize != null && microBatchSize < batchSize) {
            throw new TlException("--micro-batch-size " + microBatchSize + " cannot be used with --bn-trainable: "
                    + "trainable BatchNorm normalises with the statistics of the whole batch (use a smaller "
                    + "--batch-size instead)");
        }
    }

    /** Constant learning rates, the same for every block; best validation accuracy kept; no early stopping or class weights. */
    public TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                        boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed) {
        this(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate, finetuneLearningRate,
                seed, ScheduleSettings.CONSTANT, 1.0, Monitor.VAL_ACCURACY, 0, null, null);
    }

    public TrainOptions withClassWeights(ClassWeights weights) {
        return new TrainOptions(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate,
                finetuneLearningRate, seed, schedule, lrDecayPerBlock, monitor, patience, weights, microBatchSize);
    }

    public TrainOptions withSchedule(ScheduleSettings newSchedule, double newLrDecayPerBlock) {
        return new TrainOptions(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate,
                finetuneLearningRate, seed, newSchedule, newLrDecayPerBlock, monitor, patience, classWeights,
                microBatchSize);
    }

    /** The loss weights in class order, or null for the plain loss. */
    double[] lossWeights() {
        return classWeights == null ? null : classWeights.vector();
    }
}
