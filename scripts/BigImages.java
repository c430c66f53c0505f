import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes one large image of every kind tl decodes, for scripts/decode-memory.sh: baseline and progressive JPEG, 8-bit
 * RGB and 16-bit RGBA PNG, GIF and BMP, each WIDTH x HEIGHT of noisy gradients (so the encoders cannot shrink them to
 * nothing). {@code java scripts/BigImages.java OUTDIR WIDTH HEIGHT} (Java 17, no dependencies).
 */
public final class BigImages {

    public static void main(String[] args) throws IOException {
        Path out = Files.createDirectories(Path.of(args[0]));
        int width = Integer.parseInt(args[1]);
        int height = Integer.parseInt(args[2]);
        BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(1);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int noise = random.nextInt(32);
                rgb.setRGB(x, y, ((x * 255 / width + noise) & 0xFF) << 16 | ((y * 255 / height + noise) & 0xFF) << 8
                        | ((x + y) & 0xFF));
            }
        }
        jpeg(rgb, out.resolve("baseline.jpg"), false);
        jpeg(rgb, out.resolve("progressive.jpg"), true);
        ImageIO.write(rgb, "png", out.resolve("rgb.png").toFile());
        ImageIO.write(rgba16(rgb), "png", out.resolve("rgba16.png").toFile());
        ImageIO.write(rgb, "bmp", out.resolve("rgb.bmp").toFile());
        ImageIO.write(indexed(rgb), "gif", out.resolve("indexed.gif").toFile());
    }

    private static void jpeg(BufferedImage image, Path file, boolean progressive) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static BufferedImage rgba16(BufferedImage rgb) {
        ImageTypeSpecifier type = ImageTypeSpecifier.createInterleaved(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_sRGB), new int[] {0, 1, 2, 3},
                java.awt.image.DataBuffer.TYPE_USHORT, true, false);
        BufferedImage image = type.createBufferedImage(rgb.getWidth(), rgb.getHeight());
        short[] samples = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
        for (int y = 0, k = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++, k += 4) {
                int pixel = rgb.getRGB(x, y);
                samples[k] = (short) (((pixel >> 16) & 0xFF) * 257);
                samples[k + 1] = (short) (((pixel >> 8) & 0xFF) * 257);
                samples[k + 2] = (short) ((pixel & 0xFF) * 257);
                samples[k + 3] = (short) 0xFFFF;
            }
        }
        return image;
    }

    private static BufferedImage indexed(BufferedImage rgb) {
        byte[] levels = new byte[256];
        for (int i = 0; i < 256; i++) {
            levels[i] = (byte) i;
        }
        BufferedImage image = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, levels, levels, levels));
        for (int y = 0; y < rgb.getHeight(); y++) {
            for (int x = 0; x < rgb.getWidth(); x++) {
                image.getRaster().setSample(x, y, 0, rgb.getRGB(x, y) & 0xFF);
            }
        }
        return image;
    }

    private BigImages() {
    }
}
