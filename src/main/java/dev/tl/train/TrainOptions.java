package dev.tl.train;

import dev.tl.model.Unfreeze;

/**
 * The optimisation settings of a run (what to build is a {@link dev.tl.model.ModelSpec}).
 *
 * @param schedule        how the learning rate moves within each phase
 * @param lrDecayPerBlock fine-tune phase: each block below the top learns at this factor of the block above it
 * @param monitor         the validation metric that picks the epoch kept and drives early stopping
 * @param patience        epochs without improvement of {@code monitor} after which a phase stops; 0 = never
 */
public record TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                           boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                           ScheduleSettings schedule, double lrDecayPerBlock, Monitor monitor, int patience) {

    /** Constant learning rates, the same for every block; keeps the best validation accuracy, never stops early. */
    public TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                        boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed) {
        this(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate, finetuneLearningRate,
                seed, ScheduleSettings.CONSTANT, 1.0, Monitor.VAL_ACCURACY, 0);
    }
}
