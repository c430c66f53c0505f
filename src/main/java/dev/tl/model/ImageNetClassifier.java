package dev.tl.model;

import dev.tl.data.Framing;
import dev.tl.data.InputSpec;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.NetBuilder;
import dev.tl.zoo.weights.KerasWeightLoader;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A backbone with Keras' stock 1000-class ImageNet classifier (like {@code Model(weights='imagenet')} plus
 * {@code decode_predictions}), at the input size its weights were trained for.
 */
public final class ImageNetClassifier {

    private static final List<String> CLASSES = readClasses();

    private ImageNetClassifier() {
    }

    /** ImageNet class names in index order (ILSVRC-2012, as the classifier's outputs are ordered). */
    public static List<String> classes() {
        return CLASSES;
    }

    /** Loads the with-top weights: Keras' published file (downloaded once, cached) or a local one. */
    public static Classifier load(Backbone backbone, WeightsChoice weights, WeightCache cache, Framing framing) {
        Path file = switch (weights.kind()) {
            case IMAGENET -> cache.fetch(backbone.weights().forSize(backbone.defaultImageSize()).withTop(),
                    "ImageNet weights with classifier for " + backbone.name());
            case FILE -> weights.file();
            case NONE -> throw new IllegalArgumentException("an untrained ImageNet classifier predicts nothing");
        };
        ModelGraphs.ImageNetGraph network = ModelGraphs.imagenetClassifier(backbone, backbone.defaultImageSize());
        KerasWeightLoader.load(file, network.graph(), "", network.vertexNames(), backbone);
        return new Classifier(network.graph(),
                List.of(new InputSpec(backbone.defaultImageSize(), backbone.preprocessing(), NetBuilder.layout(),
                        framing)),
                CLASSES);
    }

    private static List<String> readClasses() {
        try (InputStream in = ImageNetClassifier.class.getResourceAsStream("/imagenet-classes.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> names = reader.lines().filter(line -> !line.isBlank()).toList();
            if (names.size() != 1000) {
                throw new IllegalStateException("imagenet-classes.txt has " + names.size() + " names, not 1000");
            }
            return names;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read imagenet-classes.txt", e);
        }
    }
}
