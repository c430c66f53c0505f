package dev.tl.data;

import dev.tl.TlException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the class of each image comes from: its class folder, a pattern on its file name, or a CSV file.
 * Every source lists the images below a root directory with their class names; turning those into an
 * {@link ImageSet} (class order, checks against a trained model's classes) is shared.
 */
public interface LabelSource {

    /** Keras' layout: one sub-folder per class. */
    LabelSource FOLDERS = new ImageFolder();

    /** @param flag the option that gave {@code regex}, for error messages */
    static LabelSource fromFilename(String regex, String flag) {
        return new FilenameLabels(regex, flag);
    }

    /**
     * The file-name pattern of a source whose {@link #description()} is {@code description}, labelling images of
     * the same kind by the same rule; empty for other sources (a CSV lists particular images).
     *
     * @param flag the option that names the pattern, for error messages
     */
    static Optional<LabelSource> sameFilenamePattern(String description, String flag) {
        return FilenameLabels.patternOf(description).map(regex -> fromFilename(regex, flag));
    }

    /**
     * The source whose {@link #description()} is {@code description} (folders, a file-name pattern, a CSV file);
     * empty for a description of another kind.
     */
    static Optional<LabelSource> described(String description, String flag) {
        if (FOLDERS.description().equals(description)) {
            return Optional.of(FOLDERS);
        }
        return sameFilenamePattern(description, flag)
                .or(() -> CsvLabels.fileOf(description).map(csv -> fromCsv(csv, flag)));
    }

    /** @param flag the option that named {@code csv}, for error messages */
    static LabelSource fromCsv(Path csv, String flag) {
        return new CsvLabels(csv, flag);
    }

    /** One image, its class name and where that label came from (a file, a CSV line), for error messages. */
    record Entry(Path path, String className, String origin) {
    }

    /** Every labelled image below {@code root}, never none; {@code flag} names the root's option in errors. */
    List<Entry> entries(Path root, String flag);

    /** How labels are found, as recorded in a model bundle. */
    String description();

    /** The images below {@code root} with their classes sorted by name. */
    default ImageSet scan(Path root, String flag) {
        List<Entry> entries = entries(root, flag);
        return label(entries, entries.stream().map(Entry::className).distinct().sorted().toList(), flag);
    }

    /** The images below {@code root} labelled in a trained model's class order; another class is an error. */
    default ImageSet scanWithClasses(Path root, String flag, List<String> modelClasses) {
        return label(entries(root, flag), modelClasses, flag);
    }

    private static ImageSet label(List<Entry> entries, List<String> classes, String flag) {
        Map<String, Integer> index = new HashMap<>();
        classes.forEach(name -> index.put(name, index.size()));
        List<LabelledImage> images = new ArrayList<>();
        for (Entry entry : entries) {
            Integer label = index.get(entry.className());
            if (label == null) {
                throw new TlException(flag + ": " + entry.origin() + ": class '" + entry.className()
                        + "' is not one of the model's classes " + classes);
            }
            images.add(new LabelledImage(entry.path(), label));
        }
        return new ImageSet(classes, images);
    }
}
