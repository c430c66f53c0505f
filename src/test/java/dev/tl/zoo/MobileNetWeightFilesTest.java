package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keras publishes MobileNet weights per alpha and input size: tl picks the file for the size asked for. */
class MobileNetWeightFilesTest {

    private static final String KERAS = PretrainedWeights.KERAS_APPLICATIONS;

    @ParameterizedTest(name = "{0} at {1} px")
    @CsvSource({
            "mobilenet_0.25,   128, mobilenet/mobilenet_2_5_128_tf",
            "mobilenet_0.5,    160, mobilenet/mobilenet_5_0_160_tf",
            "mobilenet_0.75,   192, mobilenet/mobilenet_7_5_192_tf",
            "mobilenet,        224, mobilenet/mobilenet_1_0_224_tf",
            "mobilenetv2_0.35,  96, mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96",
            "mobilenetv2_0.5,  128, mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.5_128",
            "mobilenetv2,      160, mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_160",
            "mobilenetv2_1.4,  224, mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.4_224"})
    void eachTrainedSizeHasItsOwnFiles(String name, int size, String file) {
        PretrainedWeights weights = Backbones.get(name).weights();

        assertThat(weights.trainedAt(size)).isTrue();
        assertThat(weights.forSize(size).noTop().url()).isEqualTo(KERAS + file + "_no_top.h5");
        assertThat(weights.forSize(size).withTop().url()).isEqualTo(KERAS + file + ".h5");
    }

    @Test
    void otherSizesTakeThe224PixelFilesAsKerasDoes() {
        PretrainedWeights v1 = Backbones.get("mobilenet_0.25").weights();
        PretrainedWeights v2 = Backbones.get("mobilenetv2_1.3").weights();

        assertThat(v1.trainedAt(96)).isFalse();
        assertThat(v1.forSize(96)).isEqualTo(v1.forSize(224));
        assertThat(v2.trainedAt(200)).isFalse();
        assertThat(v2.forSize(200)).isEqualTo(v2.forSize(224));
        assertThat(v1.fallbackSize()).contains(224);
        assertThat(v1.trainedSizes()).containsExactly(128, 160, 192, 224);
        assertThat(v2.trainedSizes()).containsExactly(96, 128, 160, 192, 224);
    }

    /** Keras 3 verifies every v1 file by SHA-256, each its own; V2 files have no published hash. */
    @Test
    void v1FilesCarryTheirOwnSha256AndV2FilesNone() {
        Set<String> v1Hashes = new HashSet<>();
        for (Backbone backbone : Backbones.all()) {
            for (PretrainedWeights.Files files : backbone.weights().all()) {
                if (backbone.architecture() instanceof MobileNetV1) {
                    v1Hashes.add(files.noTop().hash());
                    v1Hashes.add(files.withTop().hash());
                } else if (backbone.architecture() instanceof MobileNetV2) {
                    assertThat(files.noTop().hash()).isNull();
                    assertThat(files.withTop().hash()).isNull();
                }
            }
        }
        assertThat(v1Hashes).hasSize(4 * 4 * 2).allMatch(hash -> hash.matches("[0-9a-f]{64}"));
    }
}
