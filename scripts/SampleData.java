import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageOutputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Renders tl's sample data set: images of horizontal and of vertical stripes, in train/ and val/ class folders,
 * as JPEG and PNG. The same command always writes the same images: {@code java scripts/SampleData.java OUTDIR}
 * (Java 17, no dependencies).
 *
 * <p>Each image is a striped patch on a background. Within a class everything but the stripes' orientation varies:
 * image size and aspect, the patch's shape, position and size, stripe width, spacing and a tilt of up to 8 degrees,
 * hue, which of the two colours is the dark one, the background gradient, noise, file format and JPEG quality.
 *
 * <p>Why orientation: the demo must also learn without pretrained weights, from a randomly initialised MobileNet's
 * pooled features. Those features mostly measure brightness and contrast; of the patterns tried (stripes, checks,
 * dots, fine against coarse texture), only stripe orientation stayed separable, and only with the dark and light
 * colours held at a fixed brightness (hue varies freely).
 */
public final class SampleData {

    private static final long SEED = 20261201L;
    private static final int VAL_PER_CLASS = 20;
    /** Every PNG_EVERY-th image is a PNG, the rest JPEGs: a PNG keeps the noise and costs seven times the bytes. */
    private static final int PNG_EVERY = 8;
    private static final double MAX_TILT = Math.toRadians(8);

    /**
     * The classes, by the direction the stripes run. Their training sets differ in size a little, as real data sets
     * do, so per-class counts and class weights are not the same for both.
     */
    enum Orientation {
        HORIZONTAL(0, 48), VERTICAL(Math.PI / 2, 45);

        final double angle;
        final int trainImages;

        Orientation(double angle, int trainImages) {
            this.angle = angle;
            this.trainImages = trainImages;
        }

        String folder() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        if (args.length != 1) {
            System.err.println("usage: java scripts/SampleData.java OUTDIR   (writes OUTDIR/train and OUTDIR/val)");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        for (String split : new String[] {"train", "val"}) {
            if (Files.exists(out.resolve(split))) {
                System.err.println("SampleData: " + out.resolve(split) + " exists; remove it first");
                System.exit(2);
            }
        }
        Random random = new Random(SEED);
        long bytes = 0;
        int images = 0;
        for (Orientation orientation : Orientation.values()) {
            for (int i = 0; i < orientation.trainImages + VAL_PER_CLASS; i++) {
                String split = i < orientation.trainImages ? "train" : "val";
                boolean png = i % PNG_EVERY == PNG_EVERY - 1;
                Path file = out.resolve(split).resolve(orientation.folder()).resolve(
                        String.format(Locale.ROOT, "%s_%03d.%s", orientation.folder(), i, png ? "png" : "jpg"));
                Files.createDirectories(file.getParent());
                BufferedImage image = render(orientation, random);
                if (png) {
                    ImageIO.write(image, "png", file.toFile());
                } else {
                    writeJpeg(image, 0.75f + 0.2f * random.nextFloat(), file);
                }
                bytes += Files.size(file);
                images++;
            }
        }
        System.out.printf(Locale.ROOT, "SampleData: %d images in %s, %.2f MB%n", images, out, bytes / 1e6);
    }

    /** One image: a background gradient, a patch of stripes in a dark and a light colour, Gaussian noise. */
    static BufferedImage render(Orientation orientation, Random random) {
        int width = 112 + random.nextInt(65);
        int height = 112 + random.nextInt(65);
        double[] backgroundFrom = tinted(random, 115 + random.nextDouble() * 25, 20);
        double[] backgroundTo = tinted(random, 115 + random.nextDouble() * 25, 20);
        double backgroundAngle = random.nextDouble() * 2 * Math.PI;
        double[] dark = tinted(random, 60, 80);
        double[] light = tinted(random, 200, 80);
        if (random.nextBoolean()) {
            double[] swap = dark;
            dark = light;
            light = swap;
        }
        double periodPixels = 8 + random.nextDouble() * 14;
        double angle = orientation.angle + MAX_TILT * (2 * random.nextDouble() - 1);
        double duty = 0.5 * (2 * random.nextDouble() - 1); // shifts the threshold: thin lines to broad bands
        double phase = random.nextDouble();
        boolean ellipse = random.nextBoolean();
        double halfWidth = width * (0.4 + random.nextDouble() * 0.2);
        double halfHeight = height * (0.4 + random.nextDouble() * 0.2);
        double centreX = halfWidth * 0.6 + random.nextDouble() * (width - 1.2 * halfWidth);
        double centreY = halfHeight * 0.6 + random.nextDouble() * (height - 1.2 * halfHeight);
        double noise = 2 + random.nextDouble() * 8;

        // Across the stripes: the coordinate in periods along the stripes' normal.
        double normalX = -StrictMath.sin(angle) / periodPixels;
        double normalY = StrictMath.cos(angle) / periodPixels;
        double gradientX = StrictMath.cos(backgroundAngle) / width;
        double gradientY = StrictMath.sin(backgroundAngle) / height;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double across = x * normalX + y * normalY + phase;
                // sin(2 pi u) / (2 pi / period) is about the distance to the stripe's edge in pixels
                double stripe = softEdge((StrictMath.sin(2 * StrictMath.PI * across) - duty)
                        * periodPixels / (2 * StrictMath.PI));
                double inside = softEdge(-outsidePatch(x - centreX, y - centreY, halfWidth, halfHeight, ellipse));
                double g = Math.max(0, Math.min(1, 0.5 + (x - width / 2.0) * gradientX + (y - height / 2.0) * gradientY));
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    double background = backgroundFrom[c] + (backgroundTo[c] - backgroundFrom[c]) * g;
                    double foreground = light[c] + (dark[c] - light[c]) * stripe;
                    double value = background + (foreground - background) * inside + noise * random.nextGaussian();
                    rgb = rgb << 8 | (int) Math.max(0, Math.min(255, Math.round(value)));
                }
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** Coverage from a signed distance in pixels (positive inside), anti-aliased over one pixel. */
    private static double softEdge(double distance) {
        return Math.max(0, Math.min(1, 0.5 + distance));
    }

    /** Signed distance in pixels from the patch's edge, positive outside (roughly, for the ellipse). */
    private static double outsidePatch(double dx, double dy, double halfWidth, double halfHeight, boolean ellipse) {
        return ellipse
                ? (StrictMath.sqrt(dx * dx / (halfWidth * halfWidth) + dy * dy / (halfHeight * halfHeight)) - 1)
                        * Math.min(halfWidth, halfHeight)
                : Math.max(Math.abs(dx) - halfWidth, Math.abs(dy) - halfHeight);
    }

    /** A random hue at the given brightness (Rec. 601 luma); {@code chroma} bounds how far channels stray from it. */
    private static double[] tinted(Random random, double luma, double chroma) {
        while (true) {
            double[] rgb = new double[3];
            for (int c = 0; c < 3; c++) {
                rgb[c] = luma + chroma * (2 * random.nextDouble() - 1);
            }
            double shift = luma - (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
            boolean inGamut = true;
            for (int c = 0; c < 3; c++) {
                rgb[c] += shift;
                inGamut &= rgb[c] >= 0 && rgb[c] <= 255;
            }
            if (inGamut) {
                return rgb;
            }
        }
    }

    private static void writeJpeg(BufferedImage image, float quality, Path file) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        try (ImageOutputStream stream = new FileImageOutputStream(file.toFile())) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
    }
}
