package dev.tl.data;

import java.util.List;

/**
 * The training, validation and held-out test images of a run. The test set is drawn first, from all of the data,
 * so it depends only on the file list, its fraction and the seed, whatever the validation settings.
 */
public record DataSplit(ImageSet train, ImageSet validation, ImageSet test) {

    /**
     * Holds out {@code testFraction} of every class for testing, then {@code valFraction} of every class for
     * validation; both fractions are of all of {@code data} (0.2 and 0.2 leave 60% for training).
     */
    public static DataSplit of(ImageSet data, double testFraction, double valFraction, long seed) {
        ImageSet.Split test = holdOutTest(data, testFraction, seed);
        ImageSet.Split validation = test.train().stratifiedSplit(valFraction / (1 - testFraction), seed, "validation");
        return new DataSplit(validation.train(), validation.validation(), test.validation());
    }

    /** Holds out {@code testFraction} of every class for testing; validation images come from elsewhere. */
    public static DataSplit of(ImageSet data, double testFraction, ImageSet validation, long seed) {
        ImageSet.Split test = holdOutTest(data, testFraction, seed);
        return new DataSplit(test.train(), validation, test.validation());
    }

    /** Without a test set the data stays as it is, in its order, so runs without one split as they always did. */
    private static ImageSet.Split holdOutTest(ImageSet data, double testFraction, long seed) {
        return testFraction > 0 ? data.stratifiedSplit(testFraction, seed, "test")
                : new ImageSet.Split(data, new ImageSet(data.classes(), List.of()));
    }
}
