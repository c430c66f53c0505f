package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataSplitTest {

    private final ImageSet all = LabelSource.FOLDERS.scan(TestData.TRAIN, "--data"); // 48 horizontal, 45 vertical

    @Test
    void theTestSetIsStratifiedDisjointAndReproducible() {
        DataSplit split = DataSplit.of(all, 0.25, 0.25, 7);

        assertThat(split.test().countsPerClass()).containsExactly(12, 11); // round(48/4), round(45/4)
        assertThat(split.validation().countsPerClass()).containsExactly(12, 11); // a quarter of all, from the rest
        assertThat(split.train().countsPerClass()).containsExactly(24, 23);
        assertThat(split.train().images()).doesNotContainAnyElementsOf(split.test().images())
                .doesNotContainAnyElementsOf(split.validation().images());
        assertThat(split.validation().images()).doesNotContainAnyElementsOf(split.test().images());
        List<LabelledImage> union = new ArrayList<>(split.train().images());
        union.addAll(split.validation().images());
        union.addAll(split.test().images());
        assertThat(union).containsExactlyInAnyOrderElementsOf(all.images());

        assertThat(DataSplit.of(all, 0.25, 0.25, 7)).isEqualTo(split);
        assertThat(DataSplit.of(all, 0.25, 0.25, 8).test().images()).isNotEqualTo(split.test().images());
    }

    @Test
    void theTestSetDoesNotDependOnTheValidationSettings() {
        ImageSet test = DataSplit.of(all, 0.2, 0.25, 3).test();

        assertThat(DataSplit.of(all, 0.2, 0.1, 3).test()).isEqualTo(test);
        DataSplit withValData = DataSplit.of(all, 0.2, TestData.subset(TestData.VAL, 2), 3);
        assertThat(withValData.test()).isEqualTo(test);
        assertThat(withValData.validation().size()).isEqualTo(4);
        assertThat(withValData.train().size()).isEqualTo(all.size() - test.size());
    }

    @Test
    void withoutATestSetTheValidationSplitIsUnchanged() {
        ImageSet.Split plain = all.stratifiedSplit(0.2, 42, "validation");
        DataSplit split = DataSplit.of(all, 0, 0.2, 42);

        assertThat(split.train()).isEqualTo(plain.train());
        assertThat(split.validation()).isEqualTo(plain.validation());
        assertThat(split.test().size()).isZero();
        assertThat(DataSplit.of(all, 0, all, 42).train()).isEqualTo(all); // same images, same order
    }

    @Test
    void aClassKeepsATrainingImage() {
        ImageSet tiny = TestData.subset(TestData.TRAIN, 1);
        DataSplit split = DataSplit.of(tiny, 0.5, 0.4, 1);
        assertThat(split.train().countsPerClass()).containsExactly(1, 1);
        assertThat(split.test().size() + split.validation().size()).isZero();
    }
}
