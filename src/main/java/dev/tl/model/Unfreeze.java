package dev.tl.model;

import dev.tl.TlException;

/** How much of the base the fine-tune phase trains: all of it, its top N layers, or its top N blocks. */
public record Unfreeze(int top, Unit unit) {

    /** What {@link #top} counts. */
    public enum Unit { LAYERS, BLOCKS }

    private static final String BLOCKS_SUFFIX = " blocks";

    public static final Unfreeze ALL = new Unfreeze(Integer.MAX_VALUE, Unit.LAYERS);

    /** The top {@code topLayers} layers. */
    public Unfreeze(int topLayers) {
        this(topLayers, Unit.LAYERS);
    }

    /** The top {@code n} blocks of each base (see {@link dev.tl.zoo.Architecture#blockOf}). */
    public static Unfreeze blocks(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("at least one block, not " + n);
        }
        return new Unfreeze(n, Unit.BLOCKS);
    }

    public boolean isAll() {
        return top == Integer.MAX_VALUE;
    }

    public boolean byBlocks() {
        return unit == Unit.BLOCKS;
    }

    /** {@code all} or a number of layers. */
    public static Unfreeze parse(String value) {
        if (value.equalsIgnoreCase("all")) {
            return ALL;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return new Unfreeze(n);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TlException("expected 'all' or a positive number of layers, got '" + value + "'");
    }

    /** As bundles record it: {@code all}, {@code N} (layers) or {@code N blocks}. */
    @Override
    public String toString() {
        return isAll() ? "all" : top + (byBlocks() ? BLOCKS_SUFFIX : "");
    }
}
