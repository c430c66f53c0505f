package dev.tl.zoo;

/**
 * The ImageNet validation accuracy Keras publishes for a backbone's weights with its stock classifier (single
 * centre crop at the default input size), as fractions.
 *
 * @param top1   top-1 accuracy
 * @param top5   top-5 accuracy, or null where Keras publishes top-1 only
 * @param source where Keras publishes it: the applications table of keras.io, or the docstring of a module that
 *               lists its checkpoints (the width variants, MobileNetV3)
 */
public record PublishedAccuracy(double top1, Double top5, String source) {

    static final String KERAS_TABLE = "keras.io/api/applications";

    public PublishedAccuracy {
        if (!(top1 > 0 && top1 < 1) || top5 != null && !(top5 >= top1 && top5 < 1)) {
            throw new IllegalArgumentException("accuracies are fractions, top-5 at least top-1: " + top1 + ", " + top5);
        }
    }

    /** A row of Keras' applications table, with top-1 and top-5. */
    static PublishedAccuracy table(double top1, double top5) {
        return new PublishedAccuracy(top1, top5, KERAS_TABLE);
    }

    /** A row of Keras' applications table that gives top-1 only. */
    static PublishedAccuracy table(double top1) {
        return new PublishedAccuracy(top1, null, KERAS_TABLE);
    }

    /** A row of the checkpoint table in the docstring of {@code module} (e.g. keras.applications.mobilenet_v3). */
    static PublishedAccuracy docstring(String module, double top1, Double top5) {
        return new PublishedAccuracy(top1, top5, module + " docstring");
    }
}
