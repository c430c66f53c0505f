package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.TlException;
import dev.tl.data.ImageDecoder;
import dev.tl.data.ImageTransform;
import dev.tl.eval.Mistake;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code errors.png}: the misclassified images with the highest loss — the most confidently wrong — in a grid,
 * each captioned with its predicted class and probability and its true class (fastai's {@code plot_top_losses}).
 * Beside it {@code error-thumbnails.png}, the first {@value #THUMBNAILS} of them small, in one row, in the order of
 * {@code errors.csv}: what {@code tl report} shows, so that it never reads an image from outside the bundle.
 */
public final class ErrorGallery {

    public static final String FILE = "errors.png";
    public static final String THUMBNAILS_FILE = "error-thumbnails.png";
    public static final int THUMBNAILS = 12;
    public static final int THUMBNAIL_SIZE = 96;
    static final int SHOWN = 16;
    private static final int COLUMNS = 4;
    private static final int SIZE = 160;
    private static final Color WRONG = new Color(180, 0, 0);

    private ErrorGallery() {
    }

    /** Writes the gallery and the thumbnails (none when nothing was misclassified) into {@code bundle}. */
    public static void write(List<Mistake> mistakes, Path bundle) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        List<int[]> thumbnails = new ArrayList<>();
        for (int i = 0; i < Math.min(Math.max(SHOWN, THUMBNAILS), mistakes.size()); i++) {
            Mistake mistake = mistakes.get(i);
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(mistake.path())) {
                if (i < SHOWN) {
                    tiles.add(new ImageGrid.Tile(decoded.transformedRgb(SIZE, ImageTransform.IDENTITY), List.of(
                            String.format(Locale.ROOT, "predicted %s %.2f", mistake.predicted(),
                                    mistake.probability()),
                            "true " + mistake.trueClass(), mistake.path().getFileName().toString()), WRONG));
                }
                if (i < THUMBNAILS) {
                    thumbnails.add(decoded.transformedRgb(THUMBNAIL_SIZE, ImageTransform.IDENTITY));
                }
            }
        }
        AtomicFiles.writePng(bundle.resolve(FILE), tiles.isEmpty() ? note("No image was misclassified.")
                : ImageGrid.render(tiles, SIZE, COLUMNS));
        Path strip = bundle.resolve(THUMBNAILS_FILE);
        if (thumbnails.isEmpty()) {
            try {
                Files.deleteIfExists(strip); // an earlier evaluation's
            } catch (IOException e) {
                throw new TlException("cannot delete " + strip + ": " + e.getMessage(), e);
            }
        } else {
            AtomicFiles.writePng(strip, row(thumbnails));
        }
    }

    /** The thumbnails side by side. */
    private static BufferedImage row(List<int[]> thumbnails) {
        BufferedImage row = new BufferedImage(THUMBNAIL_SIZE * thumbnails.size(), THUMBNAIL_SIZE,
                BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < thumbnails.size(); i++) {
            row.setRGB(i * THUMBNAIL_SIZE, 0, THUMBNAIL_SIZE, THUMBNAIL_SIZE, thumbnails.get(i), 0, THUMBNAIL_SIZE);
        }
        return row;
    }

    private static BufferedImage note(String text) {
        BufferedImage image = new BufferedImage(SIZE * 2, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(text, 10, 25);
        g.dispose();
        return image;
    }
}
