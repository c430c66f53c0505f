package dev.tl.zoo;

/** A convolutional base, built layer by layer with Keras' layer names so Keras weights load by name. */
public interface Architecture {

    /** Adds the base (Keras {@code include_top=False}) on top of {@code input}; returns its last feature map. */
    FeatureMap base(NetBuilder net, FeatureMap input);
}
