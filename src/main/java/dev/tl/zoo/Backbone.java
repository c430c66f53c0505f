package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import java.util.Optional;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/**
 * A pretrained backbone, as its family declares it beside its architecture: the name users type, the architecture,
 * the input it was trained on, where Keras publishes its ImageNet weights and the accuracy Keras publishes for them.
 *
 * @param minImageSize the smallest input whose feature maps keep a spatial extent through every layer
 * @param accuracy     Keras' published ImageNet accuracy, or null where Keras publishes none
 */
public record Backbone(String name, Architecture architecture, int defaultImageSize, int minImageSize,
                       Preprocessing preprocessing, PretrainedWeights weights, PublishedAccuracy accuracy) {

    /** Most Keras applications downsample five times by 2: 32 px is the smallest input that survives. */
    static final int MIN_IMAGE_SIZE = 32;

    static Backbone of(String name, Architecture architecture, int defaultImageSize, Preprocessing preprocessing,
                       PretrainedWeights weights) {
        return new Backbone(name, architecture, defaultImageSize, MIN_IMAGE_SIZE, preprocessing, weights, null);
    }

    /** This backbone with the ImageNet accuracy Keras publishes for its weights. */
    Backbone withAccuracy(PublishedAccuracy published) {
        return new Backbone(name, architecture, defaultImageSize, minImageSize, preprocessing, weights, published);
    }

    public Optional<PublishedAccuracy> publishedAccuracy() {
        return Optional.ofNullable(accuracy);
    }

    /**
     * The name of a family's variant at width multiplier {@code alpha}: the family's name at alpha 1, else with
     * alpha appended ("mobilenet_0.25", "mobilenetv2_1.4").
     */
    static String nameAtWidth(String family, double alpha) {
        return alpha == 1.0 ? family : family + "_" + alpha;
    }

    /** Parameters of the base without the classifier top (what the no-top weight file holds). */
    public long baseParameterCount() {
        NetBuilder net = counter();
        architecture.base(net, new FeatureMap("input", 3, defaultImageSize, defaultImageSize));
        return net.parameterCount();
    }

    /** Parameters with Keras' ImageNet classifier, counted as Keras counts them (BatchNorm: 4 per channel). */
    public long parameterCountWithTop() {
        NetBuilder net = counter();
        architecture.imagenetClassifier(net, new FeatureMap("input", 3, defaultImageSize, defaultImageSize));
        return net.parameterCount();
    }

    private static NetBuilder counter() {
        return new NetBuilder(new NeuralNetConfiguration.Builder().graphBuilder(), "", NetBuilder.Options.inference());
    }
}
