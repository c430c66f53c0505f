package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import dev.tl.engine.Dl4jOutputs;
import dev.tl.data.ImageTransform;
import dev.tl.data.ImageViews;
import dev.tl.data.LabelledImage;
import dev.tl.data.TestTimeAugmentation;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** Test-time augmentation through {@link Inference}, on a random-weight MobileNet classifier and real images. */
class TestTimeAugmentationTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0), 2);

    private static ComputationGraph graph;
    private static List<LabelledImage> images;

    @BeforeAll
    static void setUp() {
        graph = ModelGraphs.full(SPEC, FreezePlan.INFERENCE, new NoOp(), 4);
        images = TestData.subset(TestData.VAL, 2).images(); // 4 images: two batches of two below
    }

    private static INDArray outputs(ImageViews views, int batchSize) {
        return Dl4jOutputs.of(graph, SPEC.inputSpecs(), images, batchSize, views);
    }

    @Test
    void oneViewIsThePlainOutput() {
        INDArray plain = Dl4jOutputs.of(graph, SPEC.inputSpecs(), images, 4);
        assertThat(outputs(TestTimeAugmentation.views(1), 4)).isEqualTo(plain);
    }

    @Test
    void severalViewsAverageTheirProbabilities() {
        ImageViews four = TestTimeAugmentation.views(4);
        INDArray averaged = outputs(four, 8); // 2 images (8 rows) per batch
        INDArray plain = outputs(ImageViews.PLAIN, 8);

        assertThat(averaged.shape()).containsExactly(images.size(), 2);
        INDArray sums = averaged.sum(1);
        for (int i = 0; i < images.size(); i++) {
            assertThat(sums.getDouble(i)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
        assertThat(averaged).isNotEqualTo(plain);

        INDArray manual = Nd4j.zeros(images.size(), 2);
        for (int v = 0; v < 4; v++) {
            ImageTransform view = four.view(0, v);
            manual.addi(outputs(ImageViews.fixed(List.of(view), "view " + v), 8));
        }
        assertThat(averaged.equalsWithEps(manual.divi(4), 1e-5)).as("mean of the single views").isTrue();
    }

    @Test
    void theViewsAreTheImageItsMirrorAndCrops() {
        ImageViews all = TestTimeAugmentation.views(TestTimeAugmentation.MAX_VIEWS);
        assertThat(all.view(0, 0)).isEqualTo(ImageTransform.IDENTITY);
        assertThat(all.view(0, 1).flipHorizontal()).isTrue();
        assertThat(all.view(0, 2).scale()).isGreaterThan(1);
        for (int v = 1; v < all.perImage(); v++) {
            ImageTransform view = all.view(7, v);
            assertThat(view.keepsColours()).isTrue();
            double reach = (view.scale() - 1) / 2; // a crop never needs pixels from outside the image
            assertThat(Math.abs(view.shiftX())).isLessThanOrEqualTo(reach);
            assertThat(Math.abs(view.shiftY())).isLessThanOrEqualTo(reach);
        }
        assertThat(java.util.stream.IntStream.range(0, all.perImage()).mapToObj(v -> all.view(0, v)).distinct())
                .hasSize(TestTimeAugmentation.MAX_VIEWS);
        assertThatThrownBy(() -> TestTimeAugmentation.views(TestTimeAugmentation.MAX_VIEWS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
