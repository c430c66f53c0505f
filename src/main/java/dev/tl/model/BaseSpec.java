package dev.tl.model;

import dev.tl.data.Framing;
import dev.tl.data.InputSpec;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.NetBuilder;

/** One backbone of a model, the image size it runs at and how images are fitted to it. */
public record BaseSpec(String backboneName, int imageSize, Framing framing) {

    /** Squashing the whole image, Keras' default. */
    public BaseSpec(String backboneName, int imageSize) {
        this(backboneName, imageSize, Framing.SQUASH);
    }

    public Backbone backbone() {
        return Backbones.get(backboneName);
    }

    public InputSpec inputSpec() {
        return new InputSpec(imageSize, backbone().preprocessing(), NetBuilder.layout(), framing);
    }
}
