package dev.tl.zoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A block of a base (a ResNet stage, a dense block with its transition, an EfficientNet stage...) and its layers'
 * vertex names: what {@code --unfreeze-blocks} and per-block learning rates count in.
 */
public record Block(String name, List<String> layers) {

    public Block {
        layers = List.copyOf(layers);
    }

    /**
     * Groups layer names, given in topological order, into blocks, bottom to top. Each block must be one run of
     * consecutive layers, so that freezing the blocks below some block freezes a bottom part of the graph.
     */
    public static List<Block> group(List<String> layers, UnaryOperator<String> blockOf) {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        String current = null;
        for (String layer : layers) {
            String block = blockOf.apply(layer);
            if (!block.equals(current) && blocks.containsKey(block)) {
                throw new IllegalStateException("block " + block + " is interrupted by block " + current
                        + " at layer " + layer);
            }
            blocks.computeIfAbsent(block, name -> new ArrayList<>()).add(layer);
            current = block;
        }
        List<Block> result = new ArrayList<>();
        blocks.forEach((name, names) -> result.add(new Block(name, names)));
        return result;
    }
}
