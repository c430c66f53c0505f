package dev.tl.data;

import dev.tl.Csv;
import dev.tl.TlException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Labels from a CSV file with the header {@code path,label}: one image per line, its path relative to the root
 * (the {@code --data} directory) or absolute. Only the images listed belong to the set.
 */
public final class CsvLabels implements LabelSource {

    /** How a bundle records this source: this, then the file. */
    private static final String DESCRIBED = "csv:";

    static final String PATH = "path";
    static final String LABEL = "label";
    private static final List<String> COLUMNS = List.of(PATH, LABEL);

    private final Path csv;
    private final String flag;

    /** @param flag the option that named {@code csv}, for error messages */
    CsvLabels(Path csv, String flag) {
        this.csv = csv;
        this.flag = flag;
    }

    @Override
    public List<Entry> entries(Path root, String rootFlag) {
        ImageFolder.requireDirectory(root, rootFlag);
        List<Entry> entries = new ArrayList<>();
        Map<Path, Integer> firstLine = new HashMap<>();
        List<Csv.Row> rows;
        try {
            rows = Csv.read(csv, COLUMNS);
        } catch (TlException e) {
            throw new TlException(flag + ": " + e.getMessage(), e);
        }
        for (Csv.Row row : rows) {
            String where = flag + ": " + csv + " line " + row.line() + ": ";
            if (row.get(PATH).isBlank()) {
                throw new TlException(where + "empty path");
            }
            if (row.get(LABEL).isBlank()) {
                throw new TlException(where + "empty label for " + row.get(PATH));
            }
            Path file = resolve(root, row.get(PATH), where);
            if (!Files.isRegularFile(file)) {
                throw new TlException(where + "no such image file: " + file);
            }
            Integer previous = firstLine.putIfAbsent(file.toAbsolutePath().normalize(), row.line());
            if (previous != null) {
                throw new TlException(where + row.get(PATH) + " is already listed on line " + previous);
            }
            entries.add(new Entry(file, row.get(LABEL), csv + " line " + row.line()));
        }
        if (entries.isEmpty()) {
            throw new TlException(flag + ": " + csv + " lists no images (expected lines of path,label)");
        }
        return entries;
    }

    private static Path resolve(Path root, String path, String where) {
        try {
            return root.resolve(path);
        } catch (InvalidPathException e) {
            throw new TlException(where + "not a valid path: " + path, e);
        }
    }

    @Override
    public String description() {
        return DESCRIBED + csv.toAbsolutePath().normalize();
    }

    /** The file in a {@link #description()}; empty for another source's. */
    static Optional<Path> fileOf(String description) {
        return description != null && description.startsWith(DESCRIBED)
                ? Optional.of(Path.of(description.substring(DESCRIBED.length()))) : Optional.empty();
    }

    /**
     * {@code images} as a labels CSV that this class reads back with the same {@code root}: paths below the root
     * relative to it (so the data may move), others absolute.
     */
    public static String toCsv(ImageSet images, Path root) {
        List<List<String>> rows = images.images().stream()
                .map(image -> List.of(relativeTo(root, image.path()), images.classes().get(image.label())))
                .toList();
        return Csv.write(COLUMNS, rows);
    }

    private static String relativeTo(Path root, Path file) {
        return (file.startsWith(root) ? root.relativize(file) : file.toAbsolutePath()).toString();
    }
}
