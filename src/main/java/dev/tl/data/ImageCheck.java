package dev.tl.data;

import dev.tl.TlException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which images of a set can be used, decided before any work from what each file's bytes say
 * ({@link ImageProbe}): a file that is empty, truncated, not an image, unreadable or larger than the pixel limit is
 * skipped with one warning line naming it, or, with strict rules, is an error at once.
 *
 * @param maxPixels the largest image (width × height) decoded; larger ones would take memory a run cannot spare
 * @param strict    whether an unusable image is an error instead of being skipped
 */
public record ImageCheck(long maxPixels, boolean strict) {

    private static final Logger log = LoggerFactory.getLogger(ImageCheck.class);

    /** 90 million pixels: a 10,000 x 9,000 photo, 270 MB decoded. */
    public static final long DEFAULT_MAX_PIXELS = 90_000_000L;
    public static final ImageCheck DEFAULT = new ImageCheck(DEFAULT_MAX_PIXELS, false);

    /** An image left out (its absolute path, the one form every record of it uses), and why. */
    public record Skipped(Path path, String reason) {
    }

    /** The usable images of a set (classes unchanged) and the ones skipped. */
    public record Checked(ImageSet usable, List<Skipped> skipped) {
    }

    public Checked check(ImageSet set) {
        List<ImageProbe.Result> results = set.images().parallelStream()
                .map(image -> ImageProbe.probe(image.path(), maxPixels)).toList();
        List<LabelledImage> usable = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ImageProbe.Result result = results.get(i);
            if (result.usable()) {
                usable.add(set.images().get(i));
            } else {
                skipped.add(skip(result));
            }
        }
        return new Checked(new ImageSet(set.classes(), usable), skipped);
    }

    /** Null when one image can be used; why not, when it cannot (warned about, or with strict rules an error). */
    public Skipped check(Path image) {
        ImageProbe.Result result = ImageProbe.probe(image, maxPixels);
        return result.usable() ? null : skip(result);
    }

    private Skipped skip(ImageProbe.Result result) {
        Path path = result.path().toAbsolutePath().normalize();
        if (strict) {
            throw new TlException("cannot use image " + path + ": " + result.problem());
        }
        log.warn("skipping {}: {}", path, result.problem());
        return new Skipped(path, result.problem());
    }
}
