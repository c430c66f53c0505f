package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.data.ImageCheck;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --data} and how its images are labelled: one folder per class by default, or by a pattern on file names,
 * or by a CSV file.
 */
final class LabelledImages {

    static final String DATA = "--data";
    static final String CSV = "--labels-csv";
    static final String FILENAME = "--labels-from-filename";

    @Option(names = DATA, paramLabel = "DIR",
            description = "Images: one sub-folder per class, or labelled by --labels-from-filename or --labels-csv.")
    Path data;

    @Option(names = FILENAME, paramLabel = "REGEX",
            description = "Label every image below the data directory by this regular expression, searched in its "
                    + "file name: the group named 'label', else the first group (e.g. '^(\\w+)\\.\\d+\\.jpg$' "
                    + "labels cat.123.jpg as cat).")
    String filenameRegex;

    @Mixin
    ImageCheckOptions imageCheck;

    @Option(names = CSV, paramLabel = "FILE",
            description = "Take the images and their labels from a CSV file with the header path,label (paths "
                    + "relative to the data directory, or absolute).")
    Path csv;

    /** The data directory; {@code --data} must be given (on the command line or in a config file). */
    Path data() {
        Flags.require(data != null, DATA, "required (on the command line or in --config)");
        return data;
    }

    /** Whether {@code --data} was given. */
    boolean given() {
        return data != null;
    }

    LabelSource source() {
        return sourceOr(LabelSource.FOLDERS);
    }

    /** How the images are labelled: as a label option says, else as {@code fallback} does. */
    LabelSource sourceOr(LabelSource fallback) {
        Flags.exclusive(FILENAME, filenameRegex != null, CSV, csv != null);
        if (csv != null) {
            return LabelSource.fromCsv(csv, CSV);
        }
        return filenameRegex != null ? LabelSource.fromFilename(filenameRegex, FILENAME) : fallback;
    }

    /** Whether a label option was given. */
    boolean labelled() {
        return filenameRegex != null || csv != null;
    }

    /** The usable labelled images, classes sorted by name; the others are skipped, each with a warning. */
    ImageSet scan() {
        return check().check(source().scan(data(), DATA)).usable();
    }

    /** The usable labelled images in a trained model's class order. */
    ImageSet scanWithClasses(List<String> classes) {
        return check().check(source().scanWithClasses(data(), DATA, classes)).usable();
    }

    /** Which images are usable (--max-pixels, --strict). */
    ImageCheck check() {
        return imageCheck.check();
    }

    /** How separate validation images are labelled: by their own CSV if given, else as the training images. */
    LabelSource validationSource(Path valLabelsCsv, String valCsvFlag) {
        if (valLabelsCsv != null) {
            return LabelSource.fromCsv(valLabelsCsv, valCsvFlag);
        }
        if (csv != null) {
            throw new TlException("--val-data: " + CSV + " lists the images of " + DATA + " only; give the "
                    + "validation images' labels with " + valCsvFlag + " FILE");
        }
        return source();
    }
}
