package dev.tl.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What an image file's bytes say before it is decoded: its format by content (not by its name), its dimensions
 * from the header, and whether it is complete — a JPEG cut short has no end-of-image marker after its scan, and a
 * decoder would silently fill the rest with grey. Reads the headers (and a JPEG's compressed data, to find its
 * end), never decodes.
 */
public final class ImageProbe {

    /** A file's verdict: its format and size, or the problem that makes it unusable (null when usable). */
    public record Result(Path path, String format, long width, long height, String problem) {
        public boolean usable() {
            return problem == null;
        }

        public long pixels() {
            return width * height;
        }
    }

    private ImageProbe() {
    }

    /** Probes {@code file}; an image above {@code maxPixels} is unusable (its decoded form would not fit). */
    public static Result probe(Path file, long maxPixels) {
        Result result;
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            result = probe(file, channel);
        } catch (AccessDeniedException e) {
            return problem(file, "permission denied");
        } catch (NoSuchFileException e) {
            return problem(file, "no such file");
        } catch (IOException e) {
            return problem(file, "cannot read it: " + e.getMessage());
        }
        if (result.usable() && result.pixels() > maxPixels) {
            return problem(file, String.format(Locale.ROOT, "%d x %d = %,d pixels, above the limit of %,d",
                    result.width(), result.height(), result.pixels(), maxPixels));
        }
        return result;
    }

    /** Why a file that passed the probe still could not be read, in words (for "permission denied" and the like). */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Result probe(Path file, SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0) {
            return problem(file, "empty file (0 bytes)");
        }
        ByteBuffer head = read(channel, 0, 32);
        if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
            return jpeg(file, channel, size);
        }
        if (startsWith(head, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return png(file, channel, head, size);
        }
        if (startsWith(head, 'G', 'I', 'F', '8')) {
            return gif(file, channel, head, size);
        }
        if (startsWith(head, 'B', 'M')) {
            return bmp(file, head, size);
        }
        return problem(file, "not a JPEG, PNG, GIF or BMP image (by its content)");
    }

    /**
     * Walks the marker segments to the frame header (dimensions) and the first scan, then through the scans'
     * entropy-coded data (where 0xFF is always followed by 0x00 or a restart marker) to the end-of-image marker:
     * data appended after it (phones append videos) is fine, a file that ends before it is truncated. A file that
     * has the marker but whose data does not lead to it is damaged, not truncated: its compressed data is corrupt.
     */
    private static Result jpeg(Path file, SeekableByteChannel channel, long size) throws IOException {
        long position = 2;
        long width = -1;
        long height = -1;
        while (position + 4 <= size) {
            ByteBuffer marker = read(channel, position, 4);
            if ((marker.get(0) & 0xFF) != 0xFF) {
                return problem(file, "damaged JPEG (no marker at byte " + position + ")");
            }
            int type = marker.get(1) & 0xFF;
            if (type == 0xFF) {
                position++; // fill byte
                continue;
            }
            int length = marker.getShort(2) & 0xFFFF;
            boolean frame = type >= 0xC0 && type <= 0xCF && type != 0xC4 && type != 0xC8 && type != 0xCC;
            if (frame) {
                ByteBuffer header = read(channel, position + 4, 5);
                height = header.getShort(1) & 0xFFFF;
                width = header.getShort(3) & 0xFFFF;
            }
            if (type == 0xDA) {
                if (width <= 0 || height <= 0) {
                    return problem(file, "damaged JPEG (no frame header before its image data)");
                }
                long scans = position + 2 + length;
                if (endsItsScans(channel, scans, size)) {
                    return new Result(file, "JPEG", width, height, null);
                }
                return hasEndOfImage(channel, scans)
                        ? problem(file, "damaged JPEG (corrupt data in its compressed image)")
                        : problem(file, "truncated JPEG (it ends before its end-of-image marker)");
            }
            position += 2 + length;
        }
        return problem(file, "truncated JPEG (it ends before its image data)");
    }

    /** Whether the scans from {@code position} reach an end-of-image marker before the file ends. */
    private static boolean endsItsScans(SeekableByteChannel channel, long position, long size) throws IOException {
        channel.position(position);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        int previous = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (previous == 0xFF && b != 0x00 && b != 0xFF && (b < 0xD0 || b > 0xD7)) {
                if (b == 0xD9) {
                    return true;
                }
                // another segment between progressive scans (tables, the next scan's header): skip it
                int length = (in.read() << 8) | in.read();
                if (length < 2 || in.skip(length - 2) != length - 2) {
                    return false;
                }
                b = 0;
            }
            previous = b;
        }
        return false;
    }

    /** Whether an end-of-image marker (0xFF 0xD9) follows {@code position} anywhere in the file. */
    private static boolean hasEndOfImage(SeekableByteChannel channel, long position) throws IOException {
        channel.position(position);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
        int previous = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (previous == 0xFF && b == 0xD9) {
                return true;
            }
            previous = b;
        }
        return false;
    }

    /** Walks the chunks to the end chunk; data after it is fine, a file that ends before it is truncated. */
    private static Result png(Path file, SeekableByteChannel channel, ByteBuffer head, long size) throws IOException {
        if (head.limit() < 24 || head.get(12) != 'I' || head.get(13) != 'H' || head.get(14) != 'D' || head.get(15) != 'R') {
            return problem(file, "damaged PNG (no header chunk)");
        }
        long width = head.getInt(16) & 0xFFFFFFFFL;
        long height = head.getInt(20) & 0xFFFFFFFFL;
        long position = 8;
        while (position + 8 <= size) {
            ByteBuffer chunk = read(channel, position, 8);
            long length = chunk.getInt(0) & 0xFFFFFFFFL;
            if (chunk.get(4) == 'I' && chunk.get(5) == 'E' && chunk.get(6) == 'N' && chunk.get(7) == 'D') {
                return new Result(file, "PNG", width, height, null);
            }
            position += 12 + length; // length, type, data, CRC
        }
        return problem(file, "truncated PNG (it ends before its end chunk)");
    }

    private static Result gif(Path file, SeekableByteChannel channel, ByteBuffer head, long size) throws IOException {
        head.order(ByteOrder.LITTLE_ENDIAN);
        long width = head.getShort(6) & 0xFFFF;
        long height = head.getShort(8) & 0xFFFF;
        return hasMarker(channel, Math.max(6, size - 16), size, 0x3B)
                ? new Result(file, "GIF", width, height, null)
                : problem(file, "truncated GIF (no trailer)");
    }

    private static Result bmp(Path file, ByteBuffer head, long size) {
        head.order(ByteOrder.LITTLE_ENDIAN);
        if (head.limit() < 26) {
            return problem(file, "damaged BMP (header cut short)");
        }
        long declared = head.getInt(2) & 0xFFFFFFFFL;
        if (declared > size) {
            return problem(file, "truncated BMP (" + size + " of " + declared + " bytes)");
        }
        return new Result(file, "BMP", Math.abs((long) head.getInt(18)), Math.abs((long) head.getInt(22)), null);
    }

    private static boolean hasMarker(SeekableByteChannel channel, long from, long to, int... marker)
            throws IOException {
        ByteBuffer tail = read(channel, from, (int) (to - from));
        for (int i = tail.limit() - marker.length; i >= 0; i--) {
            boolean match = true;
            for (int k = 0; k < marker.length && match; k++) {
                match = (tail.get(i + k) & 0xFF) == marker[k];
            }
            if (match) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWith(ByteBuffer buffer, int... bytes) {
        if (buffer.limit() < bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if ((buffer.get(i) & 0xFF) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /** Up to {@code length} bytes from {@code position} (fewer at the end of the file), big-endian. */
    private static ByteBuffer read(SeekableByteChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        channel.position(position);
        while (buffer.hasRemaining() && channel.read(buffer) > 0) {
            // keep reading: a channel may return fewer bytes than asked
        }
        buffer.flip();
        return buffer;
    }

    private static Result problem(Path file, String problem) {
        return new Result(file, null, 0, 0, problem);
    }
}
