package dev.tl.data;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tl.TlException;

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
        requireRange("--rotation", rotation, 180, true, "degrees");
        requireRange("--zoom", zoom, 1, false, "");
        requireRange("--translate", translate, 1, false, "of the image size");
        requireRange("--brightness", brightness, 1, false, "");
        requireRange("--contrast", contrast, 1, false, "");
    }

    @JsonIgnore
    public boolean isActive() {
        return !equals(NONE);
    }

    private static void requireRange(String flag, double value, double max, boolean maxInclusive, String unit) {
        boolean inRange = value >= 0 && (maxInclusive ? value <= max : value < max);
        if (!inRange) {
            throw new TlException(flag + " must be at least 0 and " + (maxInclusive ? "at most " : "below ") + max
                    + (unit.isEmpty() ? "" : " " + unit) + ", got " + value);
        }
    }
}
