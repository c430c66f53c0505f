package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.data.LabelSource;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that say how images are labelled, shared by train and evaluate; default: one folder per class. */
final class LabelOptions {

    @Option(names = "--labels-from-filename", paramLabel = "REGEX",
            description = "Label every image below the data directory by this regular expression, searched in its "
                    + "file name: the group named 'label', else the first group (e.g. '^(\\w+)\\.\\d+\\.jpg$' "
                    + "labels cat.123.jpg as cat).")
    String filenameRegex;

    @Option(names = "--labels-csv", paramLabel = "FILE",
            description = "Take the images and their labels from a CSV file with the header path,label (paths "
                    + "relative to the data directory, or absolute).")
    Path csv;

    LabelSource source() {
        if (filenameRegex != null && csv != null) {
            throw new TlException("--labels-from-filename and --labels-csv exclude each other");
        }
        if (csv != null) {
            return LabelSource.fromCsv(csv, "--labels-csv");
        }
        return filenameRegex != null ? LabelSource.fromFilename(filenameRegex) : LabelSource.FOLDERS;
    }

    /** How separate validation images are labelled: by their own CSV if given, else as the training images. */
    LabelSource validationSource(Path valLabelsCsv) {
        if (valLabelsCsv != null) {
            return LabelSource.fromCsv(valLabelsCsv, "--val-labels-csv");
        }
        if (csv != null) {
            throw new TlException("--val-data: --labels-csv lists the images of --data only; "
                    + "give the validation images' labels with --val-labels-csv FILE");
        }
        return source();
    }
}
