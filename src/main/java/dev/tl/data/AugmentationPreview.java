package dev.tl.data;

import dev.tl.AtomicFiles;
import dev.tl.TlException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG grid of training images as augmentation leaves them, before preprocessing: what the network is shown, at
 * its input size. Up to {@value #MAX_IMAGES} images in rows of {@value #COLUMNS}, {@value #GAP} white pixels apart
 * and around.
 */
public final class AugmentationPreview {

    public static final int MAX_IMAGES = 16;
    public static final int COLUMNS = 4;
    public static final int GAP = 2;

    private AugmentationPreview() {
    }

    /**
     * Writes the preview of what the first training epoch's augmentation does to a sample of {@code train} as the
     * network's {@code input} gets it; returns how many images it shows.
     */
    public static int write(Path file, ImageSet train, InputSpec input, Augmenter augmenter) {
        List<LabeledImage> images = sample(train, augmenter.seed());
        write(render(images, input.imageSize(), input.framing(), augmenter.epoch(1)), file);
        return images.size();
    }

    /** The images a preview shows: the first of a seeded shuffle, so both classes are likely to appear. */
    public static List<LabeledImage> sample(ImageSet train, long seed) {
        List<LabeledImage> shuffled = train.shuffled(seed);
        return shuffled.subList(0, Math.min(MAX_IMAGES, shuffled.size()));
    }

    /** The grid of the first view of each image, framed, at {@code size} x {@code size} pixels. */
    public static BufferedImage render(List<LabeledImage> images, int size, Framing framing, ImageViews views) {
        int columns = Math.min(COLUMNS, images.size());
        int rows = (images.size() + COLUMNS - 1) / COLUMNS;
        BufferedImage grid = new BufferedImage(GAP + columns * (size + GAP), GAP + rows * (size + GAP),
                BufferedImage.TYPE_INT_RGB);
        int[] white = new int[grid.getWidth() * grid.getHeight()];
        Arrays.fill(white, 0xFFFFFF);
        grid.setRGB(0, 0, grid.getWidth(), grid.getHeight(), white, 0, grid.getWidth());
        for (int i = 0; i < images.size(); i++) {
            int[] pixels;
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(images.get(i).path());
                 ImageDecoder.Decoded framed = decoded.framed(framing)) {
                pixels = framed.transformedRgb(size, views.view(i, 0));
            }
            grid.setRGB(GAP + (i % COLUMNS) * (size + GAP), GAP + (i / COLUMNS) * (size + GAP), size, size, pixels,
                    0, size);
        }
        return grid;
    }

    /** Writes {@code grid} as a PNG (aside, then renamed into place), creating missing parent directories. */
    public static void write(BufferedImage grid, Path file) {
        try {
            AtomicFiles.write(file, stream -> ImageIO.write(grid, "png", stream));
        } catch (IOException e) {
            throw new TlException("cannot write " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
