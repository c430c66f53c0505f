package dev.tl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.TlException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding memory is bounded for every format: only the image's own bytes are read, every frame's size counts, an
 * image's data must be plausible for its size, and all decodes together stay within the {@link DecodeBudget}.
 */
class DecodeMemoryTest {

    @TempDir
    Path dir;

    private static byte[] encode(int width, int height, String format) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF8000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    @Test
    void onlyTheImageIsReadNotWhatIsAppendedAfterIt() throws Exception {
        // gigabytes appended after the end marker (sparse: nothing is written) once made tl read them all
        for (String format : new String[] {"jpg", "png", "gif", "bmp"}) {
            Path file = Files.write(dir.resolve("appended." + format), encode(40, 30, format));
            try (RandomAccessFile grow = new RandomAccessFile(file.toFile(), "rw")) {
                grow.setLength(3L << 30);
            }
            long before = Pointer.physicalBytes();
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(file)) {
                assertThat(decoded.width()).as(format).isEqualTo(40);
            }
            assertThat(Pointer.physicalBytes() - before).as(format + ": memory taken").isLessThan(64L << 20);
            assertThat(DecodeBudget.process().reserved()).as("given back").isZero();
        }
    }

    @Test
    void everyFrameOfAGifCountsNotOnlyItsScreen() throws Exception {
        // a 1x1 logical screen passed the pixel limit; its 30000x30000 frame crashed the decoder
        Path huge = Files.write(dir.resolve("huge.gif"), gif(1, 1, new int[][] {{30_000, 30_000}}));
        Path second = Files.write(dir.resolve("second.gif"), gif(4, 4, new int[][] {{4, 4}, {20_000, 20_000}}));
        assertThat(ImageProbe.probe(huge, ImageCheck.DEFAULT_MAX_PIXELS).problem())
                .isEqualTo("30000 x 30000 = 900,000,000 pixels, above the limit of 90,000,000");
        assertThat(ImageProbe.probe(second, ImageCheck.DEFAULT_MAX_PIXELS).problem())
                .isEqualTo("20000 x 20000 = 400,000,000 pixels, above the limit of 90,000,000");
        Path fine = Files.write(dir.resolve("fine.gif"), gif(4, 4, new int[][] {{4, 4}, {2, 3}}));
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(fine)) {
            assertThat(decoded.width()).isEqualTo(4);
        }
    }

    @Test
    void dataFarBeyondWhatAnImageOfItsSizeTakesIsRefused() throws Exception {
        // a 2x2 PNG carrying a 20 MB chunk before its end: no decoder needs that many bytes for 4 pixels
        byte[] png = encode(2, 2, "png");
        int end = png.length - 12;
        byte[] padded = ByteBuffer.allocate(png.length + 12 + (20 << 20)).put(png, 0, end)
                .put(chunk("teXt", new byte[20 << 20])).put(png, end, 12).array();
        Path file = Files.write(dir.resolve("padded.png"), padded);
        assertThat(ImageProbe.probe(file, ImageCheck.DEFAULT_MAX_PIXELS).problem()).startsWith("damaged PNG");
        assertThatThrownBy(() -> ImageDecoder.decode(file)).isInstanceOf(TlException.class)
                .hasMessageContaining(file.toString());
        assertThat(DecodeBudget.process().reserved()).isZero();
    }

    @Test
    void decodesWaitWhileTheBudgetIsTakenAndALargerOneDecodesAlone() throws Exception {
        DecodeBudget budget = new DecodeBudget(100);
        DecodeBudget.Reservation first = budget.reserve(60);
        CompletableFuture<DecodeBudget.Reservation> second = CompletableFuture.supplyAsync(() -> budget.reserve(60));
        assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        first.close();
        second.get(10, TimeUnit.SECONDS).close();

        DecodeBudget.Reservation small = budget.reserve(10);
        CompletableFuture<DecodeBudget.Reservation> large = CompletableFuture.supplyAsync(() -> budget.reserve(500));
        assertThatThrownBy(() -> large.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        small.close();
        DecodeBudget.Reservation alone = large.get(10, TimeUnit.SECONDS);
        assertThat(budget.reserved()).isEqualTo(500);
        alone.close();
        assertThat(budget.reserved()).isZero();
    }

    /** A GIF with a two-colour table and frames of the given sizes, each with an empty image. */
    static byte[] gif(int screenWidth, int screenHeight, int[][] frames) {
        ByteBuffer gif = ByteBuffer.allocate(64 + 16 * frames.length).order(ByteOrder.LITTLE_ENDIAN);
        gif.put("GIF89a".getBytes()).putShort((short) screenWidth).putShort((short) screenHeight)
                .put(new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
        for (int[] frame : frames) {
            gif.put((byte) 0x2C).putShort((short) 0).putShort((short) 0).putShort((short) frame[0])
                    .putShort((short) frame[1]).put((byte) 0)
                    .put(new byte[] {2, 1, 0x2C, 0}); // LZW: clear code, end code
        }
        gif.put((byte) 0x3B);
        return java.util.Arrays.copyOf(gif.array(), gif.position());
    }

    private static byte[] chunk(String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type.getBytes()).put(data)
                .putInt((int) crc.getValue()).array();
    }
}
