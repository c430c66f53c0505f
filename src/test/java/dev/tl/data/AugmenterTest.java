package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class AugmenterTest {

    private static final Augmentation ALL = new Augmentation(true, true, 20, 0.2, 0.1, 0.3, 0.4);

    @Test
    void eachSeedEpochAndImageHasItsOwnReproducibleTransform() {
        Augmenter augmenter = new Augmenter(ALL, 7);
        ImageTransform transform = augmenter.sample(3, 5);

        assertThat(new Augmenter(ALL, 7).sample(3, 5)).isEqualTo(transform);
        assertThat(augmenter.sample(3, 6)).isNotEqualTo(transform);
        assertThat(augmenter.sample(4, 5)).isNotEqualTo(transform);
        assertThat(new Augmenter(ALL, 8).sample(3, 5)).isNotEqualTo(transform);
        assertThat(augmenter.epoch(3).view(5, 0)).isEqualTo(transform);
    }

    @Test
    void drawsStayWithinTheSettingsAndUseTheirRange() {
        Augmenter augmenter = new Augmenter(ALL, 1);
        List<ImageTransform> draws = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            draws.add(augmenter.sample(1, i));
        }
        assertThat(draws).allSatisfy(t -> {
            assertThat(Math.abs(t.rotationDegrees())).isLessThanOrEqualTo(20);
            assertThat(t.scale()).isBetween(0.8, 1.2);
            assertThat(Math.max(Math.abs(t.shiftX()), Math.abs(t.shiftY()))).isLessThanOrEqualTo(0.1);
            assertThat(t.brightness()).isBetween(0.7, 1.3);
            assertThat(t.contrast()).isBetween(0.6, 1.4);
        });
        assertThat(draws.stream().mapToDouble(ImageTransform::rotationDegrees).max().orElseThrow()).isGreaterThan(19);
        assertThat(draws.stream().mapToDouble(ImageTransform::rotationDegrees).min().orElseThrow()).isLessThan(-19);
        assertThat(draws.stream().filter(ImageTransform::flipHorizontal).count()).isBetween(900L, 1100L);
        assertThat(draws.stream().filter(ImageTransform::flipVertical).count()).isBetween(900L, 1100L);
    }

    @Test
    void switchedOffSettingsChangeNothingAndLeaveTheOtherDrawsAlone() {
        Augmentation rotationOnly = new Augmentation(false, false, 20, 0, 0, 0, 0);
        for (int i = 0; i < 100; i++) {
            ImageTransform transform = new Augmenter(rotationOnly, 1).sample(2, i);
            assertThat(transform.keepsColours()).isTrue();
            assertThat(transform).isEqualTo(new ImageTransform(false, false,
                    new Augmenter(ALL, 1).sample(2, i).rotationDegrees(), 1, 0, 0, 1, 1));
        }
        assertThat(new Augmenter(Augmentation.NONE, 1).sample(1, 0)).isEqualTo(ImageTransform.IDENTITY);
    }

    @Test
    void batchesDoNotDependOnHowManyThreadsDecode() {
        List<InputSpec> inputs = List.of(new InputSpec(32, Preprocessing.TF, CNN2DFormat.NHWC, Framing.SQUASH));
        List<LabelledImage> images = TestData.subset(TestData.TRAIN, 6).images();
        ImageViews views = new Augmenter(Augmentation.PRESET, 3).epoch(1);

        List<INDArray> single = load(new BatchLoader(inputs, 2, 1), images, views);
        List<INDArray> parallel = load(new BatchLoader(inputs, 2, 4), images, views);
        List<INDArray> plain = load(new BatchLoader(inputs, 2, 4), images, ImageViews.PLAIN);

        assertThat(parallel).isEqualTo(single);
        assertThat(parallel).hasSize(3).isNotEqualTo(plain);
    }

    private static List<INDArray> load(BatchLoader loader, List<LabelledImage> images, ImageViews views) {
        try (loader) {
            List<INDArray> batches = new ArrayList<>();
            Iterator<Batch> it = loader.batches(images, 5, views);
            while (it.hasNext()) {
                batches.add(it.next().inputs()[0]);
            }
            return batches;
        }
    }

    @Test
    void settingsOutsideTheirRangesCannotBeMade() {
        for (double[] bad : new double[][] {{-5, 0, 0, 0, 0}, {181, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, -0.1, 0, 0},
            {0, 0, 0, 1, 0}, {0, 0, 0, 0, Double.NaN}}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> new Augmentation(false, false, bad[0], bad[1], bad[2], bad[3], bad[4]));
        }
        assertThat(new Augmentation(false, false, 180, 0.99, 0.5, 0.9, 0.9).isActive()).isTrue();
        assertThat(Augmentation.NONE.isActive()).isFalse();
    }
}
