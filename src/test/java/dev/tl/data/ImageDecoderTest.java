package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TestData;
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

    @Test
    void grayscaleValuesAreReplicatedUnchanged() throws Exception {
        BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 2, 0, 77);
        BufferedImage rgb = ImageDecoder.readRgb(write(gray, "png", "gray.png"));
        int pixel = rgb.getRGB(1, 2);
        assertThat(new int[] {red(pixel), green(pixel), blue(pixel)}).containsExactly(77, 77, 77);
    }

    @Test
    void sixteenBitGrayscaleIsScaledTo8Bits() throws Exception {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 65535);
        gray.getRaster().setSample(1, 0, 0, 32896); // 128 * 257
        BufferedImage rgb = ImageDecoder.readRgb(write(gray, "png", "gray16.png"));
        assertThat(red(rgb.getRGB(0, 0))).isEqualTo(255);
        assertThat(red(rgb.getRGB(1, 0))).isEqualTo(128);
    }

    @Test
    void alphaIsCompositedOverBlack() throws Exception {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, new Color(200, 100, 50, 255).getRGB());
        argb.setRGB(1, 0, new Color(200, 100, 50, 0).getRGB());
        BufferedImage rgb = ImageDecoder.readRgb(write(argb, "png", "alpha.png"));
        assertThat(rgb.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
        assertThat(rgb.getRGB(0, 0) & 0xFFFFFF).isEqualTo(0xC86432);
        assertThat(rgb.getRGB(1, 0) & 0xFFFFFF).isZero();
    }

    @Test
    void bmpAndPaletteGifDecodeToRgb() throws Exception {
        BufferedImage image = new BufferedImage(3, 3, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0, 0, 255));
        g.fillRect(0, 0, 3, 3);
        g.dispose();
        for (String format : new String[] {"bmp", "gif"}) {
            BufferedImage rgb = ImageDecoder.readRgb(write(image, format, "blue." + format));
            assertThat(rgb.getRGB(1, 1) & 0xFFFFFF).as(format).isEqualTo(0x0000FF);
        }
    }

    @Test
    void cmykJpegBecomesRgb() {
        BufferedImage rgb = ImageDecoder.readRgb(Path.of("src/test/resources/images/cmyk.jpg"));
        int left = rgb.getRGB(2, 6);
        int right = rgb.getRGB(13, 6);
        assertThat(red(left)).isGreaterThan(200);
        assertThat(blue(left)).isLessThan(60);
        assertThat(blue(right)).isGreaterThan(200);
        assertThat(red(right)).isLessThan(60);
    }

    @Test
    void realJpegGifAndJpegExtensionsOfTheSampleDecode() {
        for (String name : new String[] {"formica.jpeg", "imageNotFound.gif", "0013035.jpg"}) {
            BufferedImage rgb = ImageDecoder.readRgb(TestData.TRAIN.resolve("ants").resolve(name));
            assertThat(rgb.getWidth()).as(name).isGreaterThan(0);
            assertThat(ImageDecoder.resizedPixels(rgb, 48)).hasSize(48 * 48);
        }
    }

    @Test
    void aCorruptFileIsNamedInTheError() throws Exception {
        Path broken = dir.resolve("broken.jpg");
        Files.writeString(broken, "not an image");
        assertThatThrownBy(() -> ImageDecoder.readRgb(broken))
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
}
