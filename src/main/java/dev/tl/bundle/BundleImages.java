package dev.tl.bundle;

import dev.tl.TlException;
import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The images a bundle remembers: how its training data was labelled, and its validation and held-out test images
 * (listed in the bundle with their labels), which {@code tl evaluate} takes when it is given no data.
 */
public final class BundleImages {

    /** The validation images of the run, as a labels CSV (path,label). */
    public static final String VALIDATION_SET_FILE = "validation-set.csv";

    /**
     * Images a bundle lists, labelled: which list they come from ("held-out test set", "validation set"), and
     * whether they chose the epoch whose weights were kept (the validation set does), which flatters the model.
     */
    public record Listed(String name, Path file, ImageSet images, boolean choseKeptEpoch) {
    }

    private BundleImages() {
    }

    /**
     * How new images for this model are labelled when nothing is said: by the training run's file-name pattern if
     * it had one (folders otherwise; a CSV lists particular images, so it does not carry over).
     *
     * @param flag the option that names the pattern, for error messages
     */
    public static LabelSource labelling(BundleMetadata metadata, String flag) {
        String labels = metadata.training() == null ? null : metadata.training().labels();
        return LabelSource.sameFilenamePattern(labels, flag).orElse(LabelSource.FOLDERS);
    }

    /** The held-out test set if the run had one, else its validation set; an error when it listed neither. */
    public static Listed heldOut(ModelBundle.Opened bundle, String flag) {
        BundleMetadata.Training training = bundle.metadata().training();
        Path test = bundle.directory().resolve(ModelBundle.TEST_SET_FILE);
        Path validation = bundle.directory().resolve(VALIDATION_SET_FILE);
        if (training != null && Files.isRegularFile(test)) {
            return read("held-out test set", test, Path.of(training.data()), bundle, flag, false);
        }
        if (training != null && Files.isRegularFile(validation)) {
            String root = training.valData() != null ? training.valData() : training.data();
            return read("validation set", validation, Path.of(root), bundle, flag, true);
        }
        throw new TlException("required: " + bundle.directory() + " lists no validation or test images to "
                + "evaluate on (trained without validation data, or by an earlier tl)");
    }

    private static Listed read(String name, Path list, Path root, ModelBundle.Opened bundle, String flag,
                               boolean choseKeptEpoch) {
        return new Listed(name, list, LabelSource.fromCsv(list, flag).scanWithClasses(root, flag,
                bundle.metadata().classes()), choseKeptEpoch);
    }
}
