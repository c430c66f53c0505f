package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.PretrainedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code --weights} option: {@code imagenet} (download once, then cached), {@code none} (random), or a file. */
public record WeightsChoice(Kind kind, Path file) {

    private static final Logger log = LoggerFactory.getLogger(WeightsChoice.class);

    public enum Kind { IMAGENET, NONE, FILE }

    public static WeightsChoice parse(String value) {
        return switch (value) {
            case "imagenet" -> new WeightsChoice(Kind.IMAGENET, null);
            case "none" -> new WeightsChoice(Kind.NONE, null);
            default -> {
                Path file = Path.of(value);
                if (!Files.isRegularFile(file)) {
                    throw new TlException("expected imagenet, none or an existing .h5 file; no file at "
                            + file.toAbsolutePath());
                }
                yield new WeightsChoice(Kind.FILE, file);
            }
        };
    }

    /**
     * The weight file to load into {@code backbone} at {@code imageSize}, downloading ImageNet weights if they are
     * not cached yet.
     */
    public Optional<Path> resolve(Backbone backbone, int imageSize, WeightCache cache) {
        return switch (kind) {
            case NONE -> Optional.empty();
            case FILE -> Optional.of(file);
            case IMAGENET -> {
                PretrainedWeights weights = backbone.weights();
                if (!weights.trainedAt(imageSize)) {
                    log.warn("{} has ImageNet weights for {} px, not {}: using the {} px weights, as Keras does",
                            backbone.name(), weights.trainedSizes(), imageSize, weights.fallbackSize().orElseThrow());
                }
                yield Optional.of(cache.fetch(weights.forSize(imageSize).noTop(),
                        "ImageNet weights for " + backbone.name()));
            }
        };
    }

    @Override
    public String toString() {
        return kind == Kind.FILE ? file.toString() : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
