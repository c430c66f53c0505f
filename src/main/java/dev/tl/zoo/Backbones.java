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
            MobileNetV1::variants, MobileNetV2::variants, DenseNet::variants, EfficientNet::variants,
            ResNetV2::variants, InceptionV3::variants, Xception::variants, InceptionResNetV2::variants,
            NASNet::variants);

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

    public static Backbone get(String name) {
        Backbone backbone = ALL.get(name.trim().toLowerCase(Locale.ROOT));
        if (backbone == null) {
            throw new TlException("unknown backbone '" + name + "'; choose one of " + ALL.keySet());
        }
        return backbone;
    }
}
