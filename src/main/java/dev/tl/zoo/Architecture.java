package dev.tl.zoo;

import org.nd4j.linalg.activations.Activation;

/** A convolutional base, built layer by layer with Keras' layer names so Keras weights load by name. */
public interface Architecture {

    /** Adds the base (Keras {@code include_top=False}) on top of {@code input}; returns its last feature map. */
    FeatureMap base(NetBuilder net, FeatureMap input);

    /**
     * The block a layer of the base belongs to, by its Keras name. Blocks are runs of consecutive layers, bottom to
     * top; the layers before the first stage, if any, form a block called "stem".
     */
    String blockOf(String layerName);

    /** Older layer names that Keras' published weight files of this family use (none for most families). */
    default LayerAliases legacyNames() {
        return LayerAliases.NONE;
    }

    /**
     * Adds Keras' ImageNet classifier ({@code include_top=True}) on the base's output; returns the softmax over the
     * 1000 classes. Most Keras applications use global average pooling and a Dense layer named "predictions".
     */
    default FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        return net.dense("predictions", net.globalAvgPool("avg_pool", features), 1000, Activation.SOFTMAX);
    }

    /**
     * Adds the whole ImageNet classifier Keras builds with {@code include_top=True}: the base and its top, unless
     * the family's base ends in layers that only the classifier-less model has (ConvNeXt's final normalisation).
     */
    default FeatureMap imagenetClassifier(NetBuilder net, FeatureMap input) {
        return imagenetTop(net, base(net, input));
    }
}
