package dev.tl.zoo;

import dev.tl.TlException;
import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The registry of backbones, by the name users type. */
public final class Backbones {

    private static final String KERAS = "https://storage.googleapis.com/tensorflow/keras-applications/";

    private static final Map<String, Backbone> ALL = new LinkedHashMap<>();

    static {
        register(new Backbone("vgg16", Vgg.vgg16(), 224, 32, Preprocessing.CAFFE,
                new WeightFile(KERAS + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
                        "6d6bbae143d832006294945121d1f1fc")));
        register(new Backbone("vgg19", Vgg.vgg19(), 224, 32, Preprocessing.CAFFE,
                new WeightFile(KERAS + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
                        "253f8cb515780f3b799900260a226db6")));
        register(new Backbone("mobilenet", new MobileNetV1(), 224, 32, Preprocessing.TF,
                new WeightFile(KERAS + "mobilenet/mobilenet_1_0_224_tf_no_top.h5", null)));
    }

    private Backbones() {
    }

    private static void register(Backbone backbone) {
        ALL.put(backbone.name(), backbone);
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
