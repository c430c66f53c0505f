package dev.tl.data;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Random augmentation of training images, each setting named after its {@code tl train} flag. Per image:
 * <ul>
 *   <li>{@code horizontalFlip}/{@code verticalFlip}: mirror with probability 1/2;</li>
 *   <li>{@code rotation}: turn by an angle uniform in ±rotation degrees;</li>
 *   <li>{@code zoom}: scale about the centre by a factor uniform in [1 - zoom, 1 + zoom] (as Keras' RandomZoom:
 *       above 1 crops in, below 1 shows the image smaller within mirrored surroundings);</li>
 *   <li>{@code translate}: shift by up to ±translate of the side, independently across and down;</li>
 *   <li>{@code brightness}: multiply pixel values by a factor uniform in [1 - brightness, 1 + brightness];</li>
 *   <li>{@code contrast}: scale the deviation from the image's mean grey by a factor uniform in
 *       [1 - contrast, 1 + contrast].</li>
 * </ul>
 * 0 (or false) switches a setting off.
 */
public record Augmentation(boolean horizontalFlip, boolean verticalFlip, double rotation, double zoom,
                           double translate, double brightness, double contrast) {

    /** What each flag means when given without a value, and what {@code --augment} switches on. */
    public static final double DEFAULT_ROTATION = 10;
    public static final double DEFAULT_ZOOM = 0.1;
    public static final double DEFAULT_TRANSLATE = 0.1;
    public static final double DEFAULT_BRIGHTNESS = 0.1;
    public static final double DEFAULT_CONTRAST = 0.1;

    public static final Augmentation NONE = new Augmentation(false, false, 0, 0, 0, 0, 0);

    /** {@code --augment}: horizontal flip and mild rotation, zoom, shift, brightness and contrast. */
    public static final Augmentation PRESET = new Augmentation(true, false, DEFAULT_ROTATION, DEFAULT_ZOOM,
            DEFAULT_TRANSLATE, DEFAULT_BRIGHTNESS, DEFAULT_CONTRAST);

    public Augmentation {
        if (!(rotation >= 0 && rotation <= 180) || !fraction(zoom) || !fraction(translate) || !fraction(brightness)
                || !fraction(contrast)) {
            throw new IllegalArgumentException("rotation must be in [0, 180] degrees, the other strengths in [0, 1)");
        }
    }

    @JsonIgnore
    public boolean isActive() {
        return !equals(NONE);
    }

    private static boolean fraction(double value) {
        return value >= 0 && value < 1;
    }
}
