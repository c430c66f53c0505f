package dev.tl.zoo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The architectures are Keras': the parameter count with the ImageNet classifier equals the number Keras publishes
 * (model.summary() of keras.applications), and the base alone holds exactly what the no-top weight file holds,
 * i.e. that minus the classifier's (channels x 1000 + 1000) parameters; MobileNetV3's classifier also has the last
 * pointwise convolution "Conv_2", and ConvNeXt's base ends with a LayerNormalization as its classifier does. Keras
 * publishes no counts for the MobileNet width and minimalistic variants: theirs are what Keras' code builds
 * (scripts/mobilenet_param_counts.py follows its channel arithmetic), and RealWeightsTest checks mobilenet_0.25's
 * against the tensors of Keras' real files.
 */
class ParameterCountTest {

    /**
     * EfficientNet's Keras count includes its in-model Normalization layer (mean 3, variance 3, count 1). ConvNeXt's
     * and EfficientNetV2's Normalization was given its mean and variance, which Keras keeps as constants: their
     * counts have none.
     */
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
            "efficientnetb7, 66658687, 64097687",
            "efficientnetv2b0,  7200312,  5919312",
            "efficientnetv2b1,  8212124,  6931124",
            "efficientnetv2b2, 10178374,  8769374",
            "efficientnetv2b3, 14467622, 12930622",
            "efficientnetv2s,  21612360, 20331360",
            "efficientnetv2m,  54431388, 53150388",
            "efficientnetv2l, 119027848, 117746848",
            "convnext_tiny,   28589128,  27820128",
            "convnext_small,  50223688,  49454688",
            "convnext_base,   88591464,  87566464",
            "convnext_large, 197767336, 196230336",
            "convnext_xlarge, 350196968, 348147968",
            "mobilenetv3small,              2554968,  939120",
            "mobilenetv3small_0.75,         2051552,  583160",
            "mobilenetv3small_minimalistic, 2056848,  441000",
            "mobilenetv3large,              5507432, 2996352",
            "mobilenetv3large_0.75,         4012616, 1808736",
            "mobilenetv3large_minimalistic, 3948688, 1437608"})
    void matchesKeras(String name, long kerasWithTop, long kerasNoTop) {
        Backbone backbone = Backbones.get(name);
        long normalization = name.startsWith("efficientnetb") ? EFFICIENTNET_NORMALIZATION : 0;

        assertThat(backbone.parameterCountWithTop()).isEqualTo(kerasWithTop - normalization);
        assertThat(backbone.baseParameterCount()).isEqualTo(kerasNoTop - normalization);
    }
}
