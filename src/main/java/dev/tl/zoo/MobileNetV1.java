package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.activations.Activation;

/**
 * MobileNet (depth multiplier 1) at width multiplier alpha, as in keras.applications.mobilenet: every layer has
 * {@code int(filters * alpha)} channels.
 */
final class MobileNetV1 implements Architecture {

    /** Pointwise filters and depthwise stride of the 13 depthwise-separable blocks, at alpha 1. */
    private static final int[][] BLOCKS = {
            {64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
            {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
    private static final int STEM_FILTERS = 32;
    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.99;
    /** The stem and the 13 depthwise-separable blocks, named after Keras' block_id. */
    private static final BlockRules BLOCK_RULES = new BlockRules()
            .rule("conv1(_bn|_relu)?", "stem")
            .rule("conv_(pad|dw|pw)_(\\d+)(_.*)?", "block_$2");
    /** Keras' fallback for input sizes it has no weights for. */
    private static final int DEFAULT_SIZE = 224;

    private final double alpha;

    private MobileNetV1(double alpha) {
        this.alpha = alpha;
    }

    /**
     * Keras publishes a pair of files (with the classifier, without) per alpha and input size, and Keras 3 verifies
     * them by SHA-256 (WEIGHTS_HASHES in keras/src/applications/mobilenet.py); listed here as size, with top, no top.
     * The accuracy at 224 px is Keras' table's for alpha 1, the narrower ones' the top-1 tf.keras' mobilenet module
     * lists.
     */
    static List<Backbone> variants() {
        return List.of(
                variant(0.25, "2_5", docstring(0.506),
                        at(128, "fe295db7f78635f1403127e3ba8cdc6237f83262bdb745063a67c1d81190c7f8",
                                "7d8b7f3c9555cb4579f9659ee233a540e66fd7ad514c0a8b14493b667447c5d6"),
                        at(160, "74b32700eb3f6fb8d0b3f416c3fb52ab5eca35dc82393341eb7bb52676b6b003",
                                "c2f18432229c945b816f8b9f9cfa40d2964454b033efea804f6cd03942865bd4"),
                        at(192, "22a302e8a39e545c7372ca96fe8698e3cbbc7d3906f60316e0617c15616f8894",
                                "4b7370b9880577f12f31942049d19610a4559c8af38f39dc67d1f90ec9663aa1"),
                        at(224, "98d047950e59f478af63681720906940efc8ce8cecb95bce5c7b47394f8bd63d",
                                "dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf")),
                variant(0.5, "5_0", docstring(0.637),
                        at(128, "26752cdb9ab8459c85fb4cd0f45475bbd3bd25f9225b87bbedd474f5976da145",
                                "7f9871530e19990a9a180626566fcc32fb487c70880306592cae219d67179635"),
                        at(160, "71c742137645f19426ea3540bb2933310b0a5f2d3a2d09ee1aea91e348f6fba7",
                                "7b15a4d22079138dd889a78cdea8d921a3b73cf7d313ff12f23634c4f71bcace"),
                        at(192, "fabfe055bd26ea40c1c0798c4e22fe1eb437feab111be9f1f722360dff81e040",
                                "b848a83f140e284973d80805dc4c184a0a885dadcc1700630a86879c9103d5b1"),
                        at(224, "b4b134ed41de14fd8d6717ab4e88b53e3113194acae392bc41c012ba463906bb",
                                "df860c59562f4c4af7a2fb2ae90731caef39fd5d03e5fcd6ca46988965f0a4b7")),
                variant(0.75, "7_5", docstring(0.684),
                        at(128, "cafcb7455c36187c93eb7fb3a68e29f76b5761cb2d946d57d1967578e3b05361",
                                "dcc5aaa418bbf397a431e79a52be0ad1a61fb6364a9bb6d68b5258f13669c8ba"),
                        at(160, "3ee6f1daa0f9da149bec3311eacfb4451ca236bc126dc25ee191f5bdc6e641be",
                                "6056d87ad4e3b341cc8272d68b54a8a113ef0b0e5ab1399e4a801d2942a064fa"),
                        at(192, "a7a2364ee404c19301edb827de693f46eeb46aad13e2c5e73494545e57749eef",
                                "b8ea4352b99a87552c0b84c59b59d146b823b684766026ed8f0c68d3aab9e677"),
                        at(224, "811e0307a7e8895a180b81c191033482d99470a0604ea8e88e8d947005067d84",
                                "1da9019b66f05a0256dedfed0f321fcaf8bfa71f9facf3f9117e62820be39aa5")),
                variant(1.0, "1_0", PublishedAccuracy.table(0.704, 0.895),
                        at(128, "ef1480dcb7f11a75bc5187a74863b3b97c4cfed6b6dd5c78f003ba002a4d7fe6",
                                "8fbb8332b956430de61ad4fa1ab261ab5b7922ef1d0f38c30056a485ec0d4ecb"),
                        at(160, "a41aa0195ebe0a5301ab90af589155b42671f78704fd9a2e7dda919c478cd479",
                                "22d25b67a8936869b5f0d0c840ba150c90dc89c0b07f8aacd387614be67845d2"),
                        at(192, "bd7e7f6a7cd6690a10aedba3e93bec811240418bd9179546e50c0f4c35899a01",
                                "d67556231564ded95aaa7a44004c73aa9696fba267a6817f430eee097af11782"),
                        at(224, "006a2d9484fbea625dd4e6518652c101a3eca052671671c56265fc84f2e1181f",
                                "9f9cfd8c925431c06ce96744e1d201575f6a681bf38ae2de38e2ae8f7d7829d3")));
    }

    /** The SHA-256 hashes of the two files Keras publishes for one alpha at one input size. */
    private record Published(int size, String withTopSha256, String noTopSha256) {
    }

    private static Published at(int size, String withTopSha256, String noTopSha256) {
        return new Published(size, withTopSha256, noTopSha256);
    }

    private static PublishedAccuracy docstring(double top1) {
        return PublishedAccuracy.docstring("keras.applications.mobilenet", top1, null);
    }

    /** @param fileAlpha alpha as Keras' file names spell it ("2_5" for 0.25) */
    private static Backbone variant(double alpha, String fileAlpha, PublishedAccuracy accuracy, Published... sizes) {
        Map<Integer, PretrainedWeights.Files> bySize = new LinkedHashMap<>();
        for (Published published : sizes) {
            String file = PretrainedWeights.KERAS_APPLICATIONS + "mobilenet/mobilenet_" + fileAlpha + "_"
                    + published.size() + "_tf";
            // WeightFile verifies a SHA-256 as it does an MD5 once it tells them apart by their length.
            bySize.put(published.size(), new PretrainedWeights.Files(
                    new WeightFile(file + "_no_top.h5", published.noTopSha256()),
                    new WeightFile(file + ".h5", published.withTopSha256())));
        }
        return Backbone.of(Backbone.nameAtWidth("mobilenet", alpha), new MobileNetV1(alpha), DEFAULT_SIZE,
                Preprocessing.TF, PretrainedWeights.perSize(bySize, DEFAULT_SIZE)).withAccuracy(accuracy);
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv("conv1", input, filters(STEM_FILTERS), 3, 2, Padding.SAME, false);
        x = net.batchNormActivation("conv1_bn", "conv1_relu", x, BN_EPSILON, BN_MOMENTUM, Activation.RELU6);
        for (int i = 0; i < BLOCKS.length; i++) {
            x = depthwiseBlock(net, x, filters(BLOCKS[i][0]), BLOCKS[i][1], i + 1);
        }
        return x;
    }

    @Override
    public String blockOf(String layerName) {
        return BLOCK_RULES.blockOf(layerName);
    }

    /** Keras keeps the pooled map 1x1 and classifies with a 1x1 convolution. */
    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        FeatureMap x = net.globalAvgPool("global_average_pooling2d", features);
        x = net.reshapeToMap("reshape_1", x);
        x = net.dropout("dropout", x, 1e-3);
        x = net.conv("conv_preds", x, 1000, 1, 1, Padding.SAME, true);
        x = net.globalAvgPool("reshape_2", x);
        return net.activation("predictions", x, Activation.SOFTMAX);
    }

    /** Keras' {@code int(filters * alpha)}. */
    private int filters(int atAlphaOne) {
        return (int) (atAlphaOne * alpha);
    }

    private static FeatureMap depthwiseBlock(NetBuilder net, FeatureMap x, int filters, int stride, int id) {
        Padding padding = Padding.SAME;
        if (stride == 2) {
            // Keras pads bottom/right only, then convolves 'valid'.
            x = net.zeroPad("conv_pad_" + id, x, 0, 1, 0, 1);
            padding = Padding.VALID;
        }
        x = net.depthwiseConv("conv_dw_" + id, x, 3, stride, padding, false);
        x = net.batchNormActivation("conv_dw_" + id + "_bn", "conv_dw_" + id + "_relu", x, BN_EPSILON, BN_MOMENTUM,
                Activation.RELU6);
        x = net.conv("conv_pw_" + id, x, filters, 1, 1, Padding.SAME, false);
        return net.batchNormActivation("conv_pw_" + id + "_bn", "conv_pw_" + id + "_relu", x, BN_EPSILON,
                BN_MOMENTUM, Activation.RELU6);
    }
}
