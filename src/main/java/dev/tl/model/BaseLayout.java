package dev.tl.model;

import dev.tl.TlException;
import dev.tl.zoo.Architecture;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Block;
import dev.tl.zoo.FeatureMap;
import dev.tl.zoo.NetBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

/**
 * What a base's architecture says about it at one input size, without a graph: its layers' Keras names in
 * topological order (the order "top N layers" counts from the end), its blocks, and the channels of its output (the
 * pooled feature size). Worked out once per backbone and size.
 */
public record BaseLayout(List<String> layerNames, List<Block> blocks, int outputChannels) {

    private static final Map<BaseSpec, BaseLayout> KNOWN = new ConcurrentHashMap<>();

    public BaseLayout {
        layerNames = List.copyOf(layerNames);
        blocks = List.copyOf(blocks);
    }

    /** The layout of {@code base}; an input too small for the backbone is an error saying so. */
    public static BaseLayout of(BaseSpec base) {
        return KNOWN.computeIfAbsent(new BaseSpec(base.backboneName(), base.imageSize()), BaseLayout::workOut);
    }

    /** An error when {@code imageSize} is below what {@code backbone} needs. */
    static void requireLargeEnough(Backbone backbone, int imageSize) {
        if (imageSize < backbone.minImageSize()) {
            throw new TlException("image size " + imageSize + " is too small for " + backbone.name()
                    + " (minimum " + backbone.minImageSize() + ")");
        }
    }

    private static BaseLayout workOut(BaseSpec base) {
        Backbone backbone = base.backbone();
        requireLargeEnough(backbone, base.imageSize());
        NetBuilder net = new NetBuilder(new NeuralNetConfiguration.Builder().graphBuilder(), "",
                NetBuilder.Options.inference());
        FeatureMap output;
        try {
            output = backbone.architecture().base(net, new FeatureMap("input", 3, base.imageSize(), base.imageSize()));
        } catch (IllegalArgumentException e) {
            throw new TlException("image size " + base.imageSize() + " is too small for " + backbone.name() + ": "
                    + e.getMessage(), e);
        }
        Architecture architecture = backbone.architecture();
        List<String> names = net.vertexNames();
        return new BaseLayout(names, Block.group(names, architecture::blockOf), output.channels());
    }
}
