package dev.tl.model;

import dev.tl.data.InputSpec;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.NetBuilder;

/** One backbone of a model and the image size it runs at. */
public record BaseSpec(String backboneName, int imageSize) {

    public Backbone backbone() {
        return Backbones.get(backboneName);
    }

    public InputSpec inputSpec() {
        return new InputSpec(imageSize, backbone().preprocessing(), NetBuilder.layout());
    }
}
