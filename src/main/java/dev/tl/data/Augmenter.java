package dev.tl.data;

import java.util.SplittableRandom;

/**
 * Draws the random transform of every training image. Each (seed, epoch, image index) has a random stream of its
 * own, so an image's transform does not depend on which decoding thread gets to it first or when: a run is
 * reproducible from its seed. The image index is the image's position in the list being loaded (the epoch's
 * shuffled order).
 */
public record Augmenter(Augmentation settings, long seed) {

    /** Bump when the sampling changes, so cached features of augmented images are not reused across versions. */
    private static final String SAMPLING_VERSION = "augment-v1";

    /** One random view of each image for the given epoch (epochs count from 1). */
    public ImageViews epoch(int epoch) {
        String key = SAMPLING_VERSION + " " + settings + " seed=" + seed + " epoch=" + epoch;
        return new ImageViews() {
            @Override
            public int perImage() {
                return 1;
            }

            @Override
            public ImageTransform view(int imageIndex, int view) {
                return sample(epoch, imageIndex);
            }

            @Override
            public String key() {
                return key;
            }
        };
    }

    /** Every value is drawn, used or not, so switching one setting off leaves the others' draws unchanged. */
    ImageTransform sample(int epoch, int imageIndex) {
        SplittableRandom random = new SplittableRandom(mix(mix(mix(seed) ^ epoch) ^ imageIndex));
        boolean flipHorizontal = random.nextBoolean() && settings.horizontalFlip();
        boolean flipVertical = random.nextBoolean() && settings.verticalFlip();
        double rotation = symmetric(random, settings.rotation());
        double scale = 1 + symmetric(random, settings.zoom());
        double shiftX = symmetric(random, settings.translate());
        double shiftY = symmetric(random, settings.translate());
        double brightness = 1 + symmetric(random, settings.brightness());
        double contrast = 1 + symmetric(random, settings.contrast());
        return new ImageTransform(flipHorizontal, flipVertical, rotation, scale, shiftX, shiftY, brightness,
                contrast);
    }

    /** Uniform in [-range, range]; exactly 0 (not -0) when the setting is off, drawn all the same. */
    private static double symmetric(SplittableRandom random, double range) {
        double unit = random.nextDouble(-1, 1);
        return range == 0 ? 0 : range * unit;
    }

    /** A strong 64-bit finaliser (splitmix64's): nearby inputs give unrelated seeds. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
