package dev.tl.train;

import dev.tl.model.Unfreeze;

/** The optimisation settings of a run (what to build is a {@link dev.tl.model.ModelSpec}). */
public record TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                           boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed) {
}
