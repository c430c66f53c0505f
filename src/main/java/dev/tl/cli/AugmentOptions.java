package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.data.Augmentation;
import dev.tl.data.Augmenter;
import dev.tl.data.ImageSet;
import dev.tl.data.InputSpec;
import dev.tl.plot.AugmentationPreview;
import dev.tl.train.TrainAugmentation;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code tl train}'s augmentation options. A value flag given without a value takes its default. */
final class AugmentOptions {

    private static final String FEATURE_COPIES = "--feature-cache-augment";

    @Option(names = "--augment", description = "Switch on the usual augmentation: --flip --rotation --zoom --translate "
            + "--brightness --contrast with their defaults; each of those flags given too overrides its part.")
    boolean preset;

    @Option(names = "--flip", negatable = true,
            description = "Mirror training images left-right at random (half of them).")
    Boolean flip;

    @Option(names = "--vertical-flip", description = "Mirror training images upside down at random (half of them).")
    boolean verticalFlip;

    @Option(names = "--rotation", arity = "0..1", fallbackValue = "" + Augmentation.DEFAULT_ROTATION,
            paramLabel = "DEG", converter = Converters.Degrees.class, description = "Rotate training images by a random angle within ±DEG degrees "
            + "(0..180). Default without a value: ${FALLBACK-VALUE}.")
    Double rotation;

    @Option(names = "--zoom", arity = "0..1", fallbackValue = "" + Augmentation.DEFAULT_ZOOM, converter = Converters.Fraction.class, paramLabel = "F",
            description = "Zoom training images about the centre by a random factor in [1-F, 1+F] (0 <= F < 1): "
                    + "above 1 crops in, below 1 shrinks within mirrored edges. Default without a value: "
                    + "${FALLBACK-VALUE}.")
    Double zoom;

    @Option(names = "--translate", arity = "0..1", fallbackValue = "" + Augmentation.DEFAULT_TRANSLATE, converter = Converters.Fraction.class,
            paramLabel = "F", description = "Shift training images by a random fraction within ±F of their size, "
            + "across and down (0 <= F < 1). Default without a value: ${FALLBACK-VALUE}.")
    Double translate;

    @Option(names = "--brightness", arity = "0..1", fallbackValue = "" + Augmentation.DEFAULT_BRIGHTNESS, converter = Converters.Fraction.class,
            paramLabel = "F", description = "Multiply training images' pixel values by a random factor in "
            + "[1-F, 1+F] (0 <= F < 1). Default without a value: ${FALLBACK-VALUE}.")
    Double brightness;

    @Option(names = "--contrast", arity = "0..1", fallbackValue = "" + Augmentation.DEFAULT_CONTRAST, converter = Converters.Fraction.class,
            paramLabel = "F", description = "Scale training images' contrast (spread around the mean grey) by a "
            + "random factor in [1-F, 1+F] (0 <= F < 1). Default without a value: ${FALLBACK-VALUE}.")
    Double contrast;

    @Option(names = FEATURE_COPIES, defaultValue = "0", paramLabel = "K", converter = Converters.NonNegative.class,
            description = "With augmentation: compute (and cache) the frozen base's features of K augmented copies "
                    + "of the training images once; frozen epoch e trains on copy (e-1) mod K. 0: every frozen "
                    + "epoch runs the augmented images through the frozen base. Default: ${DEFAULT-VALUE}.")
    int featureCacheCopies;

    @Option(names = "--preview-augment", paramLabel = "FILE.png",
            description = "Write a PNG grid of up to 16 augmented training images at the input size, then exit "
                    + "without training.")
    Path preview;

    TrainAugmentation trainAugmentation() {
        Augmentation base = preset ? Augmentation.PRESET : Augmentation.NONE;
        Augmentation augmentation = new Augmentation(flip != null ? flip : base.horizontalFlip(), verticalFlip,
                rotation != null ? rotation : base.rotation(), zoom != null ? zoom : base.zoom(),
                translate != null ? translate : base.translate(),
                brightness != null ? brightness : base.brightness(), contrast != null ? contrast : base.contrast());
        Flags.require(featureCacheCopies == 0 || augmentation.isActive(), FEATURE_COPIES,
                "needs augmentation switched on (--augment, or e.g. --flip --rotation)");
        return new TrainAugmentation(augmentation, featureCacheCopies);
    }

    /** Whether {@code --preview-augment} asks for a preview instead of training. */
    boolean previewing() {
        return preview != null;
    }

    /** Writes the {@code --preview-augment} preview and says so. */
    void writePreview(ImageSet train, InputSpec input, long seed, PrintWriter out) {
        Augmentation settings = trainAugmentation().settings();
        if (!settings.isActive()) {
            throw new TlException("--preview-augment: no augmentation is switched on (add --augment, or e.g. "
                    + "--flip --rotation 15)");
        }
        int shown = Flags.about("--preview-augment",
                () -> AugmentationPreview.write(preview, train, input, new Augmenter(settings, seed)));
        out.printf("wrote %d augmented training images to %s%n", shown, preview.toAbsolutePath().normalize());
        out.flush();
    }
}
