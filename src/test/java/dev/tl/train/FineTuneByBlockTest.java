package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.model.Unfreeze;
import dev.tl.train.schedule.ConstantSchedule;
import dev.tl.train.schedule.ScheduleSettings;
import dev.tl.zoo.Block;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fine-tuning by block, checked on the parameters of real backbones trained on real images: which parameters move
 * (--unfreeze-blocks) and how far one Adam step moves them (--lr-decay-per-block, composed with a schedule).
 */
class FineTuneByBlockTest {

    private static final long SEED = 5;
    private static final double LR = 1e-3;
    private static final ImageSet EMPTY = new ImageSet(List.of("horizontal", "vertical"), List.of());

    private static ImageSet train;

    @BeforeAll
    static void setUp() {
        train = TestData.subset(TestData.TRAIN, 2);
    }

    private static ModelSpec spec(String backbone) {
        return new ModelSpec(List.of(new BaseSpec(backbone, 32)), new HeadSpec(0, 0), 2);
    }

    /**
     * One fine-tune epoch of one mini-batch (all images) without validation data, so the returned weights are
     * those after exactly one Adam step.
     */
    private static Map<String, INDArray> oneStep(ModelSpec spec, Unfreeze unfreeze, ScheduleSettings schedule,
                                                 double decay) {
        TrainOptions options = TrainOptions.builder().batchSize(train.size()).finetuneEpochs(1).unfreeze(unfreeze)
                .learningRate(LR).finetuneLearningRate(LR).seed(SEED).schedule(schedule).lrDecayPerBlock(decay).build();
        return Params.snapshot(new Trainer(spec, options, null, null, TrainAugmentation.NONE, List.of())
                .train(train, EMPTY, List.of(Optional.<Path>empty()), null)
                .graph());
    }

    private static Map<String, INDArray> initial(ModelSpec spec) {
        return Params.snapshot(ModelGraphs.initial(spec, SEED, BaseWeights.RANDOM_INIT_SEED));
    }

    private static Set<String> changed(Map<String, INDArray> before, Map<String, INDArray> after) {
        return before.keySet().stream().filter(key -> !before.get(key).equals(after.get(key)))
                .collect(Collectors.toSet());
    }

    private static String layerOf(String paramKey) {
        return paramKey.substring(0, paramKey.lastIndexOf('_'));
    }

    private static double largestStep(Map<String, INDArray> before, Map<String, INDArray> after, String key) {
        return after.get(key).sub(before.get(key)).amaxNumber().doubleValue();
    }

    private static void assertOnlyLastBlockAndHeadTrain(String backbone, String lastBlock) {
        ModelSpec spec = spec(backbone);
        List<Block> blocks = ModelGraphs.baseBlocks(spec, 0);
        Block last = blocks.get(blocks.size() - 1);
        assertThat(last.name()).isEqualTo(lastBlock);
        Map<String, INDArray> before = initial(spec);

        Set<String> moved = changed(before, oneStep(spec, Unfreeze.blocks(1), ScheduleSettings.CONSTANT, 1.0));

        // BatchNorm stays in inference mode by default: in the last block only the convolution weights learn.
        Set<String> expected = before.keySet().stream()
                .filter(key -> key.startsWith("head/")
                        || (last.layers().contains(layerOf(key)) && key.contains("conv") && key.endsWith("_W")))
                .collect(Collectors.toSet());
        assertThat(expected).anyMatch(key -> !key.startsWith("head/"));
        assertThat(moved).isEqualTo(expected);
    }

    @Test
    void densenetUnfreezingOneBlockTrainsExactlyDenseBlockConv5() {
        // pool4 (the transition below conv5) belongs to conv4, so it stays frozen.
        assertOnlyLastBlockAndHeadTrain("densenet121", "conv5");
    }

    @Test
    void efficientnetUnfreezingOneBlockTrainsExactlyTheTopConvolution() {
        assertOnlyLastBlockAndHeadTrain("efficientnetb0", "top");
    }

    @Test
    void moreBlocksThanTheBaseHasIsAnErrorListingThem() {
        assertThatThrownBy(() -> FreezePlan.fineTune(spec("resnet50"), Unfreeze.blocks(6), false))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("top 6 blocks")
                .hasMessageContaining("[stem, conv2, conv3, conv4, conv5]");
    }

    @Test
    void eachBlockBelowTheTopLearnsAtTheDecayedRateAndTheScheduleScalesThemAll() {
        ModelSpec spec = spec("mobilenet");
        Map<String, INDArray> before = initial(spec);
        double decay = 0.1;
        // Two warmup epochs of one mini-batch each: the single step runs at half of every layer's rate.
        ScheduleSettings warmup = new ScheduleSettings(new ConstantSchedule(), 2.0);

        Map<String, INDArray> after = oneStep(spec, Unfreeze.ALL, warmup, decay);

        // Adam's first step moves every weight with a gradient by its learning rate, so the largest step is it
        // (up to float rounding of the weights).
        Map<String, Double> expected = Map.of(
                "head/output_W", LR / 2,
                "conv_pw_13_W", LR / 2,
                "conv_dw_13_W", LR / 2,
                "conv_pw_12_W", LR * decay / 2,
                "conv_pw_11_W", LR * decay * decay / 2);
        expected.forEach((key, lr) ->
                assertThat(largestStep(before, after, key)).as(key).isBetween(0.95 * lr, 1.01 * lr));
    }
}
