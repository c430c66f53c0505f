package dev.tl.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Fixed views for test-time augmentation, in the order they are added: the image itself, its mirror image, a
 * centre crop and its mirror image, then the four corner crops and their mirror images. Crops cover 1/1.125 of the
 * side (8/9), zoomed back to the input size, so no view needs pixels from outside the image.
 */
public final class TestTimeAugmentation {

    public static final int MAX_VIEWS = 12;
    private static final double CROP_ZOOM = 1.125;
    private static final List<ImageTransform> VIEWS = views();

    private TestTimeAugmentation() {
    }

    /** The first {@code count} views; 1 is the plain image alone. */
    public static ImageViews views(int count) {
        if (count < 1 || count > MAX_VIEWS) {
            throw new IllegalArgumentException("between 1 and " + MAX_VIEWS + " views, not " + count);
        }
        return count == 1 ? ImageViews.PLAIN : ImageViews.fixed(VIEWS.subList(0, count), "tta-v1:" + count);
    }

    private static List<ImageTransform> views() {
        double corner = (CROP_ZOOM - 1) / 2; // shifts a crop's edges onto the image's edges
        List<ImageTransform> views = new ArrayList<>();
        views.add(ImageTransform.IDENTITY);
        views.add(crop(true, 1, 0, 0));
        views.add(crop(false, CROP_ZOOM, 0, 0));
        views.add(crop(true, CROP_ZOOM, 0, 0));
        double[][] corners = {{corner, corner}, {-corner, corner}, {corner, -corner}, {-corner, -corner}};
        for (boolean flip : new boolean[] {false, true}) {
            for (double[] shift : corners) {
                views.add(crop(flip, CROP_ZOOM, shift[0], shift[1]));
            }
        }
        return List.copyOf(views);
    }

    private static ImageTransform crop(boolean flip, double zoom, double shiftX, double shiftY) {
        return new ImageTransform(flip, false, 0, zoom, shiftX, shiftY, 1, 1);
    }
}
