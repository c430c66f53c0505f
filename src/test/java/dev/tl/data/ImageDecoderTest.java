package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.SharedFiles;
import dev.tl.TlException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    private static int red(int rgb) {
        return (rgb >> 16) & 0xFF;
    }

    private static int green(int rgb) {
        return (rgb >> 8) & 0xFF;
    }

    private static int blue(int rgb) {
        return rgb & 0xFF;
    }

    private Path write(BufferedImage image, String format, String name) throws Exception {
        Path file = dir.resolve(name);
        assertThat(ImageIO.write(image, format, file.toFile())).as("ImageIO can write " + format).isTrue();
        return file;
    }

    /** Decodes and returns the pixels at the image's own size (a square image), row-major 0xRRGGBB. */
    private static int[] pixels(Path file, int size) {
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(file)) {
            assertThat(decoded.width()).isEqualTo(size);
            return decoded.resizedRgb(size);
        }
    }

    @Test
    void grayscaleValuesAreReplicatedUnchanged() throws Exception {
        BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 2, 0, 77);
        int pixel = pixels(write(gray, "png", "gray.png"), 4)[2 * 4 + 1];
        assertThat(new int[] {red(pixel), green(pixel), blue(pixel)}).containsExactly(77, 77, 77);
    }

    @Test
    void sixteenBitGrayscaleIsScaledTo8Bits() throws Exception {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 65535);
        gray.getRaster().setSample(1, 0, 0, 32896); // 128.5 * 256
        int[] rgb = pixels(write(gray, "png", "gray16.png"), 2);
        assertThat(red(rgb[0])).isEqualTo(255);
        assertThat(red(rgb[1])).isBetween(128, 129);
    }

    @Test
    void alphaIsDroppedAsKerasDoes() throws Exception {
        BufferedImage argb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, new Color(200, 100, 50, 255).getRGB());
        argb.setRGB(1, 0, new Color(200, 100, 50, 0).getRGB());
        int[] rgb = pixels(write(argb, "png", "alpha.png"), 2);
        assertThat(rgb[0]).isEqualTo(0xC86432);
        assertThat(rgb[1]).isEqualTo(0xC86432);
    }

    @Test
    void bmpAndPaletteGifDecodeToRgb() throws Exception {
        BufferedImage image = new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0, 0, 255));
        g.fillRect(0, 0, 3, 3);
        g.dispose();
        for (String format : new String[] {"bmp", "gif"}) {
            assertThat(pixels(write(image, format, "blue." + format), 3)[4]).as(format).isEqualTo(0x0000FF);
        }
    }

    @Test
    void cmykJpegBecomesRgb() {
        int[] rgb;
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(Path.of("src/test/resources/images/cmyk.jpg"))) {
            assertThat(decoded.width()).isEqualTo(16);
            assertThat(decoded.height()).isEqualTo(12);
            rgb = decoded.resizedRgb(16);
        }
        int left = rgb[6 * 16 + 2];
        int right = rgb[6 * 16 + 13];
        assertThat(red(left)).isGreaterThan(200);
        assertThat(blue(left)).isLessThan(60);
        assertThat(blue(right)).isGreaterThan(200);
        assertThat(red(right)).isLessThan(60);
    }

    @Test
    void resizingIsBilinearWithTensorFlowsPixelCentres() throws Exception {
        BufferedImage small = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        small.getRaster().setSamples(0, 0, 2, 2, 0, new int[] {0, 100, 200, 250});
        int[] up;
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(write(small, "png", "up.png"))) {
            up = decoded.resizedRgb(4);
        }
        // torch.nn.functional.interpolate(bilinear, align_corners=False) == tf.image.resize(bilinear)
        int[] expected = {0, 25, 75, 100, 50, 72, 116, 138, 150, 166, 197, 213, 200, 213, 238, 250};
        for (int i = 0; i < 16; i++) {
            assertThat(red(up[i])).as("pixel %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1));
        }
    }

    /** Photos as found on the web: EXIF markers, a .jpeg extension, a GIF among the JPEGs. */
    @Test
    void realPhotosDecode() {
        Path ants = SharedFiles.require("datasets/hymenoptera/train/ants");
        for (String name : new String[] {"formica.jpeg", "imageNotFound.gif", "0013035.jpg"}) {
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(ants.resolve(name))) {
                assertThat(decoded.width()).as(name).isGreaterThan(0);
                assertThat(decoded.resizedRgb(48)).hasSize(48 * 48);
            }
        }
    }

    @Test
    void aCorruptFileIsNamedInTheError() throws Exception {
        Path broken = dir.resolve("broken.jpg");
        Files.writeString(broken, "not an image");
        assertThatThrownBy(() -> ImageDecoder.decode(broken))
                .isInstanceOf(TlException.class)
                .hasMessageContaining(broken.toString());
    }

    @Test
    void preprocessingModesMatchKeras() {
        int[] pixel = {(10 << 16) | (20 << 8) | 30};
        float[] out = new float[3];
        Preprocessing.CAFFE.toPlanes(pixel, out, 0);
        assertThat(out).containsExactly(new float[] {30 - 103.939f, 20 - 116.779f, 10 - 123.68f},
                org.assertj.core.data.Offset.offset(1e-4f));
        Preprocessing.TF.toPlanes(pixel, out, 0);
        assertThat(out).containsExactly(new float[] {10 / 127.5f - 1, 20 / 127.5f - 1, 30 / 127.5f - 1},
                org.assertj.core.data.Offset.offset(1e-6f));
        Preprocessing.TORCH.toPlanes(pixel, out, 0);
        assertThat(out).containsExactly(new float[] {(10 / 255f - 0.485f) / 0.229f, (20 / 255f - 0.456f) / 0.224f,
                (30 / 255f - 0.406f) / 0.225f}, org.assertj.core.data.Offset.offset(1e-5f));
    }

    /** A 40 x 20 image: a red left half, a green right half, a blue stripe 4 px wide in the middle. */
    @Test
    void aCentreCropKeepsTheMiddleOfTheShorterSideAndTheProportions() throws Exception {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(40, 20,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, x >= 18 && x < 22 ? 0x0000FF : x < 20 ? 0xFF0000 : 0x00FF00);
            }
        }
        Path file = dir.resolve("wide.png");
        javax.imageio.ImageIO.write(image, "png", file.toFile());

        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(file);
             ImageDecoder.Decoded whole = decoded.framed(Framing.SQUASH);
             ImageDecoder.Decoded crop = decoded.framed(new Framing(0.5))) {
            assertThat(whole.width()).isEqualTo(40);
            assertThat(crop.width()).isEqualTo(10);
            assertThat(crop.height()).isEqualTo(10);
            int[] pixels = crop.resizedRgb(10);
            assertThat(pixels[0]).isEqualTo(0xFF0000); // x = 15: red
            assertThat(pixels[4]).isEqualTo(0x0000FF); // x = 19: the stripe
            assertThat(pixels[9]).isEqualTo(0x00FF00); // x = 24: green
        }
    }
}
