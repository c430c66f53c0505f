package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.LogCapture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A class too small for the fraction asked keeps a training image, and the user is told. */
class SplitWarningTest {

    @Test
    void aClassTooSmallForTheFractionKeepsATrainingImageAndIsNamed() {
        List<LabelledImage> images = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            images.add(new LabelledImage(Path.of("big" + i + ".jpg"), 0));
        }
        images.add(new LabelledImage(Path.of("pair0.jpg"), 1));
        images.add(new LabelledImage(Path.of("pair1.jpg"), 1));
        images.add(new LabelledImage(Path.of("single.jpg"), 2));
        ImageSet set = new ImageSet(List.of("big", "pair", "single"), images);
        List<ImageSet.Split> split = new ArrayList<>();

        List<String> warnings = LogCapture.infoLinesOf(ImageSet.class,
                () -> split.add(set.stratifiedSplit(0.2, 1, "validation")));

        assertThat(split.get(0).train().countsPerClass()).containsExactly(16, 1, 1);
        assertThat(warnings).containsExactly(
                "class pair has only 2 images: 1 held out as validation (50%), not 20%",
                "class single has a single image: it trains, none is held out as validation");
    }
}
