package dev.tl.data;

import dev.tl.TlException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Decodes JPEG, PNG, BMP and GIF files (CMYK JPEGs through the TwelveMonkeys ImageIO plugin) to 8-bit RGB.
 * Grayscale is replicated to three channels, alpha is composited over black, palette images are expanded.
 */
public final class ImageDecoder {

    static {
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {
    }

    public static BufferedImage readRgb(Path path) {
        BufferedImage image;
        try {
            image = ImageIO.read(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new TlException("cannot decode image " + path + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new TlException("cannot decode image " + path + ": not a supported image format");
        }
        return toRgb(image);
    }

    /** Bilinear resize to size x size, ignoring aspect ratio (as Keras' image_dataset_from_directory does). */
    public static int[] resizedPixels(BufferedImage rgb, int size) {
        BufferedImage target = rgb;
        if (rgb.getWidth() != size || rgb.getHeight() != size) {
            target = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = target.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(rgb, 0, 0, size, size, null);
            g.dispose();
        }
        return target.getRGB(0, 0, size, size, null, 0, size);
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int width = image.getWidth();
        int height = image.getHeight();
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Raster raster = image.getRaster();
        boolean plainGray = raster.getNumBands() <= 2 && image.getColorModel().getNumColorComponents() == 1
                && raster.getSampleModel().getSampleSize(0) <= 16;
        if (plainGray) {
            // Java2D would gamma-convert a linear gray colour space; take the stored values as they are.
            int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            boolean alpha = raster.getNumBands() == 2;
            int[] pixels = new int[width];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    long v = raster.getSample(x, y, 0) * 255L / max;
                    if (alpha) {
                        v = v * raster.getSample(x, y, 1) / max;
                    }
                    int gray = (int) v;
                    pixels[x] = (gray << 16) | (gray << 8) | gray;
                }
                rgb.setRGB(0, y, width, 1, pixels, 0, width);
            }
            return rgb;
        }
        Graphics2D g = rgb.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        return rgb;
    }
}
