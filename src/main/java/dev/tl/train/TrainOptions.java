package dev.tl.train;

import dev.tl.model.Unfreeze;

/**
 * The optimisation settings of a run (what to build is a {@link dev.tl.model.ModelSpec}).
 *
 * @param classWeights multipliers of each class's loss in both phases; null for the plain loss
 */
public record TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                           boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                           ClassWeights classWeights) {

    /** Without class weights. */
    public TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                        boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed) {
        this(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate,
                finetuneLearningRate, seed, null);
    }

    public TrainOptions withClassWeights(ClassWeights weights) {
        return new TrainOptions(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable, learningRate,
                finetuneLearningRate, seed, weights);
    }

    /** The loss weights in class order, or null for the plain loss. */
    double[] lossWeights() {
        return classWeights == null ? null : classWeights.vector();
    }
}
