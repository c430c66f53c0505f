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

    /** Rewrites the entry {@code name} of the zip file {@code zip} in place. */
    public static void rewriteEntry(Path zip, String name, UnaryOperator<byte[]> change) throws IOException {
        Path crafted = zip.resolveSibling(zip.getFileName() + ".crafted");
        try (ZipFile in = new ZipFile(zip.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(crafted))) {
            for (ZipEntry entry : Collections.list(in.entries())) {
                byte[] content = in.getInputStream(entry).readAllBytes();
                out.putNextEntry(new ZipEntry(entry.getName()));
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

    private static int skipUtf(ByteBuffer buffer, int position) {
        return 2 + (buffer.getShort(position) & 0xFFFF);
    }
}
