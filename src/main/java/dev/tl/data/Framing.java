package dev.tl.data;

import java.util.Locale;

/**
 * How an image is fitted to a network's square input before it is resized: squashed whole, its aspect ratio not
 * kept (Keras' {@code image_dataset_from_directory} default), or cropped to a centred square covering
 * {@code fraction} of its shorter side, as ImageNet models are evaluated (0.875: resize the shorter side to 256,
 * crop 224) or, at 1, the largest centred square (Keras' {@code crop_to_aspect_ratio}). Cropping keeps the
 * proportions the pretrained filters know.
 *
 * @param fraction of the shorter side the crop covers; 0 for no crop (squash)
 */
public record Framing(double fraction) {

    public static final Framing SQUASH = new Framing(0);
    /** The crop of ImageNet evaluation (torchvision, timm): a centred square of 7/8 of the shorter side. */
    public static final Framing IMAGENET_CROP = new Framing(0.875);

    public Framing {
        if (!(fraction == 0 || fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a crop covers more than 0 and at most 1 of the shorter side");
        }
    }

    public boolean crops() {
        return fraction > 0;
    }

    /** The crop {@code (x, y, side)} of a {@code width} x {@code height} image; the whole image when squashing. */
    int[] region(int width, int height) {
        if (!crops()) {
            return new int[] {0, 0, width, height};
        }
        int side = Math.max(1, (int) Math.round(fraction * Math.min(width, height)));
        return new int[] {(width - side) / 2, (height - side) / 2, side, side};
    }

    /** How bundles and cache keys name it: {@code squash} or {@code crop:0.875}. */
    public String id() {
        return crops() ? String.format(Locale.ROOT, "crop:%s", fraction) : "squash";
    }

    /** The framing {@link #id()} names; a bundle from before framings were recorded squashed. */
    public static Framing of(String id) {
        if (id == null || id.equals("squash")) {
            return SQUASH;
        }
        if (id.startsWith("crop:")) {
            return new Framing(Double.parseDouble(id.substring(5)));
        }
        throw new IllegalArgumentException("no framing " + id);
    }
}
