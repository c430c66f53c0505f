package dev.tl.features;

import dev.tl.TlException;
import dev.tl.data.LabelSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Features computed elsewhere, read from a file: one row per image, and how they were computed. */
public record FeatureTable(Path source, FeatureProvenance provenance, List<Row> rows) {

    /** One image: where it was, its class name (null if unlabelled) and its features. */
    public record Row(String path, String label, float[] features) {
    }

    public FeatureTable {
        rows = List.copyOf(rows);
    }

    /**
     * The rows as labelled images, for the data split. The paths only name the images (they may be on another
     * machine's file system); no image is read.
     *
     * @param flag the option that named the file, for errors
     */
    public LabelSource labels(String flag) {
        return new LabelSource() {
            @Override
            public List<Entry> entries(Path root, String rootFlag) {
                List<Entry> entries = new ArrayList<>();
                for (int i = 0; i < rows.size(); i++) {
                    Row row = rows.get(i);
                    if (row.label() == null || row.label().isBlank()) {
                        throw new TlException(flag + ": " + source + " row " + (i + 1) + " (" + row.path()
                                + ") has no label; train on features of labelled images");
                    }
                    entries.add(new Entry(Path.of(row.path()), row.label(), source + " row " + (i + 1)));
                }
                if (entries.isEmpty()) {
                    throw new TlException(flag + ": " + source + " holds no features");
                }
                return entries;
            }

            @Override
            public String description() {
                return "features:" + source;
            }
        };
    }
}
