package dev.tl.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What an image file's bytes say before it is decoded: its format by content (not by its name), its dimensions
 * from the header (for a GIF, those of its largest frame: every frame has its own), where the image ends, and
 * whether it is complete — a JPEG cut short has no end-of-image marker after its scan, and a decoder would silently
 * fill the rest with grey. Reads the headers (and a JPEG's compressed data, a GIF's blocks, to find their end), never
 * decodes. Data after the image's end (phones append videos to photos) is never read by the decoder.
 */
public final class ImageProbe {

    /**
     * No encoding needs more than this many bytes per pixel (a 16-bit RGBA PNG stored uncompressed takes 8 and a
     * byte per row), plus a few MB of metadata: a file whose image claims more is damaged or crafted.
     */
    private static final long MAX_BYTES_PER_PIXEL = 16;
    private static final long METADATA_BYTES = 16L << 20;
    /** The most a decoder reads into one array. */
    private static final long MAX_IMAGE_BYTES = Integer.MAX_VALUE - 8;

    /**
     * A file's verdict: its format and size, where its image ends, whether it is a progressive JPEG (whose decoder
     * holds all its coefficients), or the problem that makes it unusable (null when usable).
     */
    public record Result(Path path, String format, long width, long height, long end, boolean progressive,
                         String problem) {
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

    /** The image's verdict from an open file: the same checks, without a pixel limit. */
    static Result probe(Path file, SeekableByteChannel channel) throws IOException {
        long size = channel.size();
        if (size == 0) {
            return problem(file, "empty file (0 bytes)");
        }
        ByteBuffer head = read(channel, 0, 32);
        Result result;
        if (startsWith(head, 0xFF, 0xD8, 0xFF)) {
            result = jpeg(file, channel, size);
        } else if (startsWith(head, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            result = png(file, channel, head, size);
        } else if (startsWith(head, 'G', 'I', 'F', '8')) {
            result = gif(file, channel, head);
        } else if (startsWith(head, 'B', 'M')) {
            result = bmp(file, head, size);
        } else {
            return problem(file, "not a JPEG, PNG, GIF or BMP image (by its content)");
        }
        if (result.usable() && (result.end() > MAX_IMAGE_BYTES
                || result.end() > MAX_BYTES_PER_PIXEL * result.pixels() + METADATA_BYTES)) {
            return problem(file, String.format(Locale.ROOT, "damaged %s (%,d bytes of data for %d x %d pixels)",
                    result.format(), result.end(), result.width(), result.height()));
        }
        return result;
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
        boolean progressive = false;
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
            if (frame && width < 0) {
                ByteBuffer header = read(channel, position + 4, 5);
                height = header.getShort(1) & 0xFFFF;
                width = header.getShort(3) & 0xFFFF;
                progressive = type == 0xC2 || type == 0xC6 || type == 0xCA || type == 0xCE;
            }
            if (type == 0xDA) {
                if (width <= 0 || height <= 0) {
                    return problem(file, "damaged JPEG (no frame header before its image data)");
                }
                long scans = position + 2 + length;
                long end = endOfScans(channel, scans);
                if (end > 0) {
                    return new Result(file, "JPEG", width, height, end, progressive, null);
                }
                return hasEndOfImage(channel, scans)
                        ? problem(file, "damaged JPEG (corrupt data in its compressed image)")
                        : problem(file, "truncated JPEG (it ends before its end-of-image marker)");
            }
            position += 2 + length;
        }
        return problem(file, "truncated JPEG (it ends before its image data)");
    }

    /** Where the scans from {@code position} end (after the end-of-image marker); 0 if the file ends first. */
    private static long endOfScans(SeekableByteChannel channel, long position) throws IOException {
        Bytes in = new Bytes(channel, position);
        int previous = 0;
        for (int b = in.next(); b >= 0; b = in.next()) {
            if (previous == 0xFF && b != 0x00 && b != 0xFF && (b < 0xD0 || b > 0xD7)) {
                if (b == 0xD9) {
                    return in.position();
                }
                // another segment between progressive scans (tables, the next scan's header): skip it
                int length = (in.next() << 8) | in.next();
                if (length < 2 || !in.skip(length - 2)) {
                    return 0;
                }
                b = 0;
            }
            previous = b;
        }
        return 0;
    }

    /** Whether an end-of-image marker (0xFF 0xD9) follows {@code position} anywhere in the file. */
    private static boolean hasEndOfImage(SeekableByteChannel channel, long position) throws IOException {
        Bytes in = new Bytes(channel, position);
        int previous = 0;
        for (int b = in.next(); b >= 0; b = in.next()) {
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
        if (width == 0 || height == 0) {
            return problem(file, "damaged PNG (" + width + " x " + height + " pixels)");
        }
        long position = 8;
        while (position + 8 <= size) {
            ByteBuffer chunk = read(channel, position, 8);
            long length = chunk.getInt(0) & 0xFFFFFFFFL;
            if (chunk.get(4) == 'I' && chunk.get(5) == 'E' && chunk.get(6) == 'N' && chunk.get(7) == 'D') {
                return new Result(file, "PNG", width, height, position + 12, false, null);
            }
            position += 12 + length; // length, type, data, CRC
        }
        return problem(file, "truncated PNG (it ends before its end chunk)");
    }

    /**
     * Walks the blocks to the trailer: every frame has its own size, which a decoder allocates whatever the logical
     * screen says, so the largest frame is the image's size.
     */
    private static Result gif(Path file, SeekableByteChannel channel, ByteBuffer head) throws IOException {
        if (head.limit() < 13) {
            return problem(file, "truncated GIF (header cut short)");
        }
        int flags = head.get(10) & 0xFF;
        Bytes in = new Bytes(channel, 13);
        if ((flags & 0x80) != 0 && !in.skip(3L << ((flags & 7) + 1))) {
            return problem(file, "truncated GIF (no trailer)");
        }
        long width = 0;
        long height = 0;
        for (int block = in.next(); block != 0x3B; block = in.next()) {
            if (block == 0x21) {
                if (in.next() < 0 || !skipSubBlocks(in)) {
                    return problem(file, "truncated GIF (no trailer)");
                }
            } else if (block == 0x2C) {
                in.skip(4); // left, top
                long frameWidth = in.next() | (in.next() << 8);
                long frameHeight = in.next() | (in.next() << 8);
                int frameFlags = in.next();
                if (frameFlags < 0 || (frameFlags & 0x80) != 0 && !in.skip(3L << ((frameFlags & 7) + 1))
                        || in.next() < 0 || !skipSubBlocks(in)) {
                    return problem(file, "truncated GIF (no trailer)");
                }
                if (frameWidth == 0 || frameHeight == 0) {
                    return problem(file, "damaged GIF (a frame of " + frameWidth + " x " + frameHeight + " pixels)");
                }
                if (frameWidth * frameHeight > width * height) {
                    width = frameWidth;
                    height = frameHeight;
                }
            } else {
                return problem(file, block < 0 ? "truncated GIF (no trailer)"
                        : "damaged GIF (no block at byte " + (in.position() - 1) + ")");
            }
        }
        return width == 0 ? problem(file, "damaged GIF (no image in it)")
                : new Result(file, "GIF", width, height, in.position(), false, null);
    }

    /** Skips data sub-blocks up to their terminator; false if the file ends first. */
    private static boolean skipSubBlocks(Bytes in) throws IOException {
        for (int length = in.next(); length != 0; length = in.next()) {
            if (length < 0 || !in.skip(length)) {
                return false;
            }
        }
        return true;
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
        boolean core = head.getInt(14) == 12; // OS/2's header: 16-bit dimensions
        long width = core ? head.getShort(18) & 0xFFFF : head.getInt(18);
        long height = core ? head.getShort(20) & 0xFFFF : Math.abs((long) head.getInt(22)); // negative: top-down
        if (width <= 0 || height == 0) {
            return problem(file, "damaged BMP (" + width + " x " + height + " pixels)");
        }
        // files from some writers declare no size: then the image takes the file
        return new Result(file, "BMP", width, height, declared < 26 ? size : declared, false, null);
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
        return new Result(file, null, 0, 0, 0, false, problem);
    }

    /** A file read one byte at a time from a buffer, for walking a format's blocks. */
    private static final class Bytes {
        private final SeekableByteChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        private long position;

        Bytes(SeekableByteChannel channel, long position) throws IOException {
            this.channel = channel;
            this.position = position;
            channel.position(position);
            buffer.flip();
        }

        /** The next byte, or -1 at the end of the file. */
        int next() throws IOException {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int read = channel.read(buffer);
                buffer.flip();
                if (read <= 0) {
                    return -1;
                }
            }
            position++;
            return buffer.get() & 0xFF;
        }

        /** Skips {@code n} bytes; false if the file ends first. */
        boolean skip(long n) throws IOException {
            if (n <= buffer.remaining()) {
                buffer.position(buffer.position() + (int) n);
                position += n;
                return true;
            }
            position += n;
            buffer.clear().flip();
            channel.position(position);
            return position <= channel.size();
        }

        /** Where the next byte is. */
        long position() {
            return position;
        }
    }
}
