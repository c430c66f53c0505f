package dev.tl;

import dev.tl.data.ImageSet;
import dev.tl.data.LabelSource;
import dev.tl.data.LabelledImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample images in data/sample (horizontal and vertical stripes rendered by scripts/SampleData.java, JPEG and
 * PNG; 48 and 45 training, 20 and 20 validation images), and small subsets of them.
 */
public final class TestData {

    public static final Path TRAIN = Path.of("data/sample/train");
    public static final Path VAL = Path.of("data/sample/val");
    private TestData() {
    }

    /** The first {@code perClass} images of every class in {@code dir}. */
    public static ImageSet subset(Path dir, int perClass) {
        ImageSet all = LabelSource.FOLDERS.scan(dir, "--data");
        List<LabelledImage> chosen = new ArrayList<>();
        int[] taken = new int[all.classes().size()];
        for (LabelledImage image : all.images()) {
            if (taken[image.label()]++ < perClass) {
                chosen.add(image);
            }
        }
        return new ImageSet(all.classes(), chosen);
    }

    /** Copies a subset into {@code target} in the class-per-folder layout; returns {@code target}. */
    public static Path copySubset(Path dir, int perClass, Path target) throws IOException {
        ImageSet set = subset(dir, perClass);
        for (LabelledImage image : set.images()) {
            Path classDir = target.resolve(set.classes().get(image.label()));
            Files.createDirectories(classDir);
            Files.copy(image.path(), classDir.resolve(image.path().getFileName()));
        }
        return target;
    }
}
