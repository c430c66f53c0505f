package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.data.Augmenter;
import dev.tl.data.Framing;
import dev.tl.data.ImageDecoder;
import dev.tl.data.ImageSet;
import dev.tl.data.ImageViews;
import dev.tl.data.InputSpec;
import dev.tl.data.LabelledImage;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A PNG grid of training images as augmentation leaves them, before preprocessing: what the network is shown, at
 * its input size, each with its class name under it. Up to {@value #MAX_IMAGES} images in rows of
 * {@value #COLUMNS}.
 */
public final class AugmentationPreview {

    public static final int MAX_IMAGES = 16;
    public static final int COLUMNS = 4;

    private AugmentationPreview() {
    }

    /**
     * Writes the preview of what the first training epoch's augmentation does to a sample of {@code train} as the
     * network's {@code input} gets it; returns how many images it shows.
     */
    public static int write(Path file, ImageSet train, InputSpec input, Augmenter augmenter) {
        List<LabelledImage> images = sample(train, augmenter.seed());
        AtomicFiles.writePng(file, render(images, train.classes(), input.imageSize(), input.framing(),
                augmenter.epoch(1)));
        return images.size();
    }

    /** The images a preview shows: the first of a seeded shuffle, so both classes are likely to appear. */
    public static List<LabelledImage> sample(ImageSet train, long seed) {
        List<LabelledImage> shuffled = train.shuffled(seed);
        return shuffled.subList(0, Math.min(MAX_IMAGES, shuffled.size()));
    }

    /** The grid of the first view of each image, framed, at {@code size} x {@code size} pixels, labelled by class. */
    public static BufferedImage render(List<LabelledImage> images, List<String> classes, int size, Framing framing,
            ImageViews views) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(images.get(i).path());
                 ImageDecoder.Decoded framed = decoded.framed(framing)) {
                tiles.add(new ImageGrid.Tile(framed.transformedRgb(size, views.view(i, 0)),
                        List.of(classes.get(images.get(i).label())), Color.DARK_GRAY));
            }
        }
        return ImageGrid.render(tiles, size, COLUMNS);
    }
}
