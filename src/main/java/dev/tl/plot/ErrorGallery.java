package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.data.ImageDecoder;
import dev.tl.data.ImageTransform;
import dev.tl.eval.Mistake;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code errors.png}: the misclassified images with the highest loss — the most confidently wrong — in a grid,
 * each captioned with its predicted class and probability and its true class (fastai's {@code plot_top_losses}).
 */
public final class ErrorGallery {

    public static final String FILE = "errors.png";
    static final int SHOWN = 16;
    private static final int COLUMNS = 4;
    private static final int SIZE = 160;
    private static final Color WRONG = new Color(180, 0, 0);

    private ErrorGallery() {
    }

    public static void write(List<Mistake> mistakes, Path file) {
        AtomicFiles.writePng(file, render(mistakes));
    }

    /** Tiles of the first {@value #SHOWN} mistakes (given highest loss first); a note when there are none. */
    static BufferedImage render(List<Mistake> mistakes) {
        if (mistakes.isEmpty()) {
            return note("No image was misclassified.");
        }
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (Mistake mistake : mistakes.subList(0, Math.min(SHOWN, mistakes.size()))) {
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(mistake.path())) {
                tiles.add(new ImageGrid.Tile(decoded.transformedRgb(SIZE, ImageTransform.IDENTITY), List.of(
                        String.format(Locale.ROOT, "predicted %s %.2f", mistake.predicted(), mistake.probability()),
                        "true " + mistake.trueClass(), mistake.path().getFileName().toString()), WRONG));
            }
        }
        return ImageGrid.render(tiles, SIZE, COLUMNS);
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
