package dev.tl.zoo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names Keras gives layers an application leaves unnamed (InceptionV3's convolutions, Xception's residual
 * convolutions): the snake-case class name, numbered per class from the second layer on ({@code conv2d},
 * {@code conv2d_1}, ...) in the order the layers are created, as a fresh Keras 3 session names them. Keras 2 numbered
 * from 1, which is why weight files are matched to such layers by position, as Keras loads them, not by name.
 */
final class KerasNames {

    private static final Pattern NUMBERED = Pattern.compile("([a-z_0-9]+?)(?:_(\\d+))?");

    private final Map<String, Integer> created = new HashMap<>();
    private final Map<String, String> blockOfName = new HashMap<>();
    private String block;

    /** The name of the next layer of {@code kerasClass}. */
    String next(String kerasClass) {
        int index = created.merge(kerasClass, 1, Integer::sum) - 1;
        String name = index == 0 ? kerasClass : kerasClass + "_" + index;
        if (block != null) {
            blockOfName.put(name, block);
        }
        return name;
    }

    /** Layers named from now on are in {@code block} (see {@link #blocks}). */
    void enterBlock(String block) {
        this.block = block;
    }

    /**
     * The block each name was given in, for architectures whose numbers per block vary with their configuration
     * (NASNet): an architecture builds itself once to learn them.
     */
    Map<String, String> blocks() {
        return Map.copyOf(blockOfName);
    }

    /**
     * The blocks such layers belong to, for {@link Architecture#blockOf}: the n-th layer of a class is in the block
     * whose run of layers of that class covers n. Runs are declared bottom to top.
     */
    static final class Blocks {
        private final Map<String, List<String>> blockByIndex = new HashMap<>();

        /** The next {@code count} layers of each of {@code kerasClasses} are in {@code block}. */
        Blocks add(String block, int count, String... kerasClasses) {
            for (String kerasClass : kerasClasses) {
                List<String> blocks = blockByIndex.computeIfAbsent(kerasClass, c -> new ArrayList<>());
                for (int i = 0; i < count; i++) {
                    blocks.add(block);
                }
            }
            return this;
        }

        /** The block of a layer Keras named, if {@code layerName} is one of the declared ones. */
        Optional<String> blockOf(String layerName) {
            Matcher matcher = NUMBERED.matcher(layerName);
            if (!matcher.matches() || !blockByIndex.containsKey(matcher.group(1))) {
                return Optional.empty();
            }
            List<String> blocks = blockByIndex.get(matcher.group(1));
            int index = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
            return index < blocks.size() ? Optional.of(blocks.get(index)) : Optional.empty();
        }
    }
}
