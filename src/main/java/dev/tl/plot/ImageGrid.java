package dev.tl.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Square images in rows on white, each with a few caption lines under it: the augmentation preview and the
 * gallery of misclassified images. A caption wider than its tile is cut short with an ellipsis.
 */
final class ImageGrid {

    static final int GAP = 2;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final int LINE_HEIGHT = 13;

    /** One image of {@code size} x {@code size} RGB pixels and its caption, in the given colour. */
    record Tile(int[] rgb, List<String> caption, Color color) {
    }

    private ImageGrid() {
    }

    /** The height of a tile with {@code lines} caption lines under an image of {@code size} pixels. */
    static int cellHeight(int size, int lines) {
        return size + lines * LINE_HEIGHT;
    }

    static BufferedImage render(List<Tile> tiles, int size, int columns) {
        int lines = tiles.stream().mapToInt(tile -> tile.caption().size()).max().orElse(0);
        int cellHeight = cellHeight(size, lines);
        int shownColumns = Math.max(1, Math.min(columns, tiles.size()));
        int rows = Math.max(1, (tiles.size() + columns - 1) / columns);
        BufferedImage grid = new BufferedImage(GAP + shownColumns * (size + GAP), GAP + rows * (cellHeight + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(FONT);
        FontMetrics metrics = g.getFontMetrics();
        for (int i = 0; i < tiles.size(); i++) {
            Tile tile = tiles.get(i);
            int x = GAP + (i % columns) * (size + GAP);
            int y = GAP + (i / columns) * (cellHeight + GAP);
            grid.setRGB(x, y, size, size, tile.rgb(), 0, size);
            g.setColor(tile.color());
            for (int line = 0; line < tile.caption().size(); line++) {
                g.drawString(fit(tile.caption().get(line), metrics, size), x + 1,
                        y + size + line * LINE_HEIGHT + metrics.getAscent());
            }
        }
        g.dispose();
        return grid;
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        if (metrics.stringWidth(text) <= width) {
            return text;
        }
        String cut = text;
        while (!cut.isEmpty() && metrics.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }
}
