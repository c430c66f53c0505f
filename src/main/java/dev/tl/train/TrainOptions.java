package dev.tl.train;

import dev.tl.model.Unfreeze;

/**
 * The optimisation settings of a run (what to build is a {@link dev.tl.model.ModelSpec}).
 *
 * @param schedule        how the learning rate moves within each phase
 * @param lrDecayPerBlock fine-tune phase: each block below the top learns at this factor of the block above it
 */
public record TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                           boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                           ScheduleSettings schedule, double lrDecayPerBlock) {

    /** Constant learning rates, the same for every block. */
    public TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                        boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed) {
        this(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate, finetuneLearningRate,
                seed, ScheduleSettings.CONSTANT, 1.0);
    }
}
