package dev.tl.data;

import dev.tl.TestData;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A class-per-folder data set the way real ones come (Kaggle's cats-vs-dogs, Microsoft's PetImages): next to good
 * images, a 0-byte file, a JPEG cut in half, a full-length JPEG with corrupt data, a text file named .jpg and an
 * image over the pixel limit; good ones
 * in every odd form (a PNG named .jpg, GIF, CMYK JPEG, 16-bit, grayscale and RGBA PNGs, a 1x1 image, names with
 * spaces and non-ASCII letters); and one class folder that is a symbolic link.
 */
public record DirtyFolder(Path root, List<Path> good, List<Path> bad) {

    public static DirtyFolder create(Path dir) throws IOException {
        Path root = Files.createDirectories(dir.resolve("dirty"));
        List<Path> good = new ArrayList<>();
        List<Path> bad = new ArrayList<>();
        ImageSet sample = TestData.subset(TestData.TRAIN, 4);
        Path horizontal = Files.createDirectories(root.resolve("horizontal"));
        Path linked = Files.createDirectories(dir.resolve("elsewhere/vertical"));
        for (LabelledImage image : sample.images()) {
            Path target = (image.label() == 0 ? horizontal : linked).resolve(image.path().getFileName());
            good.add(Files.copy(image.path(), target));
        }
        Path vertical = Files.createSymbolicLink(root.resolve("vertical"), linked);
        good.replaceAll(path -> path.startsWith(linked) ? vertical.resolve(linked.relativize(path)) : path);

        BufferedImage stripes = stripes(48, 40, BufferedImage.TYPE_INT_RGB);
        good.add(write(horizontal.resolve("a png named.jpg"), png(stripes)));
        good.add(write(horizontal.resolve("animated.gif"), encode(stripes, "gif")));
        good.add(Files.copy(Path.of("src/test/resources/images/cmyk.jpg"), horizontal.resolve("cmyk.jpg")));
        good.add(write(horizontal.resolve("deep 16-bit.png"), png(stripes(40, 40, BufferedImage.TYPE_USHORT_GRAY))));
        good.add(write(horizontal.resolve("gray.png"), png(stripes(40, 40, BufferedImage.TYPE_BYTE_GRAY))));
        good.add(write(horizontal.resolve("rgba.png"), png(stripes(40, 40, BufferedImage.TYPE_INT_ARGB))));
        good.add(write(horizontal.resolve("one pixel.png"), png(stripes(1, 1, BufferedImage.TYPE_INT_RGB))));
        good.add(Files.copy(sample.images().get(0).path(), horizontal.resolve("ünïcødé ñame.jpg")));

        bad.add(write(horizontal.resolve("empty.jpg"), new byte[0]));
        byte[] jpeg = encode(stripes(320, 240, BufferedImage.TYPE_INT_RGB), "jpg");
        bad.add(write(horizontal.resolve("half.jpg"), java.util.Arrays.copyOf(jpeg, jpeg.length / 2)));
        bad.add(write(horizontal.resolve("corrupt.jpg"), corrupted(jpeg)));
        bad.add(write(horizontal.resolve("notes.jpg"), "not an image\n".getBytes()));
        bad.add(write(horizontal.resolve("huge.png"), claimingSize(png(stripes), 20_000, 20_000)));
        return new DirtyFolder(root, List.copyOf(good), List.copyOf(bad));
    }

    private static BufferedImage stripes(int width, int height, int type) {
        BufferedImage image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        for (int y = 0; y < height; y++) {
            g.setColor(y / 4 % 2 == 0 ? new Color(30, 30, 200, 200) : new Color(230, 220, 40, 255));
            g.fillRect(0, y, width, 1);
        }
        g.dispose();
        return image;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        return encode(image, "png");
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("no ImageIO writer for " + format);
        }
        return out.toByteArray();
    }

    /**
     * The JPEG at full length, its end-of-image marker in place, with four bytes in the middle of its compressed
     * data overwritten by a marker segment claiming 64 KB: corrupt data, as some files of PetImages have.
     */
    private static byte[] corrupted(byte[] jpeg) {
        byte[] bytes = jpeg.clone();
        int middle = bytes.length * 3 / 4;
        bytes[middle] = (byte) 0xFF;
        bytes[middle + 1] = (byte) 0xC4;
        bytes[middle + 2] = (byte) 0xFF;
        bytes[middle + 3] = (byte) 0xFF;
        return bytes;
    }

    /** A PNG whose header claims another size: decoding it would need that much memory. */
    private static byte[] claimingSize(byte[] png, int width, int height) {
        ByteBuffer bytes = ByteBuffer.wrap(png.clone());
        bytes.putInt(16, width).putInt(20, height);
        return bytes.array();
    }

    private static Path write(Path file, byte[] content) throws IOException {
        return Files.write(file, content);
    }
}
