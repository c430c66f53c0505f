package dev.tl.model;

import dev.tl.AtomicFiles;
import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelledImage;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes one feature vector per image: CSV ({@code path,label,f0,f1,...}) or NumPy's .npy (a float32 matrix, with
 * the paths and labels in a CSV beside it). Files are written aside and renamed into place.
 */
public final class FeatureFiles {

    private FeatureFiles() {
    }

    /**
     * Checks, before any work, that features can be written to {@code out}: a .csv, .npy or .parquet (written by
     * the features package) file in a directory.
     */
    public static Path checkTarget(Path out) {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".csv") && !name.endsWith(".npy") && !name.endsWith(".parquet")) {
            throw new TlException("writes a .csv, .npy or .parquet file, not " + out.getFileName());
        }
        Path dir = out.toAbsolutePath().normalize().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new TlException("directory " + dir + " does not exist or cannot be written");
        }
        return out;
    }

    public static boolean isNpy(Path out) {
        return out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    /** For an .npy output, where the row index (path, label) goes. */
    public static Path indexFileFor(Path npy) {
        String name = npy.getFileName().toString();
        return npy.resolveSibling(name.substring(0, name.length() - 4) + ".index.csv");
    }

    /** @param features one row per image, in order */
    public static void write(Path out, ImageSet images, float[][] features) {
        if (isNpy(out)) {
            atomically(out, stream -> writeNpy(stream, features));
            atomically(indexFileFor(out), stream -> writeCsv(stream, images, null));
        } else {
            atomically(out, stream -> writeCsv(stream, images, features));
        }
    }

    private static void writeCsv(OutputStream stream, ImageSet images, float[][] rows) throws IOException {
        Writer writer = new BufferedWriter(new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        writer.write("path,label");
        if (rows != null && rows.length > 0) {
            for (int j = 0; j < rows[0].length; j++) {
                writer.write(",f" + j);
            }
        }
        writer.write('\n');
        for (int i = 0; i < images.size(); i++) {
            LabelledImage image = images.images().get(i);
            writer.write(quote(image.path().toString()));
            writer.write(',');
            writer.write(image.label() < 0 ? "" : quote(images.classes().get(image.label()))); // unlabelled: empty
            if (rows != null) {
                for (float value : rows[i]) {
                    writer.write(',');
                    writer.write(Float.toString(value));
                }
            }
            writer.write('\n');
        }
        writer.flush();
    }

    /** NumPy format 1.0: magic, header dict padded to a multiple of 64 bytes, then little-endian float32 data. */
    private static void writeNpy(OutputStream stream, float[][] features) throws IOException {
        int rows = features.length;
        int cols = rows == 0 ? 0 : features[0].length;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int headerLength = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - headerLength % 64) % 64) + "\n";
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(stream, 1 << 16));
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer row = ByteBuffer.allocate(4 * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] values : features) {
            row.clear();
            row.asFloatBuffer().put(values);
            out.write(row.array());
        }
        out.flush();
    }

    private static String quote(String field) {
        return field.contains(",") || field.contains("\"") || field.contains("\n")
                ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    private static void atomically(Path target, AtomicFiles.Content content) {
        try {
            AtomicFiles.write(target, content);
        } catch (IOException e) {
            throw new TlException("cannot write " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
