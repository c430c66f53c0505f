package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.TestData;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transforms applied while decoding, checked pixel by pixel on synthetic images at their own size. */
class ImageTransformTest {

    private static final int SIZE = 32;

    @TempDir
    Path dir;

    /** Red = 8x, green = 8y: every pixel tells where it came from. */
    private Path coordinates() throws Exception {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                image.setRGB(x, y, (8 * x << 16) | (8 * y << 8));
            }
        }
        Path file = dir.resolve("coordinates.png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static int[] transformed(Path file, ImageTransform transform) {
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(file)) {
            return decoded.transformedRgb(SIZE, transform);
        }
    }

    private static ImageTransform geometry(boolean flip, double degrees, double scale, double shiftX) {
        return new ImageTransform(flip, false, degrees, scale, shiftX, 0, 1, 1);
    }

    private static int sourceX(int rgb) {
        return ((rgb >> 16) & 0xFF) / 8;
    }

    private static int sourceY(int rgb) {
        return ((rgb >> 8) & 0xFF) / 8;
    }

    @Test
    void theIdentityIsExactlyThePlainResize() throws Exception {
        Path photo = Files.list(TestData.TRAIN.resolve("horizontal")).sorted().findFirst().orElseThrow();
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(photo)) {
            assertThat(decoded.transformedRgb(48, ImageTransform.IDENTITY)).isEqualTo(decoded.resizedRgb(48));
        }
    }

    @Test
    void flipMirrorsLeftAndRight() throws Exception {
        int[] out = transformed(coordinates(), geometry(true, 0, 1, 0));
        for (int i = 0; i < out.length; i++) {
            assertThat(sourceX(out[i])).isEqualTo(SIZE - 1 - i % SIZE);
            assertThat(sourceY(out[i])).isEqualTo(i / SIZE);
        }
    }

    @Test
    void verticalFlipMirrorsTopAndBottom() throws Exception {
        int[] out = transformed(coordinates(), new ImageTransform(false, true, 0, 1, 0, 0, 1, 1));
        for (int i = 0; i < out.length; i++) {
            assertThat(sourceX(out[i])).isEqualTo(i % SIZE);
            assertThat(sourceY(out[i])).isEqualTo(SIZE - 1 - i / SIZE);
        }
    }

    @Test
    void aQuarterTurnMovesEveryPixelAroundTheCentre() throws Exception {
        int[] out = transformed(coordinates(), geometry(false, 90, 1, 0));
        for (int i = 0; i < out.length; i++) {
            int u = i % SIZE;
            int v = i / SIZE;
            assertThat(sourceX(out[i])).isEqualTo(v);
            assertThat(sourceY(out[i])).isEqualTo(SIZE - 1 - u);
        }
    }

    @Test
    void zoomTwoShowsTheCentralHalfMagnified() throws Exception {
        int[] out = transformed(coordinates(), geometry(false, 0, 2, 0));
        for (int u = 0; u < SIZE; u++) {
            double expectedRed = 8 * ((u + 0.5) / 2 + SIZE / 4.0 - 0.5); // bilinear on a linear ramp
            assertThat((double) ((out[5 * SIZE + u] >> 16) & 0xFF)).isCloseTo(expectedRed,
                    org.assertj.core.data.Offset.offset(1.0));
        }
    }

    @Test
    void aShiftMovesTheImageAndMirrorsItIntoTheGap() throws Exception {
        int[] out = transformed(coordinates(), geometry(false, 0, 1, 0.25)); // 8 pixels to the right
        for (int u = 0; u < SIZE; u++) {
            int expected = u >= 8 ? u - 8 : 7 - u; // reflected at the edge, edge pixel repeated
            assertThat(sourceX(out[3 * SIZE + u])).as("column %d", u).isEqualTo(expected);
        }
    }

    @Test
    void brightnessScalesAndContrastSpreadsAroundTheMeanGrey() throws Exception {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0x323232); // 50
        image.setRGB(1, 0, 0x969696); // 150: mean grey 100
        Path file = dir.resolve("two.png");
        ImageIO.write(image, "png", file.toFile());
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(file)) {
            assertThat(greys(decoded, 1.2, 1)).containsExactly(60, 180, 60, 180);
            assertThat(greys(decoded, 1, 0.5)).containsExactly(75, 125, 75, 125);
            assertThat(greys(decoded, 1.2, 0.5)).containsExactly(90, 150, 90, 150);
            assertThat(greys(decoded, 1.9, 1)).containsExactly(95, 255, 95, 255);
        }
    }

    /** The 2x2 output's pixels, each checked to be grey, as grey levels. */
    private static int[] greys(ImageDecoder.Decoded decoded, double brightness, double contrast) {
        int[] rgb = decoded.transformedRgb(2, new ImageTransform(false, false, 0, 1, 0, 0, brightness, contrast));
        int[] greys = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            greys[i] = rgb[i] & 0xFF;
            assertThat(rgb[i]).isEqualTo(greys[i] * 0x010101);
        }
        return greys;
    }
}
