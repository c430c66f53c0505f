package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Multiply-adds counted from a graph's layers: MobileNet's and NASNet's, as their papers tally them. */
class NetworkCostTest {

    /**
     * MobileNet 1.0 at 224 px: 569M multiply-adds with its 1024×1000 classifier (Howard et al. 2017, table 8), so
     * 567.7M for the base: 10.8M first convolution, 17.4M depthwise, 539.5M pointwise.
     */
    @Test
    void mobileNetCostsWhatItsPaperCounts() {
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("mobilenet", 224)), new HeadSpec(0, 0), 2);

        NetworkCost cost = NetworkCost.of(ModelGraphs.featureExtractor(spec, 1), spec.inputSpecs());

        assertThat(cost.multiplyAdds() / 1e6).isCloseTo(567.7, within(0.5));
        assertThat(cost.depthwiseMultiplyAdds() / 1e6).isCloseTo(17.4, within(0.1));
        assertThat(cost.gflops(10, NetworkCost.TRAINING_PASSES)).isCloseTo(2 * 3 * 10 * 567.7e6 / 1e9, within(0.05));
    }

    /**
     * NASNetMobile at 224 px, whose cells are built of separable convolutions: 564M multiply-adds with its
     * 1056×1000 classifier (Zoph et al. 2018, table 2), 1.1M of them the classifier's.
     */
    @Test
    void separableConvolutionsCostTheirDepthwiseAndPointwiseParts() {
        ModelSpec spec = new ModelSpec(List.of(new BaseSpec("nasnetmobile", 224)), new HeadSpec(0, 0), 2);

        NetworkCost cost = NetworkCost.of(ModelGraphs.featureExtractor(spec, 1), spec.inputSpecs());

        assertThat(cost.multiplyAdds() / 1e6).isCloseTo(563, within(563 * 0.03));
    }
}
