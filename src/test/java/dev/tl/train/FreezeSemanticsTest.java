package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import dev.tl.data.ImageSet;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import dev.tl.model.Params;
import dev.tl.model.Unfreeze;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Freeze semantics checked on the parameters themselves, for a real MobileNet trained on real images. */
class FreezeSemanticsTest {

    private static final long SEED = 3;
    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0), 2);
    private static final ImageSet EMPTY = new ImageSet(List.of("horizontal", "vertical"), List.of());

    private static ImageSet train;
    private static Map<String, INDArray> initial;

    @BeforeAll
    static void setUp() {
        train = TestData.subset(TestData.TRAIN, 6);
        initial = Params.snapshot(ModelGraphs.initial(SPEC, SEED, BaseWeights.RANDOM_INIT_SEED));
    }

    private static Map<String, INDArray> trainWith(int frozenEpochs, int finetuneEpochs, Unfreeze unfreeze,
                                                   boolean bnTrainable) {
        // No validation data: the last epoch's weights are kept, so we see exactly what training did.
        TrainOptions options = TrainOptions.builder().batchSize(4).frozenEpochs(frozenEpochs).finetuneEpochs(finetuneEpochs)
                .unfreeze(unfreeze).batchNormTrainable(bnTrainable).learningRate(1e-2).finetuneLearningRate(1e-2)
                .seed(SEED).build();
        ComputationGraph graph = new Trainer(SPEC, options, null, null, TrainAugmentation.NONE, List.of())
                .train(train, EMPTY, List.of(Optional.<Path>empty()), null).graph();
        return Params.snapshot(graph);
    }

    private static List<String> keys(Predicate<String> filter) {
        return initial.keySet().stream().filter(filter).toList();
    }

    private static boolean isBatchNorm(String key) {
        return key.contains("_bn_");
    }

    private static boolean isHead(String key) {
        return key.startsWith("head/");
    }

    @Test
    void frozenPhaseChangesNothingButTheHead() {
        Map<String, INDArray> after = trainWith(2, 0, Unfreeze.ALL, false);

        for (String key : keys(k -> !isHead(k))) {
            assertThat(after.get(key)).as(key).isEqualTo(initial.get(key));
        }
        assertThat(keys(k -> k.endsWith("_mean") || k.endsWith("_var"))).hasSize(27 * 2);
        assertThat(after.get("head/output_W")).isNotEqualTo(initial.get("head/output_W"));
    }

    @Test
    void fineTuneKeepsBatchNormFrozenByDefault() {
        Map<String, INDArray> after = trainWith(0, 2, Unfreeze.ALL, false);

        for (String key : keys(FreezeSemanticsTest::isBatchNorm)) {
            assertThat(after.get(key)).as(key).isEqualTo(initial.get(key));
        }
        for (String conv : List.of("conv1_W", "conv_dw_1_W", "conv_pw_7_W", "conv_pw_13_W")) {
            assertThat(after.get(conv)).as(conv).isNotEqualTo(initial.get(conv));
        }
    }

    @Test
    void bnTrainableLetsStatisticsAndAffineParametersMove() {
        Map<String, INDArray> after = trainWith(0, 2, Unfreeze.ALL, true);

        for (String layer : List.of("conv1_bn", "conv_dw_7_bn", "conv_pw_13_bn")) {
            for (String param : List.of("mean", "var", "gamma", "beta")) {
                String key = layer + "_" + param;
                assertThat(after.get(key)).as(key).isNotEqualTo(initial.get(key));
            }
        }
    }

    @Test
    void unfreezingTopLayersLeavesTheRestUntouched() {
        List<String> names = ModelGraphs.baseVertexNames(SPEC, 0);
        int top = 6; // conv_pw_13 block's depthwise and pointwise layers (with their BN and ReLU)
        Map<String, INDArray> after = trainWith(0, 2, new Unfreeze(top), false);

        for (String frozenLayer : names.subList(0, names.size() - top)) {
            for (String key : keys(k -> k.startsWith(frozenLayer + "_"))) {
                assertThat(after.get(key)).as(key).isEqualTo(initial.get(key));
            }
        }
        assertThat(names.subList(names.size() - top, names.size())).contains("conv_dw_13", "conv_pw_13");
        assertThat(after.get("conv_pw_13_W")).isNotEqualTo(initial.get("conv_pw_13_W"));
        assertThat(after.get("conv_dw_13_W")).isNotEqualTo(initial.get("conv_dw_13_W"));
    }
}
