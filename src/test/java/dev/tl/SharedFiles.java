package dev.tl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Third-party files the project must not ship, read from {@code ../shared} beside the repository (where CI clones
 * it): Keras' real MobileNet v1 alpha 0.25 weights and the full hymenoptera photos. Tests that need one are skipped,
 * naming it, where it is absent.
 */
public final class SharedFiles {

    private static final Path SHARED = Path.of("../shared");
    public static final Path MOBILENET_025_NO_TOP = SHARED.resolve("weights/mobilenet_2_5_224_tf_no_top.h5");
    public static final Path MOBILENET_025_WITH_TOP = SHARED.resolve("weights/mobilenet_2_5_224_tf.h5");
    public static final Path HYMENOPTERA_TRAIN = SHARED.resolve("datasets/hymenoptera/train");
    public static final Path HYMENOPTERA_VAL = SHARED.resolve("datasets/hymenoptera/val");

    private SharedFiles() {
    }

    /** {@code path}, or the calling test is skipped with a message naming it. */
    public static Path require(Path path) {
        assumeTrue(Files.exists(path), () -> "needs " + path.toAbsolutePath().normalize()
                + " (third-party data kept outside the repository), which is absent");
        return path;
    }

    /** {@code ../shared/<relative>}, or the calling test is skipped with a message naming it. */
    public static Path require(String relative) {
        return require(SHARED.resolve(relative));
    }
}
