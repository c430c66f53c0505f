package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.PretrainedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@code --weights} option: {@code imagenet} (download once, then cached), {@code none} (random), or a file. */
public record WeightsChoice(Kind kind, Path file) {

    private static final Logger log = LoggerFactory.getLogger(WeightsChoice.class);

    public enum Kind { IMAGENET, NONE, FILE }

    private static final Pattern SIZE_IN_NAME = Pattern.compile("(?<=_)(\\d{2,4})(?=[_.])");
    private static final int MIN_NAMED_SIZE = 32;
    private static final int MAX_NAMED_SIZE = 1024;

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
            case FILE -> {
                trainedSize(file).filter(size -> size != imageSize).ifPresent(size -> log.warn(
                        "{} holds weights trained at {} px, as its name says, not {}: features at another size than"
                                + " the weights were trained at are usually less accurate", file.getFileName(), size,
                        imageSize));
                yield Optional.of(file);
            }
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

    /**
     * The input size a weight file's name gives, as Keras names its files per size
     * ({@code mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5}, {@code mobilenet_2_5_160_tf.h5}):
     * a number of 2 to 4 digits between underscores (or before the extension).
     */
    static Optional<Integer> trainedSize(Path file) {
        Matcher matcher = SIZE_IN_NAME.matcher(file.getFileName().toString());
        Optional<Integer> size = Optional.empty();
        while (matcher.find()) {
            int value = Integer.parseInt(matcher.group(1));
            if (value >= MIN_NAMED_SIZE && value <= MAX_NAMED_SIZE) {
                size = Optional.of(value);
            }
        }
        return size;
    }

    @Override
    public String toString() {
        return kind == Kind.FILE ? file.toString() : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
