package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The architectures are Keras': the parameter count with the ImageNet classifier equals the number Keras publishes
 * (model.summary() of keras.applications), and the base alone holds exactly what the no-top weight file holds,
 * i.e. that minus the classifier's (channels x 1000 + 1000) parameters. Keras publishes no counts for the MobileNet
 * width variants: theirs are what Keras' code builds (scripts/mobilenet_param_counts.py follows its channel
 * arithmetic), and RealWeightsTest checks mobilenet_0.25's against the tensors of Keras' real files.
 */
class ParameterCountTest {

    /** EfficientNet's Keras count includes its in-model Normalization layer (mean 3, variance 3, count 1). */
    private static final int EFFICIENTNET_NORMALIZATION = 7;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "vgg16,        138357544, 14714688",
            "vgg19,        143667240, 20024384",
            "resnet50,      25636712, 23587712",
            "resnet101,     44707176, 42658176",
            "resnet152,     60419944, 58370944",
            "resnet50v2,    25613800, 23564800",
            "resnet101v2,   44675560, 42626560",
            "resnet152v2,   60380648, 58331648",
            "inceptionv3,   23851784, 21802784",
            "xception,      22910480, 20861480",
            "inceptionresnetv2, 55873736, 54336736",
            "nasnetmobile,   5326716,  4269716",
            "nasnetlarge,   88949818, 84916818",
            "mobilenet_0.25,    475544,   218544",
            "mobilenet_0.5,    1342536,   829536",
            "mobilenet_0.75,   2601976,  1832976",
            "mobilenet,        4253864,  3228864",
            "mobilenetv2_0.35, 1691208,   410208",
            "mobilenetv2_0.5,  1987224,   706224",
            "mobilenetv2_0.75, 2663064,  1382064",
            "mobilenetv2,      3538984,  2257984",
            "mobilenetv2_1.3,  5431048,  3766048",
            "mobilenetv2_1.4,  6156712,  4363712",
            "densenet121,    8062504,  7037504",
            "densenet169,   14307880, 12642880",
            "densenet201,   20242984, 18321984",
            "efficientnetb0, 5330571,  4049571",
            "efficientnetb1, 7856239,  6575239",
            "efficientnetb2, 9177569,  7768569",
            "efficientnetb3, 12320535, 10783535",
            "efficientnetb4, 19466823, 17673823",
            "efficientnetb5, 30562527, 28513527",
            "efficientnetb6, 43265143, 40960143",
            "efficientnetb7, 66658687, 64097687"})
    void matchesKeras(String name, long kerasWithTop, long kerasNoTop) {
        Backbone backbone = Backbones.get(name);
        long normalization = name.startsWith("efficientnet") ? EFFICIENTNET_NORMALIZATION : 0;

        assertThat(backbone.parameterCountWithTop()).isEqualTo(kerasWithTop - normalization);
        assertThat(backbone.baseParameterCount()).isEqualTo(kerasNoTop - normalization);
    }
}
