package dev.tl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Files as an adversary makes them: zip entries rewritten, array headers that lie about their lengths. */
public final class CraftedFiles {

    private CraftedFiles() {
    }

    /** Rewrites the entry {@code name} of the zip file {@code zip} in place (every entry dated alike, 1980). */
    public static void rewriteEntry(Path zip, String name, UnaryOperator<byte[]> change) throws IOException {
        Path crafted = zip.resolveSibling(zip.getFileName() + ".crafted");
        try (ZipFile in = new ZipFile(zip.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(crafted))) {
            for (ZipEntry entry : Collections.list(in.entries())) {
                byte[] content = in.getInputStream(entry).readAllBytes();
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(315_532_800_000L);
                out.putNextEntry(copy);
                out.write(entry.getName().equals(name) ? change.apply(content) : content);
            }
        }
        Files.move(crafted, zip, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * An array in ND4J's stream format at {@code offset} of {@code bytes}, made to declare {@code length} values
     * (its first dimension and its data buffer's length agree, as a crafted file's would); the values stay as they
     * were.
     */
    public static byte[] declareLength(byte[] bytes, int offset, long length) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.clone());
        int position = offset + skipUtf(buffer, offset);             // allocation mode
        long shapeLength = buffer.getLong(position);
        position += 8;
        position += skipUtf(buffer, position);                        // LONG
        buffer.putLong(position + 8, length);                         // after the rank: the first dimension
        position += 8 * (int) shapeLength;
        position += skipUtf(buffer, position);                        // the data buffer's allocation mode
        buffer.putLong(position, length);
        return buffer.array();
    }

    /** A JPEG whose frame header declares {@code width} x {@code height} pixels (its data stays as it was). */
    public static byte[] jpegDeclaring(byte[] jpeg, int width, int height) {
        ByteBuffer buffer = ByteBuffer.wrap(jpeg.clone());
        int position = 2;
        while (true) {
            int type = buffer.get(position + 1) & 0xFF;
            if (type >= 0xC0 && type <= 0xCF && type != 0xC4 && type != 0xC8 && type != 0xCC) {
                buffer.putShort(position + 5, (short) height).putShort(position + 7, (short) width);
                return buffer.array();
            }
            position += 2 + (buffer.getShort(position + 2) & 0xFFFF);
        }
    }

    /** Copies a directory tree (a bundle, a data set) to {@code target}; returns {@code target}. */
    public static Path copyTree(Path source, Path target) throws IOException {
        try (var files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, target.resolve(source.relativize(file).toString()));
            }
        }
        return target;
    }

    /** Deletes a directory tree. */
    public static void deleteTree(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static int skipUtf(ByteBuffer buffer, int position) {
        return 2 + (buffer.getShort(position) & 0xFFFF);
    }
}
