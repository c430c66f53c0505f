package dev.tl.zoo;

import dev.tl.TlException;
import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry of backbones, by the name users type. Weight URLs and MD5s are those keras.applications downloads
 * (Keras publishes no hash for the MobileNet files).
 */
public final class Backbones {

    private static final String KERAS = "https://storage.googleapis.com/tensorflow/keras-applications/";
    private static final String KERAS_EFFICIENTNET = "https://storage.googleapis.com/keras-applications/";

    private static final Map<String, Backbone> ALL = new LinkedHashMap<>();

    static {
        register("vgg16", Vgg.vgg16(), 224, Preprocessing.CAFFE,
                KERAS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc",
                KERAS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b");
        register("vgg19", Vgg.vgg19(), 224, Preprocessing.CAFFE,
                KERAS + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6",
                KERAS + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318");
        register("resnet50", new ResNet50(), 224, Preprocessing.CAFFE,
                KERAS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", "4d473c1dd8becc155b73f8504c6f6626",
                KERAS + "resnet/resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107");
        register("mobilenet", new MobileNetV1(), 224, Preprocessing.TF,
                KERAS + "mobilenet/mobilenet_1_0_224_tf_no_top.h5", null,
                KERAS + "mobilenet/mobilenet_1_0_224_tf.h5", null);
        register("mobilenetv2", new MobileNetV2(), 224, Preprocessing.TF,
                KERAS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", null,
                KERAS + "mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", null);
        registerDenseNet("densenet121", DenseNet.densenet121(), "30ee3e1110167f948a6b9946edeeb738",
                "9d60b8095a5708f2dcce2bca79d332c7");
        registerDenseNet("densenet169", DenseNet.densenet169(), "b8c4d4c20dd625c148057b9ff1c1176b",
                "d699b8f76981ab1b30698df4c175e90b");
        registerDenseNet("densenet201", DenseNet.densenet201(), "c13680b51ded0fb44dff2d8f86ac8bb1",
                "1ceb130c1ea1b78c3bf6114dbdfd8807");
        // width, depth, input size, top dropout; then the no-top and with-top MD5s
        registerEfficientNet(0, 1.0, 1.0, 224, 0.2, "50bc09e76180e00e4465e1a485ddc09d", "902e53a9f72be733fc0bcb005b3ebbac");
        registerEfficientNet(1, 1.0, 1.1, 240, 0.2, "74c4e6b3e1f6a1eea24c589628592432", "1d254153d4ab51201f1646940f018540");
        registerEfficientNet(2, 1.1, 1.2, 260, 0.3, "111f8e2ac8aa800a7a99e3239f7bfb39", "b15cce36ff4dcbd00b6dd88e7857a6ad");
        registerEfficientNet(3, 1.2, 1.4, 300, 0.3, "af6d107764bb5b1abb91932881670226", "ffd1fdc53d0ce67064dc6a9c7960ede0");
        registerEfficientNet(4, 1.4, 1.8, 380, 0.4, "ebc24e6d6c33eaebbd558eafbeedf1ba", "18c95ad55216b8f92d7e70b3a046e2fc");
        registerEfficientNet(5, 1.6, 2.2, 456, 0.4, "38879255a25d3c92d5e44e04ae6cec6f", "ace28f2a6363774853a83a0b21b9421a");
        registerEfficientNet(6, 1.8, 2.6, 528, 0.5, "9ecce42647a20130c1f39a5d4cb75743", "165f6e37dce68623721b423839de8be5");
        registerEfficientNet(7, 2.0, 3.1, 600, 0.5, "cbcfe4450ddf6f3ad90b1b398090fe4a", "8c03f828fec3ef71311cd463b6759d99");
    }

    private Backbones() {
    }

    private static void register(String name, Architecture architecture, int size, Preprocessing preprocessing,
                                 String noTopUrl, String noTopMd5, String topUrl, String topMd5) {
        ALL.put(name, new Backbone(name, architecture, size, 32, preprocessing, new WeightFile(noTopUrl, noTopMd5),
                new WeightFile(topUrl, topMd5)));
    }

    private static void registerDenseNet(String name, DenseNet architecture, String noTopMd5, String topMd5) {
        String base = KERAS + "densenet/" + name + "_weights_tf_dim_ordering_tf_kernels";
        register(name, architecture, 224, Preprocessing.TORCH, base + "_notop.h5", noTopMd5, base + ".h5", topMd5);
    }

    private static void registerEfficientNet(int variant, double width, double depth, int size, double topDropout,
                                             String noTopMd5, String topMd5) {
        String name = "efficientnetb" + variant;
        register(name, new EfficientNet(width, depth, topDropout), size, Preprocessing.TORCH,
                KERAS_EFFICIENTNET + name + "_notop.h5", noTopMd5, KERAS_EFFICIENTNET + name + ".h5", topMd5);
    }

    public static List<Backbone> all() {
        return List.copyOf(ALL.values());
    }

    public static Backbone get(String name) {
        Backbone backbone = ALL.get(name.trim().toLowerCase(Locale.ROOT));
        if (backbone == null) {
            throw new TlException("--model: unknown backbone '" + name + "'; choose one of " + ALL.keySet());
        }
        return backbone;
    }
}
