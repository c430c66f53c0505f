package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A base without a weight file is the same network wherever tl builds it from the same seed: alone (tl embed, the
 * feature pass, the ONNX models kept under "random init, seed") or inside a fused model, whatever the head's seed.
 * Otherwise a head trained on one's features would be saved on top of another.
 */
class RandomBasesTest {

    @Test
    void eachBaseOfAFusedModelIsTheOneBaseExtractorOfItsSeed() {
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("mobilenet_0.25", 32),
                new BaseSpec("mobilenetv3small", 32)), new HeadSpec(0, 0), 2);
        for (long headSeed : new long[] {5, BaseWeights.RANDOM_INIT_SEED}) {
            Map<String, INDArray> model = Params.snapshot(ModelGraphs.initial(spec, headSeed,
                    BaseWeights.RANDOM_INIT_SEED));
            for (int base = 0; base < 2; base++) {
                Map<String, INDArray> alone = Params.snapshot(ModelGraphs.featureExtractor(spec, base,
                        BaseWeights.RANDOM_INIT_SEED));
                assertThat(alone).isNotEmpty();
                alone.forEach((name, values) -> assertThat(model.get(name)).as("head seed %d, %s", headSeed, name)
                        .isEqualTo(values));
            }
        }
    }
}
