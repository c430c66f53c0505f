package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.Json;
import dev.tl.data.Augmentation;
import dev.tl.data.Framing;
import dev.tl.data.ImageCheck;
import dev.tl.data.LabelSource;
import dev.tl.engine.EngineRequest;
import dev.tl.model.BaseSpec;
import dev.tl.model.HeadSpec;
import dev.tl.model.Unfreeze;
import dev.tl.train.schedule.ScheduleSettings;
import dev.tl.train.schedule.StepSchedule;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A checkpoint keeps a run's settings as data: what it writes reads back as the same settings. */
class RunRecordTest {

    @Test
    void theSettingsACheckpointRecordsReadBackTheSame() {
        TrainOptions options = TrainOptions.builder().batchSize(8).frozenEpochs(3).finetuneEpochs(2)
                .unfreeze(Unfreeze.blocks(2)).learningRate(2e-3).finetuneLearningRate(2e-5).seed(11)
                .schedule(new ScheduleSettings(new StepSchedule(3, 0.25), 0.5)).lrDecayPerBlock(0.7)
                .monitor(Monitor.VAL_LOSS).patience(2).microBatchSize(4).engine(EngineRequest.DL4J).build();
        RunSettings settings = RunSettings.builder()
                .model(List.of(new BaseSpec("mobilenet", 96, Framing.of("crop:0.875"))), new HeadSpec(16, 0.3),
                        WeightsChoice.parse("none"))
                .training(new RunSettings.Images(Path.of("/data/train"),
                        LabelSource.fromFilename("^(?<label>[a-z]+)_", "--labels-from-filename"), "--data"),
                        new ImageCheck(1_000_000, true))
                .validation(new RunSettings.Images(Path.of("/data/val"), LabelSource.FOLDERS, "--val-data"))
                .testSplit(0.1)
                .options(options)
                .augmentation(new TrainAugmentation(new Augmentation(true, false, 10, 0.1, 0, 0.2, 0), 2))
                .output(Path.of("/models/run"))
                .overwrite(true)
                .build();
        ClassWeights weights = new ClassWeights(Map.of("ants", 1.5));

        RunRecord record = RunRecord.of(settings, weights);
        RunRecord read = Json.parse(Path.of("state.json"), Json.write(record).getBytes(StandardCharsets.UTF_8),
                RunRecord.class);

        assertThat(read).isEqualTo(record);
        RunSettings again = read.settings();
        assertThat(again.options()).isEqualTo(options);
        assertThat(again.bases()).isEqualTo(settings.bases());
        assertThat(again.head()).isEqualTo(settings.head());
        assertThat(again.weights()).isEqualTo(settings.weights());
        assertThat(again.imageCheck()).isEqualTo(settings.imageCheck());
        assertThat(again.augmentation()).isEqualTo(settings.augmentation());
        assertThat(again.training().labels().description()).isEqualTo("filename:^(?<label>[a-z]+)_");
        assertThat(again.validation().labels()).isEqualTo(LabelSource.FOLDERS);
        assertThat(again.testSplit()).isEqualTo(0.1);
        assertThat(again.classWeights().apply(null)).isEqualTo(weights);
        assertThat(again.featureStore()).isNull();
        assertThat(again.output()).isEqualTo(Path.of("/models/run"));
        assertThat(again.overwrite()).isTrue();
    }
}
