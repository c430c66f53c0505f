package dev.tl.train;

import dev.tl.data.Augmentation;

/**
 * How training images are augmented, and how the frozen phase copes with it: with {@code featureCacheCopies} 0
 * every frozen epoch runs the augmented images through the frozen base; with K &gt; 0 the base's features of K
 * augmented copies of the training images are computed (and cached) once and the frozen epochs take them in turn.
 */
public record TrainAugmentation(Augmentation settings, int featureCacheCopies) {

    public static final TrainAugmentation NONE = new TrainAugmentation(Augmentation.NONE, 0);

    public TrainAugmentation {
        if (featureCacheCopies < 0 || featureCacheCopies > 0 && !settings.isActive()) {
            throw new IllegalArgumentException("feature copies need augmentation, and cannot be negative");
        }
    }

    /** Whether the frozen phase must run images through the base every epoch. */
    boolean frozenPhaseOnImages() {
        return settings.isActive() && featureCacheCopies == 0;
    }
}
