package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.LogCapture;
import dev.tl.zoo.Backbones;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WeightsChoiceTest {

    @TempDir
    Path dir;

    /** Keras names its per-size files with the size; other numbers in names are widths, versions or depths. */
    @ParameterizedTest
    @CsvSource({"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5, 224",
            "mobilenet_2_5_160_tf.h5, 160", "mobilenet_v2_0.35_96_no_top.rebuilt.file-names.h5, 96",
            "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5, 0", "efficientnetb0_notop.h5, 0",
            "resnet50_weights_tf_dim_ordering_tf_kernels.h5, 0", "my_model_v2.h5, 0"})
    void theSizeAWeightFileNameGives(String name, int size) {
        assertThat(WeightsChoice.trainedSize(Path.of("weights", name)))
                .isEqualTo(size == 0 ? Optional.empty() : Optional.of(size));
    }

    @Test
    void aFileTrainedAtAnotherSizeThanTheInputIsWarnedAbout() throws IOException {
        Path file = Files.createFile(dir.resolve("mobilenet_v2_1.0_224_no_top.h5"));
        WeightsChoice choice = WeightsChoice.parse(file.toString());

        List<String> atOtherSize = LogCapture.infoLinesOf(WeightsChoice.class,
                () -> choice.resolve(Backbones.get("mobilenetv2"), 160, null));
        List<String> atItsSize = LogCapture.infoLinesOf(WeightsChoice.class,
                () -> choice.resolve(Backbones.get("mobilenetv2"), 224, null));

        assertThat(atOtherSize).containsExactly("mobilenet_v2_1.0_224_no_top.h5 holds weights trained at 224 px, as"
                + " its name says, not 160: features at another size than the weights were trained at are usually"
                + " less accurate");
        assertThat(atItsSize).isEmpty();
    }
}
