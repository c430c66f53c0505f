package dev.tl.zoo;

import dev.tl.TlException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every backbone by the name users type. Each family declares its variants (names, input sizes, preprocessing,
 * weight files) beside its architecture; adding a family is one line here, adding a variant a few lines there.
 */
public final class Backbones {

    /** In the order {@code tl models} lists them. */
    private static final List<Supplier<List<Backbone>>> FAMILIES = List.of(Vgg::variants, ResNet::variants,
            ResNetV2::variants, MobileNetV1::variants, MobileNetV2::variants, MobileNetV3::variants,
            DenseNet::variants, EfficientNet::variants, EfficientNetV2::variants, ConvNeXt::variants,
            InceptionV3::variants, Xception::variants, InceptionResNetV2::variants, NASNet::variants);

    private static final Map<String, Backbone> ALL = register();

    private Backbones() {
    }

    private static Map<String, Backbone> register() {
        Map<String, Backbone> all = new LinkedHashMap<>();
        for (Supplier<List<Backbone>> family : FAMILIES) {
            for (Backbone backbone : family.get()) {
                if (all.put(backbone.name(), backbone) != null) {
                    throw new IllegalStateException("two backbones are called " + backbone.name());
                }
            }
        }
        return all;
    }

    public static List<Backbone> all() {
        return List.copyOf(ALL.values());
    }

    /**
     * The backbones whose base, or base with Keras' ImageNet classifier, has exactly {@code parameters} parameters
     * (counted as Keras counts them): what a weight file of that size was made for.
     */
    public static List<String> withParameterCount(long parameters) {
        return ALL.values().stream()
                .filter(b -> b.baseParameterCount() == parameters || b.parameterCountWithTop() == parameters)
                .map(Backbone::name).toList();
    }

    public static Backbone get(String name) {
        Backbone backbone = ALL.get(name.trim().toLowerCase(Locale.ROOT));
        if (backbone == null) {
            throw new TlException("unknown backbone '" + name + "'; choose one of " + ALL.keySet());
        }
        return backbone;
    }
}
