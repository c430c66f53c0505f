package dev.tl.model;

import dev.tl.TlException;
import dev.tl.zoo.BatchNormMode;
import dev.tl.zoo.Block;
import dev.tl.zoo.NetBuilder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which base vertices a training graph freezes and how its BatchNorm layers behave. Frozen vertices always form a
 * bottom part of the base (a prefix in topological order), which is what DL4J's FrozenLayer needs: it passes no
 * gradient down.
 */
public record FreezePlan(Set<String> frozen, BatchNormMode batchNorm) {

    /** Inference: nothing wrapped, BatchNorm with fixed statistics. */
    public static final FreezePlan INFERENCE = new FreezePlan(Set.of(), BatchNormMode.FROZEN);

    /** Fine-tuning: the top layers (or blocks) of each base learn, the rest stays frozen. */
    public static FreezePlan fineTune(ModelSpec spec, Unfreeze unfreeze, boolean batchNormTrainable) {
        Set<String> frozen = new HashSet<>();
        for (int i = 0; i < spec.bases().size(); i++) {
            List<String> names = ModelGraphs.baseVertexNames(spec, i);
            int trainable = unfreeze.byBlocks() ? trainableBlocks(spec, i, unfreeze).stream()
                    .mapToInt(block -> block.layers().size()).sum() : Math.min(unfreeze.top(), names.size());
            frozen.addAll(names.subList(0, names.size() - trainable));
        }
        return new FreezePlan(Set.copyOf(frozen), batchNormTrainable ? BatchNormMode.TRAINABLE : BatchNormMode.FROZEN);
    }

    /** The top blocks of base {@code i} that {@code unfreeze} (counting blocks) trains, bottom to top. */
    public static List<Block> trainableBlocks(ModelSpec spec, int i, Unfreeze unfreeze) {
        List<Block> blocks = ModelGraphs.baseBlocks(spec, i);
        if (unfreeze.top() > blocks.size()) {
            throw new TlException("cannot train the top " + unfreeze.top() + " blocks: "
                    + spec.bases().get(i).backboneName() + " has " + blocks.size() + " blocks " + blocks.stream().map(Block::name).toList());
        }
        return blocks.subList(blocks.size() - unfreeze.top(), blocks.size());
    }

    NetBuilder.Options builderOptions() {
        return new NetBuilder.Options(NetBuilder.layout(), batchNorm, frozen::contains);
    }
}
