import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Renders a large data set for scale runs: N images of 224 x 224 in two class folders (random stripes, noise),
 * all different, the same for the same N. {@code java scripts/ScaleData.java OUTDIR N}.
 */
public final class ScaleData {

    private static final int SIZE = 224;

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 2) {
            System.err.println("usage: java scripts/ScaleData.java OUTDIR N");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        Random random = new Random(25_000);
        for (int i = 0; i < count; i++) {
            boolean horizontal = i % 2 == 0;
            Path file = out.resolve(horizontal ? "horizontal" : "vertical")
                    .resolve(String.format(Locale.ROOT, "%06d.jpg", i));
            Files.createDirectories(file.getParent());
            ImageIO.write(render(horizontal, random), "jpg", file.toFile());
        }
    }

    private static BufferedImage render(boolean horizontal, Random random) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        int period = 6 + random.nextInt(20);
        Color dark = Color.getHSBColor(random.nextFloat(), 0.6f, 0.35f);
        Color light = Color.getHSBColor(random.nextFloat(), 0.6f, 0.85f);
        for (int k = 0; k < SIZE; k++) {
            g.setColor(k / period % 2 == 0 ? dark : light);
            if (horizontal) {
                g.fillRect(0, k, SIZE, 1);
            } else {
                g.fillRect(k, 0, 1, SIZE);
            }
        }
        for (int n = 0; n < 2000; n++) {
            image.setRGB(random.nextInt(SIZE), random.nextInt(SIZE), random.nextInt(0xFFFFFF));
        }
        g.dispose();
        return image;
    }
}
