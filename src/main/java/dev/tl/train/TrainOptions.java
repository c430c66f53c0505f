package dev.tl.train;

import dev.tl.TlException;

import dev.tl.engine.EngineRequest;
import dev.tl.model.BaseWeights;
import dev.tl.model.Unfreeze;
import dev.tl.train.schedule.ScheduleSettings;

/**
 * The optimisation settings of a run (what to build is a {@link dev.tl.model.ModelSpec}); made with
 * {@link #builder()}.
 *
 * @param schedule        how the learning rate moves within each phase
 * @param lrDecayPerBlock fine-tune phase: each block below the top learns at this factor of the block above it
 * @param monitor         the validation metric that picks the epoch kept and drives early stopping
 * @param patience        epochs without improvement of {@code monitor} after which a phase stops; 0 = never
 * @param microBatchSize  training on images: the largest micro-batch a batch is computed in (see
 *                        {@link MicroBatching}); null to size it from the model's memory needs
 * @param randomBaseSeed  what randomly initialised bases start from: the seed recorded with precomputed features
 *                        (files of earlier tl versions may hold any); null for {@link BaseWeights#RANDOM_INIT_SEED}
 * @param workers         the devices the fine-tune phase splits each batch over (see {@link DataParallel})
 * @param engine          what runs the inference passes (feature pass, validation, the frozen bottom while
 *                        fine-tuning); DL4J trains
 */
public record TrainOptions(int batchSize, int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                           boolean batchNormTrainable, double learningRate, double finetuneLearningRate, long seed,
                           ScheduleSettings schedule, double lrDecayPerBlock, Monitor monitor, int patience,
                           Integer microBatchSize, Long randomBaseSeed, int workers,
                           EngineRequest engine) {

    public TrainOptions {
        if (batchSize < 1 || !(learningRate > 0) || !(finetuneLearningRate > 0)) {
            throw new IllegalArgumentException("batch size and learning rates must be set");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("at least one device computes");
        }
        requireWholeBatches(batchNormTrainable, batchSize, microBatchSize);
        requireOneDevice(batchNormTrainable, workers);
    }

    /** Trainable BatchNorm normalises with the statistics of the whole batch, which a micro-batch does not see. */
    public static void requireWholeBatches(boolean batchNormTrainable, int batchSize, Integer microBatchSize) {
        if (batchNormTrainable && microBatchSize != null && microBatchSize < batchSize) {
            throw new TlException("micro-batches of " + microBatchSize + " images cannot train BatchNorm: trainable "
                    + "BatchNorm normalises with the statistics of the whole batch (use a smaller batch size instead)");
        }
    }

    /** Trainable BatchNorm normalises with the statistics of the whole batch, which no device sees. */
    public static void requireOneDevice(boolean batchNormTrainable, int workers) {
        if (batchNormTrainable && workers > 1) {
            throw new TlException(workers + " devices cannot train BatchNorm: trainable BatchNorm normalises with "
                    + "the statistics of the whole batch, which no device sees");
        }
    }

    /**
     * Batch size and learning rates must be set; the rest starts at off: no epochs, the whole base unfrozen,
     * a constant schedule, no per-block decay, best validation accuracy kept, no early stopping.
     */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().batchSize(batchSize).frozenEpochs(frozenEpochs).finetuneEpochs(finetuneEpochs)
                .unfreeze(unfreeze).batchNormTrainable(batchNormTrainable).learningRate(learningRate)
                .finetuneLearningRate(finetuneLearningRate).seed(seed).schedule(schedule)
                .lrDecayPerBlock(lrDecayPerBlock).monitor(monitor).patience(patience)
                .microBatchSize(microBatchSize).randomBaseSeed(randomBaseSeed).workers(workers).engine(engine);
    }

    /** The seed randomly initialised bases start from. */
    public long baseSeed() {
        return randomBaseSeed == null ? BaseWeights.RANDOM_INIT_SEED : randomBaseSeed;
    }

    /** Fills in {@link TrainOptions}; the unset optional settings are off. */
    public static final class Builder {
        private int batchSize;
        private int frozenEpochs;
        private int finetuneEpochs;
        private Unfreeze unfreeze = Unfreeze.ALL;
        private boolean batchNormTrainable;
        private double learningRate;
        private double finetuneLearningRate;
        private long seed;
        private ScheduleSettings schedule = ScheduleSettings.CONSTANT;
        private double lrDecayPerBlock = 1.0;
        private Monitor monitor = Monitor.VAL_ACCURACY;
        private int patience;
        private Integer microBatchSize;
        private Long randomBaseSeed;
        private int workers = 1;
        private EngineRequest engine = EngineRequest.AUTO;

        private Builder() {
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder frozenEpochs(int value) {
            frozenEpochs = value;
            return this;
        }

        public Builder finetuneEpochs(int value) {
            finetuneEpochs = value;
            return this;
        }

        public Builder unfreeze(Unfreeze value) {
            unfreeze = value;
            return this;
        }

        public Builder batchNormTrainable(boolean value) {
            batchNormTrainable = value;
            return this;
        }

        public Builder learningRate(double value) {
            learningRate = value;
            return this;
        }

        public Builder finetuneLearningRate(double value) {
            finetuneLearningRate = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder schedule(ScheduleSettings value) {
            schedule = value;
            return this;
        }

        public Builder lrDecayPerBlock(double value) {
            lrDecayPerBlock = value;
            return this;
        }

        public Builder monitor(Monitor value) {
            monitor = value;
            return this;
        }

        public Builder patience(int value) {
            patience = value;
            return this;
        }

        public Builder microBatchSize(Integer value) {
            microBatchSize = value;
            return this;
        }

        public Builder randomBaseSeed(Long value) {
            randomBaseSeed = value;
            return this;
        }

        public Builder workers(int value) {
            workers = value;
            return this;
        }

        public Builder engine(EngineRequest value) {
            engine = value;
            return this;
        }

        public TrainOptions build() {
            return new TrainOptions(batchSize, frozenEpochs, finetuneEpochs, unfreeze, batchNormTrainable,
                    learningRate, finetuneLearningRate, seed, schedule, lrDecayPerBlock, monitor, patience,
                    microBatchSize, randomBaseSeed, workers, engine);
        }
    }
}
