package dev.tl.data;

import java.util.List;

/**
 * The views of each image a {@link BatchLoader} batch holds: the same number per image, chosen by the image's
 * position in the list being loaded. One plain view for evaluation, one random view per image for augmented
 * training, several fixed views for test-time augmentation.
 */
public interface ImageViews {

    ImageViews PLAIN = fixed(List.of(ImageTransform.IDENTITY), "plain");

    int perImage();

    ImageTransform view(int imageIndex, int view);

    /** Identifies the views for cache keys: equal keys give equal views of the same images. */
    String key();

    /** The views of a part of the list that starts at {@code offset}: image i of the part is image offset + i. */
    default ImageViews from(int offset) {
        ImageViews whole = this;
        return offset == 0 ? this : new ImageViews() {
            @Override
            public int perImage() {
                return whole.perImage();
            }

            @Override
            public ImageTransform view(int imageIndex, int view) {
                return whole.view(offset + imageIndex, view);
            }

            @Override
            public String key() {
                return whole.key();
            }
        };
    }

    /** The same views of every image. */
    static ImageViews fixed(List<ImageTransform> views, String key) {
        List<ImageTransform> copy = List.copyOf(views);
        return new ImageViews() {
            @Override
            public int perImage() {
                return copy.size();
            }

            @Override
            public ImageTransform view(int imageIndex, int view) {
                return copy.get(view);
            }

            @Override
            public String key() {
                return key;
            }
        };
    }
}
