package dev.tl.features;

import dev.tl.AtomicFiles;
import dev.tl.Csv;
import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelledImage;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Writes one feature vector per image: CSV ({@code path,label,f0,f1,...}) or NumPy's .npy (a float32 matrix, with
 * the paths and labels in a CSV beside it). Files are written aside and renamed into place.
 */
public final class FeatureFiles {

    private static final String CSV = ".csv";
    private static final String NPY = ".npy";

    private FeatureFiles() {
    }

    /**
     * Checks, before any work, that features can be written to {@code out}: a .csv, .npy or .parquet
     * ({@link ParquetFeatures}) file in a directory.
     */
    public static Path checkTarget(Path out) {
        if (!hasExtension(out, CSV) && !isNpy(out) && !ParquetFeatures.isParquet(out)) {
            throw new TlException("writes a " + CSV + ", " + NPY + " or " + ParquetFeatures.EXTENSION + " file, not "
                    + out.getFileName());
        }
        Path dir = out.toAbsolutePath().normalize().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new TlException("directory " + dir + " does not exist or cannot be written");
        }
        return out;
    }

    public static boolean isNpy(Path out) {
        return hasExtension(out, NPY);
    }

    static boolean hasExtension(Path file, String extension) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(extension);
    }

    /** For an .npy output, where the row index (path, label) goes. */
    public static Path indexFileFor(Path npy) {
        String name = npy.getFileName().toString();
        return npy.resolveSibling(name.substring(0, name.length() - NPY.length()) + ".index" + CSV);
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
        List<String> header = new ArrayList<>(List.of("path", "label"));
        int columns = rows == null || rows.length == 0 ? 0 : rows[0].length;
        IntStream.range(0, columns).forEach(j -> header.add("f" + j));
        Writer writer = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16);
        Csv.write(writer, header, () -> IntStream.range(0, images.size()).mapToObj(i -> {
            LabelledImage image = images.images().get(i);
            List<String> row = new ArrayList<>(2 + columns);
            row.add(image.path().toString());
            row.add(image.label() < 0 ? "" : images.classes().get(image.label())); // unlabelled: empty
            if (rows != null) {
                for (float value : rows[i]) {
                    row.add(Float.toString(value));
                }
            }
            return row;
        }).iterator());
        writer.flush();
    }

    /** NumPy format 1.0: magic, header dict padded to a multiple of 64 bytes, then little-endian float32 data. */
    private static void writeNpy(OutputStream stream, float[][] features) throws IOException {
        int rows = features.length;
        int cols = rows == 0 ? 0 : features[0].length;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        int headerLength = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - headerLength % 64) % 64) + "\n";
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
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

    private static void atomically(Path target, AtomicFiles.Content content) {
        try {
            AtomicFiles.write(target, content);
        } catch (IOException e) {
            throw new TlException("cannot write " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }
}
